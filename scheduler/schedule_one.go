package scheduler

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/scheduler/framework"
)

// Pod condition reasons (k8s.io/api/core/v1).
const (
	ReasonUnschedulable  = v1.PodReasonUnschedulable
	ReasonSchedulerError = v1.PodReasonSchedulerError
)

// Result is the outcome of one scheduling cycle.
type Result struct {
	// NodeName is where the pod was assumed; "" if it was not scheduled.
	NodeName string
	// Message is the FailedScheduling event note and PodScheduled=False
	// condition message, exactly as kube-scheduler writes it.
	Message string
	// Reason is the PodScheduled=False condition reason: "Unschedulable"
	// or "SchedulerError".
	Reason string
	// NominatedNode and Victims are the preemption outcome: the simulator
	// deletes the victims and sets status.nominatedNodeName.
	NominatedNode string
	Victims       []*v1.Pod
	// ClearNominated are lower-priority pods nominated to NominatedNode whose
	// status.nominatedNodeName the simulator must clear.
	ClearNominated []*v1.Pod
	// Skipped is set when the pod was not attempted (being deleted); Message says why.
	Skipped bool
	// EvaluatedNodes and FeasibleNodes count the filter work done.
	EvaluatedNodes, FeasibleNodes int
	// PreBind are the writes the simulator makes, in order, before the
	// Binding (a WaitForFirstConsumer claim's selected node, a volume's
	// claimRef): upstream's PreBind plugins make them.
	PreBind []runtime.Object
	// Explain holds per-node filter and score details (Config.Explain).
	Explain *Explanation
	// decision is what a successful cycle records (Config.Record).
	decision *Explanation
}

// Schedule runs one scheduling cycle for pod (normally just returned by
// Pop). On success the pod is assumed on the chosen node, so the next cycle
// sees it; the simulator then writes the Binding and calls Bound or
// BindFailed. On failure the pod is requeued (unschedulable pool or backoff).
func (s *Scheduler) Schedule(now time.Time, pod *v1.Pod) *Result {
	if now.After(s.q.lastNow) {
		s.q.lastNow = now
	}
	key := framework.PodKey(pod)
	qp := s.q.lookup(key)
	if qp == nil || qp.where != inFlight {
		if qp == nil {
			s.q.add(s.newPodInfo(pod))
			qp = s.q.pods[key]
		}
		s.q.detach(qp)
		qp.where = inFlight
		qp.attempts++
		s.q.schedulingCycle++
		qp.cycle = s.q.schedulingCycle
	}
	if qp.info.Pod != pod {
		qp.info = s.newPodInfo(pod)
	}
	if pod.DeletionTimestamp != nil {
		s.q.remove(key)
		return &Result{Skipped: true, Message: fmt.Sprintf("skip schedule deleting pod: %v/%v", pod.Namespace, pod.Name)}
	}
	res, diag, err := s.schedulePod(qp.info)
	if err != nil {
		res.Reason = ReasonSchedulerError
		res.Message = err.Error()
		s.q.requeue(qp, now, nil, false)
		return res
	}
	if res.NodeName == "" {
		res.Reason = ReasonUnschedulable
		s.q.requeue(qp, now, diag.UnschedulablePlugins, false)
		if res.NominatedNode != "" {
			s.q.addNominated(qp.info, res.NominatedNode)
			for _, p := range res.ClearNominated {
				s.q.deleteNominated(framework.PodKey(p))
			}
		}
		return res
	}
	// Assume: the pod counts on the node from now on. The cache keeps the
	// node name beside the queue's PodInfo (never modified once built);
	// the bound pod's update replaces it with the pod carrying
	// spec.nodeName. No plugin reads spec.nodeName of a pod on a node.
	if err := s.c.assume(qp.info, res.NodeName); err != nil {
		res.NodeName, res.Reason, res.Message = "", ReasonSchedulerError, err.Error()
		s.q.requeue(qp, now, nil, true)
		return res
	}
	s.q.deleteNominated(key)
	if len(s.reserve) == 0 && len(s.preBind) == 0 {
		s.record(now, pod, res)
		return res
	}
	state := framework.NewCycleState(qp.info)
	unreserve := func(i int, st *framework.Status) *Result {
		for j := i; j >= 0; j-- {
			s.reserve[j].Unreserve(state, pod, res.NodeName)
		}
		s.c.forget(key)
		res.NodeName, res.Reason, res.Message, res.PreBind = "", ReasonSchedulerError, st.Message(), nil
		s.q.requeue(qp, now, nil, true)
		return res
	}
	for i, r := range s.reserve {
		if st := r.Reserve(state, pod, res.NodeName); !st.IsSuccess() {
			return unreserve(i, st)
		}
	}
	for _, pb := range s.preBind {
		objs, st := pb.PreBind(state, pod, res.NodeName)
		if !st.IsSuccess() {
			return unreserve(len(s.reserve)-1, st)
		}
		res.PreBind = append(res.PreBind, objs...)
	}
	s.record(now, pod, res)
	return res
}

// numFeasibleNodesToFind is kube-scheduler's adaptive percentageOfNodesToScore.
func (s *Scheduler) numFeasibleNodesToFind(n int) int {
	return NodesToFind(s.cfg.PercentageOfNodesToScore, n)
}

// NodesToFind is how many feasible nodes a cycle looks for among n before it
// stops filtering and scores them, for a configured percentageOfNodesToScore
// (0: adaptive, 50 - n/125 percent, at least 5 %; -1 or 100: all), at least
// 100 nodes: kube-scheduler's numFeasibleNodesToFind.
func NodesToFind(percentage int32, n int) int {
	const minFeasible, minPercent = 100, 5
	pct := percentage
	if n < minFeasible || pct == -1 || pct >= 100 {
		return n
	}
	if pct == 0 {
		pct = 50 - int32(n)/125
		if pct < minPercent {
			pct = minPercent
		}
	}
	num := n * int(pct) / 100
	if num < minFeasible {
		return minFeasible
	}
	return num
}

// schedulePod is the cycle proper. err is a scheduler error (not a fit failure).
func (s *Scheduler) schedulePod(pi *framework.PodInfo) (*Result, *framework.Diagnosis, error) {
	s.c.updateSnapshot(s.snap)
	res := &Result{}
	pod := pi.Pod
	all := s.snap.list
	var ex *Explanation
	if s.recordAll(len(all)) {
		ex = newExplanation(pod, len(all))
		if s.cfg.Explain {
			res.Explain = ex
		}
	}
	if len(all) == 0 {
		return res, nil, framework.ErrNoNodesAvailable
	}
	if pi.ParseError != nil {
		return res, nil, pi.ParseError
	}
	// The diagnosis maps are made only when read: the pod fails, or an
	// explanation is asked for.
	diag := &framework.Diagnosis{}
	// The cycle state is reused: nothing keeps it past the cycle (clones
	// for nominated pods and preemption dry runs die with it).
	s.state.Reset(pi)
	state := s.state

	// PreFilter.
	var narrowed map[string]struct{}
	for _, pl := range s.preFilter {
		r, st := pl.PreFilter(state, pod)
		if st.IsSkip() {
			if state.SkipFilterPlugins == nil {
				state.SkipFilterPlugins = map[string]struct{}{}
			}
			state.SkipFilterPlugins[pl.Name()] = struct{}{}
			continue
		}
		if !st.IsSuccess() {
			st = framework.SetPlugin(st, pl.Name())
			if !st.IsUnschedulable() {
				return res, nil, fmt.Errorf("running PreFilter plugin %q: %w", pl.Name(), st.AsError())
			}
			diag.PreFilterMsg = st.Message()
			diag.NodeToStatus, diag.UnschedulablePlugins = map[string]*framework.Status{}, map[string]struct{}{}
			for _, ni := range all {
				diag.NodeToStatus[ni.Node().Name] = st
			}
			diag.UnschedulablePlugins[pl.Name()] = struct{}{}
			ex.setPreFilter(pl.Name(), st.Message())
			s.setActiveFilters(state)
			ex.setFilter(all, nil, diag.NodeToStatus)
			return s.fail(res, state, pi, diag, len(all))
		}
		if r != nil && r.NodeNames != nil {
			if narrowed == nil {
				narrowed = r.NodeNames
			} else {
				m := map[string]struct{}{}
				for n := range r.NodeNames {
					if _, ok := narrowed[n]; ok {
						m[n] = struct{}{}
					}
				}
				narrowed = m
			}
		}
	}
	s.setActiveFilters(state)
	s.setRowTest(state, pod)
	nodes := all
	if narrowed != nil {
		nodes = make([]*framework.NodeInfo, 0, len(narrowed))
		for _, ni := range all {
			if _, ok := narrowed[ni.Node().Name]; ok {
				nodes = append(nodes, ni)
			}
		}
	}

	// Filter. Rejections are kept in a slice; the status map is built only
	// when someone reads it (failure, explanation).
	s.failedBuf = s.failedBuf[:0]
	// Rows (framework.NodeRow) are read when the nodes are the whole list.
	var rows []framework.NodeRow
	if narrowed == nil && len(s.snap.rows) == len(all) {
		rows = s.snap.rows
	}
	feasible, err := s.findFeasible(state, pi, nodes, rows, diag)
	if err != nil {
		return res, nil, err
	}
	if len(feasible) == 0 || ex != nil {
		diag.NodeToStatus, diag.UnschedulablePlugins = make(map[string]*framework.Status, len(s.failedBuf)), map[string]struct{}{}
		for _, f := range s.failedBuf {
			diag.NodeToStatus[f.ni.Name] = f.st
			diag.UnschedulablePlugins[f.st.Plugin()] = struct{}{}
		}
	}
	numFailed := len(s.failedBuf)
	summarize := s.summarize(ex) && len(feasible) > 0
	if summarize {
		s.countRejections()
	}
	clear(s.failedBuf)
	res.EvaluatedNodes = len(feasible) + numFailed
	res.FeasibleNodes = len(feasible)
	ex.setFilter(all, feasible, diag.NodeToStatus)
	if len(feasible) == 0 {
		return s.fail(res, state, pi, diag, len(all))
	}
	if len(feasible) == 1 {
		res.NodeName = feasible[0].Node().Name
		ex.setSelected(res.NodeName)
		res.decision = ex
		if summarize {
			res.decision = s.summary(state, pod, len(all), feasible, res.EvaluatedNodes, nil, 0)
		}
		return res, diag, nil
	}

	// Score.
	totals, err := s.prioritize(state, pod, feasible, s.feasibleRows.rows, s.feasibleRows.run(s.snap), ex)
	if err != nil {
		return res, nil, err
	}
	best := s.selectHost(totals)
	res.NodeName = feasible[best].Name
	ex.setSelected(res.NodeName)
	res.decision = ex
	if summarize {
		res.decision = s.summary(state, pod, len(all), feasible, res.EvaluatedNodes, totals, best)
	}
	return res, diag, nil
}

type failedNode struct {
	ni *framework.NodeInfo
	st *framework.Status
}

// setActiveFilters lists the filter plugins that did not Skip this cycle.
func (s *Scheduler) setActiveFilters(state *framework.CycleState) {
	s.activeExt = false
	for _, e := range s.preFilterExt {
		if _, skip := state.SkipFilterPlugins[e.name]; !skip {
			s.activeExt = true
		}
	}
	s.activeFilters, s.activeBatch, s.activeRows = s.activeFilters[:0], s.activeBatch[:0], s.activeRows[:0]
	for _, pl := range s.filter {
		if _, skip := state.SkipFilterPlugins[pl.Name()]; !skip {
			s.activeFilters = append(s.activeFilters, pl)
			b, _ := pl.(framework.BatchFilterPlugin)
			s.activeBatch = append(s.activeBatch, b)
			r, _ := pl.(framework.RowFilterPlugin)
			s.activeRows = append(s.activeRows, r)
		}
	}
}

// fail builds the FitError message, running PostFilter (preemption) first.
func (s *Scheduler) fail(res *Result, state *framework.CycleState, pi *framework.PodInfo, diag *framework.Diagnosis, numAll int) (*Result, *framework.Diagnosis, error) {
	fe := &framework.FitError{Pod: pi.Pod, NumAllNodes: numAll, Diagnosis: *diag, DoublePeriodPostFilter: s.doublePeriod}
	if len(s.postFilter) > 0 {
		var merged []string
		for _, pl := range s.postFilter {
			r, st := pl.PostFilter(state, pi.Pod, diag.NodeToStatus)
			if st.IsSuccess() {
				if r != nil {
					res.NominatedNode = r.NominatedNodeName
					res.Victims = r.Victims
					res.ClearNominated = r.LowerPriorityNominated
				}
				merged = nil
				break
			}
			if !st.IsUnschedulable() {
				merged = []string{st.Message()}
				break
			}
			merged = append(merged, st.Reasons()...)
		}
		if len(merged) > 0 {
			fe.Diagnosis.PostFilterMsg = joinReasons(merged)
		}
	}
	res.Message = fe.Error()
	res.Explain.setPostFilter(fe.Diagnosis.PostFilterMsg, res.NominatedNode)
	return res, diag, nil
}

func joinReasons(r []string) string {
	out := r[0]
	for _, x := range r[1:] {
		out += ", " + x
	}
	return out
}

// findFeasible filters nodes from the rotating start index in windows run in
// parallel; results are merged in visiting order and the search stops at the
// numFeasibleNodesToFind-th feasible node, so the outcome does not depend on
// the number of workers.
//
// rows, when not nil, are nodes' rows; s.feasibleRows is then left holding
// the feasible nodes' rows (nil otherwise).
func (s *Scheduler) findFeasible(state *framework.CycleState, pi *framework.PodInfo, nodes []*framework.NodeInfo, rows []framework.NodeRow, diag *framework.Diagnosis) ([]*framework.NodeInfo, error) {
	s.feasibleRows.reset()
	n := len(nodes)
	if n == 0 {
		return nil, nil
	}
	pod := pi.Pod
	// A pod nominated by an earlier preemption tries its node first.
	if nom := pod.Status.NominatedNodeName; nom != "" {
		if ni := s.snap.Get(nom); ni != nil {
			if st := s.RunFilterPluginsWithNominatedPods(state, pod, ni); st.IsSuccess() {
				return []*framework.NodeInfo{ni}, nil
			} else if !st.IsUnschedulable() {
				return nil, st.AsError()
			}
		}
	}
	numToFind := s.numFeasibleNodesToFind(n)
	start := s.nextStartNodeIndex % n
	if cap(s.feasibleBuf) < numToFind {
		s.feasibleBuf = make([]*framework.NodeInfo, 0, numToFind)
	}
	feasible := s.feasibleBuf[:0]
	// aliased: feasible is a run of nodes itself (capped, so that an
	// append cannot write into nodes), until a second run joins it.
	aliased := false
	// Without nominated pods every node's filters run on the node itself,
	// so the filters can run plugin by plugin over the window (the same
	// first rejection per node; see BatchFilterPlugin).
	batch := len(s.q.nominated) == 0
	processed := 0
	window := numToFind
	for processed < n && len(feasible) < numToFind {
		w := min(window, n-processed)
		if cap(s.statusBuf) < w {
			s.statusBuf = make([]*framework.Status, w)
			s.windowBuf = make([]*framework.NodeInfo, w)
			s.passBuf = make([]*framework.NodeInfo, w)
			s.passIdx = make([]int32, w)
			s.passStatus = make([]*framework.Status, w)
			s.windowRows = make([]framework.NodeRow, w)
			s.passRows = make([]framework.NodeRow, w)
		}
		buf := s.statusBuf[:w]
		j := (start + processed) % n
		// The window is a slice of nodes unless it wraps around.
		win, copied := nodes[j:min(j+w, n)], false
		var winRows []framework.NodeRow
		if rows != nil {
			winRows = rows[j:min(j+w, n)]
		}
		if len(win) < w {
			win, copied = s.windowBuf[:w], true
			if rows != nil {
				winRows = s.windowRows[:w]
			}
			for i := range win {
				win[i] = nodes[j]
				if rows != nil {
					winRows[i] = rows[j]
				}
				if j++; j == n {
					j = 0
				}
			}
		}
		set := 0 // statuses set in buf
		// base is winRows[0]'s index in the snapshot's rows, or -1.
		base := -1
		if rows != nil && !copied {
			base = j
		}
		// A row test reads ~1 block summary per 64 nodes: goroutines would
		// cost more than the filtering.
		if s.par.Serial(w) || (batch && base >= 0 && s.rowTested) {
			// Not through a closure: one passed to Chunks is allocated.
			set = s.filterChunk(state, pod, win, winRows, base, buf, batch, 0, w)
		} else {
			var n atomic.Int64
			s.par.Chunks(w, func(lo, hi int) { n.Add(int64(s.filterChunk(state, pod, win, winRows, base, buf, batch, lo, hi))) })
			set = int(n.Load())
		}
		if set == 0 {
			// Every node passed (buf is all nil).
			used := min(w, numToFind-len(feasible))
			if len(feasible) == 0 && !copied {
				feasible, aliased = win[:used:used], true
			} else {
				if aliased {
					feasible, aliased = append(s.feasibleBuf[:0], feasible...), false
				}
				feasible = append(feasible, win[:used]...)
			}
			if rows != nil {
				s.feasibleRows.add(winRows[:used], base)
			}
			if copied {
				clear(win)
			}
			processed += used
			window *= 2
			continue
		}
		used := w
		// Rows are added by runs of feasible nodes: [run, i).
		run := 0
		for i := 0; i < w; i++ {
			ni := win[i]
			st := buf[i]
			buf[i] = nil
			if st.IsSuccess() {
				if aliased {
					feasible, aliased = append(s.feasibleBuf[:0], feasible...), false
				}
				feasible = append(feasible, ni)
				if len(feasible) == numToFind {
					used = i + 1
					clear(buf[i:])
					break
				}
				continue
			}
			if rows != nil && i > run {
				s.feasibleRows.add(winRows[run:i], offset(base, run))
			}
			run = i + 1
			if !st.IsUnschedulable() {
				clear(buf)
				if copied {
					clear(win)
				}
				return nil, st.AsError()
			}
			s.failedBuf = append(s.failedBuf, failedNode{ni, st})
		}
		if rows != nil && used > run {
			s.feasibleRows.add(winRows[run:used], offset(base, run))
		}
		if copied {
			clear(win)
		}
		processed += used
		window *= 2
	}
	s.nextStartNodeIndex = (start + processed) % n
	return feasible, nil
}

// filterChunk filters win[lo:hi] into buf[lo:hi] and returns how many
// statuses it set (non-nil entries).
// rows, when not nil, are win's rows; base, when not -1, is rows[0]'s
// index in the snapshot's rows.
func (s *Scheduler) filterChunk(state *framework.CycleState, pod *v1.Pod, win []*framework.NodeInfo, rows []framework.NodeRow, base int, buf []*framework.Status, batch bool, lo, hi int) int {
	if batch {
		var r, passRows []framework.NodeRow
		if rows != nil {
			r, passRows = rows[lo:hi], s.passRows[lo:hi]
		}
		if base >= 0 {
			base += lo
		}
		return s.filterNodes(state, pod, win[lo:hi], r, base, buf[lo:hi], s.passBuf[lo:hi], passRows, s.passIdx[lo:hi], s.passStatus[lo:hi])
	}
	set := 0
	for i := lo; i < hi; i++ {
		if buf[i] = s.RunFilterPluginsWithNominatedPods(state, pod, win[i]); buf[i] != nil {
			set++
		}
	}
	return set
}

// filterNodes sets out[i] to runFilterPlugins(state, pod, nodes[i]), running
// the active filters plugin by plugin over the nodes that passed the earlier
// ones, and returns how many nodes were rejected (statuses set in out).
// pass, idx and tmp are scratch of len(nodes); tmp comes in and is left
// cleared. rows, when not nil, are nodes' rows, read by the plugins that
// can (framework.RowFilterPlugin); passRows is then scratch of len(nodes).
// base, when not -1, is rows[0]'s index in the snapshot's rows.
func (s *Scheduler) filterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, base int, out []*framework.Status,
	pass []*framework.NodeInfo, passRows []framework.NodeRow, idx []int32, tmp []*framework.Status) int {
	if rows != nil && s.rowTested {
		return s.filterRowTested(state, pod, nodes, rows, base, out, tmp)
	}
	rejected := 0
	// live are the nodes still passing; until the first rejection they are
	// nodes itself (liveIdx nil: live[i] is nodes[i]).
	live, liveRows := nodes, rows
	var liveIdx []int32
	for f, pl := range s.activeFilters {
		if len(live) == 0 {
			break
		}
		st := tmp[:len(live)]
		set := 0
		if r := s.activeRows[f]; r != nil && liveRows != nil {
			set = r.FilterRows(state, pod, live, liveRows, st)
		} else if b := s.activeBatch[f]; b != nil {
			set = b.FilterNodes(state, pod, live, st)
		} else {
			for i, ni := range live {
				if x := pl.Filter(state, pod, ni); x != nil {
					st[i] = x
					set++
				}
			}
		}
		if set == 0 {
			continue
		}
		m := 0
		for i := range live {
			x := st[i]
			orig := int32(i)
			if liveIdx != nil {
				orig = liveIdx[i]
			}
			if x != nil {
				st[i] = nil
				if !x.IsSuccess() {
					out[orig] = filterFailure(x, pl.Name())
					rejected++
					continue
				}
			}
			pass[m], idx[m] = live[i], orig
			if liveRows != nil {
				passRows[m] = liveRows[i]
			}
			m++
		}
		live, liveIdx = pass[:m], idx[:m]
		if liveRows != nil {
			liveRows = passRows[:m]
		}
	}
	if liveIdx != nil {
		clear(pass)
	}
	return rejected
}

// filterFailure names the plugin on a rejection and wraps an error status,
// as runFilterPlugins.
func filterFailure(st *framework.Status, name string) *framework.Status {
	if !st.IsUnschedulable() {
		st = framework.AsStatus(fmt.Errorf("running %q filter plugin: %w", name, st.AsError()))
	}
	return framework.SetPlugin(st, name)
}

// minScoreIsZero fails to compile unless MinNodeScore is 0, which the
// range check in prioritize relies on.
const minScoreIsZero = -uint(framework.MinNodeScore)

// scoreRun is one cycle's Score pass, run over chunks of the feasible nodes.
type scoreRun struct {
	state    *framework.CycleState
	pod      *v1.Pod
	feasible []*framework.NodeInfo
	rows     []framework.NodeRow // feasible's rows, or nil
	run      framework.RowRun    // where rows sit in the snapshot
	active   []weightedScore
	scores   []int64

	mu                         sync.Mutex
	firstErr                   *framework.Status
	firstErrAt, firstErrPlugin int
}

// chunk scores feasible[lo:hi] plugin by plugin; the error kept is the
// first failing plugin of the first failing node, as node by node.
func (r *scoreRun) chunk(lo, hi int) {
	nf := len(r.feasible)
	for j := range r.active {
		row := r.scores[j*nf+lo : j*nf+hi]
		at, st := -1, (*framework.Status)(nil)
		if rs := r.active[j].rows; rs != nil && r.rows != nil {
			if i, x := rs.ScoreRows(r.state, r.pod, r.feasible[lo:hi], r.rows[lo:hi], r.run.Sub(lo, hi), row); !x.IsSuccess() {
				at, st = lo+i, x
			}
		} else if b := r.active[j].batch; b != nil {
			if i, x := b.ScoreNodes(r.state, r.pod, r.feasible[lo:hi], row); !x.IsSuccess() {
				at, st = lo+i, x
			}
		} else {
			for i, ni := range r.feasible[lo:hi] {
				sc, x := r.active[j].pl.Score(r.state, r.pod, ni)
				if !x.IsSuccess() {
					at, st = lo+i, x
					break
				}
				row[i] = sc
			}
		}
		if st != nil {
			r.mu.Lock()
			if at < r.firstErrAt || (at == r.firstErrAt && j < r.firstErrPlugin) {
				r.firstErr, r.firstErrAt, r.firstErrPlugin = framework.SetPlugin(st, r.active[j].pl.Name()), at, j
			}
			r.mu.Unlock()
		}
	}
}

// prioritize runs PreScore and Score (in parallel over nodes), normalises
// each plugin's scores and returns the weighted totals in feasible order.
// rows, when not nil, are feasible's rows, and run where they sit.
func (s *Scheduler) prioritize(state *framework.CycleState, pod *v1.Pod, feasible []*framework.NodeInfo, rows []framework.NodeRow, run framework.RowRun, ex *Explanation) ([]int64, error) {
	nf := len(feasible)
	if len(rows) != nf {
		rows, run = nil, framework.RowRun{}
	}
	for _, pl := range s.preScore {
		st := pl.PreScore(state, pod, feasible)
		if st.IsSkip() {
			if state.SkipScorePlugins == nil {
				state.SkipScorePlugins = map[string]struct{}{}
			}
			state.SkipScorePlugins[pl.Name()] = struct{}{}
			continue
		}
		if !st.IsSuccess() {
			return nil, fmt.Errorf("running PreScore plugin %q: %w", pl.Name(), st.AsError())
		}
	}
	if cap(s.totalBuf) < nf {
		s.totalBuf = make([]int64, nf)
	}
	totals := s.totalBuf[:nf]
	clear(totals)
	if len(s.score) == 0 {
		for i := range totals {
			totals[i] = 1
		}
		return totals, nil
	}
	active := s.activeScore[:0]
	for _, ws := range s.score {
		if _, skip := state.SkipScorePlugins[ws.pl.Name()]; !skip {
			active = append(active, ws)
		}
	}
	s.activeScore = active
	k := len(active)
	if cap(s.scoreBuf) < k*nf {
		s.scoreBuf = make([]int64, k*nf)
	}
	scores := s.scoreBuf[:k*nf]
	sc := &s.scoring
	sc.state, sc.pod, sc.feasible, sc.rows, sc.run, sc.active, sc.scores = state, pod, feasible, rows, run, active, scores
	sc.firstErr, sc.firstErrAt, sc.firstErrPlugin = nil, nf, k
	par := s.par
	if run.Memo != nil && rowScoresOnly(active) {
		par.MinChunk = max(par.MinChunk, parallelRowMinChunk)
	}
	if par.Serial(nf) {
		sc.chunk(0, nf)
	} else {
		par.Chunks(nf, sc.chunk)
	}
	firstErr := sc.firstErr
	sc.state, sc.pod, sc.feasible, sc.rows, sc.run, sc.active, sc.scores, sc.firstErr = nil, nil, nil, nil, framework.RowRun{}, nil, nil, nil
	if firstErr != nil {
		return nil, fmt.Errorf("running Score plugin %q: %w", firstErr.Plugin(), firstErr.AsError())
	}
	if cap(s.nsBuf) < nf {
		s.nsBuf = make([]framework.NodeScore, nf)
	}
	ns := s.nsBuf[:nf]
	named := false
	for j, ws := range active {
		row := scores[j*nf : (j+1)*nf]
		var raw []int64
		if ex != nil {
			raw = append([]int64(nil), row...)
		}
		if ws.bnorm != nil {
			if st := ws.bnorm.NormalizeScoreValues(state, pod, row); !st.IsSuccess() {
				return nil, fmt.Errorf("running Normalize on Score plugin %q: %w", ws.pl.Name(), st.AsError())
			}
		} else if ws.norm != nil {
			if !named {
				// Normalizers rewrite scores only; the names stay.
				for i := range ns {
					ns[i].Name = feasible[i].Name
				}
				named = true
			}
			for i := range ns {
				ns[i].Score = row[i]
			}
			if st := ws.norm.NormalizeScore(state, pod, ns); !st.IsSuccess() {
				return nil, fmt.Errorf("running Normalize on Score plugin %q: %w", ws.pl.Name(), st.AsError())
			}
			for i := range ns {
				row[i] = ns[i].Score
			}
		}
		for i := range row {
			// One unsigned comparison checks both bounds (minScoreIsZero).
			if uint64(row[i]) > uint64(framework.MaxNodeScore) {
				return nil, fmt.Errorf("plugin %q returns an invalid score %v, it should in the range of [%v, %v] after normalizing",
					ws.pl.Name(), row[i], framework.MinNodeScore, framework.MaxNodeScore)
			}
			totals[i] += row[i] * ws.weight
		}
		ex.addScores(ws.pl.Name(), ws.weight, feasible, raw, row)
	}
	for _, ws := range s.score {
		if _, skip := state.SkipScorePlugins[ws.pl.Name()]; skip {
			ex.addSkipped(ws.pl.Name(), ws.weight)
		}
	}
	ex.setTotals(feasible, totals)
	return totals, nil
}

// rowScoresOnly reports that every plugin in active scores rows.
func rowScoresOnly(active []weightedScore) bool {
	for _, ws := range active {
		if ws.rows == nil {
			return false
		}
	}
	return true
}

// rowList collects the feasible nodes' rows: an alias of the snapshot's
// rows while they are one run of it, else a copy in its own buffer.
type rowList struct {
	rows []framework.NodeRow
	// base is the index of rows[0] in the snapshot's rows while rows is
	// an alias, else -1.
	base int
	buf  []framework.NodeRow
}

func (l *rowList) reset() { l.rows, l.base = nil, -1 }

// add appends r; base, when not -1, is r[0]'s index in the snapshot's
// rows (which do not change during the cycle): r may be kept as it is.
func (l *rowList) add(r []framework.NodeRow, base int) {
	if l.rows == nil && base >= 0 {
		l.rows, l.base = r, base
		return
	}
	if l.base >= 0 || l.rows == nil {
		l.rows, l.base = append(l.buf[:0], l.rows...), -1
	}
	l.rows = append(l.rows, r...)
	l.buf = l.rows[:0]
}

// run is where the rows sit in snap: nothing for a copy.
func (l *rowList) run(snap *snapshot) framework.RowRun {
	if l.base < 0 || l.rows == nil {
		return framework.RowRun{}
	}
	return framework.RowRun{Memo: snap.memo[l.base : l.base+len(l.rows)], Blocks: snap.blocks, Base: l.base}
}

// offset is base+i, or -1 for a base of -1.
func offset(base, i int) int {
	if base < 0 {
		return -1
	}
	return base + i
}
