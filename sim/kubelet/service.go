package kubelet

import (
	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The kubelet as a systemd service of its host (package hosts): stopping
// the service is not halting the machine. Its containers keep running;
// nothing syncs pods, renews the lease or posts status until it starts
// again, so the node lifecycle controller marks the node NotReady after
// its grace period.

// StopService stops the kubelet process (systemctl stop kubelet).
func (k *Kubelet) StopService() {
	if !k.running {
		return
	}
	k.running = false
	k.serviceStopped = true
}

// StartService starts the kubelet process again: it records Starting,
// renews its lease, posts Ready if the node was marked otherwise, and
// resyncs every pod.
func (k *Kubelet) StartService() {
	if k.running || !k.serviceStopped {
		return
	}
	k.running = true
	k.serviceStopped = false
	if k.nodeUID == "" {
		// Never registered (a machine kubeadm had not set up): the first
		// start registers the node.
		k.Register()
		return
	}
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, "Starting", "Starting kubelet.")
	k.RenewLease(k.cfg.Clock.Now())
	if n, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName); err == nil {
		for _, c := range n.(*corev1.Node).Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue {
				k.postReady()
			}
		}
	}
	for uid := range k.pods {
		k.dirty[uid] = true
	}
}

// ServiceActive reports whether the kubelet process runs (the machine is
// up and the service not stopped).
func (k *Kubelet) ServiceActive() bool { return k.running }

// MachineUp reports whether the node's machine is powered on, whatever
// its kubelet service does.
func (k *Kubelet) MachineUp() bool { return k.running || k.serviceStopped }

// ContainerStopped tells the kubelet that a container of one of its pods
// was stopped behind its back (crictl stop): as the pod lifecycle event
// generator would on its next relist, the kubelet sees the exit and
// restarts the container per the pod's restart policy (a restart kubectl
// counts). It reports whether the container was one of its pods'.
func (k *Kubelet) ContainerStopped(id string) bool {
	if !k.running {
		return false
	}
	for _, uid := range k.podUIDs() {
		ps := k.pods[uid]
		for _, c := range ps.all() {
			if c.id != id || c.running == nil {
				continue
			}
			code := 0
			if st, err := k.rt.ContainerStatus(k.ctx(), &runtimeapi.ContainerStatusRequest{ContainerId: id}); err == nil && st.Status != nil {
				code = int(st.Status.ExitCode)
			}
			k.cancelContainer(c)
			k.exited(ps, c, code, "")
			return true
		}
	}
	return false
}

// cancelContainer forgets a container's pending exit timers of its
// current run (it has already exited).
func (k *Kubelet) cancelContainer(c *ctrState) { c.cgen++ }

// StaticPodRunning reports whether the pod ns/name on this node has all
// its containers running (a control-plane component is up).
func (k *Kubelet) StaticPodRunning(ns, name string) bool {
	for _, ps := range k.pods {
		if ps.ns != ns || ps.name != name || ps.killing {
			continue
		}
		for _, c := range ps.ctrs {
			if c.running == nil {
				return false
			}
		}
		return len(ps.ctrs) > 0
	}
	return false
}
