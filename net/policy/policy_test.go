package policy

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var (
	web   = netip.MustParseAddr("10.244.1.2") // default, app=web
	bb    = netip.MustParseAddr("10.244.2.3") // default, run=bb
	other = netip.MustParseAddr("10.244.2.4") // team, run=bb
	node  = netip.MustParseAddr("192.168.56.11")
)

func engine() *Engine {
	e := New()
	e.SetNamespace("default", map[string]string{"kubernetes.io/metadata.name": "default"})
	e.SetNamespace("team", map[string]string{"kubernetes.io/metadata.name": "team", "team": "a"})
	e.SetPod(web, Pod{Namespace: "default", Name: "web", Labels: map[string]string{"app": "web"}, Ports: map[string]NamedPort{"http": {80, TCP}}})
	e.SetPod(bb, Pod{Namespace: "default", Name: "bb", Labels: map[string]string{"run": "bb"}})
	e.SetPod(other, Pod{Namespace: "team", Labels: map[string]string{"run": "bb"}})
	return e
}

func np(name string, spec networkingv1.NetworkPolicySpec) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: spec}
}

func sel(k, v string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{k: v}}
}

func TestAdmit(t *testing.T) {
	denyAll := np("deny", networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}})
	port80 := intstr.FromInt32(80)
	type conn struct {
		from netip.Addr
		port int32
		want bool
	}
	tests := []struct {
		name     string
		policies []*networkingv1.NetworkPolicy
		conns    []conn
	}{
		{"no policy", nil, []conn{{bb, 80, true}, {other, 81, true}, {node, 80, true}}},
		{"default deny", []*networkingv1.NetworkPolicy{denyAll}, []conn{{bb, 80, false}, {other, 80, false}, {node, 80, false}}},
		{"egress-only policy does not isolate ingress", []*networkingv1.NetworkPolicy{np("eg", networkingv1.NetworkPolicySpec{
			PodSelector: *sel("app", "web"), PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}})}, []conn{{bb, 80, true}}},
		{"allow from pods with run=bb on port 80", []*networkingv1.NetworkPolicy{denyAll, np("allow", networkingv1.NetworkPolicySpec{
			PodSelector: *sel("app", "web"),
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{PodSelector: sel("run", "bb")}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: &port80}}}}})},
			[]conn{{bb, 80, true}, {bb, 81, false}, {other, 80, false}, {node, 80, false}}},
		{"namespace selector and pod selector in one peer: both", []*networkingv1.NetworkPolicy{np("ns", networkingv1.NetworkPolicySpec{
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
				{NamespaceSelector: sel("team", "a"), PodSelector: sel("run", "bb")}}}}})},
			[]conn{{other, 80, true}, {bb, 80, false}}},
		{"named port resolves on the destination", []*networkingv1.NetworkPolicy{np("named", networkingv1.NetworkPolicySpec{
			Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromString("http"))}}}}})},
			[]conn{{bb, 80, true}, {bb, 8080, false}}},
		{"ipBlock with except", []*networkingv1.NetworkPolicy{np("ip", networkingv1.NetworkPolicySpec{
			Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
				{IPBlock: &networkingv1.IPBlock{CIDR: "10.244.0.0/16", Except: []string{"10.244.2.4/32"}}}}}}})},
			[]conn{{bb, 80, true}, {other, 80, false}, {node, 80, false}}},
		{"empty rule allows all", []*networkingv1.NetworkPolicy{denyAll, np("all", networkingv1.NetworkPolicySpec{
			Ingress: []networkingv1.NetworkPolicyIngressRule{{}}})}, []conn{{other, 9, true}, {node, 80, true}}},
	}
	for _, tt := range tests {
		e := engine()
		for _, p := range tt.policies {
			e.SetPolicy(p.Namespace, p.Name, p)
		}
		for _, c := range tt.conns {
			if got := e.Admit(c.from, web, TCP, c.port); got != c.want {
				t.Errorf("%s: %s -> web:%d admitted %v, want %v", tt.name, c.from, c.port, got, c.want)
			}
		}
		if !e.Admit(bb, other, TCP, 80) {
			t.Errorf("%s: a pod in a namespace without policies refused a connection", tt.name)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestEgress: a pod selected by an Egress policy may only open what a rule
// allows (to pods by selector, to addresses by ipBlock, on the listed
// ports and protocols); ICMP passes only rules without ports; the
// destination's own ingress policies still apply.
func TestEgress(t *testing.T) {
	udp := UDP
	port53 := intstr.FromInt32(53)
	e := engine()
	e.SetPolicy("default", "bb-out", &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "bb-out"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *sel("run", "bb"),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress: []networkingv1.NetworkPolicyEgressRule{
				{To: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("app", "web")}}},
				{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &port53}}},
				{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "192.168.56.0/24"}}}, Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromInt32(6443))}}},
			}}})
	tests := []struct {
		from, to netip.Addr
		proto    string
		port     int32
		want     bool
	}{
		{bb, web, "TCP", 80, true},
		{bb, web, "ICMP", 0, true},
		{bb, other, "TCP", 80, false},
		{bb, other, "UDP", 53, true},
		{bb, other, "TCP", 53, false},
		{bb, node, "TCP", 6443, true},
		{bb, node, "TCP", 22, false},
		{bb, node, "ICMP", 0, false},
		{other, web, "TCP", 80, true}, // team's pods are not selected
		{web, bb, "TCP", 80, true},    // egress policies do not isolate ingress
	}
	for _, tc := range tests {
		if got := e.Admit(tc.from, tc.to, corev1.Protocol(tc.proto), tc.port); got != tc.want {
			t.Errorf("%s -> %s %s/%d admitted %v, want %v", tc.from, tc.to, tc.proto, tc.port, got, tc.want)
		}
	}
	e.ForgetPod(bb, "default", "other-name")
	if e.Admit(bb, other, TCP, 80) {
		t.Error("ForgetPod with another name forgot the pod")
	}
	e.ForgetPod(bb, "default", "")
	e.SetPod(bb, Pod{})
	if !e.Admit(bb, other, TCP, 80) {
		t.Error("a forgotten pod is still isolated")
	}
}
