package podutil

import (
	corev1 "k8s.io/api/core/v1"
)

// GetPodCondition returns the index and a pointer into status.Conditions
// of the condition of type t, or -1 and nil.
func GetPodCondition(status *corev1.PodStatus, t corev1.PodConditionType) (int, *corev1.PodCondition) {
	if status == nil {
		return -1, nil
	}
	return find(status.Conditions, func(c *corev1.PodCondition) bool { return c.Type == t })
}

// UpdatePodCondition sets c in status, adding it or replacing the condition
// of its type; a replaced condition whose status does not change keeps its
// LastTransitionTime. It reports whether anything changed.
func UpdatePodCondition(status *corev1.PodStatus, c *corev1.PodCondition) bool {
	i, old := GetPodCondition(status, c.Type)
	if old == nil {
		status.Conditions = append(status.Conditions, *c)
		return true
	}
	if c.Status == old.Status {
		c.LastTransitionTime = old.LastTransitionTime
	}
	same := c.Status == old.Status && c.Reason == old.Reason && c.Message == old.Message &&
		c.LastProbeTime.Equal(&old.LastProbeTime) && c.LastTransitionTime.Equal(&old.LastTransitionTime) &&
		c.ObservedGeneration == old.ObservedGeneration
	status.Conditions[i] = *c
	return !same
}

// IsPodReady reports whether the pod's Ready condition is True.
func IsPodReady(p *corev1.Pod) bool {
	_, c := GetPodCondition(&p.Status, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

// GetNodeCondition returns the index and a pointer into status.Conditions
// of the node condition of type t, or -1 and nil.
func GetNodeCondition(status *corev1.NodeStatus, t corev1.NodeConditionType) (int, *corev1.NodeCondition) {
	if status == nil {
		return -1, nil
	}
	return find(status.Conditions, func(c *corev1.NodeCondition) bool { return c.Type == t })
}

// find returns the index of and a pointer to the first element of s that
// is, or -1 and nil.
func find[C any](s []C, is func(*C) bool) (int, *C) {
	for i := range s {
		if is(&s[i]) {
			return i, &s[i]
		}
	}
	return -1, nil
}
