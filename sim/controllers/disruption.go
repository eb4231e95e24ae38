package controllers

import (
	"fmt"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/store"
)

// disruptionController maintains PodDisruptionBudget status (upstream
// pkg/controller/disruption): currentHealthy, desiredHealthy,
// expectedPods, disruptionsAllowed, observedGeneration and the
// DisruptionAllowed condition, so `kubectl get pdb` shows ALLOWED
// DISRUPTIONS. Expected pods for a percentage or maxUnavailable come from
// the scale of the pods' controllers (Deployment through its ReplicaSet, or
// ReplicaSet); a pod with no such controller makes the sync fail safe
// (disruptionsAllowed 0, reason SyncFailed), as upstream. The eviction
// subresource decides on its own; this status is for display.
type disruptionController struct {
	*base
	queue  queue
	podNS  map[string]bool
	synced bool
}

func newDisruption(b *base) *disruptionController {
	return &disruptionController{base: b, queue: queue{}, podNS: map[string]bool{}}
}

func (c *disruptionController) Name() string { return "disruption" }

func (c *disruptionController) Handle(ev store.Event) {
	res, ns, name := splitKey(ev.KV.Key)
	switch res {
	case "poddisruptionbudgets":
		c.queue.add(nsKey(ns, name))
	case "pods", "replicasets", "deployments":
		c.podNS[ns] = true
	}
}

func (c *disruptionController) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		for _, p := range list[*policyv1.PodDisruptionBudget](c.base, c.pdbs, "") {
			c.queue.add(nsKey(p.Namespace, p.Name))
		}
	}
	for ns := range c.podNS {
		delete(c.podNS, ns)
		for _, p := range list[*policyv1.PodDisruptionBudget](c.base, c.pdbs, ns) {
			c.queue.add(nsKey(ns, p.Name))
		}
	}
	return c.queue.each(c.sync)
}

func (c *disruptionController) sync(key string) bool {
	ns, name := splitNS(key)
	pdb, ok := get[*policyv1.PodDisruptionBudget](c.base, c.pdbs, ns, name)
	if !ok || pdb.DeletionTimestamp != nil {
		return false
	}
	st := pdb.Status.DeepCopy()
	st.ObservedGeneration = pdb.Generation
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	var pods []*corev1.Pod
	if err == nil && !sel.Empty() {
		for _, p := range c.podsIn(ns) {
			if sel.Matches(labels.Set(p.Labels)) {
				pods = append(pods, p)
			}
		}
	}
	var healthy int32
	for _, p := range pods {
		if p.DeletionTimestamp == nil && isPodReady(p) {
			healthy++
		}
	}
	expected, desired, ferr := c.expected(pdb, pods)
	now := c.metaNow()
	if ferr != nil {
		st.DisruptionsAllowed = 0
		setPDBCond(st, metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason, Message: ferr.Error(), LastTransitionTime: now, ObservedGeneration: pdb.Generation})
	} else {
		st.CurrentHealthy, st.DesiredHealthy, st.ExpectedPods = healthy, desired, expected
		st.DisruptionsAllowed = max(healthy-desired, 0)
		if st.DisruptionsAllowed > 0 {
			setPDBCond(st, metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionTrue, Reason: policyv1.SufficientPodsReason, LastTransitionTime: now, ObservedGeneration: pdb.Generation})
		} else {
			setPDBCond(st, metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason, LastTransitionTime: now, ObservedGeneration: pdb.Generation})
		}
	}
	if equality.Semantic.DeepEqual(*st, pdb.Status) {
		return false
	}
	cp := pdb.DeepCopy()
	cp.Status = *st
	cp.ResourceVersion = ""
	_, err = c.Registry.Update(c.pdbs, ns, cp, "status")
	return err == nil
}

// setPDBCond keeps the transition time when the status does not change.
func setPDBCond(st *policyv1.PodDisruptionBudgetStatus, cond metav1.Condition) {
	for i := range st.Conditions {
		if st.Conditions[i].Type == cond.Type {
			if st.Conditions[i].Status == cond.Status {
				cond.LastTransitionTime = st.Conditions[i].LastTransitionTime
			}
			st.Conditions[i] = cond
			return
		}
	}
	st.Conditions = append(st.Conditions, cond)
}

// expected returns expectedPods and desiredHealthy (getExpectedPodCount).
func (c *disruptionController) expected(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod) (int32, int32, error) {
	if m := pdb.Spec.MinAvailable; m != nil && m.Type == intstr.Int {
		return int32(len(pods)), m.IntVal, nil
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		return int32(len(pods)), 0, nil
	}
	scale, err := c.expectedScale(pods)
	if err != nil {
		return 0, 0, err
	}
	if mu := pdb.Spec.MaxUnavailable; mu != nil {
		v, err := intstr.GetScaledValueFromIntOrPercent(mu, int(scale), true)
		if err != nil {
			return 0, 0, err
		}
		return scale, max(scale-int32(v), 0), nil
	}
	v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(scale), true)
	if err != nil {
		return 0, 0, err
	}
	return scale, int32(math.Min(float64(v), math.MaxInt32)), nil
}

// expectedScale sums the scale of the distinct controllers of the pods.
func (c *disruptionController) expectedScale(pods []*corev1.Pod) (int32, error) {
	seen := map[string]int32{}
	for _, p := range pods {
		ref := metav1.GetControllerOfNoCopy(p)
		if ref == nil {
			return 0, fmt.Errorf("found no controller ref for pod %q", p.Name)
		}
		if ref.Kind != "ReplicaSet" {
			return 0, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		rs, ok := get[*appsv1.ReplicaSet](c.base, c.replicasets, p.Namespace, ref.Name)
		if !ok || rs.UID != ref.UID {
			return 0, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		if dref := metav1.GetControllerOfNoCopy(rs); dref != nil && dref.Kind == "Deployment" {
			if d, ok := get[*appsv1.Deployment](c.base, c.deployments, p.Namespace, dref.Name); ok && d.UID == dref.UID {
				seen[string(d.UID)] = replicasOf(d.Spec.Replicas)
				continue
			}
		}
		seen[string(rs.UID)] = replicasOf(rs.Spec.Replicas)
	}
	var n int32
	for _, v := range seen {
		n += v
	}
	return n, nil
}
