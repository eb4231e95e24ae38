package podtopologyspread

import (
	"math"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

const invalidScore = -1

type preScoreState struct {
	constraints        []constraint
	ignoredNodes       map[string]struct{}
	pairCounts         map[topologyPair]int64
	normalizingWeights []float64
	// hostCounts memoizes, per node, the pods matching each hostname
	// constraint (hostIdx[i] is constraint i's column; -1 for others).
	hostCounts *countCache
	hostIdx    []int
}

func (s *preScoreState) Clone() framework.StateData { return s }

// topologyNormalizingWeight is log(size+2), so small domains count less.
func topologyNormalizingWeight(size int) float64 { return math.Log(float64(size + 2)) }

func scoreForCount(cnt int64, maxSkew int32, w float64) float64 {
	return float64(cnt)*w + float64(maxSkew-1)
}

// PreScore counts matching pods per domain over all nodes passing the pod's
// required node affinity; Skip when the pod has no soft constraints.
func (pl *PodTopologySpread) PreScore(state *framework.CycleState, pod *v1.Pod, filtered []*framework.NodeInfo) *framework.Status {
	all := pl.h.Snapshot().List()
	if len(filtered) == 0 || len(all) == 0 {
		return framework.SkipStatus
	}
	cs, err := pl.constraintsFor(pod, v1.ScheduleAnyway)
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(cs) == 0 {
		return framework.SkipStatus
	}
	requireAll := len(pod.Spec.TopologySpreadConstraints) > 0 || !pl.systemDefaulted
	s := &preScoreState{constraints: cs, ignoredNodes: map[string]struct{}{}, pairCounts: map[topologyPair]int64{}}
	topoSize := make([]int, len(cs))
	for _, ni := range filtered {
		node := ni.Node()
		if requireAll && !nodeLabelsMatchSpreadConstraints(node.Labels, cs) {
			s.ignoredNodes[node.Name] = struct{}{}
			continue
		}
		for i, c := range cs {
			if c.TopologyKey == v1.LabelHostname {
				continue
			}
			p := topologyPair{c.TopologyKey, node.Labels[c.TopologyKey]}
			if _, ok := s.pairCounts[p]; !ok {
				s.pairCounts[p] = 0
				topoSize[i]++
			}
		}
	}
	s.normalizingWeights = make([]float64, len(cs))
	for i, c := range cs {
		sz := topoSize[i]
		if c.TopologyKey == v1.LabelHostname {
			sz = len(filtered) - len(s.ignoredNodes)
		}
		s.normalizingWeights[i] = topologyNormalizingWeight(sz)
	}
	req := helper.GetRequiredNodeAffinity(pod)
	// Per-node counts are only needed for non-hostname constraints (the
	// hostname domain is counted in Score from the node itself).
	var ncs []constraint
	var idx []int
	for j, c := range cs {
		if c.TopologyKey != v1.LabelHostname {
			ncs = append(ncs, c)
			idx = append(idx, j)
		}
	}
	if len(ncs) > 0 {
		cc := pl.matchCounts(all, ncs, pod.Namespace)
		counts := cc.entries
		matchAll := req.MatchesAll()
		if matchAll {
			// Every node counts: the memo's totals per pair are the sums
			// the loop below would make.
			tot := cc.sumAll
			if requireAll {
				tot = cc.sumHasAll
			}
			for p := range s.pairCounts {
				if t, ok := tot[p]; ok {
					s.pairCounts[p] += t.sum
				}
			}
			counts = nil
		}
		for i, ni := range all[:len(counts)] {
			c := counts[i].counts
			some := false
			for k := range c {
				if c[k] > 0 {
					some = true
					break
				}
			}
			if !some {
				continue // adds nothing to any domain
			}
			node := ni.Node()
			if (!matchAll && !req.Match(node)) || (requireAll && !nodeLabelsMatchSpreadConstraints(ni.Labels, cs)) {
				continue
			}
			for k := range ncs {
				if c[k] == 0 {
					continue
				}
				p := topologyPair{cs[idx[k]].TopologyKey, ni.Labels[cs[idx[k]].TopologyKey]}
				if _, ok := s.pairCounts[p]; ok {
					s.pairCounts[p] += int64(c[k])
				}
			}
		}
	}
	// Hostname constraints are counted per node in Score, from a memo
	// filled here (Score may run on several goroutines and only reads it).
	var hcs []constraint
	for i, c := range cs {
		if c.TopologyKey == v1.LabelHostname {
			if s.hostIdx == nil {
				s.hostIdx = make([]int, len(cs))
				for j := range s.hostIdx {
					s.hostIdx[j] = -1
				}
			}
			s.hostIdx[i] = len(hcs)
			hcs = append(hcs, c)
		}
	}
	if len(hcs) > 0 {
		s.hostCounts = pl.matchCounts(all, hcs, pod.Namespace)
	}
	state.Write(preScoreKey, s)
	return nil
}

// Score sums, per constraint, count × weight + (maxSkew − 1); fewer pods in
// the node's domains gives a lower raw score (inverted by NormalizeScore).
func (pl *PodTopologySpread) Score(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	d, err := state.Read(preScoreKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	s := d.(*preScoreState)
	node := ni.Node()
	if _, ok := s.ignoredNodes[node.Name]; ok {
		return 0, nil
	}
	var score float64
	for i, c := range s.constraints {
		val, ok := node.Labels[c.TopologyKey]
		if !ok {
			continue
		}
		var cnt int64
		if c.TopologyKey == v1.LabelHostname {
			if counts, ok := s.hostCounts.countsFor(ni); ok {
				cnt = int64(counts[s.hostIdx[i]])
			} else {
				cnt = int64(countPodsMatchSelector(ni.Pods, c.Selector, pod.Namespace))
			}
		} else {
			cnt = s.pairCounts[topologyPair{c.TopologyKey, val}]
		}
		score += scoreForCount(cnt, c.MaxSkew, s.normalizingWeights[i])
	}
	return int64(math.Round(score)), nil
}

// NormalizeScore maps raw scores to [0,100], the least crowded node highest;
// ignored nodes get 0.
func (pl *PodTopologySpread) NormalizeScore(state *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	d, err := state.Read(preScoreKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	s := d.(*preScoreState)
	var minScore int64 = math.MaxInt64
	var maxScore int64
	for i := range scores {
		if _, ok := s.ignoredNodes[scores[i].Name]; ok {
			scores[i].Score = invalidScore
			continue
		}
		minScore = min(minScore, scores[i].Score)
		maxScore = max(maxScore, scores[i].Score)
	}
	for i := range scores {
		if scores[i].Score == invalidScore {
			scores[i].Score = 0
			continue
		}
		if maxScore == 0 {
			scores[i].Score = framework.MaxNodeScore
			continue
		}
		scores[i].Score = framework.MaxNodeScore * (maxScore + minScore - scores[i].Score) / maxScore
	}
	return nil
}
