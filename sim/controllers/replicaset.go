package controllers

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/sim/store"
)

// burstReplicas is the replicaset controller's cap on creations or
// deletions per sync (pkg/controller/replicaset BurstReplicas).
const burstReplicas = 500

// replicaSetController keeps each ReplicaSet's pod count at spec.replicas
// (upstream pkg/controller/replicaset). Pods are named <rs>-<5 random
// characters> by generateName; scale-down deletes pods in the order of
// rankedPods. Expectations are not needed: reads come from the store, which
// already holds every write.
type replicaSetController struct {
	controller[*appsv1.ReplicaSet]
	// orphans: namespace -> names of pods seen without a controller since
	// the last Run, to match against selectors (a name may repeat: queueing
	// a ReplicaSet twice is queueing it once; a slice costs an append per
	// pod event where a set cost a hash insert).
	orphans map[string][]string
	// failures counts each key's consecutive failed creations, for the
	// workqueue's rate limiter: a refused create (a quota, an admission
	// plugin) retries after 5 ms doubling to 1000 s (AddRateLimited).
	failures map[string]int
}

func newReplicaSet(b *base) *replicaSetController {
	c := &replicaSetController{orphans: map[string][]string{}, failures: map[string]int{}}
	c.controller = newController[*appsv1.ReplicaSet](b, "replicaset", b.replicasets, c.syncRS)
	c.owns = map[string]string{"pods": "ReplicaSet"}
	c.onEventFor = resources("pods")
	c.onEvent = func(ev store.Event, res, ns, name string) {
		if p, ok := objOf(ev).(*corev1.Pod); ok && ev.Type == store.Put && metav1.GetControllerOfNoCopy(p) == nil {
			c.orphans[ns] = append(c.orphans[ns], name)
		}
	}
	return c
}

// Run queues the ReplicaSets that may adopt new orphan pods, then runs the
// skeleton.
func (c *replicaSetController) Run(now time.Time) bool {
	c.matchOrphans()
	return c.controller.Run(now)
}

// matchOrphans queues the ReplicaSets whose selector matches a pod without
// a controller (upstream addPod → getPodReplicaSets).
func (c *replicaSetController) matchOrphans() {
	if len(c.orphans) == 0 {
		return
	}
	nss := slices.Sorted(maps.Keys(c.orphans))
	for _, ns := range nss {
		names := c.orphans[ns]
		delete(c.orphans, ns)
		rss := list[*appsv1.ReplicaSet](c.base, c.replicasets, ns)
		if len(rss) == 0 {
			continue
		}
		for _, name := range names {
			p, ok := get[*corev1.Pod](c.base, c.pods, ns, name)
			if !ok || metav1.GetControllerOfNoCopy(p) != nil {
				continue
			}
			for _, rs := range rss {
				sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
				if err == nil && !sel.Empty() && sel.Matches(labels.Set(p.Labels)) {
					c.queue.add(nsKey(ns, rs.Name))
				}
			}
		}
	}
}

func (c *replicaSetController) syncRS(key string, now time.Time) bool {
	rs, ok := c.get(key)
	if !ok {
		return false
	}
	ns := rs.Namespace
	sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil || sel.Empty() {
		return false
	}
	wrote := false
	pods := c.claimPods(rs, c.primary.GVK(), sel, activePods(c.podsIn(ns)), &wrote)
	var manageErr error
	if rs.DeletionTimestamp == nil {
		var w bool
		if w, manageErr = c.manage(rs, pods, now); w {
			wrote = true
		}
	}
	if c.updateStatus(rs, pods, now, manageErr) {
		wrote = true
	}
	return wrote
}

// rateLimitDelay is client-go's default per-item exponential back-off
// after n earlier failures: 5 ms doubling, at most 1000 s.
func rateLimitDelay(n int) time.Duration {
	if n > 20 {
		return 1000 * time.Second
	}
	return min(5*time.Millisecond<<n, 1000*time.Second)
}

// manage creates or deletes pods (manageReplicas); the error is a refused
// creation's.
func (c *replicaSetController) manage(rs *appsv1.ReplicaSet, pods []*corev1.Pod, now time.Time) (bool, error) {
	want := int32(1)
	if rs.Spec.Replicas != nil {
		want = *rs.Spec.Replicas
	}
	diff := len(pods) - int(want)
	switch {
	case diff < 0:
		n := min(-diff, burstReplicas)
		ref := c.controllerRef(rs)
		created := 0
		for i := 0; i < n; i++ {
			p := podFromTemplate(&rs.Spec.Template, rs, ref)
			out, err := c.Registry.Create(c.pods, rs.Namespace, p, false)
			if err != nil {
				c.record(rs, corev1.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
				key := nsKey(rs.Namespace, rs.Name)
				c.requeueAt(key, now.Add(rateLimitDelay(c.failures[key])))
				c.failures[key]++
				return true, err
			}
			created++
			c.record(rs, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("Created pod: %s", out.(*corev1.Pod).Name))
		}
		delete(c.failures, nsKey(rs.Namespace, rs.Name))
		return created > 0, nil
	case diff > 0:
		n := min(diff, burstReplicas)
		victims := c.podsToDelete(rs, pods, n, now)
		for _, p := range victims {
			if _, err := c.Registry.Delete(c.pods, p.Namespace, p.Name, nil); err != nil {
				c.record(rs, corev1.EventTypeWarning, "FailedDelete", fmt.Sprintf("Error deleting: %v", err))
				continue
			}
			c.record(rs, corev1.EventTypeNormal, "SuccessfulDelete", fmt.Sprintf("Deleted pod: %s", p.Name))
		}
		return len(victims) > 0, nil
	}
	return false, nil
}

// podsToDelete ranks pods by the number of related pods (pods of the
// ReplicaSets that share this one's controller) on the same node, then
// sorts as ActivePodsWithRanks.
func (c *replicaSetController) podsToDelete(rs *appsv1.ReplicaSet, pods []*corev1.Pod, n int, now time.Time) []*corev1.Pod {
	related := map[string]bool{string(rs.UID): true}
	if ctrl := metav1.GetControllerOfNoCopy(rs); ctrl != nil {
		for _, o := range list[*appsv1.ReplicaSet](c.base, c.replicasets, rs.Namespace) {
			if r := metav1.GetControllerOfNoCopy(o); r != nil && r.UID == ctrl.UID {
				related[string(o.UID)] = true
			}
		}
	}
	onNode := map[string]int{}
	for _, p := range activePods(c.podsIn(rs.Namespace)) {
		if r := metav1.GetControllerOfNoCopy(p); r != nil && related[string(r.UID)] && p.Spec.NodeName != "" {
			onNode[p.Spec.NodeName]++
		}
	}
	s := rankedPods{pods: append([]*corev1.Pod(nil), pods...), rank: make([]int, len(pods)), now: now}
	for i, p := range s.pods {
		s.rank[i] = onNode[p.Spec.NodeName]
	}
	sort.Sort(s)
	return s.pods[:n]
}

// updateStatus writes replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas and observedGeneration, and arms a timer for pods that
// become available after minReadySeconds.
func (c *replicaSetController) updateStatus(rs *appsv1.ReplicaSet, pods []*corev1.Pod, now time.Time, manageErr error) bool {
	st := *rs.Status.DeepCopy()
	// A refused creation is the ReplicaFailure condition (calculateStatus),
	// which the deployment controller copies onto the Deployment.
	failure := -1
	for i, cd := range st.Conditions {
		if cd.Type == appsv1.ReplicaSetReplicaFailure {
			failure = i
		}
	}
	if manageErr != nil && failure < 0 {
		st.Conditions = append(st.Conditions, appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue,
			Reason: "FailedCreate", Message: manageErr.Error(), LastTransitionTime: c.metaNow()})
	} else if manageErr == nil && failure >= 0 {
		st.Conditions = append(st.Conditions[:failure:failure], st.Conditions[failure+1:]...)
		if len(st.Conditions) == 0 {
			st.Conditions = nil
		}
	}
	tmpl := labels.SelectorFromSet(rs.Spec.Template.Labels)
	var full int32
	var av availability
	for _, p := range pods {
		if tmpl.Matches(labels.Set(p.Labels)) {
			full++
		}
		av.add(p, rs.Spec.MinReadySeconds, now)
	}
	st.Replicas, st.FullyLabeledReplicas, st.ReadyReplicas, st.AvailableReplicas = int32(len(pods)), full, av.ready, av.available
	st.ObservedGeneration = rs.Generation
	key := nsKey(rs.Namespace, rs.Name)
	if !av.next.IsZero() && av.next.After(c.Clock.Now()) {
		c.requeueAt(key, av.next)
	}
	if equality.Semantic.DeepEqual(st, rs.Status) {
		return false
	}
	cp := rs.DeepCopy()
	cp.Status = st
	return c.update(c.replicasets, cp, "status")
}
