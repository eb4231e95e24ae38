package framework

import v1 "k8s.io/api/core/v1"

// NodeRow is what the per-node loops of the default filters and scores read
// of a NodeInfo, in 80 bytes. The scheduler's snapshot keeps a row
// per node in list order, rewritten whenever it copies a changed NodeInfo,
// so a cycle that filters and scores thousands of nodes (5,000 of 100,000)
// reads 80 bytes a node from one array instead of several cache lines from
// each NodeInfo. Rows are a fast path only (kube-scheduler has none): a
// plugin reading a row computes exactly what it computes from the
// NodeInfo, and reads the NodeInfo for anything the row does not settle
// (RowUnusual, a set flag).
type NodeRow struct {
	AllocMilliCPU, AllocMemory int64
	// ReqMilliCPU and ReqMemory are Requested; NonZeroMilliCPU and
	// NonZeroMemory are NonZeroRequested.
	ReqMilliCPU, ReqMemory         int64
	NonZeroMilliCPU, NonZeroMemory int64
	// PodRoom is Allocatable.AllowedPodNumber - len(Pods).
	PodRoom int64
	Flags   RowFlags
	// Memo keeps scores computed from the row, so that a node visited
	// again before it changes is not scored again: slot RowMemoFit for
	// NodeResourcesFit, RowMemoBalanced for NodeResourcesBalancedAllocation,
	// each epoch<<8 | score, the epoch (never 0) naming the pod requests the
	// plugin scored for. A rewritten row has none.
	Memo [2]uint64
}

// The Memo slots.
const (
	RowMemoFit = iota
	RowMemoBalanced
)

// RowFlags mark what a row does not hold.
type RowFlags uint64

const (
	// RowUnschedulable: spec.unschedulable is set.
	RowUnschedulable RowFlags = 1 << iota
	// RowTainted: the node has taints.
	RowTainted
	// RowUnusual: the node has ephemeral storage or scalar resources
	// allocatable or requested, which the row does not hold.
	RowUnusual
)

// Row is n's row.
func (n *NodeInfo) Row() NodeRow {
	r := NodeRow{
		AllocMilliCPU: n.Allocatable.MilliCPU, AllocMemory: n.Allocatable.Memory,
		ReqMilliCPU: n.Requested.MilliCPU, ReqMemory: n.Requested.Memory,
		NonZeroMilliCPU: n.NonZeroRequested.MilliCPU, NonZeroMemory: n.NonZeroRequested.Memory,
		PodRoom: int64(n.Allocatable.AllowedPodNumber) - int64(len(n.Pods)),
	}
	if n.Unschedulable {
		r.Flags |= RowUnschedulable
	}
	if len(n.Taints) > 0 {
		r.Flags |= RowTainted
	}
	if n.Allocatable.EphemeralStorage != 0 || n.Requested.EphemeralStorage != 0 ||
		len(n.Allocatable.ScalarResources) > 0 || len(n.Requested.ScalarResources) > 0 {
		r.Flags |= RowUnusual
	}
	return r
}

// RowFilterPlugin is a BatchFilterPlugin that reads rows: FilterRows sets
// out exactly as FilterNodes(state, pod, nodes, out) would; rows[i] is
// nodes[i]'s row, and nodes[i] is read only where the row does not settle
// the verdict.
type RowFilterPlugin interface {
	BatchFilterPlugin
	FilterRows(state *CycleState, pod *v1.Pod, nodes []*NodeInfo, rows []NodeRow, out []*Status) int
}

// RowScorePlugin is a BatchScorePlugin that reads rows: ScoreRows returns
// exactly what ScoreNodes(state, pod, nodes, out) would; rows[i] is
// nodes[i]'s row.
type RowScorePlugin interface {
	BatchScorePlugin
	ScoreRows(state *CycleState, pod *v1.Pod, nodes []*NodeInfo, rows []NodeRow, out []int64) (int, *Status)
}
