package scheduler

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// rowNodes are nodes covering what a row marks or leaves out: cordoned,
// tainted (NoSchedule, PreferNoSchedule), ephemeral storage and extended
// resources allocatable, a pod limit of 2, no CPU allocatable.
func rowNodes(r *rand.Rand, n int) []*v1.Node {
	var nodes []*v1.Node
	for i := 0; i < n; i++ {
		kv := []string{"cpu", fmt.Sprint(1 + r.IntN(4)), "memory", fmt.Sprintf("%dGi", 1+r.IntN(8))}
		switch r.IntN(8) {
		case 0:
			kv = append(kv, "ephemeral-storage", "10Gi")
		case 1:
			kv = append(kv, "example.com/gpu", "2")
		case 2:
			kv = append(kv, "pods", "2")
		case 3:
			kv = []string{"memory", "1Gi"}
		}
		w := testutil.MakeNode().Name(fmt.Sprintf("n-%03d", i)).Capacity(kv...)
		switch r.IntN(6) {
		case 0:
			w.Unschedulable()
		case 1:
			w.Taint("dedicated", "infra", v1.TaintEffectNoSchedule)
		case 2:
			w.Taint("soft", "x", v1.TaintEffectPreferNoSchedule)
		}
		nodes = append(nodes, w.Obj())
	}
	return nodes
}

func rowPod(r *rand.Rand, name string) *v1.Pod {
	kv := []string{"cpu", fmt.Sprintf("%dm", 200*r.IntN(8)), "memory", fmt.Sprintf("%dMi", 256*r.IntN(8))}
	switch r.IntN(6) {
	case 0:
		kv = append(kv, "ephemeral-storage", "1Gi")
	case 1:
		kv = append(kv, "example.com/gpu", "1")
	case 2:
		kv = nil
	}
	w := testutil.MakePod().Name(name).Req(kv...)
	if r.IntN(3) == 0 {
		w.Toleration("dedicated", "infra", v1.TaintEffectNoSchedule)
	}
	if r.IntN(4) == 0 {
		w.Toleration("node.kubernetes.io/unschedulable", "", v1.TaintEffectNoSchedule)
	}
	return w.Obj()
}

func statusString(st *framework.Status) string {
	if st == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%v %s %q", st.Code(), st.Plugin(), strings.Join(st.Reasons(), "; "))
}

// TestRowsMatchNodes checks the row fast paths against the plugins' own
// batch paths on nodes covering every row flag, and the snapshot's rows
// against its NodeInfos after pods come and go and nodes change.
func TestRowsMatchNodes(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := newTestScheduler(t, nil)
		nodes := rowNodes(r, 60)
		for _, n := range nodes {
			s.AddNode(n)
		}
		for i := 0; i < 80; i++ {
			p := rowPod(r, fmt.Sprintf("bound-%d", i))
			p.Spec.NodeName = nodes[r.IntN(len(nodes))].Name
			s.AddPod(p)
		}
		for round := 0; round < 4; round++ {
			s.c.updateSnapshot(s.snap)
			checkSnapshotRows(t, seed, s.snap)
			for i := 0; i < 10; i++ {
				checkRowPlugins(t, seed, s, rowPod(r, fmt.Sprintf("p-%d-%d", round, i)))
			}
			// Change the cluster: pods leave and arrive, a node is
			// cordoned or uncordoned.
			for i := 0; i < 10; i++ {
				p := rowPod(r, fmt.Sprintf("more-%d-%d", round, i))
				p.Spec.NodeName = nodes[r.IntN(len(nodes))].Name
				s.AddPod(p)
			}
			s.DeletePod(testutil.MakePod().Name(fmt.Sprintf("bound-%d", round)).Obj())
			old := nodes[round]
			n := old.DeepCopy()
			n.Spec.Unschedulable = !n.Spec.Unschedulable
			s.UpdateNode(old, n)
			nodes[round] = n
		}
	}
}

func checkSnapshotRows(t *testing.T, seed uint64, snap *snapshot) {
	t.Helper()
	if len(snap.rows) != len(snap.list) {
		t.Fatalf("seed %d: %d rows for %d nodes", seed, len(snap.rows), len(snap.list))
	}
	for i, ni := range snap.list {
		if diff := cmp.Diff(ni.Row(), snap.rows[i]); diff != "" {
			t.Fatalf("seed %d: row of %s (-want +got):\n%s", seed, ni.Name, diff)
		}
	}
	if want := (len(snap.rows) + framework.RowBlockSize - 1) / framework.RowBlockSize; len(snap.blocks) != want {
		t.Fatalf("seed %d: %d row blocks for %d rows, want %d", seed, len(snap.blocks), len(snap.rows), want)
	}
	for b := range snap.blocks {
		lo := b * framework.RowBlockSize
		if want := framework.SummarizeRows(snap.rows[lo:min(lo+framework.RowBlockSize, len(snap.rows))]); snap.blocks[b] != want {
			t.Fatalf("seed %d: block %d summary %+v, want %+v", seed, b, snap.blocks[b], want)
		}
	}
}

func checkRowPlugins(t *testing.T, seed uint64, s *Scheduler, pod *v1.Pod) {
	t.Helper()
	pi := s.newPodInfo(pod)
	state := framework.NewCycleState(pi)
	for _, pl := range s.preFilter {
		pl.PreFilter(state, pod)
	}
	nodes, rows := s.snap.list, s.snap.rows
	rowFilters := 0
	for _, pl := range s.filter {
		rf, ok := pl.(framework.RowFilterPlugin)
		if !ok {
			continue
		}
		rowFilters++
		want := make([]*framework.Status, len(nodes))
		got := make([]*framework.Status, len(nodes))
		nw := rf.FilterNodes(state, pod, nodes, want)
		ng := rf.FilterRows(state, pod, nodes, rows, got)
		if nw != ng {
			t.Errorf("seed %d, pod %s, %s: FilterRows set %d statuses, FilterNodes %d", seed, pod.Name, pl.Name(), ng, nw)
		}
		for i := range nodes {
			if statusString(want[i]) != statusString(got[i]) {
				t.Errorf("seed %d, pod %s, %s on %s: FilterRows %s, FilterNodes %s", seed, pod.Name, pl.Name(), nodes[i].Name, statusString(got[i]), statusString(want[i]))
			}
		}
	}
	for _, pl := range s.preScore {
		pl.PreScore(state, pod, nodes)
	}
	rowScores := 0
	for _, ws := range s.score {
		if ws.rows == nil {
			continue
		}
		rowScores++
		want := make([]int64, len(nodes))
		iw, stw := ws.rows.ScoreNodes(state, pod, nodes, want)
		// Without the snapshot's memo and blocks, then twice with them: the
		// second reads what the first kept in the memo.
		for pass := 0; pass < 3; pass++ {
			var run framework.RowRun
			if pass > 0 {
				run = framework.RowRun{Memo: s.snap.memo, Blocks: s.snap.blocks}
			}
			got := make([]int64, len(nodes))
			ig, stg := ws.rows.ScoreRows(state, pod, nodes, rows, run, got)
			if iw != ig || statusString(stw) != statusString(stg) {
				t.Errorf("seed %d, pod %s, %s, pass %d: ScoreRows (%d, %s), ScoreNodes (%d, %s)", seed, pod.Name, ws.pl.Name(), pass, ig, statusString(stg), iw, statusString(stw))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seed %d, pod %s, %s, pass %d: ScoreRows differ from ScoreNodes (-ScoreNodes +ScoreRows):\n%s", seed, pod.Name, ws.pl.Name(), pass, diff)
			}
		}
	}
	// The default profile's row plugins: NodeUnschedulable, NodeName,
	// TaintToleration and Fit filter; Fit, BalancedAllocation and
	// TaintToleration score.
	if rowFilters != 4 || rowScores != 3 {
		t.Fatalf("%d row filters and %d row scores in the default profile, want 4 and 3", rowFilters, rowScores)
	}
}

// TestScoreRowsBlocks: the row scores over whole untainted blocks of the
// snapshot (TaintToleration fills them from the block's summary) and over
// runs starting off a block boundary, with the memo, are ScoreNodes'.
func TestScoreRowsBlocks(t *testing.T) {
	s := newTestScheduler(t, nil)
	for i := 0; i < 300; i++ {
		w := testutil.MakeNode().Name(fmt.Sprintf("n-%03d", i)).Capacity("cpu", "8", "memory", "16Gi")
		if i == 130 || i == 131 {
			w.Taint("soft", "x", v1.TaintEffectPreferNoSchedule)
		}
		s.AddNode(w.Obj())
	}
	s.c.updateSnapshot(s.snap)
	pod := testutil.MakePod().Name("p").Req("cpu", "100m", "memory", "256Mi").Obj()
	state := framework.NewCycleState(s.newPodInfo(pod))
	for _, pl := range s.preFilter {
		pl.PreFilter(state, pod)
	}
	nodes, rows := s.snap.list, s.snap.rows
	for _, pl := range s.preScore {
		pl.PreScore(state, pod, nodes)
	}
	untainted := 0
	for _, b := range s.snap.blocks {
		if b.Flags&framework.RowTainted == 0 {
			untainted++
		}
	}
	if untainted < 3 {
		t.Fatalf("%d untainted blocks: the block path is not exercised", untainted)
	}
	all := framework.RowRun{Memo: s.snap.memo, Blocks: s.snap.blocks}
	for _, ws := range s.score {
		if ws.rows == nil {
			continue
		}
		for _, lo := range []int{0, 10, 64, 100, 129} {
			want := make([]int64, len(nodes)-lo)
			ws.rows.ScoreNodes(state, pod, nodes[lo:], want)
			got := make([]int64, len(nodes)-lo)
			for i := range got {
				got[i] = -1 // every score is written
			}
			ws.rows.ScoreRows(state, pod, nodes[lo:], rows[lo:], all.Sub(lo, len(nodes)), got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s from row %d (-ScoreNodes +ScoreRows):\n%s", ws.pl.Name(), lo, diff)
			}
		}
	}
}
