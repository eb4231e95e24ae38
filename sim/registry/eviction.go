package registry

import (
	"fmt"
	"net/http"
	"time"

	"kubesim/sim/podutil"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// maxDisruptedPods bounds status.disruptedPods: past it the eviction
// subresource refuses, as evictions are then not being confirmed by the
// disruption controller (upstream MaxDisruptedPodSize).
const maxDisruptedPods = 2000

// Evict deletes a pod through the pods/eviction rules of kube-apiserver
// (pkg/registry/core/pod/storage/eviction.go). The decision is read from
// the PodDisruptionBudget's status, which the disruption controller keeps;
// nothing is recomputed here:
//   - a pod that is Succeeded, Failed, Pending or already terminating is
//     deleted without looking at budgets;
//   - a pod matched by more than one budget is refused with a 500;
//   - an unready pod is deleted without spending the budget when the
//     application is healthy anyway (or the budget's
//     unhealthyPodEvictionPolicy is AlwaysAllow);
//   - otherwise the budget must allow a disruption: disruptionsAllowed is
//     decremented and the pod recorded in status.disruptedPods (one status
//     write), then the pod is deleted; disruptionsAllowed 0 is 429
//     TooManyRequests, which kubectl drain retries.
func (r *Registry) Evict(ns, name string, opts *metav1.DeleteOptions) error {
	podRes := byGVR[coreV1.WithResource("pods")]
	obj, err := r.Get(podRes, ns, name)
	if err != nil {
		return err
	}
	if opts == nil {
		opts = &metav1.DeleteOptions{}
	}
	pod := obj.(*corev1.Pod)
	if canIgnorePDB(pod) {
		_, err = r.Delete(podRes, ns, name, opts)
		return err
	}
	pdbs := r.podBudgets(pod)
	if len(pdbs) > 1 {
		return &apierrors.StatusError{ErrStatus: metav1.Status{
			Status:  metav1.StatusFailure,
			Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
			Code:    http.StatusInternalServerError,
		}}
	}
	if len(pdbs) == 1 && !r.unhealthyEvictable(pod, pdbs[0]) {
		if err := r.checkAndDecrement(pod.Name, pdbs[0], len(opts.DryRun) > 0); err != nil {
			return err
		}
	}
	_, err = r.Delete(podRes, ns, name, opts)
	return err
}

// canIgnorePDB: a pod that already ended, never started or is terminating
// has caused its disruption already (or none).
func canIgnorePDB(p *corev1.Pod) bool {
	switch p.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed, corev1.PodPending:
		return true
	}
	return p.DeletionTimestamp != nil
}

// podBudgets returns the budgets in the pod's namespace whose selector
// matches it; an empty or invalid selector matches nothing.
func (r *Registry) podBudgets(pod *corev1.Pod) []*policyv1.PodDisruptionBudget {
	pdbRes := byGVR[policyV1.WithResource("poddisruptionbudgets")]
	objs, _, _ := r.List(pdbRes, pod.Namespace, ListOptions{})
	var out []*policyv1.PodDisruptionBudget
	for _, o := range objs {
		pdb := o.(*policyv1.PodDisruptionBudget)
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		out = append(out, pdb)
	}
	return out
}

// unhealthyEvictable reports whether an unready pod may go without spending
// the budget: it does not count as healthy, so deleting it disrupts nothing
// while the budget is met (or the budget says AlwaysAllow, honoured from
// 1.27, when PDBUnhealthyPodEvictionPolicy is on by default).
func (r *Registry) unhealthyEvictable(pod *corev1.Pod, pdb *policyv1.PodDisruptionBudget) bool {
	if podutil.IsPodReady(pod) {
		return false
	}
	if p := pdb.Spec.UnhealthyPodEvictionPolicy; p != nil && *p == policyv1.AlwaysAllow && r.minor() >= 27 {
		return true
	}
	return pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0
}

// checkAndDecrement spends one disruption of pdb on the pod, or says why not.
func (r *Registry) checkAndDecrement(podName string, pdb *policyv1.PodDisruptionBudget, dryRun bool) error {
	pdbGR := schema.GroupResource{Group: policyv1.GroupName, Resource: "poddisruptionbudget"}
	st := &pdb.Status
	switch {
	case st.ObservedGeneration < pdb.Generation:
		err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10)
		err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: policyv1.DisruptionBudgetCause, Message: fmt.Sprintf("The disruption budget %s is still being processed by the server.", pdb.Name)})
		return err
	case st.DisruptionsAllowed < 0:
		return apierrors.NewForbidden(pdbGR, pdb.Name, fmt.Errorf("pdb disruptions allowed is negative"))
	case len(st.DisruptedPods) > maxDisruptedPods:
		return apierrors.NewForbidden(pdbGR, pdb.Name, fmt.Errorf("DisruptedPods map too big - too many evictions not confirmed by PDB controller"))
	case st.DisruptionsAllowed == 0:
		err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: policyv1.DisruptionBudgetCause, Message: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, st.DesiredHealthy, st.CurrentHealthy)})
		return err
	}
	if dryRun {
		return nil
	}
	cp := pdb.DeepCopy()
	now := metav1.NewTime(r.clock.Now().UTC().Truncate(time.Second))
	cp.Status.DisruptionsAllowed--
	if cp.Status.DisruptionsAllowed == 0 {
		SetDisruptionAllowedCondition(&cp.Status, now)
	}
	disrupted := make(map[string]metav1.Time, len(cp.Status.DisruptedPods)+1)
	for k, v := range cp.Status.DisruptedPods {
		disrupted[k] = v
	}
	disrupted[podName] = now
	cp.Status.DisruptedPods = disrupted
	cp.ResourceVersion = ""
	_, err := r.Update(byGVR[policyV1.WithResource("poddisruptionbudgets")], cp.Namespace, cp, "status")
	return err
}

// SetDisruptionAllowedCondition sets the DisruptionAllowed condition from
// status.disruptionsAllowed (component-helpers'
// UpdateDisruptionAllowedCondition), with now as the transition time when
// the condition changes. The eviction subresource and the disruption
// controller both use it.
func SetDisruptionAllowedCondition(st *policyv1.PodDisruptionBudgetStatus, now metav1.Time) {
	if st.Conditions == nil {
		st.Conditions = make([]metav1.Condition, 0)
	}
	c := metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason, ObservedGeneration: st.ObservedGeneration, LastTransitionTime: now}
	if st.DisruptionsAllowed > 0 {
		c.Status, c.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	}
	apimeta.SetStatusCondition(&st.Conditions, c)
}
