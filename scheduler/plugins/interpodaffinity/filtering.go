package interpodaffinity

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "InterPodAffinity"

// Upstream reason texts.
const (
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
	ErrReasonAffinityRulesNotMatch             = "node(s) didn't match pod affinity rules"
	ErrReasonAntiAffinityRulesNotMatch         = "node(s) didn't match pod anti-affinity rules"
)

// Args configures the plugin as InterPodAffinityArgs.
type Args struct {
	// HardPodAffinityWeight scores existing pods' required affinity (default 1).
	HardPodAffinityWeight *int32
	// IgnorePreferredTermsOfExistingPods skips existing pods' preferences when
	// the incoming pod has none.
	IgnorePreferredTermsOfExistingPods bool
}

// InterPodAffinity is the plugin.
type InterPodAffinity struct {
	h framework.Handle
	// memos keeps per-node PreFilter contributions (see memo).
	memos                  map[string]*memo
	scoreMemos             map[string]*scoreMemo
	hardPodAffinityWeight  int32
	ignorePreferredOfOther bool
}

// New is the factory; args may be nil or Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a, _ := args.(Args)
	pl := &InterPodAffinity{h: h, memos: map[string]*memo{}, scoreMemos: map[string]*scoreMemo{}, hardPodAffinityWeight: 1, ignorePreferredOfOther: a.IgnorePreferredTermsOfExistingPods}
	if a.HardPodAffinityWeight != nil {
		if w := *a.HardPodAffinityWeight; w < 0 || w > 100 {
			return nil, fmt.Errorf("%s: hardPodAffinityWeight %d not in range [0, 100]", Name, w)
		}
		pl.hardPodAffinityWeight = *a.HardPodAffinityWeight
	}
	return pl, nil
}

// Name returns the plugin name.
func (*InterPodAffinity) Name() string { return Name }

// EventsToRegister: any pod change; a node added or relabelled.
func (*InterPodAffinity) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{
		{Resource: framework.Pod, ActionType: framework.All},
		{Resource: framework.Node, ActionType: framework.Add | framework.UpdateNodeLabel},
	}
}

type topologyPair struct{ key, value string }

type topologyToMatchedTermCount map[topologyPair]int64

func (m topologyToMatchedTermCount) update(node *v1.Node, tk string, value int64) {
	if tv, ok := node.Labels[tk]; ok {
		p := topologyPair{tk, tv}
		m[p] += value
		if m[p] == 0 {
			delete(m, p)
		}
	}
}

func (m topologyToMatchedTermCount) clone() topologyToMatchedTermCount {
	if m == nil {
		return nil
	}
	c := make(topologyToMatchedTermCount, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// updateWithAffinityTerms adds value per term when pod matches all terms.
func (m topologyToMatchedTermCount) updateWithAffinityTerms(terms []framework.AffinityTerm, pod *v1.Pod, node *v1.Node, value int64) {
	if podMatchesAllAffinityTerms(terms, pod) {
		for _, t := range terms {
			m.update(node, t.TopologyKey, value)
		}
	}
}

// updateWithAntiAffinityTerms adds value per term pod matches.
func (m topologyToMatchedTermCount) updateWithAntiAffinityTerms(terms []framework.AffinityTerm, pod *v1.Pod, nsLabels labels.Set, node *v1.Node, value int64) {
	for i := range terms {
		if terms[i].Matches(pod, nsLabels) {
			m.update(node, terms[i].TopologyKey, value)
		}
	}
}

func podMatchesAllAffinityTerms(terms []framework.AffinityTerm, pod *v1.Pod) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		if !terms[i].Matches(pod, nil) {
			return false
		}
	}
	return true
}

const (
	preFilterKey framework.StateKey = "PreFilter" + Name
	preScoreKey  framework.StateKey = "PreScore" + Name
)

type preFilterState struct {
	existingAntiAffinityCounts topologyToMatchedTermCount
	affinityCounts             topologyToMatchedTermCount
	antiAffinityCounts         topologyToMatchedTermCount
	podInfo                    *framework.PodInfo
	namespaceLabels            labels.Set
}

func (s *preFilterState) Clone() framework.StateData {
	if s == nil {
		return s
	}
	return &preFilterState{
		existingAntiAffinityCounts: s.existingAntiAffinityCounts.clone(),
		affinityCounts:             s.affinityCounts.clone(),
		antiAffinityCounts:         s.antiAffinityCounts.clone(),
		podInfo:                    s.podInfo,
		namespaceLabels:            s.namespaceLabels,
	}
}

func (s *preFilterState) updateWithPod(pi *framework.PodInfo, node *v1.Node, mult int64) {
	if s == nil || node == nil {
		return
	}
	// Existing pod pi's anti-affinity terms matching the incoming pod.
	s.existingAntiAffinityCounts.updateWithAntiAffinityTerms(pi.RequiredAntiAffinityTerms, s.podInfo.Pod, s.namespaceLabels, node, mult)
	// Incoming pod's terms matching pi.
	s.affinityCounts.updateWithAffinityTerms(s.podInfo.RequiredAffinityTerms, pi.Pod, node, mult)
	s.antiAffinityCounts.updateWithAntiAffinityTerms(s.podInfo.RequiredAntiAffinityTerms, pi.Pod, nil, node, mult)
}

// mergeNamespaces folds a namespaceSelector into the namespace set using the
// known namespaces, so existing pods need no namespace lookup.
func (pl *InterPodAffinity) mergeNamespaces(t *framework.AffinityTerm, all []string) {
	if !t.NamespaceSelectorSet {
		return
	}
	ns := t.Namespaces.Clone()
	for _, n := range all {
		if t.NamespaceSelector.Matches(pl.h.Objects().NamespaceLabels(n)) {
			ns.Insert(n)
		}
	}
	t.Namespaces = ns
	t.NamespaceSelector = labels.Nothing()
	t.NamespaceSelectorSet = false
}

// PreFilter counts, per topology pair, existing pods whose anti-affinity
// the pod matches, and existing pods matching the pod's (anti-)affinity.
func (pl *InterPodAffinity) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	snap := pl.h.Snapshot()
	pi := state.PodInfo
	if pi == nil || pi.Pod != pod {
		pi = framework.NewPodInfo(pod)
	}
	if pi.ParseError != nil {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("parsing pod: %+v", pi.ParseError))
	}
	withAnti := snap.HavePodsWithRequiredAntiAffinityList()
	if len(pi.RequiredAffinityTerms) == 0 && len(pi.RequiredAntiAffinityTerms) == 0 && len(withAnti) == 0 {
		state.Write(preFilterKey, &preFilterState{podInfo: pi})
		return nil, framework.SkipStatus
	}
	s := &preFilterState{podInfo: pi, namespaceLabels: pl.h.Objects().NamespaceLabels(pod.Namespace),
		existingAntiAffinityCounts: topologyToMatchedTermCount{}, affinityCounts: topologyToMatchedTermCount{}, antiAffinityCounts: topologyToMatchedTermCount{}}
	if len(pi.RequiredAffinityTerms) > 0 || len(pi.RequiredAntiAffinityTerms) > 0 {
		if hasNamespaceSelector(pi.RequiredAffinityTerms, required) || hasNamespaceSelector(pi.RequiredAntiAffinityTerms, required) {
			c := *pi
			nss := namespaces(snap)
			c.RequiredAffinityTerms = withNamespaces(pl, pi.RequiredAffinityTerms, required, nss)
			c.RequiredAntiAffinityTerms = withNamespaces(pl, pi.RequiredAntiAffinityTerms, required, nss)
			s.podInfo = &c
			pi = &c
		}
	}
	// Per node: existing pods' required anti-affinity against the incoming
	// pod, and existing pods matching the incoming pod's terms.
	// The counts are the memo's running totals, shared read-only: the
	// dry runs that update counts work on Clone()d states.
	s.existingAntiAffinityCounts, s.affinityCounts, s.antiAffinityCounts = pl.totals(pi, s.namespaceLabels, snap.List())
	state.Write(preFilterKey, s)
	return nil, nil
}

func hasNamespaceSelector[T any](ts []T, at func(*T) *framework.AffinityTerm) bool {
	for i := range ts {
		if at(&ts[i]).NamespaceSelectorSet {
			return true
		}
	}
	return false
}

// withNamespaces copies ts with each term's namespaceSelector merged into
// its namespaces (mergeNamespaces); the pod's own terms stay as they are.
func withNamespaces[T any](pl *InterPodAffinity, ts []T, at func(*T) *framework.AffinityTerm, nss []string) []T {
	c := append([]T(nil), ts...)
	for i := range c {
		pl.mergeNamespaces(at(&c[i]), nss)
	}
	return c
}

// required and preferred reach the AffinityTerm of a required term and of
// a preferred (weighted) one.
func required(t *framework.AffinityTerm) *framework.AffinityTerm          { return t }
func preferred(t *framework.WeightedAffinityTerm) *framework.AffinityTerm { return &t.AffinityTerm }

// namespaces lists the namespaces of pods in the snapshot (sorted, unique).
func namespaces(snap framework.SharedLister) []string {
	seen := map[string]struct{}{}
	var out []string
	for _, ni := range snap.List() {
		for _, p := range ni.Pods {
			if _, ok := seen[p.Pod.Namespace]; !ok {
				seen[p.Pod.Namespace] = struct{}{}
				out = append(out, p.Pod.Namespace)
			}
		}
	}
	return out
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	return read[*preFilterState](state, preFilterKey)
}

// read returns what PreFilter or PreScore wrote under key.
func read[T framework.StateData](state *framework.CycleState, key framework.StateKey) (T, error) {
	d, err := state.Read(key)
	if err != nil {
		var none T
		return none, err
	}
	return d.(T), nil
}

// AddPod updates the counts for a pod added in a dry run.
func (pl *InterPodAffinity) AddPod(state *framework.CycleState, _ *v1.Pod, add *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if s.affinityCounts != nil {
		s.updateWithPod(add, ni.Node(), 1)
	}
	return nil
}

// RemovePod updates the counts for a pod removed in a dry run.
func (pl *InterPodAffinity) RemovePod(state *framework.CycleState, _ *v1.Pod, rm *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if s.affinityCounts != nil {
		s.updateWithPod(rm, ni.Node(), -1)
	}
	return nil
}

func satisfyExistingPodsAntiAffinity(s *preFilterState, ni *framework.NodeInfo) bool {
	if len(s.existingAntiAffinityCounts) > 0 {
		for k, v := range ni.Labels {
			if s.existingAntiAffinityCounts[topologyPair{k, v}] > 0 {
				return false
			}
		}
	}
	return true
}

func satisfyPodAntiAffinity(s *preFilterState, ni *framework.NodeInfo) bool {
	if len(s.antiAffinityCounts) > 0 {
		for _, t := range s.podInfo.RequiredAntiAffinityTerms {
			if v, ok := ni.Labels[t.TopologyKey]; ok && s.antiAffinityCounts[topologyPair{t.TopologyKey, v}] > 0 {
				return false
			}
		}
	}
	return true
}

func satisfyPodAffinity(s *preFilterState, ni *framework.NodeInfo) bool {
	podsExist := true
	for _, t := range s.podInfo.RequiredAffinityTerms {
		v, ok := ni.Labels[t.TopologyKey]
		if !ok {
			return false
		}
		if s.affinityCounts[topologyPair{t.TopologyKey, v}] <= 0 {
			podsExist = false
		}
	}
	if !podsExist {
		// The first pod of a group with affinity to itself may go anywhere
		// that has the topology labels.
		return len(s.affinityCounts) == 0 && podMatchesAllAffinityTerms(s.podInfo.RequiredAffinityTerms, s.podInfo.Pod)
	}
	return true
}

var (
	statusAffinity     = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch).WithPlugin(Name)
	statusAntiAffinity = framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch).WithPlugin(Name)
	statusExisting     = framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch).WithPlugin(Name)
)

// Filter checks the pod's affinity, then its anti-affinity, then existing
// pods' anti-affinity, in upstream's order.
func (pl *InterPodAffinity) Filter(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if !satisfyPodAffinity(s, ni) {
		return statusAffinity
	}
	if !satisfyPodAntiAffinity(s, ni) {
		return statusAntiAffinity
	}
	if !satisfyExistingPodsAntiAffinity(s, ni) {
		return statusExisting
	}
	return nil
}
