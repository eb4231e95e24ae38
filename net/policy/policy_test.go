package policy

import (
	"net/netip"
	"testing"

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
	e.SetPod(web, Pod{Namespace: "default", Labels: map[string]string{"app": "web"}})
	e.SetPod(bb, Pod{Namespace: "default", Labels: map[string]string{"run": "bb"}})
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
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}})}, []conn{{bb, 80, true}}},
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
			if got := e.Admit(c.from, web, c.port); got != c.want {
				t.Errorf("%s: %s -> web:%d admitted %v, want %v", tt.name, c.from, c.port, got, c.want)
			}
		}
		if !e.Admit(web, other, 80) {
			t.Errorf("%s: a pod in a namespace without policies refused a connection", tt.name)
		}
	}
}
