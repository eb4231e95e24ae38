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
// call, read the wall clock or use global randomness. All methods must be
// called from one goroutine.
//
// How the simulator drives it:
//
//   - Feed objects in event order: AddNode/UpdateNode/DeleteNode,
//     AddPod/UpdatePod/DeletePod (assigned pods go to the cache, pending pods
//     of this scheduler to the queue), AddPriorityClass, AddService,
//     AddReplicaSet, AddStatefulSet, AddReplicationController, AddNamespace,
//     AddPodDisruptionBudget, AddPersistentVolumeClaim, AddPersistentVolume,
//     AddStorageClass and their Delete counterparts.
//   - Loop: p, ok := Pop(now); r := Schedule(now, p).
//     r.Skipped: the pod is being deleted; write nothing.
//     r.NodeName != "": the pod is assumed there; write r.PreBind (the
//     VolumeBinding plugin's volume claimRefs and claims' selected node, at
//     the resourceVersions read; a conflict fails the binding), the Binding and a
//     Scheduled event (ScheduledMessage), then call Bound, or BindFailed if
//     the write failed.
//     Otherwise write PodScheduled=False with r.Reason ("Unschedulable" or
//     "SchedulerError") and r.Message, a FailedScheduling event with
//     r.Message; if r.NominatedNode is set, set status.nominatedNodeName,
//     delete r.Victims and clear nominatedNodeName on r.ClearNominated.
//   - When Pop returns false, arm a timer at NextWake and Pop again then.
//   - r.Explain (Config.Explain) is the per-node explanation; its
//     Annotation/Annotations are ready to put on the pod.
//   - Decision(uid) (Config.Record) is what the cycle that placed a pod
//     decided, kept for the last Record pods: explain-schedule answers from
//     it, never by scheduling the pod again on a changed cluster.
package scheduler
