package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/authz"
)

// doAs is do with impersonation headers and, if u is set, an
// authenticated user in the request's context.
func doAs(t *testing.T, s *Server, u *authz.User, h http.Header, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		req.Header[k] = v
	}
	if u != nil {
		req = req.WithContext(WithUser(req.Context(), u))
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func status(t *testing.T, body string) metav1.Status {
	t.Helper()
	var st metav1.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return st
}

// TestAuthorization: a service account with a Role reads pods and gets
// upstream's Forbidden for secrets; impersonation needs the impersonate
// verb; the access reviews answer from the same rules.
func TestAuthorization(t *testing.T) {
	s, _ := newTestServer(t)
	for _, body := range []string{
		`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:basic-user"},"rules":[{"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"],"verbs":["create"]},{"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]}]}`,
		`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"system:basic-user"},"roleRef":{"kind":"ClusterRole","name":"system:basic-user","apiGroup":"rbac.authorization.k8s.io"},"subjects":[{"kind":"Group","name":"system:authenticated"}]}`,
	} {
		res := "clusterroles"
		if strings.Contains(body, "ClusterRoleBinding") {
			res = "clusterrolebindings"
		}
		if code, out := do(t, s, "POST", "/apis/rbac.authorization.k8s.io/v1/"+res, "application/json", body); code != http.StatusCreated {
			t.Fatalf("create %s: %d %s", res, code, out)
		}
	}
	for _, body := range []string{
		`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pod-reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]}`,
		`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"sa-reads"},"roleRef":{"kind":"Role","name":"pod-reader","apiGroup":"rbac.authorization.k8s.io"},"subjects":[{"kind":"ServiceAccount","name":"sa"}]}`,
	} {
		res := "roles"
		if strings.Contains(body, "RoleBinding") {
			res = "rolebindings"
		}
		if code, out := do(t, s, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/"+res, "application/json", body); code != http.StatusCreated {
			t.Fatalf("create %s: %d %s", res, code, out)
		}
	}
	sa := authz.ServiceAccountUser("default", "sa", "")
	asSA := http.Header{"Impersonate-User": {"system:serviceaccount:default:sa"}}
	jane := &authz.User{Name: "jane", Groups: []string{authz.GroupAuthenticated}}
	for _, tc := range []struct {
		name         string
		user         *authz.User
		h            http.Header
		method, path string
		code         int
		msg          string
	}{
		{"sa lists pods", sa, nil, "GET", "/api/v1/namespaces/default/pods", 200, ""},
		{"sa secrets", sa, nil, "GET", "/api/v1/namespaces/default/secrets", 403,
			`secrets is forbidden: User "system:serviceaccount:default:sa" cannot list resource "secrets" in API group "" in the namespace "default"`},
		{"sa watch", sa, nil, "GET", "/api/v1/namespaces/default/pods?watch=true", 403,
			`pods is forbidden: User "system:serviceaccount:default:sa" cannot watch resource "pods" in API group "" in the namespace "default"`},
		{"sa named get", sa, nil, "GET", "/apis/apps/v1/namespaces/default/deployments/web", 403,
			`deployments.apps "web" is forbidden: User "system:serviceaccount:default:sa" cannot get resource "deployments" in API group "apps" in the namespace "default"`},
		{"sa log", sa, nil, "GET", "/api/v1/namespaces/default/pods/web/log", 403,
			`pods "web" is forbidden: User "system:serviceaccount:default:sa" cannot get resource "pods/log" in API group "" in the namespace "default"`},
		{"sa nodes", sa, nil, "GET", "/api/v1/nodes", 403,
			`nodes is forbidden: User "system:serviceaccount:default:sa" cannot list resource "nodes" in API group "" at the cluster scope`},
		{"admin impersonates sa", nil, asSA, "GET", "/api/v1/namespaces/default/secrets", 403,
			`secrets is forbidden: User "system:serviceaccount:default:sa" cannot list resource "secrets" in API group "" in the namespace "default"`},
		{"admin impersonates sa, allowed", nil, asSA, "GET", "/api/v1/namespaces/default/pods", 200, ""},
		{"jane may not impersonate", jane, http.Header{"Impersonate-User": {"bob"}}, "GET", "/api/v1/namespaces/default/pods", 403,
			`users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope`},
		{"jane may not impersonate an sa", jane, asSA, "GET", "/api/v1/namespaces/default/pods", 403,
			`serviceaccounts "sa" is forbidden: User "jane" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"`},
		{"namespace get", jane, nil, "GET", "/api/v1/namespaces/default", 403,
			`namespaces "default" is forbidden: User "jane" cannot get resource "namespaces" in API group "" in the namespace "default"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := doAs(t, s, tc.user, tc.h, tc.method, tc.path, "")
			if code != tc.code {
				t.Fatalf("code %d, want %d: %s", code, tc.code, body)
			}
			if tc.msg == "" {
				return
			}
			if st := status(t, body); st.Message != tc.msg || st.Reason != metav1.StatusReasonForbidden {
				t.Errorf("got %s %q\nwant %q", st.Reason, st.Message, tc.msg)
			}
		})
	}

	review := func(u *authz.User, h http.Header, verb, resource string) authorizationv1.SubjectAccessReviewStatus {
		t.Helper()
		body := `{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"default","verb":"` + verb + `","resource":"` + resource + `"}}}`
		code, out := doAs(t, s, u, h, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body)
		if code != http.StatusCreated {
			t.Fatalf("ssar: %d %s", code, out)
		}
		var r authorizationv1.SelfSubjectAccessReview
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if st := review(nil, asSA, "list", "pods"); !st.Allowed || st.Reason != `RBAC: allowed by RoleBinding "sa-reads/default" of Role "pod-reader" to ServiceAccount "sa/default"` {
		t.Errorf("can-i list pods as sa: %+v", st)
	}
	if st := review(nil, asSA, "list", "secrets"); st.Allowed {
		t.Errorf("can-i list secrets as sa: %+v", st)
	}
	if st := review(nil, nil, "delete", "nodes"); !st.Allowed {
		t.Errorf("can-i as admin: %+v", st)
	}

	code, out := doAs(t, s, nil, asSA, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", `{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`)
	var ssr authenticationv1.SelfSubjectReview
	if err := json.Unmarshal([]byte(out), &ssr); code != http.StatusCreated || err != nil {
		t.Fatalf("whoami: %d %v %s", code, err, out)
	}
	want := authenticationv1.UserInfo{Username: "system:serviceaccount:default:sa", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}}
	if diff := cmp.Diff(want, ssr.Status.UserInfo); diff != "" {
		t.Errorf("whoami as sa (-want +got):\n%s", diff)
	}

	code, out = doAs(t, s, nil, asSA, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", `{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"default"}}`)
	var ssrr authorizationv1.SelfSubjectRulesReview
	if err := json.Unmarshal([]byte(out), &ssrr); code != http.StatusCreated || err != nil {
		t.Fatalf("rules review: %d %v %s", code, err, out)
	}
	if n := len(ssrr.Status.ResourceRules); n != 3 || ssrr.Status.ResourceRules[2].Resources[0] != "pods" {
		t.Errorf("rules review as sa: %+v", ssrr.Status)
	}
}
