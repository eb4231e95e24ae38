package scheduler

import (
	"container/heap"
	"time"

	v1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"kubesim/scheduler/framework"
)

// Where a queued pod currently is.
const (
	inActive = iota + 1
	inBackoff
	inUnschedulable
	inFlight
)

// queuedPod is a pending pod with its queue bookkeeping.
type queuedPod struct {
	info *framework.PodInfo
	// timestamp is when the pod was last added to the queue: the activeQ
	// tie-breaker and the base of backoff and of the unschedulable timeout.
	timestamp time.Time
	// initialAttempt is the first time the pod was popped.
	initialAttempt time.Time
	attempts       int
	// unschedulablePlugins rejected the pod in its last attempt; events that
	// none of them registered for leave it in the unschedulable pool.
	unschedulablePlugins map[string]struct{}
	where                int
	index                int
	seq                  uint64
	// cycle is the scheduling cycle that popped the pod.
	cycle int64
}

// activeHeap orders by PrioritySort: higher priority, then earlier
// timestamp, then arrival sequence. The keys sit in the heap's own array
// (a Pop over a large queue compares ~2·log n entries; chasing each pod's
// PodInfo for them cost a cache miss apiece).
type activeHeap struct {
	items []activeEntry
}

type activeEntry struct {
	prio int32
	// nsec and sec are the timestamp (Unix seconds and nanoseconds):
	// compared in that order they order instants as time.Time.Before.
	nsec int32
	sec  int64
	seq  uint64
	p    *queuedPod
}

func activeKey(p *queuedPod) activeEntry {
	return activeEntry{prio: p.info.Priority, nsec: int32(p.timestamp.Nanosecond()), sec: p.timestamp.Unix(), seq: p.seq, p: p}
}

func (a *activeEntry) less(b *activeEntry) bool {
	if a.prio != b.prio {
		return a.prio > b.prio
	}
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

func (h *activeHeap) Len() int { return len(h.items) }

func (h *activeHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].p.index = i
	h.items[j].p.index = j
}

func (h *activeHeap) up(j int) {
	for {
		i := (j - 1) / 2 // parent
		if i == j || !h.items[j].less(&h.items[i]) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *activeHeap) down(i0, n int) bool {
	i := i0
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1 // left child
		if j2 := j1 + 1; j2 < n && h.items[j2].less(&h.items[j1]) {
			j = j2
		}
		if !h.items[j].less(&h.items[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

func (h *activeHeap) push(p *queuedPod) {
	p.index = len(h.items)
	h.items = append(h.items, activeKey(p))
	h.up(p.index)
}

func (h *activeHeap) pop() *queuedPod {
	n := len(h.items) - 1
	h.swap(0, n)
	h.down(0, n)
	return h.removeLast()
}

func (h *activeHeap) removeLast() *queuedPod {
	n := len(h.items) - 1
	p := h.items[n].p
	h.items[n] = activeEntry{}
	h.items = h.items[:n]
	p.index = -1
	return p
}

func (h *activeHeap) remove(i int) *queuedPod {
	n := len(h.items) - 1
	if n != i {
		h.swap(i, n)
		if !h.down(i, n) {
			h.up(i)
		}
	}
	return h.removeLast()
}

// fix re-reads the keys of the pod at i (its PodInfo changed) and restores
// the order.
func (h *activeHeap) fix(i int) {
	h.items[i] = activeKey(h.items[i].p)
	if !h.down(i, len(h.items)) {
		h.up(i)
	}
}

// backoffHeap orders by backoff expiry.
type backoffHeap struct {
	items []*queuedPod
	q     *queue
}

func (h *backoffHeap) Len() int { return len(h.items) }
func (h *backoffHeap) Less(i, j int) bool {
	a, b := h.q.backoffTime(h.items[i]), h.q.backoffTime(h.items[j])
	if !a.Equal(b) {
		return a.Before(b)
	}
	return h.items[i].seq < h.items[j].seq
}
func (h *backoffHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].index = i
	h.items[j].index = j
}
func (h *backoffHeap) Push(x any) {
	p := x.(*queuedPod)
	p.index = len(h.items)
	h.items = append(h.items, p)
}
func (h *backoffHeap) Pop() any {
	p := h.items[len(h.items)-1]
	h.items[len(h.items)-1] = nil
	h.items = h.items[:len(h.items)-1]
	p.index = -1
	return p
}

// queue is kube-scheduler's PriorityQueue on a virtual clock: activeQ,
// backoffQ and the unschedulable pool. Time only comes in as arguments.
type queue struct {
	active activeHeap
	// popped is the last pod popped while it is still queued (in q.pods).
	popped        *queuedPod
	backoff       backoffHeap
	unschedulable map[string]*queuedPod
	pods          map[string]*queuedPod
	seq           uint64

	schedulingCycle  int64
	moveRequestCycle int64

	initialBackoff, maxBackoff, maxUnschedulable time.Duration
	// lastNow is the latest time the queue was told; used to stamp pods
	// added by events (which carry no time).
	lastNow time.Time
	// nominated maps node name to pods nominated there (by key).
	nominated map[string]map[string]*framework.PodInfo
	nomNode   map[string]string
}

func newQueue(initial, maxB, maxUnsched time.Duration) *queue {
	q := &queue{unschedulable: map[string]*queuedPod{}, pods: map[string]*queuedPod{},
		initialBackoff: initial, maxBackoff: maxB, maxUnschedulable: maxUnsched,
		nominated: map[string]map[string]*framework.PodInfo{}, nomNode: map[string]string{}}
	q.backoff.q = q
	return q
}

// backoffDuration is 1 s doubled per attempt after the first, capped at 10 s.
func (q *queue) backoffDuration(p *queuedPod) time.Duration {
	d := q.initialBackoff
	for i := 1; i < p.attempts; i++ {
		if d > q.maxBackoff-d {
			return q.maxBackoff
		}
		d += d
	}
	return d
}

func (q *queue) backoffTime(p *queuedPod) time.Time {
	return p.timestamp.Add(q.backoffDuration(p))
}

func (q *queue) add(pi *framework.PodInfo) {
	if old := q.pods[pi.Key]; old != nil {
		q.update(pi)
		return
	}
	q.seq++
	p := &queuedPod{info: pi, timestamp: q.lastNow, seq: q.seq, index: -1}
	q.pods[pi.Key] = p
	q.toActive(p)
	q.updateNominated(pi)
}

func (q *queue) toActive(p *queuedPod) {
	p.where = inActive
	q.active.push(p)
}

func (q *queue) toBackoff(p *queuedPod) {
	p.where = inBackoff
	heap.Push(&q.backoff, p)
}

func (q *queue) detach(p *queuedPod) {
	switch p.where {
	case inActive:
		q.active.remove(p.index)
	case inBackoff:
		heap.Remove(&q.backoff, p.index)
	case inUnschedulable:
		delete(q.unschedulable, p.info.Key)
	}
	p.where = 0
}

// update refreshes a pending pod; an unschedulable pod whose spec or labels
// changed gets another chance (backoff if still backing off).
func (q *queue) update(pi *framework.PodInfo) {
	p := q.pods[pi.Key]
	if p == nil {
		q.add(pi)
		return
	}
	old := p.info.Pod
	p.info = pi
	q.updateNominated(pi)
	switch p.where {
	case inActive:
		q.active.fix(p.index)
	case inBackoff:
		heap.Fix(&q.backoff, p.index)
	case inUnschedulable:
		if podChanged(old, pi.Pod) {
			q.detach(p)
			q.toBackoff(p)
		}
	}
}

// podChanged ignores status and metadata churn, as upstream's isPodUpdated.
func podChanged(a, b *v1.Pod) bool {
	if a.ResourceVersion == b.ResourceVersion && a.Generation == b.Generation {
		return false
	}
	return !equalSpecLabels(a, b)
}

func equalSpecLabels(a, b *v1.Pod) bool {
	if len(a.Labels) != len(b.Labels) {
		return false
	}
	for k, v := range a.Labels {
		if b.Labels[k] != v {
			return false
		}
	}
	if !equalAnnotations(a.Annotations, b.Annotations) || !equalAnnotations(b.Annotations, a.Annotations) {
		return false
	}
	return apiequality.Semantic.DeepEqual(a.Spec, b.Spec)
}

// equalAnnotations reports whether every annotation of a is in b, ignoring
// the scheduler's own explanation annotations (writing them must not count
// as a pod change that requeues the pod).
func equalAnnotations(a, b map[string]string) bool {
	for k, v := range a {
		if ownAnnotation(k) {
			continue
		}
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func ownAnnotation(k string) bool {
	switch k {
	case AnnotationResult, AnnotationFilter, AnnotationScore, AnnotationFinalScore, AnnotationSelected, AnnotationPreFilter, AnnotationPostFilter:
		return true
	}
	return false
}

func (q *queue) remove(key string) {
	if p := q.pods[key]; p != nil {
		q.removePod(p)
	}
}

// removePod is remove for a pod known to be queued.
func (q *queue) removePod(p *queuedPod) {
	if q.popped == p {
		q.popped = nil
	}
	q.detach(p)
	delete(q.pods, p.info.Key)
	q.deleteNominated(p.info.Key)
}

// lookup returns the queued pod with key, preferring the last popped one
// (no map lookup for the usual Pop-then-Schedule).
func (q *queue) lookup(key string) *queuedPod {
	if p := q.popped; p != nil && p.info.Key == key {
		return p
	}
	return q.pods[key]
}

// flush moves backoff pods whose time has come to activeQ, and pods waiting
// longer than the unschedulable timeout out of the pool.
func (q *queue) flush(now time.Time) {
	if now.After(q.lastNow) {
		q.lastNow = now
	}
	var stale []*queuedPod
	for _, p := range q.unschedulable {
		if !now.Before(p.timestamp.Add(q.maxUnschedulable)) {
			stale = append(stale, p)
		}
	}
	sortQueued(stale)
	for _, p := range stale {
		q.detach(p)
		q.toBackoff(p)
	}
	for q.backoff.Len() > 0 {
		p := q.backoff.items[0]
		if now.Before(q.backoffTime(p)) {
			break
		}
		heap.Pop(&q.backoff)
		q.toActive(p)
	}
}

func sortQueued(ps []*queuedPod) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].seq < ps[j-1].seq; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// pop returns the head of activeQ, now in flight.
func (q *queue) pop(now time.Time) *queuedPod {
	q.flush(now)
	if q.active.Len() == 0 {
		return nil
	}
	p := q.active.pop()
	q.popped = p
	p.where = inFlight
	p.attempts++
	if p.attempts == 1 {
		p.initialAttempt = now
	}
	q.schedulingCycle++
	p.cycle = q.schedulingCycle
	return p
}

// requeue puts a pod that failed its cycle back: to backoffQ when a move
// request arrived during its cycle (or on errors), else to the pool.
func (q *queue) requeue(p *queuedPod, now time.Time, plugins map[string]struct{}, toBackoff bool) {
	if cur := q.pods[p.info.Key]; cur != p {
		return // deleted or replaced meanwhile
	}
	q.detach(p)
	p.timestamp = now
	p.unschedulablePlugins = plugins
	if toBackoff || q.moveRequestCycle >= p.cycle {
		q.toBackoff(p)
		return
	}
	p.where = inUnschedulable
	q.unschedulable[p.info.Key] = p
}

// moveOnEvent moves unschedulable pods that a plugin which rejected them
// registered for ev; they go through backoff (flushed to activeQ on the next
// Pop if their backoff has expired).
func (q *queue) moveOnEvent(ev framework.ClusterEvent, interested func(plugin string, ev framework.ClusterEvent) bool) {
	q.moveRequestCycle = q.schedulingCycle
	if len(q.unschedulable) == 0 {
		return
	}
	var moved []*queuedPod
	for _, p := range q.unschedulable {
		if len(p.unschedulablePlugins) == 0 {
			moved = append(moved, p)
			continue
		}
		for pl := range p.unschedulablePlugins {
			if interested(pl, ev) {
				moved = append(moved, p)
				break
			}
		}
	}
	sortQueued(moved)
	for _, p := range moved {
		q.detach(p)
		q.toBackoff(p)
	}
}

// nextWake is the earliest time a waiting pod becomes poppable.
func (q *queue) nextWake() (time.Time, bool) {
	var t time.Time
	ok := false
	if q.backoff.Len() > 0 {
		t, ok = q.backoffTime(q.backoff.items[0]), true
	}
	for _, p := range q.unschedulable {
		w := p.timestamp.Add(q.maxUnschedulable)
		if !ok || w.Before(t) {
			t, ok = w, true
		}
	}
	return t, ok
}

func (q *queue) updateNominated(pi *framework.PodInfo) {
	q.deleteNominated(pi.Key)
	node := pi.Pod.Status.NominatedNodeName
	if node == "" || pi.Pod.Spec.NodeName != "" {
		return
	}
	q.addNominated(pi, node)
}

func (q *queue) addNominated(pi *framework.PodInfo, node string) {
	q.deleteNominated(pi.Key)
	if q.nominated[node] == nil {
		q.nominated[node] = map[string]*framework.PodInfo{}
	}
	q.nominated[node][pi.Key] = pi
	q.nomNode[pi.Key] = node
}

func (q *queue) deleteNominated(key string) {
	node, ok := q.nomNode[key]
	if !ok {
		return
	}
	delete(q.nominated[node], key)
	if len(q.nominated[node]) == 0 {
		delete(q.nominated, node)
	}
	delete(q.nomNode, key)
}
