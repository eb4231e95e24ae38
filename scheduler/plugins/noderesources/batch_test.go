package noderesources

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// randomNodeInfos builds nodes of varied sizes (some without cpu or memory,
// some with an extended resource) holding random pods.
func randomNodeInfos(r *rand.Rand, n int) []*framework.NodeInfo {
	out := make([]*framework.NodeInfo, 0, n)
	for i := 0; i < n; i++ {
		nw := testutil.MakeNode().Name(fmt.Sprintf("n%d", i))
		var capacity []string
		if r.IntN(10) > 0 {
			capacity = append(capacity, "cpu", fmt.Sprintf("%dm", 500*(1+r.IntN(16))))
		}
		if r.IntN(10) > 0 {
			capacity = append(capacity, "memory", fmt.Sprintf("%dMi", 512*(1+r.IntN(64))))
		}
		if r.IntN(4) == 0 {
			capacity = append(capacity, "example.com/gpu", fmt.Sprint(r.IntN(4)))
		}
		ni := framework.NewNodeInfo()
		ni.SetNode(nw.Capacity(capacity...).Obj())
		for j := r.IntN(6); j > 0; j-- {
			pw := testutil.MakePod().Name(fmt.Sprintf("p%d-%d", i, j)).Node(ni.Name)
			switch r.IntN(3) {
			case 0:
				pw.Req("cpu", fmt.Sprintf("%dm", 100*r.IntN(30)), "memory", fmt.Sprintf("%dMi", 256*r.IntN(40)))
			case 1:
				pw.Req("cpu", fmt.Sprintf("%dm", 100*r.IntN(30)))
			}
			ni.AddPodInfo(framework.NewPodInfo(pw.Obj()))
		}
		out = append(out, ni)
	}
	return out
}

// TestBatchMatchesPerNode checks FilterNodes and ScoreNodes against Filter
// and Score node by node, for every scoring strategy and resource list.
func TestBatchMatchesPerNode(t *testing.T) {
	gpu := []ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}, {Name: "example.com/gpu", Weight: 2}}
	weighted := []ResourceSpec{{Name: "cpu", Weight: 3}, {Name: "memory", Weight: 1}}
	shape := []UtilizationShapePoint{{Utilization: 0, Score: 0}, {Utilization: 100, Score: 10}}
	fits := map[string]FitArgs{
		"least":          {},
		"least weighted": {ScoringStrategy: &ScoringStrategy{Type: LeastAllocated, Resources: weighted}},
		"least gpu":      {ScoringStrategy: &ScoringStrategy{Type: LeastAllocated, Resources: gpu}},
		"most":           {ScoringStrategy: &ScoringStrategy{Type: MostAllocated}},
		"ratio":          {ScoringStrategy: &ScoringStrategy{Type: RequestedToCapacityRatio, Shape: shape}},
	}
	balanced := map[string]BalancedAllocationArgs{"default": {}, "gpu": {Resources: gpu}}
	r := rand.New(rand.NewPCG(7, 7))
	nodes := randomNodeInfos(r, 300)
	pods := []*v1.Pod{
		testutil.MakePod().Name("none").Obj(),
		testutil.MakePod().Name("cpu").Req("cpu", "700m").Obj(),
		testutil.MakePod().Name("both").Req("cpu", "1500m", "memory", "3Gi").Obj(),
		testutil.MakePod().Name("gpu").Req("cpu", "100m", "memory", "100Mi", "example.com/gpu", "1").Obj(),
	}
	var plugins []framework.Plugin
	for name, a := range fits {
		p, err := NewFit(a, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plugins = append(plugins, p)
	}
	for _, a := range balanced {
		p, _ := NewBalancedAllocation(a, nil)
		plugins = append(plugins, p)
	}
	for pi, p := range plugins {
		for _, pod := range pods {
			t.Run(fmt.Sprintf("%s-%d/%s", p.Name(), pi, pod.Name), func(t *testing.T) {
				state := framework.NewCycleState(framework.NewPodInfo(pod))
				if pf, ok := p.(framework.PreFilterPlugin); ok {
					pf.PreFilter(state, pod)
				}
				p.(framework.PreScorePlugin).PreScore(state, pod, nodes)
				if bf, ok := p.(framework.BatchFilterPlugin); ok {
					want := make([]string, len(nodes))
					for i, ni := range nodes {
						want[i] = bf.Filter(state, pod, ni).Message()
					}
					out := make([]*framework.Status, len(nodes))
					set := bf.FilterNodes(state, pod, nodes, out)
					got := make([]string, len(nodes))
					n := 0
					for i, st := range out {
						got[i] = st.Message()
						if st != nil {
							n++
						}
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("FilterNodes (-want +got):\n%s", diff)
					}
					if set != n {
						t.Errorf("FilterNodes reported %d statuses, set %d", set, n)
					}
				}
				bs := p.(framework.BatchScorePlugin)
				want := make([]int64, len(nodes))
				for i, ni := range nodes {
					sc, st := bs.Score(state, pod, ni)
					if !st.IsSuccess() {
						t.Fatal(st.AsError())
					}
					want[i] = sc
				}
				got := make([]int64, len(nodes))
				if _, st := bs.ScoreNodes(state, pod, nodes, got); !st.IsSuccess() {
					t.Fatal(st.AsError())
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ScoreNodes (-want +got):\n%s", diff)
				}
			})
		}
	}
}
