package server

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// TestStartAfterLongStop: an hour of wall time between Close and Start is
// no cluster time: the clock resumes where it stopped, and the nodes are
// Ready then and six minutes later (before, the lease was an hour stale:
// NotReady, and every pod evicted after five minutes).
func TestStartAfterLongStop(t *testing.T) {
	dir := t.TempDir()
	var wall atomic.Int64
	wall.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	cfg := Config{Spec: sim.DefaultClusterSpec(), StateDir: dir, Addr: "127.0.0.1:0", Wall: func() time.Time { return time.Unix(0, wall.Load()) }}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Advance(time.Minute)
	stoppedAt := s.Cluster.Clock.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wall.Add(int64(time.Hour))
	s, err = Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Cluster.Clock.Now(); !got.Equal(stoppedAt) {
		t.Errorf("resumed at %v, stopped at %v", got, stoppedAt)
	}
	nodeRes, _ := registry.Lookup(schema.GroupResource{Resource: "nodes"})
	ready := func() string {
		var out []string
		s.Cluster.Locked(func() {
			nodes, _, _ := s.Cluster.Registry.List(nodeRes, "", registry.ListOptions{})
			for _, o := range nodes {
				for _, c := range o.(*corev1.Node).Status.Conditions {
					if c.Type == corev1.NodeReady {
						out = append(out, o.(*corev1.Node).Name+"="+string(c.Status))
					}
				}
			}
		})
		return strings.Join(out, " ")
	}
	want := "m.example.com=True w1.example.com=True w2.example.com=True"
	if got := ready(); got != want {
		t.Errorf("nodes at start: %s, want %s", got, want)
	}
	s.Advance(6 * time.Minute)
	if got := ready(); got != want {
		t.Errorf("nodes 6m after start: %s, want %s", got, want)
	}
}

// TestStartRefusesLostStore: credentials without a store (missing or
// empty) are a lost cluster, not a new one.
func TestStartRefusesLostStore(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(path string)
		want  string
	}{
		{"missing", func(string) {}, "store.db is missing"},
		{"empty", func(p string) { os.WriteFile(p, nil, 0o600) }, "store.db is empty (0 bytes)"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "ca.crt"), []byte("x"), 0o600)
		tc.store(filepath.Join(dir, "store.db"))
		s, err := Start(Config{Spec: sim.DefaultClusterSpec(), StateDir: dir, Addr: "127.0.0.1:0"})
		if err == nil {
			s.Close()
			t.Fatalf("%s store: Start made a new cluster", tc.name)
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "kubesim delete") {
			t.Errorf("%s store: %v", tc.name, err)
		}
	}
}
