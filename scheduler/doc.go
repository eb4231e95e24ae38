// Package scheduler is kubesim's kube-scheduler: a pure, in-memory,
// deterministic scheduler in the shape of kube-scheduler's framework.
//
// It owns the scheduling queue (activeQ ordered by priority then time,
// backoff, the unschedulable pool), the node cache and its snapshot, the
// scheduling cycle (PreFilter, parallel Filter with early stop, PostFilter
// preemption, PreScore, Score with normalisation and weights, host
// selection, Reserve/assume) and the FailedScheduling message text.
//
// It must not talk to the store, serve HTTP, start goroutines that outlive a
// call, read the wall clock or use global randomness. The simulator feeds it
// objects in event order through the Add/Update/Delete methods, calls Pop and
// Schedule, performs the writes (Binding, events, pod conditions, victim
// deletion, nominatedNodeName) itself and reports back with Bound or
// BindFailed. All methods must be called from one goroutine.
package scheduler
