package printers

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestBindingRows: ROLE is Kind/name; the wide cells join users, groups
// and namespace/name service accounts with ", " as printRoleBinding does.
func TestBindingRows(t *testing.T) {
	created := metav1.NewTime(testNow.Add(-90e9))
	subjects := []rbacv1.Subject{
		{Kind: "User", Name: "jane"}, {Kind: "Group", Name: "dev"}, {Kind: "User", Name: "bob"},
		{Kind: "ServiceAccount", Name: "sa", Namespace: "default"}, {Kind: "Other", Name: "x"},
	}
	for _, tc := range []struct {
		gr   schema.GroupResource
		obj  runtime.Object
		want []interface{}
	}{
		{schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "rolebindings"},
			&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "rb", CreationTimestamp: created}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "pod-reader"}, Subjects: subjects},
			[]interface{}{"rb", "Role/pod-reader", "90s", "jane, bob", "dev", "default/sa"}},
		{schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
			&rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "crb", CreationTimestamp: created}, RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"}},
			[]interface{}{"crb", "ClusterRole/view", "90s", "", "", ""}},
	} {
		tbl, err := Table(tc.gr, []runtime.Object{tc.obj}, metav1.ListMeta{}, Options{Now: testNow, IncludeObject: IncludeNone})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, tbl.Rows[0].Cells); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.gr, diff)
		}
		var names []string
		for _, c := range tbl.ColumnDefinitions {
			names = append(names, c.Name)
		}
		if diff := cmp.Diff([]string{"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"}, names); diff != "" {
			t.Errorf("%s columns (-want +got):\n%s", tc.gr, diff)
		}
	}
}
