package framework

import (
	"math"

	v1 "k8s.io/api/core/v1"
)

// NodeRow is what the per-node loops of the default filters and scores read
// of a NodeInfo, in 64 bytes (one cache line). The scheduler's snapshot
// keeps a row per node in list order, rewritten whenever it copies a
// changed NodeInfo, so a cycle that filters and scores thousands of nodes
// (5,000 of 100,000) reads 64 bytes a node from one array instead of
// several cache lines from each NodeInfo. Beside the rows it keeps their
// RowMemo and, per RowBlockSize rows, a RowBlock. Rows are a fast path only
// (kube-scheduler has none): a plugin reading a row computes exactly what
// it computes from the NodeInfo, and reads the NodeInfo for anything the
// row does not settle (RowUnusual, a set flag).
type NodeRow struct {
	AllocMilliCPU, AllocMemory int64
	// ReqMilliCPU and ReqMemory are Requested; NonZeroMilliCPU and
	// NonZeroMemory are NonZeroRequested.
	ReqMilliCPU, ReqMemory         int64
	NonZeroMilliCPU, NonZeroMemory int64
	// PodRoom is Allocatable.AllowedPodNumber - len(Pods).
	PodRoom int64
	Flags   RowFlags
}

// RowMemo keeps scores computed from a row, so that a node visited again
// before it changes is not scored again, in a dense array beside the rows
// (a cycle that finds its scores there reads 8 bytes a node, not the
// row): slot RowMemoFit for NodeResourcesFit, RowMemoBalanced for
// NodeResourcesBalancedAllocation, each epoch<<8 | score, the epoch (never
// 0, below RowMemoEpochs) naming the pod requests the plugin scored for. A
// rewritten row has none.
type RowMemo [2]uint32

// RowMemoEpochs bounds a memo's epochs: a plugin whose pod requests
// changed that many times stops memoising (it scores from the rows).
const RowMemoEpochs = 1 << 24

// The RowMemo slots.
const (
	RowMemoFit = iota
	RowMemoBalanced
)

// RowRun says where rows handed to a RowScorePlugin sit in the snapshot:
// Memo[i] is rows[i]'s memo and Blocks the snapshot's row blocks, Base
// the index of rows[0] in the snapshot's rows. The zero RowRun (rows
// copied out of the snapshot) has neither.
type RowRun struct {
	Memo   []RowMemo
	Blocks []RowBlock
	Base   int
}

// Sub is the run of rows[lo:hi].
func (r RowRun) Sub(lo, hi int) RowRun {
	if r.Memo == nil {
		return RowRun{}
	}
	return RowRun{Memo: r.Memo[lo:hi], Blocks: r.Blocks, Base: r.Base + lo}
}

// Block is the summary of rows[i:i+RowBlockSize] (n rows in all) when
// they are exactly one of the snapshot's blocks, else nil.
func (r *RowRun) Block(i, n int) *RowBlock {
	g := r.Base + i
	if r.Blocks == nil || g&(RowBlockSize-1) != 0 || i+RowBlockSize > n {
		return nil
	}
	return &r.Blocks[g>>RowBlockShift]
}

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
// nodes[i]'s row, and run where they sit in the snapshot (their memo and
// blocks, if any).
type RowScorePlugin interface {
	BatchScorePlugin
	ScoreRows(state *CycleState, pod *v1.Pod, nodes []*NodeInfo, rows []NodeRow, run RowRun, out []int64) (int, *Status)
}

// RowTest is one cycle's test of the rows that certainly pass a filter: a
// row passes when it has none of Flags set, room for Pods more pods and
// MilliCPU and Memory free of its allocatable (a bound ≤ 0 is not tested).
// The tests of several filters combine (And) into one row pass.
type RowTest struct {
	Flags                  RowFlags
	Pods, MilliCPU, Memory int64
}

// And is the test that a row passes when it passes both t and u.
func (t RowTest) And(u RowTest) RowTest {
	return RowTest{Flags: t.Flags | u.Flags, Pods: max(t.Pods, u.Pods), MilliCPU: max(t.MilliCPU, u.MilliCPU), Memory: max(t.Memory, u.Memory)}
}

// Pass reports whether r passes the test.
func (t *RowTest) Pass(r *NodeRow) bool {
	return r.Flags&t.Flags == 0 &&
		(t.Pods <= 0 || r.PodRoom >= t.Pods) &&
		(t.MilliCPU <= 0 || t.MilliCPU <= r.AllocMilliCPU-r.ReqMilliCPU) &&
		(t.Memory <= 0 || t.Memory <= r.AllocMemory-r.ReqMemory)
}

// RowTestPlugin is a RowFilterPlugin that can say before a cycle's filters
// run which rows pass it: the scheduler then tests every row once for all
// such filters together and runs them only on the rows that fail the test.
type RowTestPlugin interface {
	RowFilterPlugin
	// RowTest is the cycle's test (after PreFilter): Filter passes every
	// node whose row passes it. ok false: no test this cycle.
	RowTest(state *CycleState, pod *v1.Pod) (t RowTest, ok bool)
}

// RowBlockShift: rows are summarised in blocks of RowBlockSize, aligned
// on the snapshot's row index, so that a row test can pass a whole block
// (64 nodes) by reading its summary instead of its rows.
const (
	RowBlockShift = 6
	RowBlockSize  = 1 << RowBlockShift
)

// RowBlock summarises a block of rows for RowTest.PassBlock: the union of
// their flags and the least room for pods, free CPU and free memory.
type RowBlock struct {
	Flags                             RowFlags
	PodRoom, FreeMilliCPU, FreeMemory int64
}

// SummarizeRows is rows' RowBlock (rows not empty).
func SummarizeRows(rows []NodeRow) RowBlock {
	b := RowBlock{PodRoom: math.MaxInt64, FreeMilliCPU: math.MaxInt64, FreeMemory: math.MaxInt64}
	for i := range rows {
		r := &rows[i]
		b.Flags |= r.Flags
		b.PodRoom = min(b.PodRoom, r.PodRoom)
		b.FreeMilliCPU = min(b.FreeMilliCPU, r.AllocMilliCPU-r.ReqMilliCPU)
		b.FreeMemory = min(b.FreeMemory, r.AllocMemory-r.ReqMemory)
	}
	return b
}

// PassBlock reports that every row b summarises passes the test: each has
// no more flags, and at least the room, CPU and memory, of the summary.
func (t *RowTest) PassBlock(b *RowBlock) bool {
	return b.Flags&t.Flags == 0 &&
		(t.Pods <= 0 || b.PodRoom >= t.Pods) &&
		(t.MilliCPU <= 0 || t.MilliCPU <= b.FreeMilliCPU) &&
		(t.Memory <= 0 || t.Memory <= b.FreeMemory)
}
