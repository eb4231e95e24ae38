package nodeaffinity

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

// Name is the plugin name.
const Name = "NodeAffinity"

// Upstream reason texts.
const (
	ErrReasonPod      = "node(s) didn't match Pod's node affinity/selector"
	ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity"
	ErrReasonConflict = "pod affinity terms conflict"
)

// Args configures the plugin as NodeAffinityArgs.
type Args struct {
	// AddedAffinity is applied to every pod of the profile.
	AddedAffinity *v1.NodeAffinity
}

// NodeAffinity is the plugin.
type NodeAffinity struct {
	helper.DefaultNormalizer // scores scaled to [0,100]
	addedNodeSelector        *nodeaffinity.NodeSelector
	addedPrefSchedTerms      *nodeaffinity.PreferredSchedulingTerms
}

var (
	statusPod      = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod).WithPlugin(Name)
	statusEnforced = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonEnforced).WithPlugin(Name)
)

// New is the factory; args may be nil or Args.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	pl := &NodeAffinity{}
	a, _ := args.(Args)
	if a.AddedAffinity != nil {
		if ns := a.AddedAffinity.RequiredDuringSchedulingIgnoredDuringExecution; ns != nil {
			sel, err := nodeaffinity.NewNodeSelector(ns)
			if err != nil {
				return nil, err
			}
			pl.addedNodeSelector = sel
		}
		terms, err := nodeaffinity.NewPreferredSchedulingTerms(a.AddedAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		if err != nil {
			return nil, err
		}
		pl.addedPrefSchedTerms = terms
	}
	return pl, nil
}

// Name returns the plugin name.
func (*NodeAffinity) Name() string { return Name }

const (
	preFilterKey framework.StateKey = "PreFilter" + Name
	preScoreKey  framework.StateKey = "PreScore" + Name
)

type preFilterState struct {
	required helper.NodeMatcher
}

func (s *preFilterState) Clone() framework.StateData { return s }

// PreFilter parses nodeSelector and required node affinity once; Skip when
// the pod has neither and the profile adds none.
func (pl *NodeAffinity) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	a := pod.Spec.Affinity
	hasRequired := a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil
	if len(pod.Spec.NodeSelector) == 0 && !hasRequired && pl.addedNodeSelector == nil {
		return nil, framework.SkipStatus
	}
	state.Write(preFilterKey, &preFilterState{required: helper.GetRequiredNodeAffinity(pod)})
	if !hasRequired {
		return nil, nil
	}
	// Terms naming nodes by metadata.name narrow the nodes to evaluate, as
	// for DaemonSet pods.
	var names map[string]struct{}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		var termNames map[string]struct{}
		for _, r := range t.MatchFields {
			if r.Key != metav1.ObjectNameField || r.Operator != v1.NodeSelectorOpIn {
				continue
			}
			s := make(map[string]struct{}, len(r.Values))
			for _, v := range r.Values {
				if termNames == nil {
					s[v] = struct{}{}
				} else if _, ok := termNames[v]; ok {
					s[v] = struct{}{}
				}
			}
			termNames = s
		}
		if termNames == nil {
			return nil, nil
		}
		if names == nil {
			names = map[string]struct{}{}
		}
		for n := range termNames {
			names[n] = struct{}{}
		}
	}
	if names != nil && len(names) == 0 {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonConflict)
	}
	if len(names) > 0 {
		return &framework.PreFilterResult{NodeNames: names}, nil
	}
	return nil, nil
}

// Filter checks the profile's added affinity, then the pod's.
func (pl *NodeAffinity) Filter(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	return pl.filter(requiredAffinity(state, pod), ni)
}

// FilterNodes is Filter over nodes (BatchFilterPlugin).
func (pl *NodeAffinity) FilterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	required := requiredAffinity(state, pod)
	n := 0
	for i, ni := range nodes {
		if st := pl.filter(required, ni); st != nil {
			out[i] = st
			n++
		}
	}
	return n
}

// requiredAffinity is the matcher from PreFilter (built afresh when
// PreFilter did not run).
func requiredAffinity(state *framework.CycleState, pod *v1.Pod) *helper.NodeMatcher {
	if d, err := state.Read(preFilterKey); err == nil {
		return &d.(*preFilterState).required
	}
	m := helper.GetRequiredNodeAffinity(pod)
	return &m
}

func (pl *NodeAffinity) filter(required *helper.NodeMatcher, ni *framework.NodeInfo) *framework.Status {
	if pl.addedNodeSelector != nil && !pl.addedNodeSelector.Match(ni.Node()) {
		return statusEnforced
	}
	if !required.MatchNodeInfo(ni) {
		return statusPod
	}
	return nil
}

type preScoreState struct {
	preferred *nodeaffinity.PreferredSchedulingTerms
}

func (s *preScoreState) Clone() framework.StateData { return s }

// PreScore parses preferred terms; Skip when there are none.
func (pl *NodeAffinity) PreScore(state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	a := pod.Spec.Affinity
	var terms []v1.PreferredSchedulingTerm
	if a != nil && a.NodeAffinity != nil {
		terms = a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	if len(terms) == 0 && pl.addedPrefSchedTerms == nil {
		return framework.SkipStatus
	}
	pref, err := nodeaffinity.NewPreferredSchedulingTerms(terms)
	if err != nil {
		return framework.AsStatus(err)
	}
	state.Write(preScoreKey, &preScoreState{preferred: pref})
	return nil
}

// Score sums the weights of matching preferred terms.
func (pl *NodeAffinity) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	node := ni.Node()
	var count int64
	if pl.addedPrefSchedTerms != nil {
		count += pl.addedPrefSchedTerms.Score(node)
	}
	d, err := state.Read(preScoreKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	if p := d.(*preScoreState).preferred; p != nil {
		count += p.Score(node)
	}
	return count, nil
}

// EventsToRegister: a node added or changed.
func (*NodeAffinity) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{{Resource: framework.Node, ActionType: framework.Add | framework.Update}}
}
