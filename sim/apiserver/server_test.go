package apiserver

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim/clock"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// syncDriver runs requests in line and commits after each write, as the
// cluster's Do does (reads see committed state only).
type syncDriver struct{ st *store.Store }

func (d syncDriver) Do(fn func()) {
	fn()
	if err := d.st.Sync(); err != nil {
		panic(err)
	}
}
func (syncDriver) Read(fn func()) { fn() }
func (syncDriver) Wait(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool {
	return false
}

func newTestServer(t *testing.T) (*Server, *store.Store) {
	t.Helper()
	st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true, Decode: registry.DecodeStorage, Encode: registry.EncodeStorage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Sync(); err != nil {
			t.Error(err)
		}
		if err := st.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		st.Close()
	})
	clk := clock.NewVirtual(time.Date(2023, 4, 20, 0, 0, 0, 0, time.UTC))
	reg := registry.NewRegistry(st, clk, rand.New(rand.NewPCG(1, 2)), "v1.27.1")
	s, err := New(Config{Registry: reg, Clock: clk, Driver: syncDriver{st}, Version: "v1.27.1"})
	if err != nil {
		t.Fatal(err)
	}
	do(t, s, "POST", "/api/v1/namespaces", "application/json", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}}`)
	return s, st
}

func do(t *testing.T, s *Server, method, path, ct, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

const goodPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}`

// TestBadInput: each mistake gets kube-apiserver's status, and the store is unchanged.
func TestBadInput(t *testing.T) {
	s, st := newTestServer(t)
	if code, body := do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", goodPod); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	tests := []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"malformed json", "POST", "/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod",`, 400, `"reason":"BadRequest"`},
		{"invalid name", "POST", "/api/v1/namespaces/default/pods", strings.Replace(goodPod, `"web"}`, `"Web_1"}`, 1), 422,
			`"message":"Pod \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"`},
		{"no containers", "POST", "/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{}}`, 422, `spec.containers: Required value`},
		{"exists", "POST", "/api/v1/namespaces/default/pods", goodPod, 409, `"message":"pods \"web\" already exists","reason":"AlreadyExists"`},
		{"missing namespace", "POST", "/api/v1/namespaces/nope/pods", goodPod, 404, `"message":"namespaces \"nope\" not found"`},
		{"wrong resourceVersion", "PUT", "/api/v1/namespaces/default/pods/web", strings.Replace(goodPod, `"name":"web"}`, `"name":"web","resourceVersion":"1"}`, 1), 409,
			`"message":"Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict"`},
		{"unknown resource", "GET", "/api/v1/namespaces/default/widgets", "", 404, `"message":"the server could not find the requested resource"`},
		{"not found", "GET", "/api/v1/namespaces/default/pods/nope", "", 404, `"message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"}`},
		{"bad field selector", "GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx", "", 400, `field label not supported: spec.bogus`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := st.Rev()
			code, body := do(t, s, tc.method, tc.path, "application/json", tc.body)
			if code != tc.code {
				t.Errorf("code %d, want %d (%s)", code, tc.code, body)
			}
			if !strings.Contains(body, tc.want) {
				t.Errorf("body %s\ndoes not contain %s", body, tc.want)
			}
			if !strings.Contains(body, `"kind":"Status"`) {
				t.Errorf("not a Status: %s", body)
			}
			if st.Rev() != before {
				t.Errorf("store revision moved from %d to %d", before, st.Rev())
			}
		})
	}
}

// TestPatchTypes applies each patch type kubectl sends.
func TestPatchTypes(t *testing.T) {
	s, _ := newTestServer(t)
	do(t, s, "POST", "/api/v1/namespaces/default/pods", "application/json", goodPod)
	for _, tc := range []struct{ ct, body, want string }{
		{"application/merge-patch+json", `{"metadata":{"labels":{"a":"1"}}}`, `"labels":{"a":"1"}`},
		{"application/strategic-merge-patch+json", `{"metadata":{"labels":{"b":"2"}}}`, `"labels":{"a":"1","b":"2"}`},
		{"application/json-patch+json", `[{"op":"remove","path":"/metadata/labels/a"}]`, `"labels":{"b":"2"}`},
	} {
		code, body := do(t, s, "PATCH", "/api/v1/namespaces/default/pods/web", tc.ct, tc.body)
		if code != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %s", tc.ct, code, body, tc.want)
		}
	}
	if code, _ := do(t, s, "PATCH", "/api/v1/namespaces/default/pods/web", "text/plain", "x"); code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain patch: code %d, want 415", code)
	}
}

// TestTableAndDiscovery checks content negotiation for Tables and aggregated discovery.
func TestTableAndDiscovery(t *testing.T) {
	s, _ := newTestServer(t)
	req := httptest.NewRequest("GET", "/api/v1/namespaces", nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	body := w.Body.String()
	for _, want := range []string{`"kind":"Table"`, `"apiVersion":"meta.k8s.io/v1"`, `"cells":["default","Active","0s"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("table %s lacks %s", body, want)
		}
	}
	for _, v := range []string{"v2", "v2beta1"} {
		req = httptest.NewRequest("GET", "/apis", nil)
		req.Header.Set("Accept", "application/json;g=apidiscovery.k8s.io;v="+v+";as=APIGroupDiscoveryList,application/json")
		w = httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if diff := cmp.Diff("application/json;g=apidiscovery.k8s.io;v="+v+";as=APIGroupDiscoveryList", w.Header().Get("Content-Type")); diff != "" {
			t.Errorf("discovery %s content type (-want +got):\n%s", v, diff)
		}
		if !strings.Contains(w.Body.String(), `"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1","kind":"Scale"}`) {
			t.Errorf("discovery %s lacks deployments/scale: %s", v, w.Body.String())
		}
	}
}

// TestEvictionRefused: the pods/eviction answer kubectl drain reads when a
// budget's status allows no disruption: 429, upstream's message and cause,
// no Retry-After (the retry delay is kubectl's own).
func TestEvictionRefused(t *testing.T) {
	s, st := newTestServer(t)
	steps := []struct{ method, path, body string }{
		{"POST", "/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare","labels":{"app":"web"}},"spec":{"nodeName":"w1","containers":[{"name":"c","image":"nginx"}]}}`},
		{"PATCH", "/api/v1/namespaces/default/pods/bare/status", `{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}`},
		{"POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", `{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"web"}}}}`},
		{"PATCH", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web/status", `{"status":{"observedGeneration":1,"currentHealthy":1,"desiredHealthy":1,"expectedPods":1,"disruptionsAllowed":0}}`},
	}
	for _, step := range steps {
		ct := "application/json"
		if step.method == "PATCH" {
			ct = "application/merge-patch+json"
		}
		if code, body := do(t, s, step.method, step.path, ct, step.body); code >= 300 {
			t.Fatalf("%s %s: %d %s", step.method, step.path, code, body)
		}
	}
	before := st.Rev()
	req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods/bare/eviction", strings.NewReader(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"bare","namespace":"default"}}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	want := `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget web needs 1 healthy pods and has 1 currently"}]},"code":429}` + "\n"
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("code %d, want 429", w.Code)
	}
	if diff := cmp.Diff(want, w.Body.String()); diff != "" {
		t.Errorf("eviction body (-want +got):\n%s", diff)
	}
	if ra := w.Header().Get("Retry-After"); ra != "" {
		t.Errorf("Retry-After %q, want none", ra)
	}
	if st.Rev() != before {
		t.Errorf("a refused eviction wrote: revision %d -> %d", before, st.Rev())
	}
	if code, body := do(t, s, "POST", "/api/v1/namespaces/default/pods/bare/eviction", "application/json", `{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"other"}}`); code != 400 || !strings.Contains(body, "name in URL does not match name in Eviction object") {
		t.Errorf("mismatched name: %d %s", code, body)
	}
}
