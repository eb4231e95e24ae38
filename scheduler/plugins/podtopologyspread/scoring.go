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
	// hostCounts memoizes, per node, the pods matching each constraint
	// (by constraint index); set when a constraint is per hostname.
	hostCounts *countCache
}

func (s *preScoreState) Clone() framework.StateData { return s }

// hostnameCount is the pods on ni matching constraint i (a hostname
// constraint), from the memo when it covers ni.
func (s *preScoreState) hostnameCount(ni *framework.NodeInfo, i int, ns string) int64 {
	if counts, ok := s.hostCounts.countsFor(ni); ok {
		return int64(counts[i])
	}
	return int64(countPodsMatchSelector(ni.Pods, s.constraints[i].Selector, ns))
}

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
		// NodeInfo's copies of the node's name and labels: no Node dereference.
		if requireAll && !nodeLabelsMatchSpreadConstraints(ni.Labels, cs) {
			s.ignoredNodes[ni.Name] = struct{}{}
			continue
		}
		for i, c := range cs {
			if c.TopologyKey == v1.LabelHostname {
				continue
			}
			p := topologyPair{c.TopologyKey, ni.Labels[c.TopologyKey]}
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
	// One memo counts every constraint per node: the hostname domain is
	// the node itself (Score reads its count; Score may run on several
	// goroutines and only reads the memo), the others sum over domains.
	cc := pl.matchCounts(all, cs, pod.Namespace)
	nonHost := false
	for _, c := range cs {
		if c.TopologyKey == v1.LabelHostname {
			s.hostCounts = cc
		} else {
			nonHost = true
		}
	}
	if nonHost {
		counts := cc.entries
		matchAll := req.MatchesAll()
		if matchAll {
			// Every node counts: the memo's totals per pair are the sums
			// the loop below would make (pairCounts holds no hostname pair).
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
			for k := range cs {
				if c[k] > 0 && cs[k].TopologyKey != v1.LabelHostname {
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
			for k := range cs {
				if c[k] == 0 || cs[k].TopologyKey == v1.LabelHostname {
					continue
				}
				p := topologyPair{cs[k].TopologyKey, ni.Labels[cs[k].TopologyKey]}
				if _, ok := s.pairCounts[p]; ok {
					s.pairCounts[p] += int64(c[k])
				}
			}
		}
	}
	state.Write(preScoreKey, s)
	return nil
}

// Score sums, per constraint, count × weight + (maxSkew − 1); fewer pods in
// the node's domains gives a lower raw score (inverted by NormalizeScore).
// It is ScoreNodes over the one node.
func (pl *PodTopologySpread) Score(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	var out [1]int64
	if _, st := pl.ScoreNodes(state, pod, []*framework.NodeInfo{ni}, out[:]); st != nil {
		return 0, st
	}
	return out[0], nil
}

// ScoreNodes is Score over nodes (BatchScorePlugin), with each domain's
// count looked up once per window.
func (pl *PodTopologySpread) ScoreNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []int64) (int, *framework.Status) {
	d, err := state.Read(preScoreKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	s := d.(*preScoreState)
	type domainCount struct {
		val string
		cnt int64
	}
	seen := make([][]domainCount, len(s.constraints))
	for i, ni := range nodes {
		if _, ok := s.ignoredNodes[ni.Name]; ok {
			out[i] = 0
			continue
		}
		var score float64
		for j, c := range s.constraints {
			val, ok := ni.Labels[c.TopologyKey]
			if !ok {
				continue
			}
			var cnt int64
			if c.TopologyKey == v1.LabelHostname {
				cnt = s.hostnameCount(ni, j, pod.Namespace)
			} else {
				known := false
				for _, dc := range seen[j] {
					if dc.val == val {
						cnt, known = dc.cnt, true
						break
					}
				}
				if !known {
					cnt = s.pairCounts[topologyPair{c.TopologyKey, val}]
					if len(seen[j]) < 16 {
						seen[j] = append(seen[j], domainCount{val, cnt})
					}
				}
			}
			score += scoreForCount(cnt, c.MaxSkew, s.normalizingWeights[j])
		}
		out[i] = int64(math.Round(score))
	}
	return 0, nil
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
