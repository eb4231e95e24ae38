package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kubesim/dashboard"
	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// TestDashboardAuth: the page is reached with the cluster's token only
// (bearer, or ?token= traded once for a cookie scoped to /dashboard/), and
// the cookie opens nothing else; map.json draws the cluster's nodes with
// their podCIDRs and the pods on them, read through the API handler.
func TestDashboardAuth(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Advance(2 * time.Minute)
	s := &Served{Cluster: c, Creds: &Credentials{Token: "secret"}}
	api, err := apiserver.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(DashboardPath, s.dashboardHandler(api))
	mux.Handle("/", api)
	h := s.auth(mux)
	get := func(path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, p := range []string{"/dashboard/", "/dashboard/map.json", "/dashboard/events", "/dashboard/?token=wrong", "/dashboard"} {
		if rec := get(p); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", p, rec.Code)
		}
	}
	rec := get("/dashboard/?token=secret")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard/" {
		t.Fatalf("?token=: %d to %q, want 303 to /dashboard/", rec.Code, rec.Header().Get("Location"))
	}
	cookie := rec.Header().Get("Set-Cookie")
	for _, want := range []string{DashboardCookie + "=secret", "Path=/dashboard/", "HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	byCookie := []string{"Cookie", DashboardCookie + "=secret"}
	if rec := get("/dashboard/", byCookie...); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "EventSource") {
		t.Errorf("page with the cookie: %d", rec.Code)
	}
	if rec := get("/api/v1/pods", byCookie...); rec.Code != http.StatusUnauthorized {
		t.Errorf("the API with only the dashboard cookie: %d, want 401", rec.Code)
	}
	rec = get("/dashboard/map.json", "Authorization", "Bearer secret")
	if rec.Code != http.StatusOK {
		t.Fatalf("map.json with the bearer token: %d %s", rec.Code, rec.Body)
	}
	var m dashboard.Map
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != len(c.Spec.Nodes) {
		t.Fatalf("map has %d nodes, the spec %d", len(m.Nodes), len(c.Spec.Nodes))
	}
	pods := 0
	for _, n := range m.Nodes {
		if n.PodCIDR == "" {
			t.Errorf("node %s has no podCIDR", n.Name)
		}
		pods += len(n.Pods)
	}
	if pods == 0 {
		t.Error("no pods on any node (the system pods should be there)")
	}
}
