package policy

import (
	"maps"
	"net/netip"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Pod is what the engine knows of one pod.
type Pod struct {
	Namespace, Name string
	Labels          map[string]string
	// Ports are the pod's named container ports (name → port), which a
	// rule's named port resolves against.
	Ports map[string]NamedPort
}

// NamedPort is one named container port.
type NamedPort struct {
	Port     int32
	Protocol corev1.Protocol
}

// Protocols a connection may have; ICMP matches only rules without ports.
const (
	TCP  = corev1.ProtocolTCP
	UDP  = corev1.ProtocolUDP
	ICMP = corev1.Protocol("ICMP")
)

// Engine keeps the policies, pods and namespaces. Safe for concurrent use:
// the cluster's loop sets, the fabric's callers (any goroutine) admit.
type Engine struct {
	mu         sync.RWMutex
	policies   map[string]*networkingv1.NetworkPolicy // ns/name
	keys       []string                               // sorted keys of policies
	pods       map[netip.Addr]Pod
	namespaces map[string]map[string]string
}

// New returns an engine with nothing in it (everything is admitted).
func New() *Engine {
	return &Engine{policies: map[string]*networkingv1.NetworkPolicy{}, pods: map[netip.Addr]Pod{}, namespaces: map[string]map[string]string{}}
}

// SetPolicy adds or replaces a policy; nil with ns and name removes it.
func (e *Engine) SetPolicy(ns, name string, np *networkingv1.NetworkPolicy) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if np == nil {
		delete(e.policies, ns+"/"+name)
	} else {
		e.policies[ns+"/"+name] = np
	}
	e.keys = slices.Sorted(maps.Keys(e.policies))
}

// SetPod records the pod at ip; a zero Pod forgets it.
func (e *Engine) SetPod(ip netip.Addr, p Pod) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.Namespace == "" {
		delete(e.pods, ip)
		return
	}
	e.pods[ip] = p
}

// ForgetPod forgets the pod at ip if it is still ns/name there (the
// address may have gone to another pod since).
func (e *Engine) ForgetPod(ip netip.Addr, ns, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.pods[ip]; ok && p.Namespace == ns && p.Name == name {
		delete(e.pods, ip)
	}
}

// SetNamespace records a namespace's labels; nil forgets it.
func (e *Engine) SetNamespace(name string, l map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l == nil {
		delete(e.namespaces, name)
		return
	}
	e.namespaces[name] = l
}

// Admit reports whether a connection of protocol proto from `from` to
// `to`, port, may pass: the egress policies selecting the source pod must
// allow it to leave, and the ingress policies selecting the destination
// pod must let it in. An address that is no pod (a node, the outside) has
// no policies of its own.
func (e *Engine) Admit(from, to netip.Addr, proto corev1.Protocol, port int32) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if src, ok := e.pods[from]; ok && !e.allowed(src, networkingv1.PolicyTypeEgress, to, proto, port) {
		return false
	}
	if dst, ok := e.pods[to]; ok && !e.allowed(dst, networkingv1.PolicyTypeIngress, from, proto, port) {
		return false
	}
	return true
}

// allowed: whether the policies of direction dir that select pod p allow
// the connection with the peer address; a pod no such policy selects is
// not isolated in that direction.
func (e *Engine) allowed(p Pod, dir networkingv1.PolicyType, peer netip.Addr, proto corev1.Protocol, port int32) bool {
	isolated := false
	for _, k := range e.keys {
		np := e.policies[k]
		if np.Namespace != p.Namespace || !hasType(np, dir) || !matches(&np.Spec.PodSelector, p.Labels) {
			continue
		}
		isolated = true
		if dir == networkingv1.PolicyTypeIngress {
			for _, r := range np.Spec.Ingress {
				if portAllowed(r.Ports, proto, port, p.Ports) && e.peerAllowed(np.Namespace, r.From, peer) {
					return true
				}
			}
			continue
		}
		dstPorts := e.pods[peer].Ports
		for _, r := range np.Spec.Egress {
			if portAllowed(r.Ports, proto, port, dstPorts) && e.peerAllowed(np.Namespace, r.To, peer) {
				return true
			}
		}
	}
	return !isolated
}

// hasType: policyTypes lists dir; a policy stored without policyTypes (the
// API server defaults them) affects Ingress, and Egress when it has egress
// rules.
func hasType(np *networkingv1.NetworkPolicy, dir networkingv1.PolicyType) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return dir == networkingv1.PolicyTypeIngress || len(np.Spec.Egress) > 0
	}
	return slices.Contains(np.Spec.PolicyTypes, dir)
}

func matches(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(l))
}

// portAllowed: no ports allows every port and protocol (ICMP included);
// otherwise one entry must match the protocol (TCP when unset) and the
// port: a number (with endPort a range), a name resolved on the
// destination pod's container ports, or no port (every port).
func portAllowed(ports []networkingv1.NetworkPolicyPort, proto corev1.Protocol, port int32, named map[string]NamedPort) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.StrVal != "" {
			if np, ok := named[p.Port.StrVal]; ok && np.Port == port && np.Protocol == proto {
				return true
			}
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

// peerAllowed: no peers allows every address; otherwise one peer must
// match it.
func (e *Engine) peerAllowed(ns string, peers []networkingv1.NetworkPolicyPeer, addr netip.Addr) bool {
	if len(peers) == 0 {
		return true
	}
	src, isPod := e.pods[addr]
	for _, peer := range peers {
		switch {
		case peer.IPBlock != nil:
			if ipBlockMatches(peer.IPBlock, addr) {
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
