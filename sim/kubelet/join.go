package kubelet

// A kubelet on a machine kubeadm has not set up (a bare cluster's nodes,
// package sim): it exists but does not run; its first StartService
// registers the node.

import "k8s.io/apimachinery/pkg/types"

// Hold keeps a kubelet that never registered from running: its service
// is down on a running machine.
func (k *Kubelet) Hold() {
	k.running = false
	k.serviceStopped = true
}

// Joined reports whether the kubelet registered its node.
func (k *Kubelet) Joined() bool { return k.nodeUID != "" }

// Unjoin forgets the node the kubelet registered (kubeadm reset): its
// pods and network go, and the next start registers it afresh.
func (k *Kubelet) Unjoin() {
	for _, uid := range k.podUIDs() {
		ps := k.pods[uid]
		k.cancelTimers(ps)
		for _, c := range ps.all() {
			k.unregister(ps, c)
		}
		delete(k.pods, uid)
	}
	k.dirty = map[types.UID]bool{}
	k.nodeUID = ""
	k.cni = cniState{}
	k.Hold()
}
