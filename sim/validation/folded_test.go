package validation

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The messages of rules that share one helper across kinds: each caller's
// path and wording, pinned.

func TestProbeWithSeveralHandlers(t *testing.T) {
	p := &corev1.Pod{ObjectMeta: objMeta("p"), Spec: podSpec()}
	p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		Exec:    &corev1.ExecAction{},
		HTTPGet: &corev1.HTTPGetAction{Scheme: "FTP"},
		GRPC:    &corev1.GRPCAction{Port: 0},
	}}
	check(t, `Pod "p" is invalid: [spec.containers[0].livenessProbe.exec.command: Required value, spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type, spec.containers[0].livenessProbe.grpc: Forbidden: may not specify more than 1 handler type]`,
		invalid(schema.GroupKind{Kind: "Pod"}, "p", ValidatePod(p)))
}

func TestSelectorOperatorValues(t *testing.T) {
	terms := []corev1.NodeSelectorRequirement{
		{Key: "a", Operator: corev1.NodeSelectorOpExists, Values: []string{"x"}},
		{Key: "b", Operator: corev1.NodeSelectorOpGt, Values: []string{"1", "2"}},
		{Key: "c", Operator: "Near"},
	}
	got := invalid(schema.GroupKind{Kind: "Pod"}, "p", validateNodeSelectorTerm(corev1.NodeSelectorTerm{MatchExpressions: terms}, nil))
	check(t, "Pod \"p\" is invalid: [matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist', matchExpressions[1].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt', matchExpressions[2].operator: Invalid value: \"Near\": not a valid selector operator]", got)

	sel := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: "a", Operator: metav1.LabelSelectorOpNotIn},
		{Key: "b", Operator: metav1.LabelSelectorOpDoesNotExist, Values: []string{"x"}},
		{Key: "c", Operator: "Gt", Values: []string{"1"}},
	}}
	got = invalid(schema.GroupKind{Kind: "Pod"}, "p", validateLabelSelector(sel, nil))
	check(t, "Pod \"p\" is invalid: [matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn', matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist', matchExpressions[2].operator: Invalid value: \"Gt\": not a valid selector operator]", got)
}

func TestImmutableContentUpdates(t *testing.T) {
	oldc := &corev1.ConfigMap{ObjectMeta: objMeta("cfg"), BinaryData: map[string][]byte{"k": []byte("v")}, Immutable: ptr(true)}
	c := oldc.DeepCopy()
	c.Immutable = nil
	c.BinaryData["k"] = []byte("w")
	check(t, "ConfigMap \"cfg\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, binaryData: Forbidden: field is immutable when `immutable` is set]",
		invalid(schema.GroupKind{Kind: "ConfigMap"}, "cfg", ValidateConfigMapUpdate(c, oldc)))

	olds := &corev1.Secret{ObjectMeta: objMeta("s"), Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"k": []byte("v")}, Immutable: ptr(true)}
	s := olds.DeepCopy()
	s.Immutable = ptr(false)
	s.Data["k"] = []byte("w")
	check(t, "Secret \"s\" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]",
		invalid(schema.GroupKind{Kind: "Secret"}, "s", ValidateSecretUpdate(s, olds)))
	s = olds.DeepCopy()
	if errs := ValidateSecretUpdate(s, olds); len(errs) != 0 {
		t.Errorf("unchanged immutable Secret: %v", errs)
	}
}

func TestServicePortProtocolRequired(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: objMeta("web"), Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP,
		SessionAffinity: corev1.ServiceAffinityNone,
		Ports:           []corev1.ServicePort{{Name: "a", Port: 80, TargetPort: intstr.FromInt32(80)}, {Name: "b", Port: 81, TargetPort: intstr.FromInt32(81), Protocol: "HTTP"}}}}
	got := invalid(schema.GroupKind{Kind: "Service"}, "web", ValidateService(svc))
	check(t, `Service "web" is invalid: [spec.ports[0].protocol: Required value, spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"]`, got)
}

func TestReplicaSetAndDaemonSetSelectorImmutable(t *testing.T) {
	sel := func(v string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": v}}
	}
	tmpl := func(v string) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": v}}, Spec: podSpec()}
	}
	oldrs := &appsv1.ReplicaSet{ObjectMeta: objMeta("rs"), Spec: appsv1.ReplicaSetSpec{Selector: sel("a"), Template: tmpl("a")}}
	rs := oldrs.DeepCopy()
	rs.Spec.Selector, rs.Spec.Template, rs.Spec.Replicas = sel("b"), tmpl("b"), ptr(int32(-1))
	gotRS := invalid(schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}, "rs", ValidateReplicaSetUpdate(rs, oldrs))
	oldds := &appsv1.DaemonSet{ObjectMeta: objMeta("ds"), Spec: appsv1.DaemonSetSpec{Selector: sel("a"), Template: tmpl("a"),
		UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}}}
	ds := oldds.DeepCopy()
	ds.Spec.Selector, ds.Spec.Template = sel("b"), tmpl("b")
	gotDS := invalid(schema.GroupKind{Group: "apps", Kind: "DaemonSet"}, "ds", ValidateDaemonSetUpdate(ds, oldds))
	check(t, `ReplicaSet.apps "rs" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable]`, gotRS)
	check(t, `DaemonSet.apps "ds" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`, gotDS)
}
