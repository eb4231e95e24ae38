package scheduler

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

var t0 = time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)

func newTestScheduler(t *testing.T, mut func(*Config)) *Scheduler {
	t.Helper()
	cfg := DefaultConfig(rand.New(rand.NewPCG(1, 2)))
	if mut != nil {
		mut(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// lectureNodes is the lecture cluster: a tainted control plane and two workers.
func lectureNodes() []*v1.Node {
	return []*v1.Node{
		testutil.MakeNode().Name("m.example.com").Capacity("cpu", "2", "memory", "2Gi").
			Label("node-role.kubernetes.io/control-plane", "").
			Taint("node-role.kubernetes.io/control-plane", "", v1.TaintEffectNoSchedule).Obj(),
		testutil.MakeNode().Name("w1.example.com").Capacity("cpu", "2", "memory", "2Gi").Obj(),
		testutil.MakeNode().Name("w2.example.com").Capacity("cpu", "2", "memory", "2Gi").Obj(),
	}
}

func TestFailedSchedulingMessage(t *testing.T) {
	tests := []struct {
		name    string
		version string
		nodes   []*v1.Node
		pod     *v1.Pod
		want    string
	}{
		{
			name:  "taint and cpu, no victims (v1.30+ single period)",
			nodes: lectureNodes(),
			pod:   testutil.MakePod().Name("big").Req("cpu", "3").Obj(),
			want:  "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
		},
		{
			name:    "v1.27 ends in two periods",
			version: "v1.27.1",
			nodes:   lectureNodes(),
			pod:     testutil.MakePod().Name("big").Req("cpu", "3").Obj(),
			want:    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..",
		},
		{
			name:    "v1.35 generic taint reason",
			version: "v1.35.0",
			nodes:   lectureNodes(),
			pod:     testutil.MakePod().Name("big").Req("cpu", "3").Obj(),
			want:    "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
		},
		{
			name:  "node selector everywhere unmatched: preemption not helpful",
			nodes: lectureNodes(),
			pod:   testutil.MakePod().Name("sel").NodeSelector("disktype", "ssd").Obj(),
			want:  "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
		},
		{
			name: "cordoned node reports unschedulable before taint",
			nodes: []*v1.Node{
				testutil.MakeNode().Name("a").Capacity("cpu", "1").Unschedulable().Taint("node.kubernetes.io/unschedulable", "", v1.TaintEffectNoSchedule).Obj(),
				testutil.MakeNode().Name("b").Capacity("cpu", "1", "memory", "1Gi").Obj(),
			},
			pod:  testutil.MakePod().Name("p").Req("cpu", "2", "memory", "2Gi").Obj(),
			want: "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
		},
		{
			name:  "preemptionPolicy Never",
			nodes: lectureNodes()[1:],
			pod:   testutil.MakePod().Name("p").Req("cpu", "3").PreemptNever().Obj(),
			want:  "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
		},
		{
			name:  "no nodes",
			nodes: nil,
			pod:   testutil.MakePod().Name("p").Obj(),
			want:  "no nodes available to schedule pods",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestScheduler(t, func(c *Config) { c.KubernetesVersion = tc.version })
			for _, n := range tc.nodes {
				s.AddNode(n)
			}
			s.AddPod(tc.pod)
			p, ok := s.Pop(t0)
			if !ok {
				t.Fatal("Pop: no pod")
			}
			r := s.Schedule(t0, p)
			if r.NodeName != "" {
				t.Fatalf("scheduled to %q, want failure", r.NodeName)
			}
			if diff := cmp.Diff(tc.want, r.Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScheduledMessage(t *testing.T) {
	got := ScheduledMessage(testutil.MakePod().Name("myapache").Obj(), "w2.example.com")
	if want := "Successfully assigned default/myapache to w2.example.com"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
