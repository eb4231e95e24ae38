package kubelet

import (
	corev1 "k8s.io/api/core/v1"
)

// Ephemeral containers (kubectl debug): containers added to a running pod
// through the pods/ephemeralcontainers subresource. The kubelet starts
// each one it has not seen as soon as the pod's sandbox is there — pull,
// create, start, with the usual events under
// spec.ephemeralContainers{name} — never restarts one, and reports them in
// status.ephemeralContainerStatuses (never ready), which is what kubectl
// debug waits for before it attaches.
//
// Not modelled: --target's shared process namespace (ps in the debug
// container lists its own processes only).

// startEphemeral starts the pod's ephemeral containers the kubelet has not
// seen yet; it reports whether it started any.
func (k *Kubelet) startEphemeral(ps *podState, pod *corev1.Pod) bool {
	if ps.sandboxID == "" || len(pod.Spec.EphemeralContainers) == len(ps.ephem) {
		return false
	}
	started := false
	for _, ec := range pod.Spec.EphemeralContainers {
		if ps.hasEphemeral(ec.Name) {
			continue
		}
		c := &ctrState{ephemeral: true, spec: corev1.Container(ec.EphemeralContainerCommon),
			waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
		ps.ephem = append(ps.ephem, c)
		k.startContainer(ps, len(ps.inits)+len(ps.ctrs)+len(ps.ephem)-1)
		started = true
	}
	if started {
		k.writeStatus(ps)
	}
	return started
}

func (ps *podState) hasEphemeral(name string) bool {
	for _, c := range ps.ephem {
		if c.spec.Name == name {
			return true
		}
	}
	return false
}

// ephemeralStatuses is status.ephemeralContainerStatuses: an ephemeral
// container is never ready and never restarted.
func (k *Kubelet) ephemeralStatuses(ps *podState) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, c := range ps.ephem {
		cs := k.containerStatus(c)
		cs.Ready = false
		out = append(out, cs)
	}
	return out
}
