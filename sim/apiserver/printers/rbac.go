package printers

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Roles and ClusterRoles have no printer upstream: they get the default
// table (Name, Created At). Bindings print roleBindingsColumnDefinitions
// and clusterRoleBindingsColumnDefinitions.

func bindingColumns(roleRefDoc string) []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Role", "string", roleRefDoc),
		ageColumn(),
		wide("Users", "string", "Users in the roleBinding"),
		wide("Groups", "string", "Groups in the roleBinding"),
		wide("ServiceAccounts", "string", "ServiceAccounts in the roleBinding"),
	}
}

var (
	roleBindingColumns        = bindingColumns(rbacv1beta1.RoleBinding{}.SwaggerDoc()["roleRef"])
	clusterRoleBindingColumns = bindingColumns(rbacv1beta1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"])
)

func printRoleBinding(b *rbacv1.RoleBinding, c *printContext) metav1.TableRow {
	return bindingRow(b.Name, b.RoleRef, b.Subjects, c.since(b.CreationTimestamp))
}

func printClusterRoleBinding(b *rbacv1.ClusterRoleBinding, c *printContext) metav1.TableRow {
	return bindingRow(b.Name, b.RoleRef, b.Subjects, c.since(b.CreationTimestamp))
}

func bindingRow(name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject, age string) metav1.TableRow {
	users, groups, sas := subjectsStrings(subjects)
	return metav1.TableRow{Cells: []interface{}{
		name, ref.Kind + "/" + ref.Name, age,
		strings.Join(users, ", "), strings.Join(groups, ", "), strings.Join(sas, ", "),
	}}
}

// subjectsStrings is rbac.SubjectsStrings (other kinds are dropped, as the
// printer drops them).
func subjectsStrings(subjects []rbacv1.Subject) (users, groups, sas []string) {
	for _, s := range subjects {
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			sas = append(sas, fmt.Sprintf("%s/%s", s.Namespace, s.Name))
		case rbacv1.UserKind:
			users = append(users, s.Name)
		case rbacv1.GroupKind:
			groups = append(groups, s.Name)
		}
	}
	return users, groups, sas
}
