package policy

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// What a policy agent's informers hand the engine (calico-node's or
// cilium-agent's watches on pods, namespaces and NetworkPolicies).

// OnPod records a pod's address, labels and named ports once it has an
// IP; host-network pods (their IP is the node's) are not endpoints
// policies select, as with Calico and Cilium.
func (e *Engine) OnPod(p *corev1.Pod) {
	ip, err := netip.ParseAddr(p.Status.PodIP)
	if err != nil || p.Spec.HostNetwork {
		return
	}
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed || p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodRunning {
		e.ForgetPod(ip, p.Namespace, p.Name)
		return
	}
	var ports map[string]NamedPort
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == "" {
				continue
			}
			if ports == nil {
				ports = map[string]NamedPort{}
			}
			proto := cp.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			ports[cp.Name] = NamedPort{Port: cp.ContainerPort, Protocol: proto}
		}
	}
	e.SetPod(ip, Pod{Namespace: p.Namespace, Name: p.Name, Labels: p.Labels, Ports: ports})
}

// OnPodDelete forgets a deleted pod's address.
func (e *Engine) OnPodDelete(p *corev1.Pod) {
	if ip, err := netip.ParseAddr(p.Status.PodIP); err == nil {
		e.ForgetPod(ip, p.Namespace, p.Name)
	}
}

// OnNamespace records a namespace's labels (kubernetes.io/metadata.name
// among them, as the API server sets it).
func (e *Engine) OnNamespace(ns *corev1.Namespace) {
	l := ns.Labels
	if l == nil {
		l = map[string]string{}
	}
	e.SetNamespace(ns.Name, l)
}

// OnNamespaceDelete forgets a namespace.
func (e *Engine) OnNamespaceDelete(ns *corev1.Namespace) { e.SetNamespace(ns.Name, nil) }

// OnPolicy adds or replaces a policy.
func (e *Engine) OnPolicy(np *networkingv1.NetworkPolicy) { e.SetPolicy(np.Namespace, np.Name, np) }

// OnPolicyDelete removes a policy.
func (e *Engine) OnPolicyDelete(np *networkingv1.NetworkPolicy) {
	e.SetPolicy(np.Namespace, np.Name, nil)
}

// FabricAdmit is Admit in the fabric's terms (fabric.Admit).
func (e *Engine) FabricAdmit(from, to netip.Addr, proto string, port int32) bool {
	return e.Admit(from, to, corev1.Protocol(proto), port)
}
