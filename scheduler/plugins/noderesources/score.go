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

type resourceAllocationScorer struct {
	name      string
	resources []ResourceSpec
	scorer    func(requested, allocatable []int64) int64
}

// podRequests returns the pod's request for each scored resource; with
// useRequested false, CPU and memory use the non-zero defaults.
func (r *resourceAllocationScorer) podRequests(pi *framework.PodInfo, useRequested bool) []int64 {
	out := make([]int64, len(r.resources))
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
// hands them to the strategy. Scalar resources the pod does not request are
// left out, as upstream.
func (r *resourceAllocationScorer) score(ni *framework.NodeInfo, podReq []int64, useRequested bool) int64 {
	var reqBuf, allocBuf [4]int64
	requested, allocatable := reqBuf[:0], allocBuf[:0]
	if len(r.resources) > len(reqBuf) {
		requested, allocatable = make([]int64, 0, len(r.resources)), make([]int64, 0, len(r.resources))
	}
	nodeReq := &ni.NonZeroRequested
	if useRequested {
		nodeReq = &ni.Requested
	}
	for i, res := range r.resources {
		var alloc, req int64
		name := v1.ResourceName(res.Name)
		switch name {
		case v1.ResourceCPU:
			alloc, req = ni.Allocatable.MilliCPU, nodeReq.MilliCPU+podReq[i]
		case v1.ResourceMemory:
			alloc, req = ni.Allocatable.Memory, nodeReq.Memory+podReq[i]
		case v1.ResourceEphemeralStorage:
			alloc, req = ni.Allocatable.EphemeralStorage, ni.Requested.EphemeralStorage+podReq[i]
		default:
			if podReq[i] == 0 && framework.IsScalarResourceName(name) {
				break
			}
			if a, ok := ni.Allocatable.ScalarResources[name]; ok {
				alloc, req = a, ni.Requested.ScalarResources[name]+podReq[i]
			}
		}
		if alloc == 0 {
			alloc, req = 0, 0
		}
		requested = append(requested, req)
		allocatable = append(allocatable, alloc)
	}
	return r.scorer(requested, allocatable)
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

func weighted(resources []ResourceSpec, f func(req, alloc int64) int64) func([]int64, []int64) int64 {
	return func(requested, allocatable []int64) int64 {
		var score, weights int64
		for i := range requested {
			if allocatable[i] == 0 {
				continue
			}
			score += f(requested[i], allocatable[i]) * resources[i].Weight
			weights += resources[i].Weight
		}
		if weights == 0 {
			return 0
		}
		return score / weights
	}
}

func leastResourceScorer(resources []ResourceSpec) func([]int64, []int64) int64 {
	return weighted(resources, leastRequestedScore)
}

func mostResourceScorer(resources []ResourceSpec) func([]int64, []int64) int64 {
	return weighted(resources, mostRequestedScore)
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

func requestedToCapacityRatioScorer(resources []ResourceSpec, points []UtilizationShapePoint) func([]int64, []int64) int64 {
	shape := make([]shapePoint, len(points))
	for i, p := range points {
		shape[i] = shapePoint{int64(p.Utilization), int64(p.Score) * (framework.MaxNodeScore / maxCustomPriorityScore)}
	}
	f := brokenLinear(shape)
	resScore := func(requested, capacity int64) int64 {
		if capacity == 0 || requested > capacity {
			return f(maxUtilization)
		}
		return f(requested * maxUtilization / capacity)
	}
	return func(requested, allocatable []int64) int64 {
		var score, weights int64
		for i := range requested {
			if allocatable[i] == 0 {
				continue
			}
			s := resScore(requested[i], allocatable[i])
			if s > 0 {
				score += s * resources[i].Weight
				weights += resources[i].Weight
			}
		}
		if weights == 0 {
			return 0
		}
		return int64(math.Round(float64(score) / float64(weights)))
	}
}

// balancedResourceScorer favours nodes whose resource fractions are close:
// (1 - standard deviation of the fractions) × 100.
func balancedResourceScorer(requested, allocatable []int64) int64 {
	var fractions [8]float64
	n := 0
	var total float64
	for i := range requested {
		if allocatable[i] == 0 || n == len(fractions) {
			continue
		}
		f := float64(requested[i]) / float64(allocatable[i])
		if f > 1 {
			f = 1
		}
		total += f
		fractions[n] = f
		n++
	}
	std := 0.0
	if n == 2 {
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	} else if n > 2 {
		mean := total / float64(n)
		var sum float64
		for _, f := range fractions[:n] {
			sum += (f - mean) * (f - mean)
		}
		std = math.Sqrt(sum / float64(n))
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}

// BalancedAllocation is NodeResourcesBalancedAllocation.
type BalancedAllocation struct {
	scorer resourceAllocationScorer
}

var (
	_ framework.PreScorePlugin = &BalancedAllocation{}
	_ framework.ScorePlugin    = &BalancedAllocation{}
)

// NewBalancedAllocation is the factory; args may be nil or BalancedAllocationArgs.
func NewBalancedAllocation(args any, _ framework.Handle) (framework.Plugin, error) {
	res := DefaultResources()
	if a, ok := args.(BalancedAllocationArgs); ok && len(a.Resources) > 0 {
		res = a.Resources
	}
	return &BalancedAllocation{scorer: resourceAllocationScorer{name: BalancedAllocationName, resources: res, scorer: balancedResourceScorer}}, nil
}

// Name returns the plugin name.
func (*BalancedAllocation) Name() string { return BalancedAllocationName }

const balancedKey framework.StateKey = "PreScore" + BalancedAllocationName

// PreScore computes the pod's requests (actual requests, no defaults).
func (b *BalancedAllocation) PreScore(state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	state.Write(balancedKey, &preScoreState{requests: b.scorer.podRequests(podInfoFor(state, pod), true)})
	return nil
}

// Score is (1 - std of requested/allocatable fractions) × 100.
func (b *BalancedAllocation) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	d, err := state.Read(balancedKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	return b.scorer.score(ni, d.(*preScoreState).requests, true), nil
}
