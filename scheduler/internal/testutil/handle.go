package testutil

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

// Handle is a framework.Handle over fixed nodes and pods, for plugin tests.
type Handle struct {
	nodes       []*framework.NodeInfo
	byName      map[string]*framework.NodeInfo
	Services    []*v1.Service
	ReplicaSets []*appsv1.ReplicaSet
	Namespaces  map[string]labels.Set
	PDBs        []*policyv1.PodDisruptionBudget
	PVCs        []*v1.PersistentVolumeClaim
	PVs         []*v1.PersistentVolume // by name
	Classes     []*storagev1.StorageClass
	R           *rand.Rand
}

var _ framework.Handle = &Handle{}

// NewHandle builds NodeInfos from nodes and puts each pod on its spec.nodeName.
func NewHandle(nodes []*v1.Node, pods []*v1.Pod) *Handle {
	h := &Handle{byName: map[string]*framework.NodeInfo{}, R: rand.New(rand.NewPCG(1, 1))}
	for _, n := range nodes {
		ni := framework.NewNodeInfo()
		ni.SetNode(n)
		h.nodes = append(h.nodes, ni)
		h.byName[n.Name] = ni
	}
	images := map[string]*framework.ImageStateSummary{}
	for _, n := range nodes {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if images[name] == nil {
					images[name] = &framework.ImageStateSummary{Size: img.SizeBytes}
				}
				images[name].NumNodes++
				h.byName[n.Name].ImageStates[name] = images[name]
			}
		}
	}
	for _, p := range pods {
		if ni := h.byName[p.Spec.NodeName]; ni != nil {
			ni.AddPodInfo(framework.NewPodInfo(p))
		}
	}
	return h
}

func (h *Handle) Snapshot() framework.SharedLister                 { return h }
func (h *Handle) Objects() framework.ObjectLister                  { return h }
func (h *Handle) Parallelizer() framework.Parallelizer             { return framework.Parallelizer{Workers: 1} }
func (h *Handle) Rand() *rand.Rand                                 { return h.R }
func (h *Handle) NominatedPodsForNode(string) []*framework.PodInfo { return nil }
func (h *Handle) RunFilterPluginsWithNominatedPods(*framework.CycleState, *v1.Pod, *framework.NodeInfo) *framework.Status {
	return nil
}
func (h *Handle) RunPreFilterExtensionAddPod(*framework.CycleState, *v1.Pod, *framework.PodInfo, *framework.NodeInfo) *framework.Status {
	return nil
}
func (h *Handle) RunPreFilterExtensionRemovePod(*framework.CycleState, *v1.Pod, *framework.PodInfo, *framework.NodeInfo) *framework.Status {
	return nil
}

func (h *Handle) List() []*framework.NodeInfo      { return h.nodes }
func (h *Handle) Get(n string) *framework.NodeInfo { return h.byName[n] }
func (h *Handle) HavePodsWithAffinityList() []*framework.NodeInfo {
	return h.nodesWith(func(ni *framework.NodeInfo) bool { return len(ni.PodsWithAffinity) > 0 })
}
func (h *Handle) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	return h.nodesWith(func(ni *framework.NodeInfo) bool { return len(ni.PodsWithRequiredAntiAffinity) > 0 })
}

// nodesWith lists the nodes for which keep is true, in order.
func (h *Handle) nodesWith(keep func(*framework.NodeInfo) bool) []*framework.NodeInfo {
	var out []*framework.NodeInfo
	for _, ni := range h.nodes {
		if keep(ni) {
			out = append(out, ni)
		}
	}
	return out
}

func (h *Handle) ServicesSelecting(pod *v1.Pod) []map[string]string {
	var out []map[string]string
	for _, s := range h.Services {
		if s.Namespace == pod.Namespace && s.Spec.Selector != nil && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(pod.Labels)) {
			out = append(out, s.Spec.Selector)
		}
	}
	return out
}
func (h *Handle) ReplicaSet(ns, name string) *appsv1.ReplicaSet {
	for _, rs := range h.ReplicaSets {
		if rs.Namespace == ns && rs.Name == name {
			return rs
		}
	}
	return nil
}
func (h *Handle) StatefulSet(string, string) *appsv1.StatefulSet                 { return nil }
func (h *Handle) ReplicationController(string, string) *v1.ReplicationController { return nil }
func (h *Handle) NamespaceLabels(ns string) labels.Set                           { return h.Namespaces[ns] }
func (h *Handle) PodDisruptionBudgets() []*policyv1.PodDisruptionBudget          { return h.PDBs }
func (h *Handle) PersistentVolumeClaim(ns, name string) *v1.PersistentVolumeClaim {
	for _, c := range h.PVCs {
		if c.Namespace == ns && c.Name == name {
			return c
		}
	}
	return nil
}
func (h *Handle) PersistentVolumes() []*v1.PersistentVolume { return h.PVs }
func (h *Handle) PersistentVolume(name string) *v1.PersistentVolume {
	for _, pv := range h.PVs {
		if pv.Name == name {
			return pv
		}
	}
	return nil
}
func (h *Handle) StorageClass(name string) *storagev1.StorageClass {
	for _, sc := range h.Classes {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

// Outcome is what one plugin said about each node.
type Outcome struct {
	// Filter maps node name to "" (passed) or the reasons joined by ", ";
	// nil when the plugin has no Filter or PreFilter rejected the pod.
	Filter map[string]string
	// PreFilter is the PreFilter status message ("" when it passed), or "Skip".
	PreFilter string
	// Scores maps node name to the normalised score (nil when the plugin has
	// no Score or PreScore skipped).
	Scores map[string]int64
}

// Run drives plugin p through PreFilter, Filter (every node), PreScore,
// Score and NormalizeScore (over the nodes that passed) for pod.
func Run(t *testing.T, p framework.Plugin, h *Handle, pod *v1.Pod) Outcome {
	t.Helper()
	var out Outcome
	state := framework.NewCycleState(framework.NewPodInfo(pod))
	feasible := h.nodes
	skipFilter := false
	if pf, ok := p.(framework.PreFilterPlugin); ok {
		_, st := pf.PreFilter(state, pod)
		switch {
		case st.IsSkip():
			out.PreFilter, skipFilter = "Skip", true
		case !st.IsSuccess():
			out.PreFilter = st.Message()
			return out
		}
	}
	if f, ok := p.(framework.FilterPlugin); ok && !skipFilter {
		out.Filter = map[string]string{}
		feasible = nil
		for _, ni := range h.nodes {
			st := f.Filter(state, pod, ni)
			out.Filter[ni.Name] = st.Message()
			if st.IsSuccess() {
				feasible = append(feasible, ni)
			}
		}
	}
	sp, ok := p.(framework.ScorePlugin)
	if !ok {
		return out
	}
	if ps, ok := p.(framework.PreScorePlugin); ok {
		st := ps.PreScore(state, pod, feasible)
		if st.IsSkip() {
			return out
		}
		if !st.IsSuccess() {
			t.Fatalf("PreScore: %v", st.Message())
		}
	}
	scores := make([]framework.NodeScore, len(feasible))
	for i, ni := range feasible {
		sc, st := sp.Score(state, pod, ni)
		if !st.IsSuccess() {
			t.Fatalf("Score(%s): %v", ni.Name, st.Message())
		}
		scores[i] = framework.NodeScore{Name: ni.Name, Score: sc}
	}
	if n, ok := p.(framework.NormalizeScorePlugin); ok {
		if st := n.NormalizeScore(state, pod, scores); !st.IsSuccess() {
			t.Fatalf("NormalizeScore: %v", st.Message())
		}
	}
	out.Scores = map[string]int64{}
	for _, s := range scores {
		out.Scores[s.Name] = s.Score
	}
	return out
}

// SortedNames returns the keys of m sorted.
func SortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
