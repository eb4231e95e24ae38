package sim

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/scheduler"
	"kubesim/scheduler/plugins/noderesources"
	"kubesim/sim/clock"
	"kubesim/sim/podutil"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// schedulerComponent feeds kube-scheduler's informers from store events and
// writes what a scheduling cycle decides: a Binding and a Scheduled event,
// or PodScheduled=False and a FailedScheduling event.
type schedulerComponent struct {
	c        *Cluster
	s        *scheduler.Scheduler
	podRes   *registry.Resource
	wake     *clock.Timer
	wakeAt   time.Time
	instance string
	// binds, while a Run schedules pods, is the queue of the writer
	// goroutine that binds them and records their Scheduled events, in
	// batches; batch is the one being filled.
	binds     chan []binding
	batch     []binding
	bindsDone chan struct{}
	// spare holds batches the writer is done with, for queueBind to fill
	// again (a batch is 3.5 KB: ~56 B a pod when made anew).
	spare      chan []binding
	bindFailed []bindFailure
	// volumeWait are placed pods whose PreBind writes are made and whose
	// Binding waits until their claims are bound (schedule_volumes.go).
	volumeWait []binding
	// beforeBind, if set (tests only), runs on the writer goroutine before
	// each Binding is written.
	beforeBind func(pod *corev1.Pod)
}

// binding is one successful cycle's writes: the PreBind writes (volumes'
// claimRefs, claims' selected node), the Binding and the event.
type binding struct {
	pod  *corev1.Pod
	node string
	pre  []runtime.Object
	// waitVolumes: the Binding waits until the pod's claims are bound.
	waitVolumes bool
}

// bindFailure is a binding the writer could not complete: the registry
// refused it, or the writer panicked (panicked and stack set; bound says
// whether the Binding was written before the panic, in the event).
type bindFailure struct {
	pod      *corev1.Pod
	err      error
	panicked any
	stack    []byte
	bound    bool
}

// bindQueue is how many bindings the scheduler may run ahead of the writer;
// they are handed over bindBatch at a time, as waking the writer for each
// one cost the loop more (a futex wake, ~5 us) than writing half of it.
const (
	bindQueue = 1024
	bindBatch = 64
)

func newSchedulerComponent(c *Cluster) (*schedulerComponent, error) {
	// The scheduler draws from its own stream of the cluster seed, so that
	// creating an unrelated object (a uid drawn) never changes a tie-break.
	cfg, err := c.schedulerConfig(0x7363686564)
	if err != nil {
		return nil, err
	}
	s, err := scheduler.New(cfg)
	if err != nil {
		return nil, err
	}
	inst := "default-scheduler"
	if cp := c.Spec.ControlPlane(); cp != nil {
		inst += "-" + cp.Name
	}
	return &schedulerComponent{c: c, s: s, podRes: c.res("", "pods"), instance: inst}, nil
}

func (sc *schedulerComponent) Name() string { return "default-scheduler" }

func (sc *schedulerComponent) Handle(ev store.Event) {
	var prev any
	if ev.PrevKV != nil {
		prev = ev.PrevKV.Obj
	}
	del := ev.Type == store.Delete
	switch o := ev.KV.Obj.(type) {
	case *corev1.Node:
		switch {
		case del:
			sc.s.DeleteNode(o)
		case prev == nil:
			sc.s.AddNode(o)
		default:
			sc.s.UpdateNode(prev.(*corev1.Node), o)
		}
	case *corev1.Pod:
		switch {
		case del:
			sc.s.DeletePod(o)
		case prev == nil:
			sc.s.AddPod(o)
		default:
			sc.s.UpdatePod(prev.(*corev1.Pod), o)
		}
	case *schedulingv1.PriorityClass:
		if del {
			sc.s.DeletePriorityClass(o)
		} else {
			sc.s.AddPriorityClass(o)
		}
	case *policyv1.PodDisruptionBudget:
		if del {
			sc.s.DeletePodDisruptionBudget(o)
		} else {
			sc.s.AddPodDisruptionBudget(o)
		}
	case *corev1.Service:
		if del {
			sc.s.DeleteService(o)
		} else {
			sc.s.AddService(o)
		}
	case *appsv1.ReplicaSet:
		if del {
			sc.s.DeleteReplicaSet(o)
		} else {
			sc.s.AddReplicaSet(o)
		}
	case *corev1.Namespace:
		if !del {
			sc.s.AddNamespace(o)
		}
	case *corev1.PersistentVolumeClaim:
		if del {
			sc.s.DeletePersistentVolumeClaim(o)
		} else {
			sc.s.AddPersistentVolumeClaim(o)
		}
	case *corev1.PersistentVolume:
		if del {
			sc.s.DeletePersistentVolume(o)
		} else {
			sc.s.AddPersistentVolume(o)
		}
	case *storagev1.StorageClass:
		if del {
			sc.s.DeleteStorageClass(o)
		} else {
			sc.s.AddStorageClass(o)
		}
	}
}

func (sc *schedulerComponent) Run(now time.Time) bool {
	did, n := sc.bindVolumeWaiters(now), 0
	for {
		pod, ok := sc.s.Pop(now)
		if !ok {
			break
		}
		did = true
		sc.scheduleOne(now, pod)
		if n++; n%256 == 0 {
			sc.c.maybeBackgroundCommit()
		}
	}
	sc.flushBinds(now)
	if !did {
		sc.s.SyncSnapshot()
	}
	sc.armWake()
	return did
}

// Binding pipeline. A cycle that places a pod hands its two writes (the
// Binding and the Scheduled event) to a writer goroutine and goes on with
// the next pod, so scheduling and writing share the two cores. The store
// sees the same writes in the same order as if they were made in line:
// within one Run nothing else writes (the loop holds the cluster lock and
// runs only the scheduler), the writer applies its queue in order, and every
// other write of a cycle (failure status, preemption, explanation) first
// waits for the queue to drain. A cycle's own reads are unaffected: it reads
// only the pod it schedules, which no queued write touches. Such a binding
// cannot fail: the pod was just read unbound, undeleted and not being
// deleted. Should one fail anyway, the pod is requeued once the queue
// drains (its Bound already ran, so the later cycles that saw it assumed
// are not replayed).
func (sc *schedulerComponent) queueBind(pod *corev1.Pod, node string, pre []runtime.Object, waitVolumes bool) {
	if sc.binds == nil {
		if sc.spare == nil {
			sc.spare = make(chan []binding, bindQueue/bindBatch+2)
		}
		sc.binds = make(chan []binding, bindQueue/bindBatch)
		sc.bindsDone = make(chan struct{})
		go sc.writeBinds(sc.binds, sc.spare, sc.bindsDone)
	}
	if sc.batch == nil {
		select {
		case sc.batch = <-sc.spare:
		default:
			sc.batch = make([]binding, 0, bindBatch)
		}
	}
	sc.batch = append(sc.batch, binding{pod, node, pre, waitVolumes})
	if len(sc.batch) == bindBatch {
		sc.binds <- sc.batch
		sc.batch = nil
	}
}

func (sc *schedulerComponent) writeBinds(in <-chan []binding, spare chan<- []binding, done chan<- struct{}) {
	defer close(done)
	for batch := range in {
		for _, b := range batch {
			if f := sc.writeBind(b); f != nil {
				sc.bindFailed = append(sc.bindFailed, *f)
			}
		}
		clear(batch) // keeps no pod alive
		select {
		case spare <- batch[:0]:
		default:
		}
	}
}

// writeBind writes one binding and its Scheduled event. A panic is
// contained here (a panic on this goroutine would end the process) and
// reported by flushBinds on the loop goroutine, like the loop's own.
func (sc *schedulerComponent) writeBind(b binding) (f *bindFailure) {
	bound := false
	defer func() {
		if v := recover(); v != nil {
			f = &bindFailure{pod: b.pod, err: fmt.Errorf("panic: %v", v), panicked: v, stack: debug.Stack(), bound: bound}
		}
	}()
	if sc.beforeBind != nil {
		sc.beforeBind(b.pod)
	}
	for _, o := range b.pre {
		if err := sc.preBind(o); err != nil {
			return &bindFailure{pod: b.pod, err: err}
		}
	}
	if b.waitVolumes {
		sc.volumeWait = append(sc.volumeWait, b) // schedule_volumes.go
		return nil
	}
	if err := sc.c.Registry.Bind(b.pod.Namespace, b.pod.Name, b.node); err != nil {
		return &bindFailure{pod: b.pod, err: err}
	}
	bound = true
	sc.c.Recorder.Series(b.pod, "default-scheduler", sc.instance, corev1.EventTypeNormal, "Scheduled", "Binding", scheduler.ScheduledMessage(b.pod, b.node))
	return nil
}

// preBind writes one of a cycle's PreBind objects, at the resourceVersion
// the scheduler read it (a conflict fails the binding, as upstream's
// PreBind fails on one).
func (sc *schedulerComponent) preBind(o runtime.Object) error {
	var res *registry.Resource
	switch o.(type) {
	case *corev1.PersistentVolume:
		res = sc.c.res("", "persistentvolumes")
	case *corev1.PersistentVolumeClaim:
		res = sc.c.res("", "persistentvolumeclaims")
	default:
		return fmt.Errorf("scheduler: no PreBind write for %T", o)
	}
	_, err := sc.c.Registry.Update(res, registry.ObjectMeta(o).GetNamespace(), o, "")
	return err
}

// flushBinds waits until every queued binding is written.
func (sc *schedulerComponent) flushBinds(now time.Time) {
	if sc.binds == nil {
		return
	}
	if len(sc.batch) > 0 {
		sc.binds <- sc.batch
	}
	sc.batch = nil
	close(sc.binds)
	<-sc.bindsDone
	sc.binds, sc.bindsDone = nil, nil
	for _, f := range sc.bindFailed {
		if f.panicked != nil {
			sc.c.logf("kubesim: %s panicked binding %s: %v\n%s", sc.Name(), describe(f.pod), f.panicked, f.stack)
			sc.c.panicEvent(sc.Name(), f.pod, f.panicked)
			if f.bound {
				continue // only its event was lost; the pod is bound
			}
		}
		// The pod goes back to the queue, after the back-off.
		sc.s.BindFailed(now, f.pod, f.err)
		if o, err := sc.c.Registry.Get(sc.podRes, f.pod.Namespace, f.pod.Name); err == nil {
			sc.s.AddPod(o.(*corev1.Pod))
		}
	}
	sc.bindFailed = nil
}

// armWake keeps one timer at the scheduler's next backoff expiry so the
// loop runs the scheduler then.
func (sc *schedulerComponent) armWake() {
	at, ok := sc.s.NextWake()
	if !ok || (sc.wake != nil && at.Equal(sc.wakeAt)) {
		return
	}
	if sc.wake != nil {
		sc.c.Clock.Stop(sc.wake)
	}
	sc.wakeAt = at
	sc.wake = sc.c.Clock.At(at, func() { sc.wake = nil })
}

func (sc *schedulerComponent) scheduleOne(now time.Time, pod *corev1.Pod) {
	obj, err := sc.c.Registry.Get(sc.podRes, pod.Namespace, pod.Name)
	if err != nil || obj.(*corev1.Pod).UID != pod.UID || obj.(*corev1.Pod).Spec.NodeName != "" {
		return
	}
	pod = obj.(*corev1.Pod)
	res := sc.s.Schedule(now, pod)
	if res.Skipped {
		return
	}
	if res.Explain != nil {
		sc.flushBinds(now)
		// kube-scheduler-simulator style: the explanation rides on the pod.
		key, val := res.Explain.Annotation()
		sc.annotate(pod, key, val)
		if o, err := sc.c.Registry.Get(sc.podRes, pod.Namespace, pod.Name); err == nil {
			pod = o.(*corev1.Pod)
		}
	}
	if res.NodeName != "" {
		sc.s.Bound(pod, res.NodeName)
		sc.queueBind(pod, res.NodeName, res.PreBind, len(res.PreBind) > 0 || !sc.claimsBound(pod))
		return
	}
	sc.flushBinds(now)
	cp := pod.DeepCopy()
	reason := res.Reason
	if reason == "" {
		reason = corev1.PodReasonUnschedulable
	}
	podutil.UpdatePodCondition(&cp.Status, &corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: reason, Message: res.Message, LastTransitionTime: metav1.NewTime(now.UTC().Truncate(time.Second))})
	if res.NominatedNode != "" {
		cp.Status.NominatedNodeName = res.NominatedNode
	}
	cp.ResourceVersion = ""
	sc.c.Registry.Update(sc.podRes, cp.Namespace, cp, "status")
	for _, p := range res.ClearNominated {
		if o, err := sc.c.Registry.Get(sc.podRes, p.Namespace, p.Name); err == nil && o.(*corev1.Pod).Status.NominatedNodeName != "" {
			np := o.(*corev1.Pod).DeepCopy()
			np.Status.NominatedNodeName = ""
			np.ResourceVersion = ""
			sc.c.Registry.Update(sc.podRes, np.Namespace, np, "status")
		}
	}
	for _, v := range res.Victims {
		// The scheduler may hold a victim as the pending object it assumed;
		// the event refers to the pod as stored (bound, current version).
		if o, err := sc.c.Registry.Get(sc.podRes, v.Namespace, v.Name); err == nil && o.(*corev1.Pod).UID == v.UID {
			v = o.(*corev1.Pod)
		}
		sc.c.Recorder.Series(v, "default-scheduler", sc.instance, corev1.EventTypeNormal, "Preempted", "Preempting", "Preempted by pod "+string(pod.UID)+" on node "+res.NominatedNode)
		sc.c.Registry.Delete(sc.podRes, v.Namespace, v.Name, nil)
	}
	sc.c.Recorder.Series(pod, "default-scheduler", sc.instance, corev1.EventTypeWarning, "FailedScheduling", "Scheduling", res.Message)
}

// annotate stores the scheduling explanation on the pod.
func (sc *schedulerComponent) annotate(pod *corev1.Pod, key, val string) {
	if key == "" || pod.Annotations[key] == val {
		return
	}
	cp := pod.DeepCopy()
	if cp.Annotations == nil {
		cp.Annotations = map[string]string{}
	}
	cp.Annotations[key] = val
	cp.ResourceVersion = ""
	sc.c.Registry.Update(sc.podRes, cp.Namespace, cp, "")
}

// schedulerConfig is the scheduler the ClusterSpec describes (its
// scheduler section applied to kube-scheduler's defaults), drawing from
// the cluster seed's given stream.
func (c *Cluster) schedulerConfig(stream uint64) (scheduler.Config, error) {
	cfg := scheduler.DefaultConfigPCG(rand.NewPCG(c.Spec.Seed, stream))
	cfg.KubernetesVersion = c.Spec.KubernetesVersion
	cfg.Explain = c.Spec.ExplainAnnotations
	cfg.Record, cfg.RecordLarge = decisionsKept, c.Spec.Scheduler.RecordDecisions
	return cfg, applySchedulerSpec(&cfg, c.Spec.Scheduler)
}

// applySchedulerSpec turns the ClusterSpec's scheduler section into the
// scheduler's profile.
func applySchedulerSpec(cfg *scheduler.Config, spec SchedulerSpec) error {
	cfg.PercentageOfNodesToScore = spec.PercentageOfNodesToScore
	disabled := map[string]bool{}
	for _, n := range spec.Disabled {
		disabled[n] = true
	}
	var plugins []scheduler.PluginConfig
	known := map[string]bool{}
	for _, p := range cfg.Profile.Plugins {
		known[p.Name] = true
		if disabled[p.Name] {
			continue
		}
		if w, ok := spec.Weights[p.Name]; ok {
			p.Weight = w
		}
		if p.Name == noderesources.FitName && spec.ScoringStrategy != "" {
			st := noderesources.ScoringStrategyType(spec.ScoringStrategy)
			switch st {
			case noderesources.LeastAllocated, noderesources.MostAllocated, noderesources.RequestedToCapacityRatio:
			default:
				return fmt.Errorf("scheduler: scoringStrategy %q: want LeastAllocated, MostAllocated or RequestedToCapacityRatio", spec.ScoringStrategy)
			}
			strategy := &noderesources.ScoringStrategy{Type: st, Resources: noderesources.DefaultResources()}
			if st == noderesources.RequestedToCapacityRatio {
				strategy.Shape = []noderesources.UtilizationShapePoint{{Utilization: 0, Score: 0}, {Utilization: 100, Score: 10}}
			}
			p.Args = &noderesources.FitArgs{ScoringStrategy: strategy}
		}
		plugins = append(plugins, p)
	}
	for _, n := range append(append([]string(nil), spec.Disabled...), slices.Sorted(maps.Keys(spec.Weights))...) {
		if !known[n] {
			return fmt.Errorf("scheduler: unknown plugin %q", n)
		}
	}
	cfg.Profile.Plugins = plugins
	return nil
}
