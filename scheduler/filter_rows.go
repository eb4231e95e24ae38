package scheduler

import (
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// setRowTest sets s.rowTested and s.rowTest for the cycle: when every
// active filter is a framework.RowTestPlugin with a test, their And.
// NodeName, NodeUnschedulable, TaintToleration and NodeResourcesFit, the
// filters a plain pod meets, all have one.
func (s *Scheduler) setRowTest(state *framework.CycleState, pod *v1.Pod) {
	s.rowTested, s.rowTest = false, framework.RowTest{}
	var t framework.RowTest
	for _, pl := range s.activeFilters {
		rt, ok := pl.(framework.RowTestPlugin)
		if !ok {
			return
		}
		u, ok := rt.RowTest(state, pod)
		if !ok {
			return
		}
		t = t.And(u)
	}
	s.rowTested, s.rowTest = true, t
}

// filterRowTested is filterNodes when every active filter has a row test
// (s.rowTested): one pass over the rows settles the nodes that pass them
// all, where filterNodes reads the rows once per filter, and a whole
// block of the snapshot's rows passes when its summary does
// (framework.RowBlock; base is rows[0]'s index in the snapshot, or -1).
// A node whose row fails the test runs the filters in order, alone, until
// one rejects it: the same first rejection as filterNodes finds. tmp[0] is
// scratch.
func (s *Scheduler) filterRowTested(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, base int, out []*framework.Status, tmp []*framework.Status) int {
	t := s.rowTest
	var blocks []framework.RowBlock
	if base >= 0 {
		blocks = s.snap.blocks
	}
	rejected := 0
	for i := 0; i < len(rows); i++ {
		if blocks != nil {
			// Whole blocks that pass are stepped over.
			for g := base + i; g&(framework.RowBlockSize-1) == 0 && i+framework.RowBlockSize <= len(rows) && t.PassBlock(&blocks[g>>framework.RowBlockShift]); g += framework.RowBlockSize {
				i += framework.RowBlockSize
			}
			if i == len(rows) {
				break
			}
		}
		if t.Pass(&rows[i]) {
			continue
		}
		for f, r := range s.activeRows {
			st := tmp[:1]
			if r.FilterRows(state, pod, nodes[i:i+1], rows[i:i+1], st) == 0 {
				continue
			}
			x := st[0]
			st[0] = nil
			if x != nil && !x.IsSuccess() {
				out[i] = filterFailure(x, s.activeFilters[f].Name())
				rejected++
				break
			}
		}
	}
	return rejected
}
