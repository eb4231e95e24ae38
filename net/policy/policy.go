package policy

import (
	"maps"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Pod is what the engine knows of one pod.
type Pod struct {
	Namespace string
	Labels    map[string]string
}

// Engine keeps the policies, pods and namespaces. It is not safe for
// concurrent use with its setters; Admit may run concurrently with itself.
type Engine struct {
	policies   map[string]*networkingv1.NetworkPolicy // ns/name
	pods       map[netip.Addr]Pod
	namespaces map[string]map[string]string
}

// New returns an engine with nothing in it (everything is admitted).
func New() *Engine {
	return &Engine{policies: map[string]*networkingv1.NetworkPolicy{}, pods: map[netip.Addr]Pod{}, namespaces: map[string]map[string]string{}}
}

// SetPolicy adds or replaces a policy; nil with ns and name removes it.
func (e *Engine) SetPolicy(ns, name string, np *networkingv1.NetworkPolicy) {
	if np == nil {
		delete(e.policies, ns+"/"+name)
		return
	}
	e.policies[ns+"/"+name] = np
}

// SetPod records the pod at ip; a zero Pod forgets it.
func (e *Engine) SetPod(ip netip.Addr, p Pod) {
	if p.Namespace == "" {
		delete(e.pods, ip)
		return
	}
	e.pods[ip] = p
}

// SetNamespace records a namespace's labels; nil forgets it.
func (e *Engine) SetNamespace(name string, l map[string]string) {
	if l == nil {
		delete(e.namespaces, name)
		return
	}
	e.namespaces[name] = l
}

// Admit reports whether a TCP connection from `from` to the pod at `to`,
// port, is allowed by the ingress policies selecting that pod.
func (e *Engine) Admit(from, to netip.Addr, port int32) bool {
	target, ok := e.pods[to]
	if !ok {
		return true
	}
	isolated := false
	for _, k := range slices.Sorted(maps.Keys(e.policies)) {
		np := e.policies[k]
		if np.Namespace != target.Namespace || !hasIngress(np) || !matches(&np.Spec.PodSelector, target.Labels) {
			continue
		}
		isolated = true
		for _, r := range np.Spec.Ingress {
			if portAllowed(r.Ports, port) && e.peerAllowed(np.Namespace, r.From, from) {
				return true
			}
		}
	}
	return !isolated
}

// hasIngress: policyTypes lists Ingress, or is empty (every policy then
// affects ingress).
func hasIngress(np *networkingv1.NetworkPolicy) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return true
	}
	return slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
}

func matches(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(l))
}

// portAllowed: no ports allows every port; a numeric port (with endPort a
// range) of protocol TCP matches; a named port matches nothing here.
func portAllowed(ports []networkingv1.NetworkPolicyPort, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.StrVal != "" || p.Port.IntVal == 0 {
			continue
		}
		lo, hi := p.Port.IntVal, p.Port.IntVal
		if p.EndPort != nil {
			hi = *p.EndPort
		}
		if port >= lo && port <= hi {
			return true
		}
	}
	return false
}

// peerAllowed: no peers allows every source; otherwise one peer must
// match the source.
func (e *Engine) peerAllowed(ns string, peers []networkingv1.NetworkPolicyPeer, from netip.Addr) bool {
	if len(peers) == 0 {
		return true
	}
	src, isPod := e.pods[from]
	for _, peer := range peers {
		switch {
		case peer.IPBlock != nil:
			if ipBlockMatches(peer.IPBlock, from) {
				return true
			}
		case !isPod:
		case peer.NamespaceSelector != nil:
			if !matches(peer.NamespaceSelector, e.namespaces[src.Namespace]) {
				continue
			}
			if peer.PodSelector == nil || matches(peer.PodSelector, src.Labels) {
				return true
			}
		case peer.PodSelector != nil:
			if src.Namespace == ns && matches(peer.PodSelector, src.Labels) {
				return true
			}
		}
	}
	return false
}

func ipBlockMatches(b *networkingv1.IPBlock, ip netip.Addr) bool {
	p, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !p.Contains(ip) {
		return false
	}
	for _, ex := range b.Except {
		if q, err := netip.ParsePrefix(ex); err == nil && q.Contains(ip) {
			return false
		}
	}
	return true
}
