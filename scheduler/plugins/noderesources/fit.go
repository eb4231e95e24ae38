package noderesources

import (
	"fmt"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// Plugin names.
const (
	FitName                = "NodeResourcesFit"
	BalancedAllocationName = "NodeResourcesBalancedAllocation"
)

// ScoringStrategyType selects NodeResourcesFit's score.
type ScoringStrategyType string

// Strategies, as upstream's config.ScoringStrategyType.
const (
	LeastAllocated           ScoringStrategyType = "LeastAllocated"
	MostAllocated            ScoringStrategyType = "MostAllocated"
	RequestedToCapacityRatio ScoringStrategyType = "RequestedToCapacityRatio"
)

// ResourceSpec is a resource name and its weight in a score.
type ResourceSpec struct {
	Name   string
	Weight int64
}

// UtilizationShapePoint is one point of the RequestedToCapacityRatio shape
// (utilization 0..100 → score 0..10).
type UtilizationShapePoint struct {
	Utilization int32
	Score       int32
}

// ScoringStrategy configures NodeResourcesFit's score.
type ScoringStrategy struct {
	Type      ScoringStrategyType
	Resources []ResourceSpec
	// Shape is used by RequestedToCapacityRatio.
	Shape []UtilizationShapePoint
}

// FitArgs configures NodeResourcesFit.
type FitArgs struct {
	IgnoredResources      []string
	IgnoredResourceGroups []string
	ScoringStrategy       *ScoringStrategy
}

// BalancedAllocationArgs configures NodeResourcesBalancedAllocation.
type BalancedAllocationArgs struct {
	Resources []ResourceSpec
}

// DefaultResources are cpu and memory with weight 1 (upstream defaults).
func DefaultResources() []ResourceSpec {
	return []ResourceSpec{{Name: string(v1.ResourceCPU), Weight: 1}, {Name: string(v1.ResourceMemory), Weight: 1}}
}

// Fit is NodeResourcesFit.
type Fit struct {
	ignoredResources      map[string]struct{}
	ignoredResourceGroups map[string]struct{}
	scoring
}

// NewFit is the factory; args may be nil, FitArgs or *FitArgs.
func NewFit(args any, _ framework.Handle) (framework.Plugin, error) {
	var a FitArgs
	switch t := args.(type) {
	case FitArgs:
		a = t
	case *FitArgs:
		a = *t
	}
	st := ScoringStrategy{Type: LeastAllocated, Resources: DefaultResources()}
	if a.ScoringStrategy != nil {
		st = *a.ScoringStrategy
		if st.Type == "" {
			st.Type = LeastAllocated
		}
		if len(st.Resources) == 0 {
			st.Resources = DefaultResources()
		}
	}
	f := &Fit{ignoredResources: map[string]struct{}{}, ignoredResourceGroups: map[string]struct{}{}}
	for _, r := range a.IgnoredResources {
		f.ignoredResources[r] = struct{}{}
	}
	for _, g := range a.IgnoredResourceGroups {
		f.ignoredResourceGroups[g] = struct{}{}
	}
	f.scorer = newScorer(FitName, st.Resources, kindLeast)
	switch st.Type {
	case LeastAllocated:
		f.scorer.kind = kindLeast
	case MostAllocated:
		f.scorer.kind = kindMost
	case RequestedToCapacityRatio:
		if len(st.Shape) == 0 {
			return nil, fmt.Errorf("%s: RequestedToCapacityRatio needs a shape", FitName)
		}
		f.scorer.kind = kindRatio
		f.scorer.shape = ratioShape(st.Shape)
	default:
		return nil, fmt.Errorf("%s: unknown scoring strategy %q", FitName, st.Type)
	}
	return f, nil
}

// Name returns the plugin name.
func (*Fit) Name() string { return FitName }

const preFilterKey framework.StateKey = "PreFilter" + FitName

// preFilterState is the pod's requests: the PodInfo's own (read-only), so
// writing it allocates nothing.
type preFilterState framework.Resource

func (s *preFilterState) Clone() framework.StateData { return s }

func podInfoFor(state *framework.CycleState, pod *v1.Pod) *framework.PodInfo {
	if state.PodInfo != nil && state.PodInfo.Pod == pod {
		return state.PodInfo
	}
	return framework.NewPodInfo(pod)
}

// PreFilter computes the pod's requests once.
func (f *Fit) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	state.Write(preFilterKey, (*preFilterState)(&podInfoFor(state, pod).Requests))
	return nil, nil
}

// InsufficientResource describes one resource a node lacks.
type InsufficientResource struct {
	ResourceName v1.ResourceName
	Reason       string
	Requested    int64
	Used         int64
	Capacity     int64
}

// Filter rejects nodes without room for the pod, with every lacking resource
// as a reason ("Too many pods", "Insufficient cpu", …).
func (f *Fit) Filter(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	return f.filter(filterRequests(state, pod), ni)
}

// FilterNodes is Filter over nodes (BatchFilterPlugin).
func (f *Fit) FilterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	req := filterRequests(state, pod)
	simple := len(req.ScalarResources) == 0
	n := 0
	for i, ni := range nodes {
		if simple && fitsSimple(req, ni) {
			continue
		}
		if st := f.filter(req, ni); st != nil {
			out[i] = st
			n++
		}
	}
	return n
}

// filterRequests is the pod's requests from PreFilter (computed afresh
// when PreFilter did not run).
// FilterRows is FilterNodes reading rows (framework.RowFilterPlugin): a
// node whose row has no ephemeral storage or scalar resources, for a pod
// requesting none, fits as fitsSimple says.
func (f *Fit) FilterRows(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, out []*framework.Status) int {
	req := filterRequests(state, pod)
	if len(req.ScalarResources) > 0 || req.EphemeralStorage > 0 {
		return f.FilterNodes(state, pod, nodes, out)
	}
	n := 0
	for i := range rows {
		r := &rows[i]
		if r.Flags&framework.RowUnusual == 0 && fitsRow(req, r) {
			continue
		}
		if st := f.filter(req, nodes[i]); st != nil {
			out[i] = st
			n++
		}
	}
	return n
}

// RowTest (framework.RowTestPlugin) is FilterRows' pass: for a pod
// requesting no ephemeral storage or scalar resources, a row without them
// passes when fitsRow says so.
func (f *Fit) RowTest(state *framework.CycleState, pod *v1.Pod) (framework.RowTest, bool) {
	req := filterRequests(state, pod)
	if len(req.ScalarResources) > 0 || req.EphemeralStorage > 0 {
		return framework.RowTest{}, false
	}
	return framework.RowTest{Flags: framework.RowUnusual, Pods: 1, MilliCPU: req.MilliCPU, Memory: req.Memory}, true
}

// fitsRow is fitsSimple on a row, for a request without ephemeral storage.
func fitsRow(req *framework.Resource, r *framework.NodeRow) bool {
	return r.PodRoom >= 1 &&
		(req.MilliCPU <= 0 || req.MilliCPU <= r.AllocMilliCPU-r.ReqMilliCPU) &&
		(req.Memory <= 0 || req.Memory <= r.AllocMemory-r.ReqMemory)
}

func filterRequests(state *framework.CycleState, pod *v1.Pod) *framework.Resource {
	if d, err := state.Read(preFilterKey); err == nil {
		return (*framework.Resource)(d.(*preFilterState))
	}
	r := framework.NewPodInfo(pod).Requests
	return &r
}

// fitsSimple reports that fits(req, ni) finds nothing lacking, for
// requests without scalar resources.
func fitsSimple(req *framework.Resource, ni *framework.NodeInfo) bool {
	if len(ni.Pods)+1 > ni.Allocatable.AllowedPodNumber {
		return false
	}
	return (req.MilliCPU <= 0 || req.MilliCPU <= ni.Allocatable.MilliCPU-ni.Requested.MilliCPU) &&
		(req.Memory <= 0 || req.Memory <= ni.Allocatable.Memory-ni.Requested.Memory) &&
		(req.EphemeralStorage <= 0 || req.EphemeralStorage <= ni.Allocatable.EphemeralStorage-ni.Requested.EphemeralStorage)
}

func (f *Fit) filter(req *framework.Resource, ni *framework.NodeInfo) *framework.Status {
	ins := f.fits(req, ni)
	if len(ins) == 0 {
		return nil
	}
	reasons := make([]string, len(ins))
	for i := range ins {
		reasons[i] = ins[i].Reason
	}
	return framework.NewStatus(framework.Unschedulable, reasons...)
}

// Fits reports what pod lacks on ni (nil if it fits).
func Fits(pod *v1.Pod, ni *framework.NodeInfo) []InsufficientResource {
	r := framework.NewPodInfo(pod).Requests
	return (&Fit{}).fits(&r, ni)
}

func (f *Fit) fits(req *framework.Resource, ni *framework.NodeInfo) []InsufficientResource {
	var out []InsufficientResource
	allowed := ni.Allocatable.AllowedPodNumber
	if len(ni.Pods)+1 > allowed {
		out = append(out, InsufficientResource{v1.ResourcePods, "Too many pods", 1, int64(len(ni.Pods)), int64(allowed)})
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && len(req.ScalarResources) == 0 {
		return out
	}
	if req.MilliCPU > 0 && req.MilliCPU > ni.Allocatable.MilliCPU-ni.Requested.MilliCPU {
		out = append(out, InsufficientResource{v1.ResourceCPU, "Insufficient cpu", req.MilliCPU, ni.Requested.MilliCPU, ni.Allocatable.MilliCPU})
	}
	if req.Memory > 0 && req.Memory > ni.Allocatable.Memory-ni.Requested.Memory {
		out = append(out, InsufficientResource{v1.ResourceMemory, "Insufficient memory", req.Memory, ni.Requested.Memory, ni.Allocatable.Memory})
	}
	if req.EphemeralStorage > 0 && req.EphemeralStorage > ni.Allocatable.EphemeralStorage-ni.Requested.EphemeralStorage {
		out = append(out, InsufficientResource{v1.ResourceEphemeralStorage, "Insufficient ephemeral-storage", req.EphemeralStorage, ni.Requested.EphemeralStorage, ni.Allocatable.EphemeralStorage})
	}
	if len(req.ScalarResources) > 0 {
		names := make([]string, 0, len(req.ScalarResources))
		for n := range req.ScalarResources {
			names = append(names, string(n))
		}
		sort.Strings(names)
		for _, n := range names {
			name := v1.ResourceName(n)
			q := req.ScalarResources[name]
			if q == 0 {
				continue
			}
			if f.ignored(n) {
				continue
			}
			if q > ni.Allocatable.ScalarResources[name]-ni.Requested.ScalarResources[name] {
				out = append(out, InsufficientResource{name, fmt.Sprintf("Insufficient %v", name), q, ni.Requested.ScalarResources[name], ni.Allocatable.ScalarResources[name]})
			}
		}
	}
	return out
}

func (f *Fit) ignored(name string) bool {
	if f.ignoredResources == nil {
		return false
	}
	if _, ok := f.ignoredResources[name]; ok {
		return true
	}
	if i := strings.Index(name, "/"); i >= 0 {
		_, ok := f.ignoredResourceGroups[name[:i]]
		return ok
	}
	return false
}

type preScoreState struct {
	requests []int64
	// buf backs requests for up to two resources (one allocation).
	buf [2]int64
}

func (s *preScoreState) Clone() framework.StateData { return s }

// EventsToRegister: a pod deleted, a node added or changed.
func (*Fit) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{
		{Resource: framework.Pod, ActionType: framework.Delete},
		{Resource: framework.Node, ActionType: framework.Add | framework.Update},
	}
}
