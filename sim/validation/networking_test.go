package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestValidateNetworkPolicy(t *testing.T) {
	k := schema.GroupKind{Group: "networking.k8s.io", Kind: "NetworkPolicy"}
	tcp := ptr(corev1.ProtocolTCP)
	tests := []struct {
		name string
		v    Version
		spec networkingv1.NetworkPolicySpec
		want string
	}{
		{"default deny", 27, networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Ingress", "Egress"}}, ""},
		{"empty peer", 27, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{}}}}},
			`NetworkPolicy.networking.k8s.io "np" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer`},
		{"ipBlock and selector", 27, networkingv1.NetworkPolicySpec{Egress: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8"}, PodSelector: &metav1.LabelSelector{}}}}}},
			`NetworkPolicy.networking.k8s.io "np" is invalid: spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer`},
		{"bad cidr 1.27", 27, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0"}}}}}},
			`NetworkPolicy.networking.k8s.io "np" is invalid: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": not a valid CIDR`},
		{"bad cidr 1.33", 33, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0"}}}}}},
			`NetworkPolicy.networking.k8s.io "np" is invalid: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`},
		{"except not a subset", 27, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/16", Except: []string{"10.1.0.0/24"}}}}}}},
			"NetworkPolicy.networking.k8s.io \"np\" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`"},
		{"endPort below port", 27, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: ptr(intstr.FromInt32(90)), EndPort: ptr(int32(80))}}}}},
			"NetworkPolicy.networking.k8s.io \"np\" is invalid: spec.ingress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`"},
		{"bad protocol and type", 27, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr(corev1.Protocol("ICMP"))}}}}, PolicyTypes: []networkingv1.PolicyType{"Both"}},
			`NetworkPolicy.networking.k8s.io "np" is invalid: [spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP", spec.policyTypes[0]: Unsupported value: "Both": supported values: "Ingress", "Egress"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			np := &networkingv1.NetworkPolicy{ObjectMeta: objMeta("np"), Spec: tt.spec}
			check(t, tt.want, invalid(k, np.Name, ValidateNetworkPolicy(np, tt.v)))
		})
	}
}

func TestValidateIngress(t *testing.T) {
	k := schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}
	prefix := ptr(networkingv1.PathTypePrefix)
	svc := networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}
	rule := func(host string, p networkingv1.HTTPIngressPath) networkingv1.IngressRule {
		return networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{p}}}}
	}
	tests := []struct {
		name string
		spec networkingv1.IngressSpec
		want string
	}{
		{"valid", networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{rule("a.example.com", networkingv1.HTTPIngressPath{Path: "/", PathType: prefix, Backend: svc})}}, ""},
		{"nothing", networkingv1.IngressSpec{},
			"Ingress.networking.k8s.io \"ing\" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"},
		{"no pathType", networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{rule("", networkingv1.HTTPIngressPath{Path: "/", Backend: svc})}},
			`Ingress.networking.k8s.io "ing" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified`},
		{"relative path, ip host", networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{rule("10.0.0.1", networkingv1.HTTPIngressPath{Path: "app", PathType: prefix, Backend: svc})}},
			`Ingress.networking.k8s.io "ing" is invalid: [spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address, spec.rules[0].http.paths[0].path: Invalid value: "app": must be an absolute path]`},
		{"no port", networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web"}}},
			`Ingress.networking.k8s.io "ing" is invalid: spec.defaultBackend: Required value: port name or number is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ing := &networkingv1.Ingress{ObjectMeta: objMeta("ing"), Spec: tt.spec}
			check(t, tt.want, invalid(k, ing.Name, ValidateIngress(ing)))
		})
	}
}

func TestValidateIngressClass(t *testing.T) {
	k := schema.GroupKind{Group: "networking.k8s.io", Kind: "IngressClass"}
	ic := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: "k8s.io/ingress-nginx"}}
	check(t, "", invalid(k, ic.Name, ValidateIngressClass(ic)))
	changed := ic.DeepCopy()
	changed.Spec.Controller = "example.com/other"
	check(t, `IngressClass.networking.k8s.io "nginx" is invalid: spec.controller: Invalid value: "example.com/other": field is immutable`,
		invalid(k, ic.Name, ValidateIngressClassUpdate(changed, ic)))
}
