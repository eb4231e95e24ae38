package scheduler

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		pod    *v1.Pod
	}{
		{name: "scheduled", golden: "explain_myapache.txt", pod: testutil.MakePod().Name("myapache").Image("httpd:2.4").PreferredNodeAffinity(10, "kubernetes.io/hostname", "w2.example.com").Obj()},
		{name: "unschedulable", golden: "explain_big.txt", pod: testutil.MakePod().Name("big").Req("cpu", "3").Obj()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestScheduler(t, nil)
			for _, n := range lectureNodes() {
				s.AddNode(n)
			}
			s.AddPod(testutil.MakePod().Name("busy").Node("w1.example.com").Req("cpu", "500m", "memory", "256Mi").Obj())
			s.AddPod(tc.pod)
			p, _ := s.Pop(t0)
			r := s.Schedule(t0, p)
			golden(t, tc.golden, r.Explain.String())
			key, val := r.Explain.Annotation()
			var back Explanation
			if err := json.Unmarshal([]byte(val), &back); err != nil || key != AnnotationResult {
				t.Fatalf("annotation %q: %v", key, err)
			}
			if back.SelectedNode != r.NodeName || len(back.Nodes) != 3 {
				t.Errorf("annotation round trip: selected %q nodes %d", back.SelectedNode, len(back.Nodes))
			}
			anns := r.Explain.Annotations()
			if anns[AnnotationSelected] != r.NodeName || anns[AnnotationFilter] == "" {
				t.Errorf("simulator annotations: %v", anns)
			}
		})
	}
}

// TestDaemonSetPodMessage: a pod pinned by metadata.name affinity is only
// evaluated on its node, so the filter histogram counts that node alone.
// Preemption, as in kube-scheduler 1.27, still dry-runs the nodes the
// PreFilter left out (they have no status).
func TestDaemonSetPodMessage(t *testing.T) {
	s := newTestScheduler(t, nil)
	for _, n := range lectureNodes() {
		s.AddNode(n)
	}
	s.AddPod(testutil.MakePod().Name("ds").NodeNameAffinity("m.example.com").Obj())
	p, _ := s.Pop(t0)
	r := s.Schedule(t0, p)
	want := "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
	if diff := cmp.Diff(want, r.Message); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// With the toleration it lands there, not scored.
	s.AddPod(testutil.MakePod().Name("ds2").NodeNameAffinity("m.example.com").Toleration("node-role.kubernetes.io/control-plane", "", v1.TaintEffectNoSchedule).Obj())
	p, _ = s.Pop(t0)
	if r := s.Schedule(t0, p); r.NodeName != "m.example.com" {
		t.Errorf("ds2 scheduled to %q: %s", r.NodeName, r.Message)
	}
}
