package controllers

import (
	"fmt"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// disruptionController maintains PodDisruptionBudget status (upstream
// pkg/controller/disruption): currentHealthy, desiredHealthy,
// expectedPods, disruptionsAllowed, observedGeneration and the
// DisruptionAllowed condition, so `kubectl get pdb` shows ALLOWED
// DISRUPTIONS. Expected pods for a percentage or maxUnavailable come from
// the scale of the pods' controllers (Deployment through its ReplicaSet, or
// ReplicaSet); a pod whose controller cannot be found makes the sync fail
// safe (disruptionsAllowed 0, reason SyncFailed), and from 1.22 pods with no
// controller at all are left out of the expected count (1.27 says so in an
// UnmanagedPods event), as upstream.
//
// This status is the one source of the budget's arithmetic: the eviction
// subresource (sim/registry Evict) only reads it, spends a disruption and
// records the pod in status.disruptedPods. A pod listed there counts as
// unhealthy until it is deleted or deletionTimeout passes (then a
// NotDeleted event, as upstream).
type disruptionController struct {
	controller[*policyv1.PodDisruptionBudget]
}

// pdbKind and pdbComponent name the events the controller records (its
// recorder's source is "controllermanager" upstream).
var pdbKind = policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget")

const pdbComponent = "controllermanager"

// deletionTimeout is how long a pod stays in status.disruptedPods waiting
// for the deletion its eviction promised (upstream DeletionTimeout).
const deletionTimeout = 2 * time.Minute

func newDisruption(b *base) *disruptionController {
	c := &disruptionController{}
	c.controller = newController[*policyv1.PodDisruptionBudget](b, "disruption", b.pdbs, c.syncPDB)
	c.component = pdbComponent
	c.onEventFor = resources("pods", "replicasets", "deployments")
	c.onEvent = func(_ store.Event, res, ns, _ string) {
		switch res {
		case "pods", "replicasets", "deployments":
			c.relistNS(ns)
		}
	}
	return c
}

func (c *disruptionController) syncPDB(key string, _ time.Time) bool {
	pdb, ok := c.live(key)
	if !ok {
		return false
	}
	ns := pdb.Namespace
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
	expected, desired, unmanaged, ferr := c.expected(pdb, pods)
	if len(unmanaged) > 0 && c.minor >= 27 {
		c.record(pdb, corev1.EventTypeWarning, "UnmanagedPods", fmt.Sprintf("Pods selected by this PodDisruptionBudget (selector: %v) were found "+
			"to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "+
			"To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.", pdb.Spec.Selector))
	}
	now := c.metaNow()
	if ferr != nil {
		st.DisruptionsAllowed = 0
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason, Message: ferr.Error(), LastTransitionTime: now, ObservedGeneration: pdb.Generation})
	} else {
		disrupted := c.disruptedPods(pdb, pods, now.Time)
		var healthy int32
		for _, p := range pods {
			if _, gone := disrupted[p.Name]; p.DeletionTimestamp == nil && !gone && isPodReady(p) {
				healthy++
			}
		}
		allowed := healthy - desired
		if expected <= 0 || allowed <= 0 {
			allowed = 0
		}
		// Upstream writes the status afresh, conditions included.
		*st = policyv1.PodDisruptionBudgetStatus{
			CurrentHealthy: healthy, DesiredHealthy: desired, ExpectedPods: expected,
			DisruptionsAllowed: allowed, DisruptedPods: disrupted, ObservedGeneration: pdb.Generation,
		}
		if cond := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition); cond != nil && upToDate(*cond, allowed) && sameCounts(*st, pdb.Status) {
			// Nothing changed: keep the stored conditions (no write).
			st.Conditions = pdb.Status.Conditions
		} else {
			registry.SetDisruptionAllowedCondition(st, now)
		}
	}
	if equality.Semantic.DeepEqual(*st, pdb.Status) {
		return false
	}
	cp := pdb.DeepCopy()
	cp.Status = *st
	return c.update(c.pdbs, cp, "status")
}

// upToDate reports whether a DisruptionAllowed condition says what
// disruptionsAllowed says (component-helpers ConditionsAreUpToDate).
func upToDate(c metav1.Condition, allowed int32) bool {
	if allowed > 0 {
		return c.Status == metav1.ConditionTrue && c.Reason == policyv1.SufficientPodsReason
	}
	return c.Status == metav1.ConditionFalse && c.Reason == policyv1.InsufficientPodsReason
}

// sameCounts compares the computed fields of two statuses.
func sameCounts(a, b policyv1.PodDisruptionBudgetStatus) bool {
	return a.CurrentHealthy == b.CurrentHealthy && a.DesiredHealthy == b.DesiredHealthy && a.ExpectedPods == b.ExpectedPods &&
		a.DisruptionsAllowed == b.DisruptionsAllowed && a.ObservedGeneration == b.ObservedGeneration &&
		equality.Semantic.DeepEqual(a.DisruptedPods, b.DisruptedPods)
}

// disruptedPods keeps the status.disruptedPods entries of pods that are not
// yet being deleted and whose deletion is not overdue (buildDisruptedPodMap);
// the budget is synced again when the next entry falls due. Nil when empty.
func (c *disruptionController) disruptedPods(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, now time.Time) map[string]metav1.Time {
	if len(pdb.Status.DisruptedPods) == 0 {
		return nil
	}
	var out map[string]metav1.Time
	var recheck time.Time
	for _, p := range pods {
		at, ok := pdb.Status.DisruptedPods[p.Name]
		if !ok || p.DeletionTimestamp != nil {
			continue
		}
		due := at.Add(deletionTimeout)
		if due.Before(now) {
			// Upstream prints the PDB's namespace twice.
			c.event(withGVK(p, corev1.SchemeGroupVersion.WithKind("Pod")), pdbComponent, corev1.EventTypeWarning, "NotDeleted", fmt.Sprintf("Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.Namespace, pdb.Namespace))
			continue
		}
		if out == nil {
			out = map[string]metav1.Time{}
		}
		out[p.Name] = at
		if recheck.IsZero() || due.Before(recheck) {
			recheck = due
		}
	}
	key := nsKey(pdb.Namespace, pdb.Name)
	if !recheck.IsZero() {
		// Strictly after the due time: the entry is dropped once it is overdue.
		at := recheck.Add(time.Second)
		c.requeueAt(key, at)
	}
	return out
}

// expected returns expectedPods, desiredHealthy and the pods that have no
// controller (getExpectedPodCount).
func (c *disruptionController) expected(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod) (int32, int32, []string, error) {
	if m := pdb.Spec.MinAvailable; m != nil && m.Type == intstr.Int && pdb.Spec.MaxUnavailable == nil {
		return int32(len(pods)), m.IntVal, nil, nil
	}
	if pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		return 0, 0, nil, nil
	}
	scale, unmanaged, err := c.expectedScale(pods)
	if err != nil {
		return 0, 0, nil, err
	}
	if mu := pdb.Spec.MaxUnavailable; mu != nil {
		v, err := intstr.GetScaledValueFromIntOrPercent(mu, int(scale), true)
		if err != nil {
			return 0, 0, nil, err
		}
		return scale, max(scale-int32(v), 0), unmanaged, nil
	}
	v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(scale), true)
	if err != nil {
		return 0, 0, nil, err
	}
	return scale, int32(math.Min(float64(v), math.MaxInt32)), unmanaged, nil
}

// expectedScale sums the scale of the distinct controllers of the pods.
// Pods with no controller are returned apart from 1.22 on; before, they
// fail the sync.
func (c *disruptionController) expectedScale(pods []*corev1.Pod) (int32, []string, error) {
	seen := map[string]int32{}
	var unmanaged []string
	for _, p := range pods {
		ref := metav1.GetControllerOfNoCopy(p)
		if ref == nil && c.minor >= 22 {
			unmanaged = append(unmanaged, p.Name)
			continue
		}
		if ref == nil {
			return 0, nil, fmt.Errorf("found no controller ref for pod %q", p.Name)
		}
		if ref.Kind != "ReplicaSet" {
			return 0, nil, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		rs, ok := get[*appsv1.ReplicaSet](c.base, c.replicasets, p.Namespace, ref.Name)
		if !ok || rs.UID != ref.UID {
			return 0, nil, fmt.Errorf("found no controllers for pod %q", p.Name)
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
	return n, unmanaged, nil
}
