package interpodaffinity

import (
	"math"
	"sort"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

type scoreMap map[string]map[string]int64

func (m scoreMap) processTerm(t *framework.AffinityTerm, weight int32, pod *v1.Pod, nsLabels labels.Set, node *v1.Node, mult int32) {
	if !t.Matches(pod, nsLabels) {
		return
	}
	if v, ok := node.Labels[t.TopologyKey]; ok {
		if m[t.TopologyKey] == nil {
			m[t.TopologyKey] = map[string]int64{}
		}
		m[t.TopologyKey][v] += int64(weight * mult)
	}
}

func (m scoreMap) processTerms(ts []framework.WeightedAffinityTerm, pod *v1.Pod, nsLabels labels.Set, node *v1.Node, mult int32) {
	for i := range ts {
		m.processTerm(&ts[i].AffinityTerm, ts[i].Weight, pod, nsLabels, node, mult)
	}
}

func (m scoreMap) append(o scoreMap) {
	for k, vs := range o {
		if m[k] == nil {
			m[k] = map[string]int64{}
		}
		for v, n := range vs {
			m[k][v] += n
		}
	}
}

type preScoreState struct {
	topologyScore scoreMap
	keys          []string
}

func (s *preScoreState) Clone() framework.StateData { return s }

func (pl *InterPodAffinity) processExistingPod(pi *framework.PodInfo, ex *framework.PodInfo, node *v1.Node, nsLabels labels.Set, m scoreMap) {
	if len(node.Labels) == 0 {
		return
	}
	m.processTerms(pi.PreferredAffinityTerms, ex.Pod, nil, node, 1)
	m.processTerms(pi.PreferredAntiAffinityTerms, ex.Pod, nil, node, -1)
	if pl.hardPodAffinityWeight > 0 {
		for i := range ex.RequiredAffinityTerms {
			m.processTerm(&ex.RequiredAffinityTerms[i], pl.hardPodAffinityWeight, pi.Pod, nsLabels, node, 1)
		}
	}
	m.processTerms(ex.PreferredAffinityTerms, pi.Pod, nsLabels, node, 1)
	m.processTerms(ex.PreferredAntiAffinityTerms, pi.Pod, nsLabels, node, -1)
}

// PreScore sums, per topology domain, the weights of matching preferred
// terms in both directions; Skip when nothing applies.
func (pl *InterPodAffinity) PreScore(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo) *framework.Status {
	if len(nodes) == 0 {
		return framework.SkipStatus
	}
	pi := state.PodInfo
	if pi == nil || pi.Pod != pod {
		pi = framework.NewPodInfo(pod)
	}
	hasPref := len(pi.PreferredAffinityTerms) > 0 || len(pi.PreferredAntiAffinityTerms) > 0
	if pl.ignorePreferredOfOther && !hasPref {
		return framework.SkipStatus
	}
	snap := pl.h.Snapshot()
	if !hasPref && len(snap.HavePodsWithAffinityList()) == 0 {
		return framework.SkipStatus
	}
	if hasNamespaceSelector(pi.PreferredAffinityTerms, preferred) || hasNamespaceSelector(pi.PreferredAntiAffinityTerms, preferred) {
		c := *pi
		nss := namespaces(snap)
		c.PreferredAffinityTerms = withNamespaces(pl, pi.PreferredAffinityTerms, preferred, nss)
		c.PreferredAntiAffinityTerms = withNamespaces(pl, pi.PreferredAntiAffinityTerms, preferred, nss)
		pi = &c
	}
	nsLabels := pl.h.Objects().NamespaceLabels(pod.Namespace)
	// Running totals over every node, recomputed only for changed nodes;
	// shared read-only with this cycle.
	s := &preScoreState{topologyScore: pl.scoreTotals(pi, nsLabels, snap.List(), hasPref)}
	if len(s.topologyScore) == 0 {
		return framework.SkipStatus
	}
	for k := range s.topologyScore {
		s.keys = append(s.keys, k)
	}
	sort.Strings(s.keys)
	state.Write(preScoreKey, s)
	return nil
}

func getPreScoreState(state *framework.CycleState) (*preScoreState, error) {
	return read[*preScoreState](state, preScoreKey)
}

// Score sums the domain scores for the node's topology labels.
func (pl *InterPodAffinity) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	s, err := getPreScoreState(state)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	var score int64
	labels := ni.Labels
	for _, k := range s.keys {
		if v, ok := labels[k]; ok {
			score += s.topologyScore[k][v]
		}
	}
	return score, nil
}

// NormalizeScore maps [min,max] to [0,100].
func (pl *InterPodAffinity) NormalizeScore(state *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	s, err := getPreScoreState(state)
	if err != nil || len(s.topologyScore) == 0 {
		return nil
	}
	var minC, maxC int64 = math.MaxInt64, math.MinInt64
	for i := range scores {
		minC = min(minC, scores[i].Score)
		maxC = max(maxC, scores[i].Score)
	}
	diff := maxC - minC
	for i := range scores {
		f := 0.0
		if diff > 0 {
			f = float64(framework.MaxNodeScore) * (float64(scores[i].Score-minC) / float64(diff))
		}
		scores[i].Score = int64(f)
	}
	return nil
}
