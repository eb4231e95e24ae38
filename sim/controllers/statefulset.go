package controllers

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// statefulSetController gives each StatefulSet pods with stable names
// <sts>-<ordinal> (upstream pkg/controller/statefulset). OrderedReady:
// ordinal i is created only when every lower ordinal is Running and Ready,
// scale-down and rolling updates go from the highest ordinal, one at a
// time, down to rollingUpdate.partition. Parallel: all at once.
// volumeClaimTemplates give each ordinal its claims (statefulset_claims.go).
type statefulSetController struct {
	controller[*appsv1.StatefulSet]
	// templates holds the pod template of every revision seen, by revision
	// name (upstream's ControllerRevisions, which kubesim does not serve).
	templates map[string]*corev1.PodTemplateSpec
}

func newStatefulSet(b *base) *statefulSetController {
	c := &statefulSetController{templates: map[string]*corev1.PodTemplateSpec{}}
	c.controller = newController[*appsv1.StatefulSet](b, "statefulset", b.statefulsets, c.syncSet)
	c.owns = map[string]string{"pods": "StatefulSet"}
	return c
}

// ordinal parses the ordinal of a pod named <set>-<n>.
func ordinal(set, pod string) (int, bool) {
	if !strings.HasPrefix(pod, set+"-") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(pod, set+"-"))
	return n, err == nil && n >= 0
}

func (c *statefulSetController) syncSet(key string, _ time.Time) bool {
	ss, ok := c.live(key)
	if !ok {
		return false
	}
	ns := ss.Namespace
	revision := stsRevision(ss)
	c.templates[revision] = &ss.Spec.Template
	current := ss.Status.CurrentRevision
	if current == "" {
		current = revision
	}
	// Ordinals below the partition keep the current revision: they are
	// neither replaced for the update nor recreated from the new template.
	partition := 0
	if ru := ss.Spec.UpdateStrategy.RollingUpdate; ss.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && ru != nil && ru.Partition != nil {
		partition = int(*ru.Partition)
	}
	pods := map[int]*corev1.Pod{}
	for _, p := range owned(c.podsIn(ns), ss) {
		if i, ok := ordinal(ss.Name, p.Name); ok {
			pods[i] = p
		}
	}
	replicas := int(*ss.Spec.Replicas)
	ordered := ss.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	wrote := false
	for _, i := range sortedOrdinals(pods) {
		if pods[i].DeletionTimestamp == nil {
			wrote = c.retainClaims(ss, pods[i], i) || wrote
		}
	}
	healthy := func(p *corev1.Pod) bool {
		return p != nil && p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && isPodReady(p)
	}
	// Create missing ordinals (in order; OrderedReady stops at the first
	// predecessor that is not yet Running and Ready).
	for i := 0; i < replicas; i++ {
		if p := pods[i]; p != nil {
			if ordered && !healthy(p) {
				break
			}
			continue
		}
		p := c.newPod(ss, i, revision, current, partition)
		if err := c.createClaims(ss, p.Name, i); err != nil {
			break
		}
		if _, err := c.Registry.Create(c.pods, ns, p, false); err != nil {
			c.record(ss, corev1.EventTypeWarning, "FailedCreate", fmt.Sprintf("create Pod %s in StatefulSet %s failed error: %v", p.Name, ss.Name, err))
			break
		}
		c.record(ss, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("create Pod %s in StatefulSet %s successful", p.Name, ss.Name))
		wrote = true
		if ordered {
			break
		}
	}
	// Scale down from the highest ordinal; rolling update from the highest
	// ordinal whose revision is old, once every pod is healthy.
	ords := make([]int, 0, len(pods))
	for i := range pods {
		ords = append(ords, i)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ords)))
	terminating := false
	for _, i := range ords {
		terminating = terminating || pods[i].DeletionTimestamp != nil
	}
	if !wrote && !(ordered && terminating) {
		for _, i := range ords {
			p := pods[i]
			if p.DeletionTimestamp != nil {
				continue
			}
			condemned := i >= replicas
			stale := !condemned && i >= partition && p.Labels[appsv1.ControllerRevisionHashLabelKey] != revision && ss.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType
			if !condemned && !stale {
				continue
			}
			if stale && !allHealthy(pods, replicas, healthy) {
				break
			}
			if _, err := c.Registry.Delete(c.pods, ns, p.Name, nil); err == nil {
				c.record(ss, corev1.EventTypeNormal, "SuccessfulDelete", fmt.Sprintf("delete Pod %s in StatefulSet %s successful", p.Name, ss.Name))
				wrote = true
			}
			if ordered {
				break
			}
		}
	}
	st := appsv1.StatefulSetStatus{ObservedGeneration: ss.Generation, CurrentRevision: current, UpdateRevision: revision, CollisionCount: ss.Status.CollisionCount}
	if st.CollisionCount == nil {
		zero := int32(0)
		st.CollisionCount = &zero
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		st.Replicas++
		switch p.Labels[appsv1.ControllerRevisionHashLabelKey] {
		case revision:
			st.UpdatedReplicas++
			if current == revision {
				st.CurrentReplicas++
			}
		case current:
			st.CurrentReplicas++
		}
		if healthy(p) {
			st.ReadyReplicas++
			st.AvailableReplicas++
		}
	}
	// The rollout is complete (upstream completeRollingUpdate): the update
	// revision becomes the current one.
	if ss.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas {
		st.CurrentReplicas, st.CurrentRevision = st.UpdatedReplicas, st.UpdateRevision
	}
	if equality.Semantic.DeepEqual(st, ss.Status) {
		return wrote
	}
	cp := ss.DeepCopy()
	cp.Status = st
	return c.update(c.primary, cp, "status") || wrote
}

func allHealthy(pods map[int]*corev1.Pod, replicas int, healthy func(*corev1.Pod) bool) bool {
	for i := 0; i < replicas; i++ {
		if !healthy(pods[i]) {
			return false
		}
	}
	return true
}

// newPod is the pod for ordinal i (statefulset newVersionedStatefulSetPod):
// stable name, hostname and subdomain, identity labels; below the
// partition, from the current revision's template.
func (c *statefulSetController) newPod(ss *appsv1.StatefulSet, i int, revision, current string, partition int) *corev1.Pod {
	tmpl := &ss.Spec.Template
	if i < partition && current != revision {
		// Upstream reads the current revision from its ControllerRevision;
		// kubesim keeps the templates it has seen (a cluster resumed from
		// its store has only the set's own).
		if t := c.templates[current]; t != nil {
			tmpl, revision = t, current
		}
	}
	p := podFromTemplate(tmpl, ss, c.controllerRef(ss))
	p.GenerateName = ""
	p.Name = fmt.Sprintf("%s-%d", ss.Name, i)
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[appsv1.StatefulSetPodNameLabel] = p.Name
	p.Labels[appsv1.ControllerRevisionHashLabelKey] = revision
	if c.minor >= 28 {
		p.Labels[appsv1.PodIndexLabel] = strconv.Itoa(i)
	}
	p.Spec.Hostname = p.Name
	p.Spec.Subdomain = ss.Spec.ServiceName
	updateStorage(ss, p, i)
	return p
}
