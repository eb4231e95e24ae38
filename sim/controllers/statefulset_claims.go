package controllers

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A StatefulSet's volumeClaimTemplates (statefulset/stateful_set_utils.go,
// stateful_pod_control.go): pod <set>-<i> mounts claim
// <template>-<set>-<i>, created before the pod if missing, labelled with
// the template's labels and the set's selector; the claims outlive the
// pods. persistentVolumeClaimRetentionPolicy (StatefulSetAutoDeletePVC,
// beta and on from 1.27) is kept with owner references for the garbage
// collector: whenDeleted=Delete makes the set an owner of its claims,
// whenScaled=Delete makes a condemned pod (ordinal ≥ replicas) the owner
// of its claims, so they go with it.

// claimName is getPersistentVolumeClaimName.
func claimName(ss *appsv1.StatefulSet, template string, ordinal int) string {
	return fmt.Sprintf("%s-%s-%d", template, ss.Name, ordinal)
}

// setClaims is getPersistentVolumeClaims for ordinal i, in template order.
func setClaims(ss *appsv1.StatefulSet, i int) []*corev1.PersistentVolumeClaim {
	out := make([]*corev1.PersistentVolumeClaim, 0, len(ss.Spec.VolumeClaimTemplates))
	for t := range ss.Spec.VolumeClaimTemplates {
		c := ss.Spec.VolumeClaimTemplates[t].DeepCopy()
		c.Name, c.Namespace = claimName(ss, c.Name, i), ss.Namespace
		c.ResourceVersion, c.UID, c.Status = "", "", corev1.PersistentVolumeClaimStatus{}
		if ss.Spec.Selector != nil {
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			for k, v := range ss.Spec.Selector.MatchLabels {
				c.Labels[k] = v
			}
		}
		out = append(out, c)
	}
	return out
}

// updateStorage is updateStorage: each template's volume (named after it)
// mounts the ordinal's claim, replacing a template volume of that name.
func updateStorage(ss *appsv1.StatefulSet, p *corev1.Pod, i int) {
	if len(ss.Spec.VolumeClaimTemplates) == 0 {
		return
	}
	names := map[string]bool{}
	vols := make([]corev1.Volume, 0, len(p.Spec.Volumes)+len(ss.Spec.VolumeClaimTemplates))
	for _, t := range ss.Spec.VolumeClaimTemplates {
		names[t.Name] = true
		vols = append(vols, corev1.Volume{Name: t.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claimName(ss, t.Name, i)}}})
	}
	for _, v := range p.Spec.Volumes {
		if !names[v.Name] {
			vols = append(vols, v)
		}
	}
	p.Spec.Volumes = vols
}

// createClaims is createPersistentVolumeClaims: the ordinal's missing
// claims are created, each with a SuccessfulCreate (or FailedCreate) event
// on the set. It fails when a claim could not be made or is being deleted.
func (c *statefulSetController) createClaims(ss *appsv1.StatefulSet, pod string, i int) error {
	var firstErr error
	for _, claim := range setClaims(ss, i) {
		cur, ok := get[*corev1.PersistentVolumeClaim](c.base, c.pvcs, ss.Namespace, claim.Name)
		switch {
		case !ok:
			if _, err := c.Registry.Create(c.pvcs, ss.Namespace, claim, false); err != nil {
				c.record(ss, corev1.EventTypeWarning, "FailedCreate", fmt.Sprintf("create Claim %s for Pod %s in StatefulSet %s failed error: %s", claim.Name, pod, ss.Name, err))
				if firstErr == nil {
					firstErr = fmt.Errorf("failed to create PVC %s: %s", claim.Name, err)
				}
				continue
			}
			c.record(ss, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("create Claim %s Pod %s in StatefulSet %s success", claim.Name, pod, ss.Name))
		case cur.DeletionTimestamp != nil && firstErr == nil:
			firstErr = fmt.Errorf("pvc %s is being deleted", claim.Name)
		}
	}
	return firstErr
}

// retainClaims is UpdatePodClaimForRetentionPolicy: the owner references
// of the pod's claims follow the set's retention policy; it reports
// whether it wrote.
func (c *statefulSetController) retainClaims(ss *appsv1.StatefulSet, p *corev1.Pod, i int) bool {
	policy := ss.Spec.PersistentVolumeClaimRetentionPolicy
	if policy == nil || c.minor < 27 {
		return false
	}
	scaledDown := i >= int(*ss.Spec.Replicas)
	wantSet := policy.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType &&
		!(scaledDown && policy.WhenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType)
	wantPod := scaledDown && policy.WhenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	wrote := false
	for _, t := range ss.Spec.VolumeClaimTemplates {
		claim, ok := get[*corev1.PersistentVolumeClaim](c.base, c.pvcs, ss.Namespace, claimName(ss, t.Name, i))
		if !ok || claim.DeletionTimestamp != nil {
			continue
		}
		cp := claim.DeepCopy()
		changed := setOwner(cp, metav1.OwnerReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: ss.Name, UID: ss.UID}, wantSet)
		changed = setOwner(cp, metav1.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: p.Name, UID: p.UID}, wantPod) || changed
		if changed && c.update(c.pvcs, cp, "") {
			wrote = true
		}
	}
	return wrote
}

// setOwner adds (want) or removes the owner reference with uid; it
// reports a change (setOwnerRef / removeOwnerRef).
func setOwner(o metav1.Object, ref metav1.OwnerReference, want bool) bool {
	refs := o.GetOwnerReferences()
	idx := -1
	for j, r := range refs {
		if r.UID == ref.UID {
			idx = j
		}
	}
	switch {
	case want && idx < 0:
		o.SetOwnerReferences(append(refs, ref))
		return true
	case !want && idx >= 0:
		o.SetOwnerReferences(append(refs[:idx:idx], refs[idx+1:]...))
		return true
	}
	return false
}

// sortedOrdinals lists the ordinals of pods, ascending.
func sortedOrdinals(pods map[int]*corev1.Pod) []int {
	out := make([]int, 0, len(pods))
	for i := range pods {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}
