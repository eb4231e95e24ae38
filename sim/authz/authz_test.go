package authz

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/clock"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

func newRegistry(t testing.TB) (*registry.Registry, *store.Store) {
	t.Helper()
	st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true, Decode: registry.DecodeStorage, Encode: registry.EncodeStorage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := registry.NewRegistry(st, clock.NewVirtual(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), rand.New(rand.NewPCG(1, 2)), "v1.27.1")
	for _, ns := range []string{"default", "dev"} {
		create(t, r, "", "namespaces", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	return r, st
}

func create(t testing.TB, r *registry.Registry, group, resource string, obj runtime.Object) {
	t.Helper()
	res, ok := registry.Lookup(schema.GroupResource{Group: group, Resource: resource})
	if !ok {
		t.Fatalf("%s not served", resource)
	}
	if _, err := r.Create(res, "", obj, false); err != nil {
		t.Fatal(err)
	}
}

func commit(t testing.TB, st *store.Store) {
	t.Helper()
	if err := st.Sync(); err != nil {
		t.Fatal(err)
	}
}

// policy: a pod-reader Role bound to service account default:sa, view
// bound to group dev-team in namespace dev, a binding to a missing role,
// cluster-admin for group system:masters' stand-in admins.
func policy(t testing.TB, r *registry.Registry) {
	const g = "rbac.authorization.k8s.io"
	create(t, r, g, "roles", &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader", Namespace: "default"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list", "watch"}},
			{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, ResourceNames: []string{"web"}, Verbs: []string{"get"}},
		}})
	create(t, r, g, "rolebindings", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "read-pods", Namespace: "default"},
		RoleRef:  rbacv1.RoleRef{APIGroup: g, Kind: "Role", Name: "pod-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa"}}})
	create(t, r, g, "clusterroles", &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "viewer"},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"*"}, Resources: []string{"*/status"}, Verbs: []string{"get"}},
			{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"*"}},
			{NonResourceURLs: []string{"/healthz", "/logs/*"}, Verbs: []string{"get"}},
		}})
	create(t, r, g, "rolebindings", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "dev-view", Namespace: "dev"},
		RoleRef:  rbacv1.RoleRef{APIGroup: g, Kind: "ClusterRole", Name: "viewer"},
		Subjects: []rbacv1.Subject{{Kind: "Group", APIGroup: g, Name: "dev-team"}}})
	create(t, r, g, "clusterrolebindings", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "urls"},
		RoleRef:  rbacv1.RoleRef{APIGroup: g, Kind: "ClusterRole", Name: "viewer"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: g, Name: "ops"}}})
	create(t, r, g, "clusterrolebindings", &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "broken"},
		RoleRef:  rbacv1.RoleRef{APIGroup: g, Kind: "ClusterRole", Name: "missing"},
		Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: g, Name: "broken"}}})
}

func TestAuthorize(t *testing.T) {
	r, st := newRegistry(t)
	policy(t, r)
	commit(t, st)
	a := New(r)
	sa := ServiceAccountUser("default", "sa", "")
	dev := &User{Name: "jane", Groups: []string{"dev-team", GroupAuthenticated}}
	res := func(u *User, verb, group, resource, sub, ns, name string) *Attributes {
		return &Attributes{User: u, Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, Namespace: ns, Name: name, ResourceRequest: true}
	}
	for _, tc := range []struct {
		name   string
		attr   *Attributes
		ok     bool
		reason string
		msg    string // ForbiddenMessage when denied
	}{
		{"sa lists pods", res(sa, "list", "", "pods", "", "default", ""), true,
			`RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "sa/default"`, ""},
		{"sa reads logs", res(sa, "get", "", "pods", "log", "default", "web-0"), true,
			`RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "sa/default"`, ""},
		{"sa secrets", res(sa, "list", "", "secrets", "", "default", ""), false, "",
			`User "system:serviceaccount:default:sa" cannot list resource "secrets" in API group "" in the namespace "default"`},
		{"sa pods elsewhere", res(sa, "list", "", "pods", "", "dev", ""), false, "",
			`User "system:serviceaccount:default:sa" cannot list resource "pods" in API group "" in the namespace "dev"`},
		{"sa exec", res(sa, "create", "", "pods", "exec", "default", "web-0"), false, "",
			`User "system:serviceaccount:default:sa" cannot create resource "pods/exec" in API group "" in the namespace "default"`},
		{"named deployment", res(sa, "get", "apps", "deployments", "", "default", "web"), true,
			`RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "sa/default"`, ""},
		{"other deployment", res(sa, "get", "apps", "deployments", "", "default", "db"), false, "",
			`User "system:serviceaccount:default:sa" cannot get resource "deployments" in API group "apps" in the namespace "default"`},
		{"cluster scope", res(sa, "list", "", "nodes", "", "", ""), false, "",
			`User "system:serviceaccount:default:sa" cannot list resource "nodes" in API group "" at the cluster scope`},
		{"group via clusterrole in ns", res(dev, "delete", "", "configmaps", "", "dev", "x"), true,
			`RBAC: allowed by RoleBinding "dev-view/dev" of ClusterRole "viewer" to Group "dev-team"`, ""},
		{"*/status", res(dev, "get", "apps", "deployments", "status", "dev", "x"), true,
			`RBAC: allowed by RoleBinding "dev-view/dev" of ClusterRole "viewer" to Group "dev-team"`, ""},
		{"*/status not the main resource", res(dev, "get", "apps", "deployments", "", "dev", "x"), false, "",
			`User "jane" cannot get resource "deployments" in API group "apps" in the namespace "dev"`},
		{"rolebinding is namespaced", res(dev, "get", "", "configmaps", "", "default", "x"), false, "",
			`User "jane" cannot get resource "configmaps" in API group "" in the namespace "default"`},
		{"url", &Attributes{User: &User{Name: "ops"}, Verb: "get", Path: "/logs/kubelet.log"}, true,
			`RBAC: allowed by ClusterRoleBinding "urls" of ClusterRole "viewer" to User "ops"`, ""},
		{"url denied", &Attributes{User: &User{Name: "ops"}, Verb: "get", Path: "/metrics"}, false, "",
			`User "ops" cannot get path "/metrics"`},
		{"masters", res(&User{Name: "kubernetes-admin", Groups: []string{GroupMasters}}, "delete", "", "nodes", "", "", "n1"), true, "", ""},
		{"missing role", res(&User{Name: "broken"}, "get", "", "pods", "", "default", "p"), false,
			`RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found`,
			`User "broken" cannot get resource "pods" in API group "" in the namespace "default": RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, reason := a.Authorize(tc.attr)
			if ok != tc.ok || reason != tc.reason {
				t.Errorf("Authorize = %v, %q; want %v, %q", ok, reason, tc.ok, tc.reason)
			}
			if !ok {
				if msg := ForbiddenMessage(tc.attr, reason); msg != tc.msg {
					t.Errorf("message\n got %s\nwant %s", msg, tc.msg)
				}
			}
		})
	}
}

// TestCacheFollowsWrites: a binding counts once the view that shows it is
// committed, and deleting it takes the rights away again.
func TestCacheFollowsWrites(t *testing.T) {
	r, st := newRegistry(t)
	policy(t, r)
	commit(t, st)
	a := New(r)
	u := ServiceAccountUser("dev", "builder", "")
	attr := &Attributes{User: u, Verb: "list", Resource: "pods", Namespace: "default", ResourceRequest: true}
	if ok, _ := a.Authorize(attr); ok {
		t.Fatal("allowed before any binding")
	}
	const g = "rbac.authorization.k8s.io"
	create(t, r, g, "rolebindings", &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "builder", Namespace: "default"},
		RoleRef:  rbacv1.RoleRef{APIGroup: g, Kind: "Role", Name: "pod-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "builder", Namespace: "dev"}}})
	if ok, _ := a.Authorize(attr); ok {
		t.Fatal("allowed by an uncommitted binding")
	}
	commit(t, st)
	if ok, _ := a.Authorize(attr); !ok {
		t.Fatal("denied after the binding was committed")
	}
	rb, _ := registry.Lookup(schema.GroupResource{Group: g, Resource: "rolebindings"})
	if _, err := r.Delete(rb, "default", "builder", nil); err != nil {
		t.Fatal(err)
	}
	commit(t, st)
	if ok, _ := a.Authorize(attr); ok {
		t.Fatal("allowed after the binding was deleted")
	}
}

func TestRules(t *testing.T) {
	r, st := newRegistry(t)
	policy(t, r)
	commit(t, st)
	a := New(r)
	rules, errs := a.Rules(&User{Name: "jane", Groups: []string{"dev-team"}}, "dev")
	if len(rules) != 3 || len(errs) != 0 {
		t.Errorf("jane in dev: %d rules, errs %v; want the 3 of viewer", len(rules), errs)
	}
	if rules, _ := a.Rules(&User{Name: "jane", Groups: []string{"dev-team"}}, "default"); len(rules) != 0 {
		t.Errorf("jane in default: %v, want none", rules)
	}
	if _, errs := a.Rules(&User{Name: "broken"}, "default"); len(errs) != 1 {
		t.Errorf("broken: errs %v, want the missing role", errs)
	}
}

func TestSplitServiceAccount(t *testing.T) {
	for in, want := range map[string][2]string{
		"system:serviceaccount:default:sa": {"default", "sa"},
		"system:serviceaccount:default":    {},
		"system:serviceaccount::sa":        {},
		"system:serviceaccount:a:b:c":      {},
		"jane":                             {},
	} {
		ns, name, ok := SplitServiceAccount(in)
		if ok != (want[0] != "") || ns+"/"+name != want[0]+"/"+want[1] && ok {
			t.Errorf("%q: %q %q %v, want %v", in, ns, name, ok, want)
		}
	}
}

// BenchmarkAuthorize is the per-request cost with the user's rules cached,
// requests alternating between an allowed and a denied one.
func BenchmarkAuthorize(b *testing.B) {
	r, st := newRegistry(b)
	policy(b, r)
	commit(b, st)
	a := New(r)
	attr := &Attributes{User: ServiceAccountUser("default", "sa", ""), Verb: "list", Resource: "pods", Namespace: "default", ResourceRequest: true}
	denied := &Attributes{User: attr.User, Verb: "list", Resource: "secrets", Namespace: "default", ResourceRequest: true}
	a.Authorize(attr)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			if ok, _ := a.Authorize(attr); !ok {
				b.Fatal("denied")
			}
		} else if ok, _ := a.Authorize(denied); ok {
			b.Fatal("allowed")
		}
	}
}
