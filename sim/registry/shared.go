package registry

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

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

// resourceLists is the last few distinct container requests and limits
// stored, for new pods to share (shareResources).
type resourceLists struct {
	lists [8]corev1.ResourceList
	next  int
}

// shareResources makes a pod's containers' requests and limits, or a
// node's capacity and allocatable, the very lists an object stored before
// holds when they hold the same quantities in the same form (the pods of a
// ReplicaSet, nodes of one machine type, a benchmark's): a list of two
// quantities is ~600 bytes, more than half of what a container costs, a
// node's two lists of three 1.4 KB. It runs after a write's last mutation
// of these maps (defaulting, and on a create LimitRanger's defaults).
func (r *Registry) shareResources(obj runtime.Object) {
	switch o := obj.(type) {
	case *corev1.Pod:
		for _, cs := range [...][]corev1.Container{o.Spec.InitContainers, o.Spec.Containers} {
			for i := range cs {
				res := &cs[i].Resources
				res.Requests = r.resources.share(res.Requests)
				res.Limits = r.resources.share(res.Limits)
			}
		}
	case *corev1.Node:
		o.Status.Capacity = r.resources.share(o.Status.Capacity)
		o.Status.Allocatable = r.resources.share(o.Status.Allocatable)
	}
}

func (c *resourceLists) share(l corev1.ResourceList) corev1.ResourceList {
	if len(l) == 0 {
		return l
	}
	for _, s := range c.lists {
		if sameResources(s, l) {
			return s
		}
	}
	c.lists[c.next] = l
	c.next = (c.next + 1) % len(c.lists)
	return l
}

// sameResources reports whether a and b hold the same quantities in the
// same form (==: the same amount, format and cached string, so the same
// serialization), not merely equal amounts ("1" and "1000m" are not).
func sameResources(a, b corev1.ResourceList) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}
