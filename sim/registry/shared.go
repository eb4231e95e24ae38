package registry

import corev1 "k8s.io/api/core/v1"

// The defaults and admission of a pod give every pod the same values:
// the pointers and lists below are those values, shared by every pod that
// gets them rather than allocated for each (at a million pods, hundreds of
// megabytes). Stored objects are never modified (whoever changes one
// changes a deep copy), and the lists' capacity is their length, so an
// append to one copies it.
var (
	// sharedGracePeriod is defaultPodSpec's terminationGracePeriodSeconds.
	sharedGracePeriod = ptr(int64(30))
	// sharedEmptyPodSecurityContext is defaultPodSpec's securityContext: {}.
	sharedEmptyPodSecurityContext = &corev1.PodSecurityContext{}
	// sharedTrue is admission's enableServiceLinks.
	sharedTrue = ptr(true)
	// sharedPriorityZero is the Priority plugin's priority of a pod with
	// no class and no global default.
	sharedPriorityZero = ptr(int32(0))
	// sharedPreemptLower is the Priority plugin's preemptionPolicy.
	sharedPreemptLower = ptr(corev1.PreemptLowerPriority)
	// defaultTolerations is what DefaultTolerationSeconds adds to a pod
	// without tolerations: not-ready and unreachable, NoExecute, 300 s.
	defaultTolerations = []corev1.Toleration{
		defaultToleration(corev1.TaintNodeNotReady),
		defaultToleration(corev1.TaintNodeUnreachable),
	}
)

// defaultToleration is DefaultTolerationSeconds' toleration of key.
func defaultToleration(key string) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: sharedTolerationSeconds}
}

// sharedTolerationSeconds is the default tolerations' 300 s.
var sharedTolerationSeconds = ptr(int64(300))
