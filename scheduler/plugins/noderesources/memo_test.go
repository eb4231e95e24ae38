package noderesources

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestScoreRowsMemo: scores read back from the memo are ScoreNodes', for
// pod requests that change and come back; near RowMemoEpochs the epochs
// left fit the memo's 24 bits, and past it nothing is memoised.
func TestScoreRowsMemo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	nodes := randomNodeInfos(r, 200)
	rows := make([]framework.NodeRow, len(nodes))
	for i, ni := range nodes {
		rows[i] = ni.Row()
	}
	fit, _ := NewFit(nil, nil)
	bal, _ := NewBalancedAllocation(nil, nil)
	pods := []string{"100m", "300m", "100m"}
	for _, start := range []uint64{0, framework.RowMemoEpochs - 3, framework.RowMemoEpochs} {
		for _, pl := range []framework.Plugin{fit, bal} {
			sc := pl.(framework.RowScorePlugin)
			switch p := pl.(type) {
			case *Fit:
				p.epoch = start
			case *BalancedAllocation:
				p.epoch = start
			}
			memo := make([]framework.RowMemo, len(nodes))
			for k, cpu := range pods {
				pod := testutil.MakePod().Name(fmt.Sprintf("p%d", k)).Req("cpu", cpu, "memory", "1Gi").Obj()
				state := framework.NewCycleState(framework.NewPodInfo(pod))
				sc.(framework.PreScorePlugin).PreScore(state, pod, nodes)
				want := make([]int64, len(nodes))
				sc.ScoreNodes(state, pod, nodes, want)
				for pass := 0; pass < 2; pass++ {
					got := make([]int64, len(nodes))
					sc.ScoreRows(state, pod, nodes, rows, framework.RowRun{Memo: memo}, got)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Fatalf("%s, epochs from %d, pod %d, pass %d (-ScoreNodes +ScoreRows):\n%s", pl.Name(), start, k, pass, diff)
					}
				}
			}
			memoised := false
			for _, m := range memo {
				memoised = memoised || m != framework.RowMemo{}
			}
			if want := start+1 < framework.RowMemoEpochs; memoised != want {
				t.Errorf("%s, epochs from %d: memoised %v, want %v", pl.Name(), start, memoised, want)
			}
		}
	}
}
