package podtopologyspread

import (
	"strings"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

// countCache memoizes, per node, how many pods of a namespace match each
// selector of a constraint set. An entry is valid while the snapshot hands
// out the same NodeInfo with the same Generation (the scheduler's cache
// bumps Generation on every change to a node or its pods), so a cycle only
// recounts the nodes that changed since the last pod of the same workload.
// Results are identical to counting from scratch.
type countCache struct {
	entries []countEntry
	// pos finds a NodeInfo's entry (checked against the entry's ni).
	pos map[*framework.NodeInfo]int32
	// sumAll and sumHasAll total the entries per topology pair (constraint
	// key, node's value or ""): over every node, and over the nodes that
	// have every constraint's key. Kept by delta as entries change.
	sumAll, sumHasAll map[topologyPair]pairTotal
}

// pairTotal is a topology pair's matching pods and contributing nodes.
type pairTotal struct {
	sum   int64
	nodes int
}

func addTotal(m map[topologyPair]pairTotal, p topologyPair, sum int64, sign int) {
	t := m[p]
	t.sum += int64(sign) * sum
	t.nodes += sign
	if t.nodes == 0 {
		delete(m, p)
		return
	}
	m[p] = t
}

// account adds (sign 1) or removes (sign -1) e's share of the totals.
func (cc *countCache) account(e *countEntry, cs []constraint, sign int) {
	for k := range cs {
		p := topologyPair{cs[k].TopologyKey, e.values[k]}
		addTotal(cc.sumAll, p, int64(e.counts[k]), sign)
		if e.hasAll {
			addTotal(cc.sumHasAll, p, int64(e.counts[k]), sign)
		}
	}
}

// countsFor returns ni's memoized counts if its entry is current.
func (cc *countCache) countsFor(ni *framework.NodeInfo) ([]int, bool) {
	if cc == nil {
		return nil, false
	}
	i, ok := cc.pos[ni]
	if !ok {
		return nil, false
	}
	e := &cc.entries[i]
	if e.ni != ni || e.gen != ni.Generation || e.counts == nil {
		return nil, false
	}
	return e.counts, true
}

type countEntry struct {
	ni     *framework.NodeInfo
	gen    int64
	counts []int
	// values are the node's labels for the constraints' keys ("" if
	// missing); hasAll is set when the node has every key.
	values []string
	hasAll bool
}

// maxCaches bounds the memo; beyond it every cache is dropped.
const maxCaches = 64

func cacheKey(ns string, cs []constraint) string {
	var b strings.Builder
	b.WriteString(ns)
	for _, c := range cs {
		b.WriteString("|")
		b.WriteString(c.TopologyKey)
		b.WriteString("|")
		b.WriteString(c.Selector.String())
	}
	return b.String()
}

// matchCounts brings the memo for (ns, cs) up to date for all and returns
// it: entries[i].counts is, for node all[i], the number of matching pods
// per constraint, and the sums total them per topology pair. Only the scheduler goroutine may call it (PreFilter,
// PreScore); the entries stay valid, read-only, for the cycle.
func (pl *PodTopologySpread) matchCounts(all []*framework.NodeInfo, cs []constraint, ns string) *countCache {
	key := cacheKey(ns, cs)
	cc := helper.Cached(pl.caches, key, maxCaches, func() *countCache { return &countCache{} })
	if len(cc.entries) != len(all) {
		cc.entries = make([]countEntry, len(all))
		cc.pos = make(map[*framework.NodeInfo]int32, len(all))
		cc.sumAll, cc.sumHasAll = map[topologyPair]pairTotal{}, map[topologyPair]pairTotal{}
	}
	var stale []int
	for i, ni := range all {
		e := &cc.entries[i]
		if e.ni != ni || e.gen != ni.Generation || e.counts == nil {
			stale = append(stale, i)
		}
	}
	for _, i := range stale {
		if e := &cc.entries[i]; e.counts != nil {
			cc.account(e, cs, -1)
		}
	}
	recount := func(k int) {
		i := stale[k]
		ni := all[i]
		counts := make([]int, len(cs))
		for j := range cs {
			counts[j] = countPodsMatchSelector(ni.Pods, cs[j].Selector, ns)
		}
		values := make([]string, len(cs))
		hasAll := true
		for j := range cs {
			v, ok := ni.Labels[cs[j].TopologyKey]
			values[j] = v
			hasAll = hasAll && ok
		}
		cc.entries[i] = countEntry{ni: ni, gen: ni.Generation, counts: counts, values: values, hasAll: hasAll}
	}
	pl.h.Parallelizer().UntilMany(len(stale), recount)
	for _, i := range stale {
		// Map writes stay on this goroutine (recount may run in parallel).
		if p, ok := cc.pos[all[i]]; !ok || int(p) != i {
			cc.pos[all[i]] = int32(i)
		}
		cc.account(&cc.entries[i], cs, 1)
	}
	return cc
}
