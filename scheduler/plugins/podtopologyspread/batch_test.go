package podtopologyspread

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestFilterNodesMatchesFilter: FilterNodes gives every node exactly
// Filter's status, over random clusters (nodes missing keys, uneven
// domains) and random hard constraints.
func TestFilterNodesMatchesFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	rejected := 0
	for round := 0; round < 40; round++ {
		var nodes []*v1.Node
		var pods []*v1.Pod
		for i := 0; i < 10+r.IntN(30); i++ {
			nw := testutil.MakeNode().Name(fmt.Sprint("n", i))
			if r.IntN(6) > 0 {
				nw.Label(v1.LabelTopologyZone, fmt.Sprint("z", r.IntN(4)))
			}
			if r.IntN(3) > 0 {
				nw.Label("rack", fmt.Sprint("r", r.IntN(3)))
			}
			n := nw.Obj()
			nodes = append(nodes, n)
			for j := r.IntN(4); j > 0; j-- {
				app := []string{"web", "db"}[r.IntN(2)]
				pods = append(pods, testutil.MakePod().Name(fmt.Sprintf("p%d-%d", i, j)).Label("app", app).Node(n.Name).Obj())
			}
		}
		h := testutil.NewHandle(nodes, pods)
		pw := testutil.MakePod().Name("x").Label("app", []string{"web", "db"}[r.IntN(2)]).
			SpreadConstraint(int32(1+r.IntN(2)), v1.LabelTopologyZone, v1.DoNotSchedule, "app", "web")
		if r.IntN(2) == 0 {
			pw.SpreadConstraint(1, "rack", v1.DoNotSchedule, "app", "db")
		}
		pod := pw.Obj()
		if r.IntN(3) == 0 {
			md := int32(2 + r.IntN(4))
			pod.Spec.TopologySpreadConstraints[0].MinDomains = &md
		}
		p, _ := New(nil, h)
		pl := p.(*PodTopologySpread)
		state := framework.NewCycleState(framework.NewPodInfo(pod))
		if _, st := pl.PreFilter(state, pod); !st.IsSuccess() {
			t.Fatalf("round %d: PreFilter: %v", round, st.AsError())
		}
		all := h.List()
		want := make([]string, len(all))
		for i, ni := range all {
			want[i] = pl.Filter(state, pod, ni).Message()
			if want[i] != "" {
				rejected++
			}
		}
		out := make([]*framework.Status, len(all))
		set := pl.FilterNodes(state, pod, all, out)
		got := make([]string, len(all))
		n := 0
		for i, st := range out {
			got[i] = st.Message()
			if st != nil {
				n++
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round %d (-Filter +FilterNodes):\n%s", round, diff)
		}
		if set != n {
			t.Errorf("round %d: FilterNodes reported %d statuses, set %d", round, set, n)
		}
	}
	if rejected == 0 {
		t.Error("no node was ever rejected: test is vacuous")
	}
}

// TestScoreNodesMatchesScore: ScoreNodes gives every node exactly Score's
// raw score, with soft hostname and zone constraints (as the system
// defaults) and with pod-specified ones that leave nodes ignored.
func TestScoreNodesMatchesScore(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	nonzero := 0
	for round := 0; round < 40; round++ {
		var nodes []*v1.Node
		var pods []*v1.Pod
		for i := 0; i < 10+r.IntN(30); i++ {
			nw := testutil.MakeNode().Name(fmt.Sprint("n", i))
			if r.IntN(6) > 0 {
				nw.Label(v1.LabelTopologyZone, fmt.Sprint("z", r.IntN(4)))
			}
			n := nw.Obj()
			nodes = append(nodes, n)
			for j := r.IntN(4); j > 0; j-- {
				app := []string{"web", "db"}[r.IntN(2)]
				pods = append(pods, testutil.MakePod().Name(fmt.Sprintf("p%d-%d", i, j)).Label("app", app).Node(n.Name).Obj())
			}
		}
		h := testutil.NewHandle(nodes, pods)
		pod := testutil.MakePod().Name("x").Label("app", "web").
			SpreadConstraint(int32(1+r.IntN(3)), v1.LabelTopologyZone, v1.ScheduleAnyway, "app", "web").
			SpreadConstraint(1, v1.LabelHostname, v1.ScheduleAnyway, "app", "web").Obj()
		p, _ := New(nil, h)
		pl := p.(*PodTopologySpread)
		state := framework.NewCycleState(framework.NewPodInfo(pod))
		all := h.List()
		if st := pl.PreScore(state, pod, all); !st.IsSuccess() {
			t.Fatalf("round %d: PreScore: %v", round, st.AsError())
		}
		want := make([]int64, len(all))
		for i, ni := range all {
			sc, st := pl.Score(state, pod, ni)
			if !st.IsSuccess() {
				t.Fatal(st.AsError())
			}
			want[i] = sc
			if sc != 0 {
				nonzero++
			}
		}
		got := make([]int64, len(all))
		if _, st := pl.ScoreNodes(state, pod, all, got); !st.IsSuccess() {
			t.Fatal(st.AsError())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round %d (-Score +ScoreNodes):\n%s", round, diff)
		}
	}
	if nonzero == 0 {
		t.Error("every score was 0: test is vacuous")
	}
}
