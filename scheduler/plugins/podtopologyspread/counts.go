package podtopologyspread

import (
	"strings"

	"kubesim/scheduler/framework"
)

// countCache memoizes, per node, how many pods of a namespace match each
// selector of a constraint set. An entry is valid while the snapshot hands
// out the same NodeInfo with the same Generation (the scheduler's cache
// bumps Generation on every change to a node or its pods), so a cycle only
// recounts the nodes that changed since the last pod of the same workload.
// Results are identical to counting from scratch.
type countCache struct {
	entries []countEntry
}

type countEntry struct {
	ni     *framework.NodeInfo
	gen    int64
	counts []int
}

// maxCaches bounds the memo; beyond it every cache is dropped.
const maxCaches = 64

func cacheKey(ns string, cs []constraint) string {
	var b strings.Builder
	b.WriteString(ns)
	for _, c := range cs {
		b.WriteString("|")
		b.WriteString(c.Selector.String())
	}
	return b.String()
}

// matchCounts returns, for every node of all (by index), the number of
// matching pods per constraint. Only the scheduler goroutine may call it
// (PreFilter, PreScore).
func (pl *PodTopologySpread) matchCounts(all []*framework.NodeInfo, cs []constraint, ns string) [][]int {
	key := cacheKey(ns, cs)
	cc := pl.caches[key]
	if cc == nil {
		if len(pl.caches) >= maxCaches {
			clear(pl.caches)
		}
		cc = &countCache{}
		pl.caches[key] = cc
	}
	if len(cc.entries) != len(all) {
		cc.entries = make([]countEntry, len(all))
	}
	var stale []int
	for i, ni := range all {
		e := &cc.entries[i]
		if e.ni != ni || e.gen != ni.Generation || e.counts == nil {
			stale = append(stale, i)
		}
	}
	recount := func(k int) {
		i := stale[k]
		ni := all[i]
		counts := make([]int, len(cs))
		for j := range cs {
			counts[j] = countPodsMatchSelector(ni.Pods, cs[j].Selector, ns)
		}
		cc.entries[i] = countEntry{ni: ni, gen: ni.Generation, counts: counts}
	}
	if len(stale) > 64 {
		pl.h.Parallelizer().Until(len(stale), recount)
	} else {
		for k := range stale {
			recount(k)
		}
	}
	out := make([][]int, len(all))
	for i := range cc.entries {
		out[i] = cc.entries[i].counts
	}
	return out
}
