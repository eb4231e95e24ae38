package server

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// TestStartWaitBoots: with Wait, a new cluster is booted when Start
// returns (nodes Ready, system pods Running and ready), its clock is the
// wall clock, and its pods are bootLead old; a restart does not replay
// the boot. Without Wait the pods are still being created.
func TestStartWaitBoots(t *testing.T) {
	wall := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := Config{Spec: sim.DefaultClusterSpec(), StateDir: t.TempDir(), Addr: "127.0.0.1:0", Wall: func() time.Time { return wall }, Wait: true}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !Booted(s.Cluster) {
		t.Error("Start with Wait returned before the cluster booted")
	}
	if got := s.Cluster.Clock.Now(); !got.Equal(wall) {
		t.Errorf("clock after the boot = %v, want the wall clock %v", got, wall)
	}
	podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	s.Cluster.Locked(func() {
		pods, _, _ := s.Cluster.Registry.List(podRes, "kube-system", registry.ListOptions{})
		for _, o := range pods {
			p := o.(*corev1.Pod)
			if age := wall.Sub(p.CreationTimestamp.Time); age < 20*time.Second || age > bootLead {
				t.Errorf("pod %s is %v old, want 20s to %v", p.Name, age, bootLead)
			}
		}
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wall = wall.Add(time.Hour)
	s, err = Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Cluster.Clock.Now(), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC); !got.Equal(want) {
		t.Errorf("resumed clock %v, want %v (where it stopped)", got, want)
	}
	s.Close()

	cfg.Wait, cfg.StateDir = false, t.TempDir()
	s, err = Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if Booted(s.Cluster) {
		t.Error("Start without Wait: the cluster booted in no cluster time")
	}
}
