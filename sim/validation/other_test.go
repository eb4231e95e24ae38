package validation

import (
	"testing"

	coordinationv1 "k8s.io/api/coordination/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestValidatePodDisruptionBudget(t *testing.T) {
	k := schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}
	tests := []struct {
		name string
		spec policyv1.PodDisruptionBudgetSpec
		want string
	}{
		{"valid", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromString("50%")), Selector: &metav1.LabelSelector{MatchLabels: webLabels()}}, ""},
		{"minAvailable abc%", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromString("abc%"))},
			`PodDisruptionBudget.policy "pdb" is invalid: spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc%"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`},
		{"both set", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr(intstr.FromInt32(1)), MaxUnavailable: ptr(intstr.FromInt32(1))},
			`PodDisruptionBudget.policy "pdb" is invalid: spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), Selector:(*v1.LabelSelector)(nil), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), UnhealthyPodEvictionPolicy:(*v1.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set`},
		{"maxUnavailable over 100%", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr(intstr.FromString("120%"))},
			`PodDisruptionBudget.policy "pdb" is invalid: spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &policyv1.PodDisruptionBudget{ObjectMeta: objMeta("pdb"), Spec: tt.spec}
			check(t, tt.want, invalid(k, p.Name, ValidatePodDisruptionBudget(p)))
		})
	}
}

func TestValidateLease(t *testing.T) {
	k := schema.GroupKind{Group: "coordination.k8s.io", Kind: "Lease"}
	l := &coordinationv1.Lease{ObjectMeta: objMeta("w1"), Spec: coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr(int32(-1)), LeaseTransitions: ptr(int32(-1))}}
	check(t, `Lease.coordination.k8s.io "w1" is invalid: [spec.leaseDurationSeconds: Invalid value: -1: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]`,
		invalid(k, l.Name, ValidateLease(l)))
	old := &coordinationv1.Lease{ObjectMeta: objMeta("w1"), Spec: coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr(int32(40))}}
	l = old.DeepCopy()
	l.Spec.LeaseDurationSeconds = ptr(int32(0))
	check(t, `Lease.coordination.k8s.io "w1" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0`,
		invalid(k, l.Name, ValidateLeaseUpdate(l, old)))
}

func TestValidatePriorityClass(t *testing.T) {
	k := schema.GroupKind{Group: "scheduling.k8s.io", Kind: "PriorityClass"}
	tests := []struct {
		pc   schedulingv1.PriorityClass
		want string
	}{
		{schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "system-node-critical"}, Value: 2000001000}, ""},
		{schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 2000000000},
			`PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000`},
		{schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "system-high"}, Value: 5},
			`PriorityClass.scheduling.k8s.io "system-high" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-high is not a known system priority class`},
	}
	for _, tt := range tests {
		check(t, tt.want, invalid(k, tt.pc.Name, ValidatePriorityClass(&tt.pc)))
	}
	old := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000}
	pc := old.DeepCopy()
	pc.Value = 2000
	check(t, `PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: may not be changed in an update.`,
		invalid(k, pc.Name, ValidatePriorityClassUpdate(pc, old)))
}

func TestValidateEndpointSlice(t *testing.T) {
	k := schema.GroupKind{Group: "discovery.k8s.io", Kind: "EndpointSlice"}
	s := &discoveryv1.EndpointSlice{ObjectMeta: objMeta("web-abc"), AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.244.1.2"}}, {Addresses: []string{"fe80::1"}}},
		Ports:     []discoveryv1.EndpointPort{{Name: ptr(""), Port: ptr(int32(80))}}}
	check(t, `EndpointSlice.discovery.k8s.io "web-abc" is invalid: [endpoints[1].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address, endpoints[1].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10), ports[0].protocol: Required value]`,
		invalid(k, s.Name, ValidateEndpointSlice(s)))
}
