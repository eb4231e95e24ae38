package podtopologyspread

import (
	"fmt"
	"math"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

// Name is the plugin name.
const Name = "PodTopologySpread"

// Upstream reason texts.
const (
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	ErrReasonNodeLabelNotMatch   = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// DefaultingType selects the constraints for pods without their own.
type DefaultingType string

// Defaulting types, as upstream's PodTopologySpreadConstraintsDefaulting.
const (
	SystemDefaulting DefaultingType = "System"
	ListDefaulting   DefaultingType = "List"
)

// Args configures the plugin as PodTopologySpreadArgs.
type Args struct {
	DefaultConstraints []v1.TopologySpreadConstraint
	DefaultingType     DefaultingType
}

// SystemDefaultConstraints are kube-scheduler's cluster-default constraints.
func SystemDefaultConstraints() []v1.TopologySpreadConstraint {
	return []v1.TopologySpreadConstraint{
		{TopologyKey: v1.LabelHostname, WhenUnsatisfiable: v1.ScheduleAnyway, MaxSkew: 3},
		{TopologyKey: v1.LabelTopologyZone, WhenUnsatisfiable: v1.ScheduleAnyway, MaxSkew: 5},
	}
}

// PodTopologySpread is the plugin.
type PodTopologySpread struct {
	h framework.Handle
	// caches memoizes per-node match counts by constraint set (see countCache).
	caches             map[string]*countCache
	defaultConstraints []v1.TopologySpreadConstraint
	systemDefaulted    bool
	// defaults holds filterConstraints(defaultConstraints) per action when
	// that does not depend on the pod (no matchLabelKeys); nil otherwise.
	defaults map[v1.UnsatisfiableConstraintAction]filtered
}

type filtered struct {
	cs  []constraint
	err error
}

// New is the factory; args may be nil or Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a, _ := args.(Args)
	pl := &PodTopologySpread{h: h, caches: map[string]*countCache{}}
	switch a.DefaultingType {
	case "", SystemDefaulting:
		if len(a.DefaultConstraints) > 0 {
			return nil, fmt.Errorf("%s: DefaultConstraints must be empty with System defaulting", Name)
		}
		pl.defaultConstraints = SystemDefaultConstraints()
		pl.systemDefaulted = true
	case ListDefaulting:
		pl.defaultConstraints = a.DefaultConstraints
	default:
		return nil, fmt.Errorf("%s: unknown defaulting type %q", Name, a.DefaultingType)
	}
	podIndependent := true
	for _, c := range pl.defaultConstraints {
		if len(c.MatchLabelKeys) > 0 {
			podIndependent = false
		}
	}
	if podIndependent {
		pl.defaults = map[v1.UnsatisfiableConstraintAction]filtered{}
		for _, a := range []v1.UnsatisfiableConstraintAction{v1.DoNotSchedule, v1.ScheduleAnyway} {
			cs, err := pl.filterConstraints(pl.defaultConstraints, nil, a)
			pl.defaults[a] = filtered{cs, err}
		}
	}
	return pl, nil
}

// Name returns the plugin name.
func (*PodTopologySpread) Name() string { return Name }

type topologyPair struct{ key, value string }

type constraint struct {
	MaxSkew            int32
	TopologyKey        string
	Selector           labels.Selector
	MinDomains         int32
	NodeAffinityPolicy v1.NodeInclusionPolicy
	NodeTaintsPolicy   v1.NodeInclusionPolicy
}

func (c *constraint) matchNodeInclusionPolicies(pod *v1.Pod, node *v1.Node, req *helper.NodeMatcher) bool {
	if c.NodeAffinityPolicy == v1.NodeInclusionPolicyHonor {
		if !req.Match(node) {
			return false
		}
	}
	if c.NodeTaintsPolicy == v1.NodeInclusionPolicyHonor {
		if _, bad := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations,
			func(t *v1.Taint) bool {
				return t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute
			}, false); bad {
			return false
		}
	}
	return true
}

func (pl *PodTopologySpread) filterConstraints(cs []v1.TopologySpreadConstraint, podLabels map[string]string, action v1.UnsatisfiableConstraintAction) ([]constraint, error) {
	var out []constraint
	for _, c := range cs {
		if c.WhenUnsatisfiable != action {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			return nil, err
		}
		if len(c.MatchLabelKeys) > 0 {
			set := labels.Set{}
			for _, k := range c.MatchLabelKeys {
				if v, ok := podLabels[k]; ok {
					set[k] = v
				}
			}
			if len(set) > 0 {
				r, _ := labels.SelectorFromSet(set).Requirements()
				sel = sel.Add(r...)
			}
		}
		tc := constraint{MaxSkew: c.MaxSkew, TopologyKey: c.TopologyKey, Selector: sel, MinDomains: 1,
			NodeAffinityPolicy: v1.NodeInclusionPolicyHonor, NodeTaintsPolicy: v1.NodeInclusionPolicyIgnore}
		if c.MinDomains != nil {
			tc.MinDomains = *c.MinDomains
		}
		if c.NodeAffinityPolicy != nil {
			tc.NodeAffinityPolicy = *c.NodeAffinityPolicy
		}
		if c.NodeTaintsPolicy != nil {
			tc.NodeTaintsPolicy = *c.NodeTaintsPolicy
		}
		out = append(out, tc)
	}
	return out, nil
}

// buildDefaultConstraints applies the default constraints with the selector
// of the services/controllers selecting the pod; none if that is empty.
func (pl *PodTopologySpread) buildDefaultConstraints(pod *v1.Pod, action v1.UnsatisfiableConstraintAction) ([]constraint, error) {
	var cs []constraint
	if f, ok := pl.defaults[action]; ok {
		if f.err != nil || len(f.cs) == 0 {
			return nil, f.err
		}
		cs = f.cs
	} else {
		var err error
		cs, err = pl.filterConstraints(pl.defaultConstraints, pod.Labels, action)
		if err != nil || len(cs) == 0 {
			return nil, err
		}
	}
	sel := helper.DefaultSelector(pod, pl.h.Objects())
	if sel.Empty() {
		return nil, nil
	}
	// A copy: the cached defaults are shared by every cycle.
	cs = append([]constraint(nil), cs...)
	for i := range cs {
		cs[i].Selector = sel
	}
	return cs, nil
}

func (pl *PodTopologySpread) constraintsFor(pod *v1.Pod, action v1.UnsatisfiableConstraintAction) ([]constraint, error) {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		return pl.filterConstraints(pod.Spec.TopologySpreadConstraints, pod.Labels, action)
	}
	return pl.buildDefaultConstraints(pod, action)
}

func nodeLabelsMatchSpreadConstraints(nodeLabels map[string]string, cs []constraint) bool {
	for _, c := range cs {
		if _, ok := nodeLabels[c.TopologyKey]; !ok {
			return false
		}
	}
	return true
}

// countPodsMatchSelector counts non-terminating pods of namespace ns matching selector.
func countPodsMatchSelector(pods []*framework.PodInfo, selector labels.Selector, ns string) int {
	if selector.Empty() {
		return 0
	}
	n := 0
	for _, p := range pods {
		if p.Pod.DeletionTimestamp != nil || p.Pod.Namespace != ns {
			continue
		}
		if selector.Matches(labels.Set(p.Pod.Labels)) {
			n++
		}
	}
	return n
}

// EventsToRegister: any pod change; a node added, deleted or relabelled.
func (*PodTopologySpread) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{
		{Resource: framework.Pod, ActionType: framework.All},
		{Resource: framework.Node, ActionType: framework.Add | framework.Delete | framework.UpdateNodeLabel},
	}
}

const (
	preFilterKey framework.StateKey = "PreFilter" + Name
	preScoreKey  framework.StateKey = "PreScore" + Name
)

type preFilterState struct {
	constraints       []constraint
	tpPairToMatchNum  map[topologyPair]int
	tpKeyToDomainsNum map[string]int
	minMatch          map[string]int
}

func (s *preFilterState) Clone() framework.StateData {
	if s == nil || len(s.constraints) == 0 {
		return s
	}
	c := &preFilterState{constraints: s.constraints,
		tpPairToMatchNum:  make(map[topologyPair]int, len(s.tpPairToMatchNum)),
		tpKeyToDomainsNum: make(map[string]int, len(s.tpKeyToDomainsNum)),
		minMatch:          make(map[string]int, len(s.minMatch))}
	for k, v := range s.tpPairToMatchNum {
		c.tpPairToMatchNum[k] = v
	}
	for k, v := range s.tpKeyToDomainsNum {
		c.tpKeyToDomainsNum[k] = v
	}
	for k, v := range s.minMatch {
		c.minMatch[k] = v
	}
	return c
}

func (s *preFilterState) recomputeMin() {
	for _, c := range s.constraints {
		s.minMatch[c.TopologyKey] = math.MaxInt32
	}
	for p, n := range s.tpPairToMatchNum {
		if m, ok := s.minMatch[p.key]; ok && n < m {
			s.minMatch[p.key] = n
		}
	}
}

// matchLimit is the most matching pods a domain of c's key may already
// hold for the pod to fit there: maxSkew plus the key's global minimum
// (0 while fewer domains than minDomains exist), less one if the pod itself
// matches (upstream's matchNum + selfMatchNum - minMatchNum > maxSkew).
func (s *preFilterState) matchLimit(c constraint, podLabels labels.Set) int {
	minMatch := s.minMatch[c.TopologyKey]
	if s.tpKeyToDomainsNum[c.TopologyKey] < int(c.MinDomains) {
		minMatch = 0
	}
	self := 0
	if c.Selector.Matches(podLabels) {
		self = 1
	}
	return int(c.MaxSkew) + minMatch - self
}

// PreFilter counts matching pods per topology domain over all eligible nodes.
func (pl *PodTopologySpread) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	cs, err := pl.constraintsFor(pod, v1.DoNotSchedule)
	if err != nil {
		return nil, framework.AsStatus(err)
	}
	if len(cs) == 0 {
		state.Write(preFilterKey, &preFilterState{})
		return nil, framework.SkipStatus
	}
	all := pl.h.Snapshot().List()
	s := &preFilterState{constraints: cs, tpPairToMatchNum: map[topologyPair]int{}, tpKeyToDomainsNum: map[string]int{}, minMatch: map[string]int{}}
	req := helper.GetRequiredNodeAffinity(pod)
	cc := pl.matchCounts(all, cs, pod.Namespace)
	counts := cc.entries
	// Inclusion policies that always hold need no per-node check.
	checkIncl := false
	for j := range cs {
		if cs[j].NodeTaintsPolicy == v1.NodeInclusionPolicyHonor || (cs[j].NodeAffinityPolicy == v1.NodeInclusionPolicyHonor && !req.MatchesAll()) {
			checkIncl = true
		}
	}
	if !checkIncl {
		// Every node with all the keys counts, for every constraint: the
		// memo's totals are the sums the loop below would make.
		for p, t := range cc.sumHasAll {
			s.tpPairToMatchNum[p] = int(t.sum)
		}
		counts = nil
	}
	for i, ni := range all[:len(counts)] {
		lbl := ni.Labels
		if !nodeLabelsMatchSpreadConstraints(lbl, cs) {
			continue
		}
		for j := range cs {
			if checkIncl && !cs[j].matchNodeInclusionPolicies(pod, ni.Node(), &req) {
				continue
			}
			s.tpPairToMatchNum[topologyPair{cs[j].TopologyKey, lbl[cs[j].TopologyKey]}] += counts[i].counts[j]
		}
	}
	for p := range s.tpPairToMatchNum {
		s.tpKeyToDomainsNum[p.key]++
	}
	s.recomputeMin()
	state.Write(preFilterKey, s)
	return nil, nil
}

func getPreFilterState(state *framework.CycleState) (*preFilterState, error) {
	d, err := state.Read(preFilterKey)
	if err != nil {
		return nil, err
	}
	return d.(*preFilterState), nil
}

func (s *preFilterState) updateWithPod(updated, preemptor *v1.Pod, node *v1.Node, delta int) {
	if s == nil || len(s.constraints) == 0 || updated.Namespace != preemptor.Namespace || node == nil {
		return
	}
	if !nodeLabelsMatchSpreadConstraints(node.Labels, s.constraints) {
		return
	}
	req := helper.GetRequiredNodeAffinity(preemptor)
	set := labels.Set(updated.Labels)
	for i := range s.constraints {
		c := &s.constraints[i]
		if !c.Selector.Matches(set) || !c.matchNodeInclusionPolicies(preemptor, node, &req) {
			continue
		}
		s.tpPairToMatchNum[topologyPair{c.TopologyKey, node.Labels[c.TopologyKey]}] += delta
	}
	s.recomputeMin()
}

// AddPod updates the counts for a pod added in a dry run.
func (pl *PodTopologySpread) AddPod(state *framework.CycleState, pod *v1.Pod, add *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(add.Pod, pod, ni.Node(), 1)
	return nil
}

// RemovePod updates the counts for a pod removed in a dry run.
func (pl *PodTopologySpread) RemovePod(state *framework.CycleState, pod *v1.Pod, rm *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	s.updateWithPod(rm.Pod, pod, ni.Node(), -1)
	return nil
}

var (
	statusLabel = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch).WithPlugin(Name)
	statusSkew  = framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch).WithPlugin(Name)
)

// Filter checks 'matching pods in the node's domain' + self - global minimum <= maxSkew.
// FilterNodes is Filter over nodes (BatchFilterPlugin): the pod's own
// match and each constraint's minimum are worked out once, and the verdict
// per topology value is remembered across the nodes of the window.
func (pl *PodTopologySpread) FilterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	s, err := getPreFilterState(state)
	if err != nil {
		for i := range nodes {
			out[i] = framework.AsStatus(err)
		}
		return len(nodes)
	}
	if len(s.constraints) == 0 {
		return 0
	}
	type verdict struct {
		val  string
		pass bool
	}
	type check struct {
		key string
		// limit: a domain with more matching pods than this fails
		// (tpPairToMatchNum + self - minMatch > maxSkew).
		limit int
		seen  []verdict
	}
	podLabels := labels.Set(pod.Labels)
	checks := make([]check, len(s.constraints))
	for j, c := range s.constraints {
		checks[j] = check{key: c.TopologyKey, limit: s.matchLimit(c, podLabels)}
	}
	set := 0
	for i, ni := range nodes {
		for j := range checks {
			ch := &checks[j]
			val, ok := ni.Labels[ch.key]
			if !ok {
				out[i] = statusLabel
				break
			}
			pass, known := false, false
			for _, v := range ch.seen {
				if v.val == val {
					pass, known = v.pass, true
					break
				}
			}
			if !known {
				pass = s.tpPairToMatchNum[topologyPair{ch.key, val}] <= ch.limit
				if len(ch.seen) < 16 {
					ch.seen = append(ch.seen, verdict{val, pass})
				}
			}
			if !pass {
				out[i] = statusSkew
				break
			}
		}
		if out[i] != nil {
			set++
		}
	}
	return set
}

func (pl *PodTopologySpread) Filter(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	s, err := getPreFilterState(state)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(s.constraints) == 0 {
		return nil
	}
	podLabels := labels.Set(pod.Labels)
	for _, c := range s.constraints {
		val, ok := ni.Labels[c.TopologyKey]
		if !ok {
			return statusLabel
		}
		if s.tpPairToMatchNum[topologyPair{c.TopologyKey, val}] > s.matchLimit(c, podLabels) {
			return statusSkew
		}
	}
	return nil
}
