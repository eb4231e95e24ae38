// Package podutil holds the pod and node condition helpers every component
// shares, after upstream's k8s.io/kubernetes/pkg/api/v1/pod (podutil) and
// pkg/util/node: find a condition by type, set one keeping its transition
// time while its status is unchanged, and read a pod's readiness.
//
// Conditions of type metav1.Condition (PodDisruptionBudget, ...) are set
// with apimachinery's meta.SetStatusCondition instead.
//
// Unlike upstream, UpdatePodCondition never reads the wall clock: the caller
// sets LastTransitionTime from the virtual clock.
package podutil
