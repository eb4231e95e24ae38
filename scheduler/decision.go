package scheduler

import (
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/scheduler/framework"
)

// Recorded decisions. With Config.Record > 0 the scheduler keeps, for each
// of the last Record pods it placed, the decision as the cycle made it:
// on clusters of at most RecordAllNodes nodes every node's filter verdict
// and every feasible node's scores (the same Explanation Config.Explain
// gives; at most about 6 KB a decision). On larger clusters only when asked
// (Config.RecordLarge): the per-plugin rejection counts and the scores of
// the RecordTop best nodes, the chosen one first — a few allocations per
// pod whatever the cluster size, but still about 7 % of a cycle's CPU at
// 5,000 nodes (benchmarks/scheduler.md), which is why it is not the
// default there.
const (
	RecordAllNodes = 16
	RecordTop      = 3
)

// Rejection counts the nodes a filter plugin rejected for one reason.
type Rejection struct {
	Plugin string `json:"plugin"`
	Reason string `json:"reason"`
	Nodes  int    `json:"nodes"`
}

// Decision is a recorded scheduling decision.
type Decision struct {
	// At is when the cycle ran (the cluster's virtual time).
	At time.Time
	// Explanation is the cycle's outcome; Partial when the cluster had more
	// than RecordAllNodes nodes.
	*Explanation
}

// decisions is a bounded record: the last n decisions by pod uid.
type decisions struct {
	n     int
	byUID map[types.UID]Decision
	ring  []types.UID
	next  int
}

func (d *decisions) put(uid types.UID, dec Decision) {
	if d.byUID == nil {
		d.byUID = make(map[types.UID]Decision, d.n)
		d.ring = make([]types.UID, 0, d.n)
	}
	if _, ok := d.byUID[uid]; ok {
		d.byUID[uid] = dec // rescheduled (a failed bind): the newer cycle
		return
	}
	if len(d.ring) < d.n {
		d.ring = append(d.ring, uid)
	} else {
		delete(d.byUID, d.ring[d.next])
		d.ring[d.next] = uid
		d.next = (d.next + 1) % d.n
	}
	d.byUID[uid] = dec
}

// Decision returns the recorded decision that placed the pod with this uid,
// if it is still kept (Config.Record).
func (s *Scheduler) Decision(uid types.UID) (Decision, bool) {
	d, ok := s.decisions.byUID[uid]
	return d, ok
}

// record keeps res's decision for pod after a successful cycle.
func (s *Scheduler) record(now time.Time, pod *v1.Pod, res *Result) {
	if res.decision == nil || s.decisions.n == 0 {
		res.decision = nil
		return
	}
	res.decision.index = nil // only needed while the cycle builds it
	s.decisions.put(pod.UID, Decision{At: now, Explanation: res.decision})
	res.decision = nil
}

// recordAll says whether this cycle builds a full explanation.
func (s *Scheduler) recordAll(numNodes int) bool {
	return s.cfg.Explain || (s.cfg.Record > 0 && numNodes <= RecordAllNodes)
}

// summarize reports whether this cycle records a summary (a large cluster).
func (s *Scheduler) summarize(ex *Explanation) bool {
	return s.cfg.Record > 0 && s.cfg.RecordLarge && ex == nil
}

// countRejections adds the cycle's filter rejections (s.failedBuf) to
// s.rejected; called before failedBuf is cleared.
func (s *Scheduler) countRejections() {
	s.rejected = s.rejected[:0]
	for _, f := range s.failedBuf {
		for _, r := range f.st.Reasons() {
			found := false
			for i := range s.rejected {
				if s.rejected[i].Reason == r && s.rejected[i].Plugin == f.st.Plugin() {
					s.rejected[i].Nodes++
					found = true
					break
				}
			}
			if !found {
				s.rejected = append(s.rejected, Rejection{Plugin: f.st.Plugin(), Reason: r, Nodes: 1})
			}
		}
	}
}

// summary builds the partial explanation of a placed pod: node counts, the
// rejections counted, and the scores of the best RecordTop feasible nodes,
// the chosen one (feasible[best]) first. totals is nil when only one node
// was feasible; otherwise the cycle's score buffers still hold the
// normalised scores and the raw ones are asked of the plugins again (Score
// is a pure function of the cycle state and the node).
func (s *Scheduler) summary(state *framework.CycleState, pod *v1.Pod, numAll int, feasible []*framework.NodeInfo, evaluated int, totals []int64, best int) *Explanation {
	e := newExplanation(pod, numAll)
	e.Partial, e.Evaluated, e.Feasible = true, evaluated, len(feasible)
	e.SelectedNode = feasible[best].Name
	if len(s.rejected) > 0 {
		e.Rejected = append([]Rejection(nil), s.rejected...)
	}
	if totals == nil {
		e.Nodes = []NodeExplanation{{Node: e.SelectedNode, Evaluated: true, Passed: true}}
		return e
	}
	// The top nodes: best first, then by total, ties in visiting order;
	// one pass over the totals.
	var topBuf [RecordTop]int
	topBuf[0] = best
	n := 1
	for i, t := range totals {
		if i == best {
			continue
		}
		switch {
		case n < RecordTop:
			topBuf[n] = i
			n++
		case t > totals[topBuf[n-1]]:
			topBuf[n-1] = i
		default:
			continue
		}
		for j := n - 1; j > 1 && totals[topBuf[j]] > totals[topBuf[j-1]]; j-- {
			topBuf[j], topBuf[j-1] = topBuf[j-1], topBuf[j]
		}
	}
	top := topBuf[:n]
	nf := len(feasible)
	active := s.activeScore
	if len(s.score) == 0 {
		active = nil // every total is 1; no plugin scored
	}
	for _, ws := range active {
		e.scorePlugins = append(e.scorePlugins, ws.pl.Name())
	}
	for _, ws := range s.score {
		if _, skip := state.SkipScorePlugins[ws.pl.Name()]; skip {
			e.SkippedScore = append(e.SkippedScore, ws.pl.Name())
		}
	}
	e.Nodes = make([]NodeExplanation, len(top))
	scores := make([]PluginScore, len(top)*len(active)) // one allocation for all
	for n, i := range top {
		ne := NodeExplanation{Node: feasible[i].Name, Evaluated: true, Passed: true, Total: totals[i]}
		if len(active) > 0 {
			ne.Scores = scores[n*len(active) : (n+1)*len(active) : (n+1)*len(active)]
			for j, ws := range active {
				raw, _ := ws.pl.Score(state, pod, feasible[i])
				norm := s.scoreBuf[j*nf+i]
				ne.Scores[j] = PluginScore{Plugin: ws.pl.Name(), Raw: raw, Normalized: norm, Weight: ws.weight, Weighted: norm * ws.weight}
			}
		}
		e.Nodes[n] = ne
	}
	return e
}
