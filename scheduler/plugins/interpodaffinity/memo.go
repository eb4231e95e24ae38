package interpodaffinity

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

// nodeContrib is one node's share of the PreFilter counts for an incoming
// pod: existing pods' anti-affinity matching the pod, and existing pods
// matching the pod's affinity and anti-affinity terms.
type nodeContrib struct {
	ni                      *framework.NodeInfo
	gen                     int64
	existingAnti, aff, anti topologyToMatchedTermCount
}

// memo keeps node contributions while the snapshot hands out the same
// NodeInfo with the same Generation, so a cycle only recomputes nodes that
// changed since the last pod with the same key (namespace, labels,
// namespace labels, terms). Results are identical to recomputing.
type memo struct {
	entries []nodeContrib
	// totals sum the entries; updated by delta when an entry is recomputed.
	existingAnti, aff, anti topologyToMatchedTermCount
}

func (m *memo) reset(n int) {
	m.entries = make([]nodeContrib, n)
	m.existingAnti, m.aff, m.anti = topologyToMatchedTermCount{}, topologyToMatchedTermCount{}, topologyToMatchedTermCount{}
}

func addInto(dst, src topologyToMatchedTermCount, sign int64) {
	for k, v := range src {
		dst[k] += sign * v
		if dst[k] == 0 {
			delete(dst, k)
		}
	}
}

const maxMemos = 64

func memoKey(pi *framework.PodInfo, nsLabels labels.Set) string {
	var b strings.Builder
	b.WriteString(pi.Pod.Namespace)
	b.WriteString("|")
	b.WriteString(labels.Set(pi.Pod.Labels).String())
	b.WriteString("|")
	b.WriteString(nsLabels.String())
	for _, ts := range [][]framework.AffinityTerm{pi.RequiredAffinityTerms, pi.RequiredAntiAffinityTerms} {
		b.WriteString("||")
		for _, t := range ts {
			ns := t.Namespaces.UnsortedList()
			sort.Strings(ns)
			b.WriteString(t.TopologyKey + ";" + strings.Join(ns, ",") + ";" + t.Selector.String() + ";" + t.NamespaceSelector.String() + "|")
		}
	}
	return b.String()
}

// totals returns the summed contributions of all nodes. The maps belong to
// the memo: callers must not modify them (cycle states copy on Clone).
func (pl *InterPodAffinity) totals(pi *framework.PodInfo, nsLabels labels.Set, all []*framework.NodeInfo) (existingAnti, aff, anti topologyToMatchedTermCount) {
	key := memoKey(pi, nsLabels)
	m := helper.Cached(pl.memos, key, maxMemos, func() *memo {
		m := &memo{}
		m.reset(len(all))
		return m
	})
	if len(m.entries) != len(all) {
		m.reset(len(all))
	}
	var stale []int
	for i, ni := range all {
		if e := &m.entries[i]; e.ni != ni || e.gen != ni.Generation {
			stale = append(stale, i)
		}
	}
	pod := pi.Pod
	hasTerms := len(pi.RequiredAffinityTerms) > 0 || len(pi.RequiredAntiAffinityTerms) > 0
	compute := func(k int) {
		i := stale[k]
		ni := all[i]
		node := ni.Node()
		c := nodeContrib{ni: ni, gen: ni.Generation}
		for _, ex := range ni.PodsWithRequiredAntiAffinity {
			if c.existingAnti == nil {
				c.existingAnti = topologyToMatchedTermCount{}
			}
			c.existingAnti.updateWithAntiAffinityTerms(ex.RequiredAntiAffinityTerms, pod, nsLabels, node, 1)
		}
		if hasTerms && len(ni.Pods) > 0 {
			c.aff, c.anti = topologyToMatchedTermCount{}, topologyToMatchedTermCount{}
			for _, ex := range ni.Pods {
				c.aff.updateWithAffinityTerms(pi.RequiredAffinityTerms, ex.Pod, node, 1)
				c.anti.updateWithAntiAffinityTerms(pi.RequiredAntiAffinityTerms, ex.Pod, nil, node, 1)
			}
		}
		m.entries[i] = c
	}
	for _, i := range stale {
		old := &m.entries[i]
		addInto(m.existingAnti, old.existingAnti, -1)
		addInto(m.aff, old.aff, -1)
		addInto(m.anti, old.anti, -1)
	}
	pl.h.Parallelizer().UntilMany(len(stale), compute)
	for _, i := range stale {
		e := &m.entries[i]
		addInto(m.existingAnti, e.existingAnti, 1)
		addInto(m.aff, e.aff, 1)
		addInto(m.anti, e.anti, 1)
	}
	return m.existingAnti, m.aff, m.anti
}

// scoreContrib is one node's share of PreScore's topology scores.
type scoreContrib struct {
	ni  *framework.NodeInfo
	gen int64
	m   scoreMap
}

// scoreMemo is memo for PreScore, with running totals.
type scoreMemo struct {
	entries []scoreContrib
	total   scoreMap
}

func (m scoreMap) addSigned(o scoreMap, sign int64) {
	for k, vs := range o {
		inner := m[k]
		if inner == nil {
			inner = map[string]int64{}
			m[k] = inner
		}
		for v, n := range vs {
			inner[v] += sign * n
			if inner[v] == 0 {
				delete(inner, v)
			}
		}
		if len(inner) == 0 {
			delete(m, k)
		}
	}
}

func scoreKey(pi *framework.PodInfo, nsLabels labels.Set, hasPref bool) string {
	var b strings.Builder
	b.WriteString("score|")
	b.WriteString(pi.Pod.Namespace + "|" + labels.Set(pi.Pod.Labels).String() + "|" + nsLabels.String())
	if hasPref {
		b.WriteString("|pref")
	}
	for _, ts := range [][]framework.WeightedAffinityTerm{pi.PreferredAffinityTerms, pi.PreferredAntiAffinityTerms} {
		b.WriteString("||")
		for _, t := range ts {
			ns := t.Namespaces.UnsortedList()
			sort.Strings(ns)
			b.WriteString(fmt.Sprint(t.Weight) + ";" + t.TopologyKey + ";" + strings.Join(ns, ",") + ";" + t.Selector.String() + ";" + t.NamespaceSelector.String() + "|")
		}
	}
	return b.String()
}

// scoreTotals returns the summed topology scores over all nodes; the map
// belongs to the memo and must not be modified.
func (pl *InterPodAffinity) scoreTotals(pi *framework.PodInfo, nsLabels labels.Set, all []*framework.NodeInfo, hasPref bool) scoreMap {
	key := scoreKey(pi, nsLabels, hasPref)
	m := pl.scoreMemos[key]
	if m == nil || len(m.entries) != len(all) {
		if m == nil && len(pl.scoreMemos) >= maxMemos {
			clear(pl.scoreMemos)
		}
		m = &scoreMemo{entries: make([]scoreContrib, len(all)), total: scoreMap{}}
		pl.scoreMemos[key] = m
	}
	var stale []int
	for i, ni := range all {
		if e := &m.entries[i]; e.ni != ni || e.gen != ni.Generation {
			stale = append(stale, i)
		}
	}
	for _, i := range stale {
		m.total.addSigned(m.entries[i].m, -1)
	}
	compute := func(k int) {
		i := stale[k]
		ni := all[i]
		pods := ni.PodsWithAffinity
		if hasPref {
			pods = ni.Pods
		}
		c := scoreContrib{ni: ni, gen: ni.Generation}
		if len(pods) > 0 {
			sm := scoreMap{}
			for _, ex := range pods {
				pl.processExistingPod(pi, ex, ni.Node(), nsLabels, sm)
			}
			if len(sm) > 0 {
				c.m = sm
			}
		}
		m.entries[i] = c
	}
	pl.h.Parallelizer().UntilMany(len(stale), compute)
	for _, i := range stale {
		m.total.addSigned(m.entries[i].m, 1)
	}
	return m.total
}
