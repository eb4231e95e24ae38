package validation

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateRBAC(t *testing.T) {
	const g = "rbac.authorization.k8s.io"
	role := func(name string, rules ...rbacv1.PolicyRule) error {
		r := &rbacv1.Role{ObjectMeta: objMeta(name), Rules: rules}
		if errs := ValidateRole(r); len(errs) > 0 {
			return errorOf(schema.GroupKind{Group: g, Kind: "Role"}, name, errs)
		}
		return nil
	}
	read := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"valid role", role("pod-reader", read), ""},
		{"colons allowed", role("system:x", read), ""},
		{"slash in name", role("a/b", read), `Role.rbac.authorization.k8s.io "a/b" is invalid: metadata.name: Invalid value: "a/b": may not contain '/'`},
		{"no verbs", role("r", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}}),
			`Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value`},
		{"no groups or resources", role("r", rbacv1.PolicyRule{Verbs: []string{"get"}}),
			`Role.rbac.authorization.k8s.io "r" is invalid: [rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource]`},
		{"urls in a role", role("r", rbacv1.PolicyRule{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}),
			`Role.rbac.authorization.k8s.io "r" is invalid: rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs`},
		{"empty aggregation", func() error {
			r := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "agg"}, AggregationRule: &rbacv1.AggregationRule{}}
			return errorOf(schema.GroupKind{Group: g, Kind: "ClusterRole"}, "agg", ValidateClusterRole(r))
		}(), `ClusterRole.rbac.authorization.k8s.io "agg" is invalid: aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil`},
		{"binding", func() error {
			b := &rbacv1.RoleBinding{ObjectMeta: objMeta("b"), RoleRef: rbacv1.RoleRef{APIGroup: g, Kind: "Secret", Name: ""},
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa", APIGroup: g}, {Kind: "User", Name: "jane"}, {Kind: "Robot", Name: "r2"}}}
			return errorOf(schema.GroupKind{Group: g, Kind: "RoleBinding"}, "b", ValidateRoleBinding(b))
		}(), `RoleBinding.rbac.authorization.k8s.io "b" is invalid: [roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole", roleRef.name: Required value, subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: "", subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io", subjects[2].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"]`},
		{"cluster binding sa needs a namespace", func() error {
			b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "b"}, RoleRef: rbacv1.RoleRef{APIGroup: g, Kind: "Role", Name: "r"},
				Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa"}}}
			return errorOf(schema.GroupKind{Group: g, Kind: "ClusterRoleBinding"}, "b", ValidateClusterRoleBinding(b))
		}(), `ClusterRoleBinding.rbac.authorization.k8s.io "b" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]`},
		{"roleRef is immutable", func() error {
			old := &rbacv1.RoleBinding{ObjectMeta: objMeta("b"), RoleRef: rbacv1.RoleRef{APIGroup: g, Kind: "Role", Name: "r"}}
			b := old.DeepCopy()
			b.RoleRef.Name = "other"
			return errorOf(schema.GroupKind{Group: g, Kind: "RoleBinding"}, "b", ValidateUpdate(b, old, Default))
		}(), `RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if tc.err != nil {
				got = tc.err.Error()
			}
			check(t, tc.want, got)
		})
	}
}

func errorOf(gk schema.GroupKind, name string, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(gk, name, errs)
}
