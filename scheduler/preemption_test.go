package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

func names(ps []*v1.Pod) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestPreemption(t *testing.T) {
	tests := []struct {
		name          string
		existing      []*v1.Pod
		pdbs          []*policyv1.PodDisruptionBudget
		pod           *v1.Pod
		wantNominated string
		wantVictims   []string
		wantMessage   string
	}{
		{
			name: "lowest-priority victims win",
			existing: []*v1.Pod{
				testutil.MakePod().Name("low").Node("n1").Priority(1).Req("cpu", "2").Obj(),
				testutil.MakePod().Name("mid").Node("n2").Priority(5).Req("cpu", "2").Obj(),
			},
			pod:           testutil.MakePod().Name("high").Priority(10).Req("cpu", "2").Obj(),
			wantNominated: "n1",
			wantVictims:   []string{"low"},
			wantMessage:   "0/2 nodes are available: 2 Insufficient cpu.",
		},
		{
			name: "a PodDisruptionBudget moves preemption to the other node",
			existing: []*v1.Pod{
				testutil.MakePod().Name("low").Label("app", "guarded").Node("n1").Priority(1).Req("cpu", "2").Obj(),
				testutil.MakePod().Name("mid").Node("n2").Priority(5).Req("cpu", "2").Obj(),
			},
			pdbs: []*policyv1.PodDisruptionBudget{{
				ObjectMeta: metav1.ObjectMeta{Name: "guard", Namespace: "default"},
				Spec:       policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "guarded"}}},
				Status:     policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 0},
			}},
			pod:           testutil.MakePod().Name("high").Priority(10).Req("cpu", "2").Obj(),
			wantNominated: "n2",
			wantVictims:   []string{"mid"},
			wantMessage:   "0/2 nodes are available: 2 Insufficient cpu.",
		},
		{
			name: "reprieve the more important pod, evict only what is needed",
			existing: []*v1.Pod{
				testutil.MakePod().Name("p1").Node("n1").Priority(1).Req("cpu", "1").Obj(),
				testutil.MakePod().Name("p2").Node("n1").Priority(2).Req("cpu", "1").Obj(),
				testutil.MakePod().Name("p9").Node("n2").Priority(9).Req("cpu", "2").Obj(),
			},
			pod:           testutil.MakePod().Name("high").Priority(10).Req("cpu", "1").Obj(),
			wantNominated: "n1",
			wantVictims:   []string{"p1"},
			wantMessage:   "0/2 nodes are available: 2 Insufficient cpu.",
		},
		{
			name: "equal priority is no victim",
			existing: []*v1.Pod{
				testutil.MakePod().Name("a").Node("n1").Priority(10).Req("cpu", "2").Obj(),
				testutil.MakePod().Name("b").Node("n2").Priority(10).Req("cpu", "2").Obj(),
			},
			pod:         testutil.MakePod().Name("high").Priority(10).Req("cpu", "2").Obj(),
			wantMessage: "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
		},
		{
			name: "removing every lower-priority pod is not enough",
			existing: []*v1.Pod{
				testutil.MakePod().Name("a").Node("n1").Priority(1).Req("cpu", "1").Obj(),
				testutil.MakePod().Name("b").Node("n2").Priority(1).Req("cpu", "1").Obj(),
			},
			pod:         testutil.MakePod().Name("huge").Priority(10).Req("cpu", "3").Obj(),
			wantMessage: "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Insufficient cpu.",
		},
	}
	for _, tc := range tests {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(t *testing.T) {
				s := newTestScheduler(t, nil)
				// Force chunked parallel dry runs even on two nodes.
				s.par = framework.Parallelizer{Workers: workers, MinChunk: 1}
				s.AddNode(testutil.MakeNode().Name("n1").Capacity("cpu", "2").Obj())
				s.AddNode(testutil.MakeNode().Name("n2").Capacity("cpu", "2").Obj())
				for _, p := range tc.existing {
					s.AddPod(p)
				}
				for _, pdb := range tc.pdbs {
					s.AddPodDisruptionBudget(pdb)
				}
				s.AddPod(tc.pod)
				p, _ := s.Pop(t0)
				r := s.Schedule(t0, p)
				if r.NominatedNode != tc.wantNominated {
					t.Errorf("nominated %q, want %q", r.NominatedNode, tc.wantNominated)
				}
				if diff := cmp.Diff(tc.wantVictims, names(r.Victims)); diff != "" {
					t.Errorf("victims (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantMessage, r.Message); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestNominatedNodeReserved: after preemption the freed room is kept for
// the preemptor; a lower-priority pod arriving first does not take it.
func TestNominatedNodeReserved(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n1").Capacity("cpu", "2").Obj())
	victim := testutil.MakePod().Name("victim").Node("n1").Priority(1).Req("cpu", "2").Obj()
	s.AddPod(victim)
	high := testutil.MakePod().Name("high").Priority(10).Req("cpu", "2").Obj()
	s.AddPod(high)
	p, _ := s.Pop(t0)
	r := s.Schedule(t0, p)
	if r.NominatedNode != "n1" {
		t.Fatalf("nominated %q: %s", r.NominatedNode, r.Message)
	}
	// The simulator records the nomination and deletes the victim.
	nominated := high.DeepCopy()
	nominated.Status.NominatedNodeName = "n1"
	s.UpdatePod(high, nominated)
	s.DeletePod(victim)
	sneaky := testutil.MakePod().Name("sneaky").Priority(0).Req("cpu", "1").Obj()
	s.AddPod(sneaky)
	rs := s.Schedule(t0, sneaky)
	if rs.NodeName != "" {
		t.Fatalf("lower-priority pod took the nominated room on %q", rs.NodeName)
	}
	// The preemptor lands on its nominated node once its backoff passes.
	p, ok := s.Pop(t0.Add(2 * time.Second))
	if !ok || p.Name != "high" {
		t.Fatalf("popped %v %v, want high", p, ok)
	}
	if r := s.Schedule(t0.Add(2*time.Second), p); r.NodeName != "n1" {
		t.Errorf("preemptor scheduled to %q: %s", r.NodeName, r.Message)
	}
}
