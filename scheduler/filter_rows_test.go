package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestRowTestedMatchesFilterNodes: the one-pass row test gives every node
// the status the filter-by-filter pass gives it, on nodes covering every
// row flag and pods with and without tolerations, ephemeral storage and
// extended resources; and a row that passes a plugin's test passes its
// Filter.
func TestRowTestedMatchesFilterNodes(t *testing.T) {
	tested, untested, rejected, blocksPassed := 0, 0, 0, 0
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		s := newTestScheduler(t, nil)
		nodes := rowNodes(r, 80)
		if seed%2 == 0 {
			// Mostly plain nodes: whole blocks pass their summary.
			nodes = nodes[:3]
			for i := 0; i < 300; i++ {
				w := testutil.MakeNode().Name(fmt.Sprintf("plain-%03d", i)).Capacity("cpu", "16", "memory", "64Gi", "pods", "110")
				// One tainted and one cordoned among them.
				switch i {
				case 150:
					w.Taint("dedicated", "infra", v1.TaintEffectNoSchedule)
				case 250:
					w.Unschedulable()
				}
				nodes = append(nodes, w.Obj())
			}
		}
		for _, n := range nodes {
			s.AddNode(n)
		}
		for i := 0; i < 150*len(nodes)/80; i++ {
			p := rowPod(r, fmt.Sprintf("bound-%d", i))
			p.Spec.NodeName = nodes[r.IntN(len(nodes))].Name
			if seed%2 == 0 && i%10 != 0 {
				// Requests without ephemeral storage or extended
				// resources, which mark a node's row unusual.
				p = testutil.MakePod().Name(p.Name).Req("cpu", fmt.Sprintf("%dm", 100*r.IntN(8)), "memory", "512Mi").Node(p.Spec.NodeName).Obj()
			} else if seed%2 == 0 {
				p.Spec.NodeName = nodes[r.IntN(3)].Name
			}
			s.AddPod(p)
		}
		s.c.updateSnapshot(s.snap)
		list, rows := s.snap.list, s.snap.rows
		n := len(list)
		for i := 0; i < 40; i++ {
			pod := rowPod(r, fmt.Sprintf("p-%d", i))
			if i%10 == 9 {
				pod.Spec.NodeName = list[r.IntN(n)].Name
			}
			state := framework.NewCycleState(s.newPodInfo(pod))
			for _, pl := range s.preFilter {
				if _, st := pl.PreFilter(state, pod); st.IsSkip() {
					if state.SkipFilterPlugins == nil {
						state.SkipFilterPlugins = map[string]struct{}{}
					}
					state.SkipFilterPlugins[pl.Name()] = struct{}{}
				}
			}
			s.setActiveFilters(state)
			for _, pl := range s.activeFilters {
				rt, ok := pl.(framework.RowTestPlugin)
				if !ok {
					continue
				}
				test, ok := rt.RowTest(state, pod)
				if !ok {
					continue
				}
				for j, ni := range list {
					if test.Pass(&rows[j]) {
						if st := pl.Filter(state, pod, ni); !st.IsSuccess() {
							t.Fatalf("seed %d, pod %s: %s's row test passes %s, Filter says %s", seed, pod.Name, pl.Name(), ni.Name, statusString(st))
						}
					}
				}
			}
			s.setRowTest(state, pod)
			if !s.rowTested {
				untested++
				continue
			}
			tested++
			scratch := func() ([]*framework.NodeInfo, []framework.NodeRow, []int32, []*framework.Status) {
				return make([]*framework.NodeInfo, n), make([]framework.NodeRow, n), make([]int32, n), make([]*framework.Status, n)
			}
			for b := range s.snap.blocks {
				if s.rowTest.PassBlock(&s.snap.blocks[b]) {
					blocksPassed++
				}
			}
			// The row test over the whole list, over a part starting off a
			// block boundary (with blocks), and without blocks.
			from := r.IntN(n)
			type run struct {
				name string
				lo   int
				base int
			}
			runs := []run{{"whole list", 0, 0}, {fmt.Sprintf("from %d", from), from, from}, {"no blocks", 0, -1}}
			for _, rn := range runs {
				m := n - rn.lo
				got := make([]*framework.Status, m)
				pass, passRows, idx, tmp := scratch()
				ng := s.filterNodes(state, pod, list[rn.lo:], rows[rn.lo:], rn.base, got, pass, passRows, idx, tmp)
				s.rowTested = false
				want := make([]*framework.Status, m)
				pass, passRows, idx, tmp = scratch()
				nw := s.filterNodes(state, pod, list[rn.lo:], rows[rn.lo:], rn.base, want, pass, passRows, idx, tmp)
				s.rowTested = true
				if ng != nw {
					t.Errorf("seed %d, pod %s, %s: row test rejected %d nodes, filter by filter %d", seed, pod.Name, rn.name, ng, nw)
				}
				rejected += nw
				for j := range got {
					if statusString(got[j]) != statusString(want[j]) {
						t.Errorf("seed %d, pod %s, %s, on %s: row test %s, filter by filter %s", seed, pod.Name, rn.name, list[rn.lo+j].Name, statusString(got[j]), statusString(want[j]))
					}
				}
			}
		}
	}
	// Pods with extended resources or ephemeral storage, or naming a node
	// are not row-tested; the rest are, and some nodes are rejected.
	if tested < 100 || untested == 0 || rejected == 0 || blocksPassed == 0 {
		t.Fatalf("%d pods row-tested, %d not, %d rejections, %d blocks passed: the cases are not covered", tested, untested, rejected, blocksPassed)
	}
}
