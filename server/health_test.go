package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// TestLoopWatchdog: /livez, /readyz and /healthz fail once the loop's
// progress count has stood still for stallAfter, and pass again when it
// moves. The stall is simulated by backdating the last observation.
func TestLoopWatchdog(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), Hollow: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := &Served{Cluster: c, live: true, Creds: &Credentials{Token: "t"}}
	api, err := apiserver.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	h := s.auth(api)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	for _, p := range []string{"/livez", "/readyz", "/healthz"} {
		if rec := get(p); rec.Code != http.StatusOK || rec.Body.String() != "ok" {
			t.Errorf("%s on a healthy loop: %d %q", p, rec.Code, rec.Body)
		}
	}
	s.health.mu.Lock()
	s.health.at = time.Now().Add(-stallAfter - time.Second)
	s.health.mu.Unlock()
	for _, p := range []string{"/livez", "/readyz", "/healthz"} {
		rec := get(p)
		want := "[+]ping ok\n[-]kubesim-loop failed: reason withheld\n" + strings.TrimPrefix(p, "/") + " check failed\n"
		if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
			t.Errorf("%s on a stalled loop: %d %q, want 500 %q", p, rec.Code, rec.Body, want)
		}
	}
	c.Settle() // the loop moves again
	if rec := get("/livez"); rec.Code != http.StatusOK {
		t.Errorf("/livez after the loop moved: %d %q", rec.Code, rec.Body)
	}
	// A step that panics is reported until a step succeeds.
	s.health.mu.Lock()
	s.health.failed = "the cluster loop panicked: x"
	s.health.mu.Unlock()
	if rec := get("/readyz"); rec.Code != http.StatusInternalServerError {
		t.Errorf("/readyz after a panicked step: %d", rec.Code)
	}
	s.step()
	if rec := get("/readyz"); rec.Code != http.StatusOK {
		t.Errorf("/readyz after a good step: %d %q", rec.Code, rec.Body)
	}
}
