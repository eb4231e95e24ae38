package noderesources

import (
	"math"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// maxUtilization is 100%; MaxCustomPriorityScore is the top of a shape's score scale.
const (
	maxUtilization         = 100
	maxCustomPriorityScore = 10
)

type scorerKind int

const (
	kindLeast scorerKind = iota
	kindMost
	kindRatio
	kindBalanced
)

type resKind int

const (
	resCPU resKind = iota
	resMemory
	resEphemeral
	resScalar
)

func kindOf(name string) resKind {
	switch v1.ResourceName(name) {
	case v1.ResourceCPU:
		return resCPU
	case v1.ResourceMemory:
		return resMemory
	case v1.ResourceEphemeralStorage:
		return resEphemeral
	}
	return resScalar
}

type resourceAllocationScorer struct {
	name      string
	key       framework.StateKey // "PreScore<name>": the pod's requests in the cycle state
	resources []ResourceSpec
	// kinds[i] classifies resources[i], computed once.
	kinds []resKind
	kind  scorerKind
	// cpuMem marks the default resource list (cpu, memory) with a
	// least/most/balanced strategy, scored without the generic loop.
	cpuMem bool
	// shape is the RequestedToCapacityRatio function of utilization (0..100).
	shape func(int64) int64
}

func newScorer(name string, resources []ResourceSpec, kind scorerKind) resourceAllocationScorer {
	r := resourceAllocationScorer{name: name, key: framework.StateKey("PreScore" + name), resources: resources, kind: kind, kinds: make([]resKind, len(resources))}
	for i, res := range resources {
		r.kinds[i] = kindOf(res.Name)
	}
	r.cpuMem = len(resources) == 2 && r.kinds[0] == resCPU && r.kinds[1] == resMemory && kind != kindRatio
	return r
}

// scoreCPUMemory is score for resources [cpu, memory]; same arithmetic.
func (r *resourceAllocationScorer) scoreCPUMemory(ni *framework.NodeInfo, nodeReq *framework.Resource, podReq []int64) int64 {
	ac, am := ni.Allocatable.MilliCPU, ni.Allocatable.Memory
	rc, rm := nodeReq.MilliCPU+podReq[0], nodeReq.Memory+podReq[1]
	wc, wm := r.resources[0].Weight, r.resources[1].Weight
	switch r.kind {
	case kindBalanced:
		var f [2]float64
		n := 0
		var total float64
		if ac != 0 {
			f[n] = min(float64(rc)/float64(ac), 1)
			total += f[n]
			n++
		}
		if am != 0 {
			f[n] = min(float64(rm)/float64(am), 1)
			total += f[n]
			n++
		}
		return balancedScore(f[:n], total)
	case kindLeast, kindMost:
		score := leastRequestedScore
		if r.kind == kindMost {
			score = mostRequestedScore
		}
		var sum, weights int64
		if ac != 0 {
			sum += score(rc, ac) * wc
			weights += wc
		}
		if am != 0 {
			sum += score(rm, am) * wm
			weights += wm
		}
		if weights == 0 {
			return 0
		}
		return sum / weights
	}
	return 0
}

// scoreNodes sets out[i] to score(nodes[i], podReq, useRequested), with
// the loops for the default resources (cpu, memory) specialised.
func (r *resourceAllocationScorer) scoreNodes(nodes []*framework.NodeInfo, podReq []int64, useRequested bool, out []int64) {
	if !r.cpuMem {
		for i, ni := range nodes {
			out[i] = r.score(ni, podReq, useRequested)
		}
		return
	}
	out = out[:len(nodes)]
	pc, pm := podReq[0], podReq[1]
	switch r.kind {
	case kindBalanced:
		for i, ni := range nodes {
			nodeReq := &ni.NonZeroRequested
			if useRequested {
				nodeReq = &ni.Requested
			}
			ac, am := ni.Allocatable.MilliCPU, ni.Allocatable.Memory
			if ac == 0 || am == 0 {
				out[i] = r.scoreCPUMemory(ni, nodeReq, podReq)
				continue
			}
			fc := min(float64(nodeReq.MilliCPU+pc)/float64(ac), 1)
			fm := min(float64(nodeReq.Memory+pm)/float64(am), 1)
			// balancedScore of two fractions.
			out[i] = int64((1 - math.Abs((fc-fm)/2)) * float64(framework.MaxNodeScore))
		}
	case kindLeast:
		wc, wm := r.resources[0].Weight, r.resources[1].Weight
		ws := wc + wm
		for i, ni := range nodes {
			nodeReq := &ni.NonZeroRequested
			if useRequested {
				nodeReq = &ni.Requested
			}
			ac, am := ni.Allocatable.MilliCPU, ni.Allocatable.Memory
			if ac == 0 || am == 0 || ws == 0 {
				out[i] = r.scoreCPUMemory(ni, nodeReq, podReq)
				continue
			}
			sum := leastRequestedScore(nodeReq.MilliCPU+pc, ac)*wc + leastRequestedScore(nodeReq.Memory+pm, am)*wm
			if ws == 2 {
				out[i] = sum / 2
			} else {
				out[i] = sum / ws
			}
		}
	default:
		for i, ni := range nodes {
			out[i] = r.score(ni, podReq, useRequested)
		}
	}
}

// preScoreState holds podRequests(pi, useRequested).
func (r *resourceAllocationScorer) preScoreState(pi *framework.PodInfo, useRequested bool) *preScoreState {
	s := &preScoreState{}
	var out []int64
	if len(r.resources) <= len(s.buf) {
		out = s.buf[:len(r.resources)]
	}
	s.requests = r.podRequests(pi, useRequested, out)
	return s
}

// podRequests returns the pod's request for each scored resource (in out
// when it is given); with useRequested false, CPU and memory use the
// non-zero defaults.
func (r *resourceAllocationScorer) podRequests(pi *framework.PodInfo, useRequested bool, out []int64) []int64 {
	if out == nil {
		out = make([]int64, len(r.resources))
	}
	for i, res := range r.resources {
		switch v1.ResourceName(res.Name) {
		case v1.ResourceCPU:
			out[i] = pi.Requests.MilliCPU
			if !useRequested {
				out[i] = pi.NonZeroCPU
			}
		case v1.ResourceMemory:
			out[i] = pi.Requests.Memory
			if !useRequested {
				out[i] = pi.NonZeroMem
			}
		case v1.ResourceEphemeralStorage:
			out[i] = pi.Requests.EphemeralStorage
		default:
			out[i] = pi.Requests.ScalarResources[v1.ResourceName(res.Name)]
		}
	}
	return out
}

// score computes requested (node + pod) and allocatable per resource and
// combines the per-resource scores by weight. Scalar resources the pod does
// not request are left out, as upstream. Allocation-free.
func (r *resourceAllocationScorer) score(ni *framework.NodeInfo, podReq []int64, useRequested bool) int64 {
	nodeReq := &ni.NonZeroRequested
	if useRequested {
		nodeReq = &ni.Requested
	}
	if r.cpuMem && r.kind != kindRatio {
		return r.scoreCPUMemory(ni, nodeReq, podReq)
	}
	var nodeScore, weightSum int64
	var fractions [8]float64
	nf := 0
	var total float64
	for i, k := range r.kinds {
		var alloc, req int64
		switch k {
		case resCPU:
			alloc, req = ni.Allocatable.MilliCPU, nodeReq.MilliCPU+podReq[i]
		case resMemory:
			alloc, req = ni.Allocatable.Memory, nodeReq.Memory+podReq[i]
		case resEphemeral:
			alloc, req = ni.Allocatable.EphemeralStorage, ni.Requested.EphemeralStorage+podReq[i]
		default:
			name := v1.ResourceName(r.resources[i].Name)
			if podReq[i] == 0 && framework.IsScalarResourceName(name) {
				continue
			}
			if a, ok := ni.Allocatable.ScalarResources[name]; ok {
				alloc, req = a, ni.Requested.ScalarResources[name]+podReq[i]
			}
		}
		if alloc == 0 {
			continue
		}
		w := r.resources[i].Weight
		switch r.kind {
		case kindLeast:
			nodeScore += leastRequestedScore(req, alloc) * w
			weightSum += w
		case kindMost:
			nodeScore += mostRequestedScore(req, alloc) * w
			weightSum += w
		case kindRatio:
			var sc int64
			if req > alloc {
				sc = r.shape(maxUtilization)
			} else {
				sc = r.shape(req * maxUtilization / alloc)
			}
			if sc > 0 {
				nodeScore += sc * w
				weightSum += w
			}
		case kindBalanced:
			if nf == len(fractions) {
				continue
			}
			f := float64(req) / float64(alloc)
			if f > 1 {
				f = 1
			}
			total += f
			fractions[nf] = f
			nf++
		}
	}
	switch r.kind {
	case kindBalanced:
		return balancedScore(fractions[:nf], total)
	case kindRatio:
		if weightSum == 0 {
			return 0
		}
		return int64(math.Round(float64(nodeScore) / float64(weightSum)))
	}
	if weightSum == 0 {
		return 0
	}
	return nodeScore / weightSum
}

func leastRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * framework.MaxNodeScore / capacity
}

func mostRequestedScore(requested, capacity int64) int64 {
	if capacity == 0 {
		return 0
	}
	if requested > capacity {
		requested = capacity
	}
	return requested * framework.MaxNodeScore / capacity
}

type shapePoint struct{ utilization, score int64 }

// brokenLinear interpolates the shape, as upstream's BuildBrokenLinearFunction.
func brokenLinear(shape []shapePoint) func(int64) int64 {
	return func(p int64) int64 {
		for i := range shape {
			if p <= shape[i].utilization {
				if i == 0 {
					return shape[0].score
				}
				return shape[i-1].score + (shape[i].score-shape[i-1].score)*(p-shape[i-1].utilization)/(shape[i].utilization-shape[i-1].utilization)
			}
		}
		return shape[len(shape)-1].score
	}
}

// ratioShape scales shape scores (0..10) to node scores (0..100).
func ratioShape(points []UtilizationShapePoint) func(int64) int64 {
	shape := make([]shapePoint, len(points))
	for i, p := range points {
		shape[i] = shapePoint{int64(p.Utilization), int64(p.Score) * (framework.MaxNodeScore / maxCustomPriorityScore)}
	}
	return brokenLinear(shape)
}

// balancedScore favours nodes whose resource fractions are close:
// (1 - standard deviation of the fractions) × 100.
func balancedScore(fractions []float64, total float64) int64 {
	std := 0.0
	n := len(fractions)
	if n == 2 {
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	} else if n > 2 {
		mean := total / float64(n)
		var sum float64
		for _, f := range fractions {
			sum += (f - mean) * (f - mean)
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}

// BalancedAllocation is NodeResourcesBalancedAllocation.
type BalancedAllocation struct {
	scoring
}

// NewBalancedAllocation is the factory; args may be nil or BalancedAllocationArgs.
func NewBalancedAllocation(args any, _ framework.Handle) (framework.Plugin, error) {
	res := DefaultResources()
	if a, ok := args.(BalancedAllocationArgs); ok && len(a.Resources) > 0 {
		res = a.Resources
	}
	return &BalancedAllocation{scoring{scorer: newScorer(BalancedAllocationName, res, kindBalanced)}}, nil
}

// Name returns the plugin name.
func (*BalancedAllocation) Name() string { return BalancedAllocationName }

// scoring gives Fit and BalancedAllocation their PreScore, Score and
// ScoreNodes over their scorer: PreScore keeps the pod's requests (actual
// requests for BalancedAllocation, non-zero defaults for Fit) in the cycle
// state under the scorer's key.
type scoring struct {
	scorer resourceAllocationScorer
	// epoch names memoReq, the pod requests (cpu, memory) of the last
	// PreScore, in the rows' memo (framework.RowMemo): a row's score
	// tagged with the current epoch was computed for these requests from
	// the row as it is. Set by PreScore only, read by ScoreRows.
	epoch   uint64
	memoReq [2]int64
}

// PreScore computes the pod's request per scored resource, and starts a
// new memo epoch when they differ from the last cycle's.
func (s *scoring) PreScore(state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	ps := s.scorer.preScoreState(podInfoFor(state, pod), s.balanced())
	state.Write(s.scorer.key, ps)
	if len(ps.requests) == 2 && (s.epoch == 0 || ps.requests[0] != s.memoReq[0] || ps.requests[1] != s.memoReq[1]) {
		s.epoch++
		s.memoReq = [2]int64{ps.requests[0], ps.requests[1]}
	}
	return nil
}

// Score applies the strategy to the node's requested resources plus the
// pod's: least/most allocated or a ratio shape for Fit, (1 - std of the
// requested/allocatable fractions) × 100 for BalancedAllocation.
func (s *scoring) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	d, err := state.Read(s.scorer.key)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	return s.scorer.score(ni, d.(*preScoreState).requests, s.balanced()), nil
}

// ScoreNodes is Score over nodes (BatchScorePlugin).
func (s *scoring) ScoreNodes(state *framework.CycleState, _ *v1.Pod, nodes []*framework.NodeInfo, out []int64) (int, *framework.Status) {
	d, err := state.Read(s.scorer.key)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	s.scorer.scoreNodes(nodes, d.(*preScoreState).requests, s.balanced(), out)
	return 0, nil
}

func (s *scoring) balanced() bool { return s.scorer.kind == kindBalanced }

// ScoreRows is ScoreNodes reading rows (framework.RowScorePlugin).
func (s *scoring) ScoreRows(state *framework.CycleState, _ *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, run framework.RowRun, out []int64) (int, *framework.Status) {
	d, err := state.Read(s.scorer.key)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	req := d.(*preScoreState).requests
	var epoch uint64
	if len(req) == 2 && req[0] == s.memoReq[0] && req[1] == s.memoReq[1] {
		epoch = s.epoch
	}
	s.scorer.scoreRows(nodes, rows, run.Memo, req, s.balanced(), epoch, out)
	return 0, nil
}

// scoreRows is scoreNodes reading the default resources (cpu, memory) from
// rows; the same arithmetic, node by node. With epoch not 0 (podReq's
// memo epoch) and memo (rows' memo) not nil, a row's score memo of that
// epoch is the score, and a score computed is memoised.
func (r *resourceAllocationScorer) scoreRows(nodes []*framework.NodeInfo, rows []framework.NodeRow, memo []framework.RowMemo, podReq []int64, useRequested bool, epoch uint64, out []int64) {
	if !r.cpuMem || (r.kind != kindBalanced && r.kind != kindLeast) {
		r.scoreNodes(nodes, podReq, useRequested, out)
		return
	}
	out = out[:len(rows)]
	wc, wm := r.resources[0].Weight, r.resources[1].Weight
	ws := wc + wm
	slot := framework.RowMemoFit
	if r.kind == kindBalanced {
		slot = framework.RowMemoBalanced
	}
	if memo == nil || epoch == 0 || epoch >= framework.RowMemoEpochs {
		for i := range rows {
			out[i] = r.scoreRow(nodes[i], &rows[i], podReq, useRequested, wc, wm, ws)
		}
		return
	}
	memo = memo[:len(rows)]
	for i := range memo {
		m := &memo[i][slot]
		if uint64(*m>>8) == epoch {
			out[i] = int64(*m & 0xff)
			continue
		}
		out[i] = r.scoreRow(nodes[i], &rows[i], podReq, useRequested, wc, wm, ws)
		if uint64(out[i]) <= 0xff {
			*m = uint32(epoch<<8 | uint64(out[i]))
		}
	}
}

// scoreRow is one node's score in scoreRows (podReq is [pc, pm]).
func (r *resourceAllocationScorer) scoreRow(ni *framework.NodeInfo, row *framework.NodeRow, podReq []int64, useRequested bool, wc, wm, ws int64) int64 {
	pc, pm := podReq[0], podReq[1]
	rc, rm := row.NonZeroMilliCPU, row.NonZeroMemory
	if useRequested {
		rc, rm = row.ReqMilliCPU, row.ReqMemory
	}
	ac, am := row.AllocMilliCPU, row.AllocMemory
	if ac == 0 || am == 0 || (ws == 0 && r.kind == kindLeast) {
		nodeReq := &ni.NonZeroRequested
		if useRequested {
			nodeReq = &ni.Requested
		}
		return r.scoreCPUMemory(ni, nodeReq, podReq)
	}
	if r.kind == kindBalanced {
		fc := min(float64(rc+pc)/float64(ac), 1)
		fm := min(float64(rm+pm)/float64(am), 1)
		// balancedScore of two fractions.
		return int64((1 - math.Abs((fc-fm)/2)) * float64(framework.MaxNodeScore))
	}
	sum := leastRequestedScore(rc+pc, ac)*wc + leastRequestedScore(rm+pm, am)*wm
	if ws == 2 {
		return sum / 2
	}
	return sum / ws
}
