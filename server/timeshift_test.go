package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

func TestShiftTimestamps(t *testing.T) {
	in := `{"a":"2026-01-03T00:00:00Z","b":"2026-01-03T00:00:00.123456Z","c":"not 2026-01-03T00:00:00Z","d":"0001-01-01T00:00:00Z","e":"2026-01-03T00:00:00+02:00"}` + "\n"
	want := `{"a":"2026-01-01T12:00:00Z","b":"2026-01-01T12:00:00.123456Z","c":"not 2026-01-03T00:00:00Z","d":"0001-01-01T00:00:00Z","e":"2026-01-03T00:00:00+02:00"}` + "\n"
	if got := string(shiftTimestamps([]byte(in), -36*time.Hour)); got != want {
		t.Errorf("shifted:\n%s\nwant\n%s", got, want)
	}
	if got := string(shiftTimestamps(shiftTimestamps([]byte(in), -36*time.Hour), 36*time.Hour)); got != in {
		t.Errorf("there and back:\n%s\nwant\n%s", got, in)
	}
}

// TestServedHistoryMovesBack: after kubesim advance 2d12h, what a client
// reads is dated as on a cluster whose history is 2d12h older (the pods
// 2d12h30s old by the wall clock, no event in the client's future), what
// it writes is dated in cluster time, and the cluster's clock is ahead.
func TestServedHistoryMovesBack(t *testing.T) {
	wall := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := Start(Config{Spec: sim.DefaultClusterSpec(), StateDir: t.TempDir(), Addr: "127.0.0.1:0", Wall: func() time.Time { return wall }, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	jump := 60 * time.Hour
	s.Advance(jump)
	if got := s.Cluster.Clock.Now(); !got.Equal(wall.Add(jump)) {
		t.Fatalf("cluster clock %v, want %v", got, wall.Add(jump))
	}
	api, err := apiserver.ForCluster(s.Cluster)
	if err != nil {
		t.Fatal(err)
	}
	h := s.shifted(api)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		h.ServeHTTP(rec, req)
		return rec
	}
	var pods corev1.PodList
	if err := json.Unmarshal(do(http.MethodGet, "/api/v1/namespaces/kube-system/pods", "").Body.Bytes(), &pods); err != nil || len(pods.Items) == 0 {
		t.Fatalf("list pods: %v", err)
	}
	for _, p := range pods.Items {
		if age := wall.Sub(p.CreationTimestamp.Time); age < jump+20*time.Second || age > jump+bootLead {
			t.Errorf("pod %s is %v old by the wall clock, want 2d12h20s to 2d12h30s", p.Name, age)
		}
	}
	// A pod started after the jump: its events (the older ones expired
	// within the 2d12h, as events do after an hour) are seconds old by the
	// wall clock, not in its future.
	if rec := do(http.MethodPost, "/api/v1/namespaces/default/pods", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"httpd:2.4"}]}}`); rec.Code != http.StatusCreated {
		t.Fatalf("create pod: %d %s", rec.Code, rec.Body.String())
	}
	s.Advance(30 * time.Second)
	var events corev1.EventList
	if err := json.Unmarshal(do(http.MethodGet, "/api/v1/namespaces/default/events", "").Body.Bytes(), &events); err != nil || len(events.Items) == 0 {
		t.Fatalf("list events: %v (%d)", err, len(events.Items))
	}
	for _, e := range events.Items {
		at := e.LastTimestamp.Time
		if at.IsZero() {
			at = e.EventTime.Time // events.k8s.io style (Scheduled)
		}
		if at.After(wall) || wall.Sub(at) > time.Minute {
			t.Errorf("event %s %s dated %v: want within the minute before the wall clock %v", e.Reason, e.Name, at, wall)
		}
	}
	jump += 30 * time.Second
	rec := do(http.MethodPost, "/api/v1/namespaces/default/events", `{"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"R","message":"m","type":"Normal","firstTimestamp":"2026-01-02T03:04:05Z","lastTimestamp":"2026-01-02T03:04:05Z","count":1}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create event: %d %s", rec.Code, rec.Body.String())
	}
	var stored corev1.Event
	json.Unmarshal(rec.Body.Bytes(), &stored)
	if !stored.LastTimestamp.Time.Equal(wall) {
		t.Errorf("event written at the wall clock reads back as %v, want %v", stored.LastTimestamp.Time, wall)
	}
	var direct corev1.Event
	json.Unmarshal(do(http.MethodGet, "/api/v1/namespaces/default/events/e1", "").Body.Bytes(), &direct)
	unshifted := httptest.NewRecorder()
	api.ServeHTTP(unshifted, httptest.NewRequest(http.MethodGet, "/api/v1/namespaces/default/events/e1", nil))
	json.Unmarshal(unshifted.Body.Bytes(), &direct)
	if !direct.LastTimestamp.Time.Equal(wall.Add(jump)) {
		t.Errorf("stored in cluster time as %v, want %v", direct.LastTimestamp.Time, wall.Add(jump))
	}
}
