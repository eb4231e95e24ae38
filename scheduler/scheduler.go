package scheduler

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/defaultpreemption"
)

// Scheduler is one scheduler profile with its queue and cache. Not safe for
// concurrent use: call every method from the simulator's loop goroutine.
type Scheduler struct {
	cfg  Config
	c    *cache
	snap *snapshot
	q    *queue
	objs *objects
	par  framework.Parallelizer

	preFilter    []framework.PreFilterPlugin
	preFilterExt []namedExt
	filter       []framework.FilterPlugin
	postFilter   []framework.PostFilterPlugin
	preScore     []framework.PreScorePlugin
	score        []weightedScore
	reserve      []framework.ReservePlugin
	preBind      []framework.PreBindPlugin
	events       map[string][]framework.ClusterEvent

	nextStartNodeIndex int
	doublePeriod       bool
	// activeFilters are the filter plugins not skipped in the current cycle.
	activeFilters []framework.FilterPlugin
	// activeBatch[i] is activeFilters[i]'s batch fast path, or nil.
	activeBatch []framework.BatchFilterPlugin
	// activeRows[i] is activeFilters[i]'s row fast path, or nil.
	activeRows  []framework.RowFilterPlugin
	activeScore []weightedScore
	// activeExt is set when a PreFilterExtensions plugin did not skip.
	activeExt bool
	// rowTested is set when every active filter has a row test this
	// cycle; rowTest is their And (filter_rows.go).
	rowTested bool
	rowTest   framework.RowTest

	// per-cycle buffers, reused
	state      *framework.CycleState
	scoring    scoreRun
	statusBuf  []*framework.Status
	windowBuf  []*framework.NodeInfo
	passBuf    []*framework.NodeInfo
	passIdx    []int32
	passStatus []*framework.Status
	windowRows []framework.NodeRow
	passRows   []framework.NodeRow
	// feasibleRows are the last findFeasible's feasible nodes' rows.
	feasibleRows rowList
	scoreBuf     []int64
	totalBuf     []int64
	feasibleBuf  []*framework.NodeInfo
	failedBuf    []failedNode
	nsBuf        []framework.NodeScore
	rejected     []Rejection
	pcgBuf       []byte
	candBuf      []int32

	decisions decisions
}

type namedExt struct {
	name string
	ext  framework.PreFilterExtensions
}

type weightedScore struct {
	pl     framework.ScorePlugin
	norm   framework.NormalizeScorePlugin
	batch  framework.BatchScorePlugin
	rows   framework.RowScorePlugin
	bnorm  framework.BatchNormalizeScorePlugin
	weight int64
}

var _ framework.Handle = &Scheduler{}

// parallelMinChunk is the fewest nodes (or pods) worth handing to another
// goroutine; measured on 2 cores, smaller chunks made cycles slower.
const parallelMinChunk = 1024

// parallelRowMinChunk is parallelMinChunk for a Score pass whose plugins all
// read rows with their memo (a few ns a node): at 100,000 nodes (5,000
// scored) on two cores, scoring them on the calling goroutine took 36 %
// less CPU per pod and no more wall time than two workers, whose start
// and wake-ups cost more than their share of the work.
const parallelRowMinChunk = 8192

// New builds a scheduler from cfg: plugins are instantiated from the
// registry in profile order.
func New(cfg Config) (*Scheduler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Scheduler{
		cfg:  cfg,
		c:    newCache(),
		snap: newSnapshot(),
		q:    newQueue(time.Duration(cfg.PodInitialBackoffSeconds)*time.Second, time.Duration(cfg.PodMaxBackoffSeconds)*time.Second, time.Duration(cfg.MaxInUnschedulableSeconds)*time.Second),
		objs: newObjects(),
		// More workers than CPUs only adds goroutine overhead, and splitting
		// a cycle's few hundred nodes across cores costs more in cache
		// misses than it saves (benchmarks/scheduler.md): a goroutine gets
		// at least parallelMinChunk pieces. Results are merged in node
		// order, so the worker count never changes the outcome.
		par:    framework.Parallelizer{Workers: min(cfg.Parallelism, runtime.GOMAXPROCS(0)), MinChunk: parallelMinChunk},
		events: map[string][]framework.ClusterEvent{},
		state:  framework.NewCycleState(nil),
	}
	s.doublePeriod = !cfg.versionAtLeast(1, 30)
	s.decisions.n = cfg.Record
	for _, pc := range cfg.Profile.Plugins {
		if pc.Name == PrioritySortName {
			continue
		}
		f, ok := cfg.Registry[pc.Name]
		if !ok {
			return nil, fmt.Errorf("scheduler: plugin %q is not in the registry", pc.Name)
		}
		p, err := f(cfg.applyVersionArgs(pc.Name, pc.Args), s)
		if err != nil {
			return nil, fmt.Errorf("scheduler: initializing plugin %q: %w", pc.Name, err)
		}
		if p.Name() != pc.Name {
			return nil, fmt.Errorf("scheduler: plugin registered as %q calls itself %q", pc.Name, p.Name())
		}
		if dp, ok := p.(*defaultpreemption.DefaultPreemption); ok {
			dp.DoublePeriod = s.doublePeriod
		}
		if x, ok := p.(framework.PreFilterPlugin); ok {
			s.preFilter = append(s.preFilter, x)
		}
		if x, ok := p.(framework.PreFilterExtensions); ok {
			s.preFilterExt = append(s.preFilterExt, namedExt{pc.Name, x})
		}
		if x, ok := p.(framework.FilterPlugin); ok {
			s.filter = append(s.filter, x)
		}
		if x, ok := p.(framework.PostFilterPlugin); ok {
			s.postFilter = append(s.postFilter, x)
		}
		if x, ok := p.(framework.PreScorePlugin); ok {
			s.preScore = append(s.preScore, x)
		}
		if x, ok := p.(framework.ScorePlugin); ok {
			w := int64(pc.Weight)
			if w == 0 {
				w = 1
			}
			ws := weightedScore{pl: x, weight: w}
			ws.norm, _ = p.(framework.NormalizeScorePlugin)
			ws.batch, _ = p.(framework.BatchScorePlugin)
			ws.rows, _ = p.(framework.RowScorePlugin)
			ws.bnorm, _ = p.(framework.BatchNormalizeScorePlugin)
			s.score = append(s.score, ws)
		}
		if x, ok := p.(framework.ReservePlugin); ok {
			s.reserve = append(s.reserve, x)
		}
		if x, ok := p.(framework.PreBindPlugin); ok {
			s.preBind = append(s.preBind, x)
		}
		if x, ok := p.(framework.EnqueueExtensions); ok {
			s.events[pc.Name] = x.EventsToRegister()
		}
	}
	return s, nil
}

// --- framework.Handle ---

// Snapshot returns the current cycle's snapshot.
func (s *Scheduler) Snapshot() framework.SharedLister { return s.snap }

// Objects returns the watched non-node, non-pod objects.
func (s *Scheduler) Objects() framework.ObjectLister { return s.objs }

// Parallelizer returns the filter/score parallelizer.
func (s *Scheduler) Parallelizer() framework.Parallelizer { return s.par }

// Rand returns the cluster's seeded source.
func (s *Scheduler) Rand() *rand.Rand { return s.cfg.Rand }

// NominatedPodsForNode lists pods nominated to nodeName, sorted by key.
func (s *Scheduler) NominatedPodsForNode(nodeName string) []*framework.PodInfo {
	m := s.q.nominated[nodeName]
	if len(m) == 0 {
		return nil
	}
	out := make([]*framework.PodInfo, 0, len(m))
	for _, pi := range m {
		out = append(out, pi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// RunPreFilterExtensionAddPod tells every PreFilterExtensions about an added pod.
func (s *Scheduler) RunPreFilterExtensionAddPod(state *framework.CycleState, pod *v1.Pod, add *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	for _, e := range s.preFilterExt {
		if _, skip := state.SkipFilterPlugins[e.name]; skip {
			continue
		}
		if st := e.ext.AddPod(state, pod, add, ni); !st.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running AddPod on PreFilter plugin %q: %w", e.name, st.AsError()))
		}
	}
	return nil
}

// RunPreFilterExtensionRemovePod tells every PreFilterExtensions about a removed pod.
func (s *Scheduler) RunPreFilterExtensionRemovePod(state *framework.CycleState, pod *v1.Pod, rm *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	for _, e := range s.preFilterExt {
		if _, skip := state.SkipFilterPlugins[e.name]; skip {
			continue
		}
		if st := e.ext.RemovePod(state, pod, rm, ni); !st.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running RemovePod on PreFilter plugin %q: %w", e.name, st.AsError()))
		}
	}
	return nil
}

// runFilterPlugins runs the filters in order and returns the first rejection.
func (s *Scheduler) runFilterPlugins(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	for _, pl := range s.activeFilters {
		if st := pl.Filter(state, pod, ni); !st.IsSuccess() {
			if !st.IsUnschedulable() {
				st = framework.AsStatus(fmt.Errorf("running %q filter plugin: %w", pl.Name(), st.AsError()))
			}
			return framework.SetPlugin(st, pl.Name())
		}
	}
	return nil
}

// RunFilterPluginsWithNominatedPods runs the filters twice when pods of
// equal or higher priority are nominated to the node: once with them added
// (they must still fit) and once without, as upstream.
func (s *Scheduler) RunFilterPluginsWithNominatedPods(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	if len(s.q.nominated) == 0 {
		return s.runFilterPlugins(state, pod, ni)
	}
	var st *framework.Status
	added := false
	for i := 0; i < 2; i++ {
		stateToUse, niToUse := state, ni
		if i == 0 {
			var err *framework.Status
			added, stateToUse, niToUse, err = s.addNominatedPods(state, pod, ni)
			if err != nil {
				return err
			}
		} else if !added || !st.IsSuccess() {
			break
		}
		st = s.runFilterPlugins(stateToUse, pod, niToUse)
		if !st.IsSuccess() && !st.IsUnschedulable() {
			return st
		}
	}
	return st
}

func (s *Scheduler) addNominatedPods(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) (bool, *framework.CycleState, *framework.NodeInfo, *framework.Status) {
	if ni.Node() == nil {
		return false, state, ni, nil
	}
	m := s.q.nominated[ni.Node().Name]
	if len(m) == 0 {
		return false, state, ni, nil
	}
	prio := state.PodInfo.Priority
	key := framework.PodKey(pod)
	var out *framework.NodeInfo
	var stateOut *framework.CycleState
	for _, pi := range s.NominatedPodsForNode(ni.Node().Name) {
		if pi.Priority < prio || pi.Key == key {
			continue
		}
		if out == nil {
			out, stateOut = ni.Clone(), state
			if s.activeExt {
				// Only extension plugins mutate the state when pods are added.
				stateOut = state.Clone()
			}
		}
		out.AddPodInfo(pi)
		if st := s.RunPreFilterExtensionAddPod(stateOut, pod, pi, out); !st.IsSuccess() {
			return false, state, ni, st
		}
	}
	if out == nil {
		return false, state, ni, nil
	}
	return true, stateOut, out, nil
}

// --- cluster state, in event order ---

func (s *Scheduler) newPodInfo(p *v1.Pod) *framework.PodInfo {
	pi := framework.NewPodInfo(p)
	s.objs.resolvePriority(pi)
	return pi
}

func terminal(p *v1.Pod) bool {
	return p.Status.Phase == v1.PodSucceeded || p.Status.Phase == v1.PodFailed
}

func (s *Scheduler) responsible(p *v1.Pod) bool {
	name := p.Spec.SchedulerName
	return name == s.cfg.SchedulerName || (name == "" && s.cfg.SchedulerName == DefaultSchedulerName)
}

func (s *Scheduler) interested(plugin string, ev framework.ClusterEvent) bool {
	for _, r := range s.events[plugin] {
		if r.Match(ev) {
			return true
		}
	}
	return false
}

func (s *Scheduler) move(res framework.GVK, action framework.ActionType) {
	s.q.moveOnEvent(framework.ClusterEvent{Resource: res, ActionType: action}, s.interested)
}

// AddNode adds a node; pods waiting for a node like it are retried.
func (s *Scheduler) AddNode(n *v1.Node) {
	s.c.addNode(n)
	s.move(framework.Node, framework.Add)
}

// UpdateNode records a node change; pods are retried when allocatable,
// labels, taints, spec.unschedulable or conditions changed.
func (s *Scheduler) UpdateNode(old, n *v1.Node) {
	s.c.addNode(n)
	if old == nil {
		s.move(framework.Node, framework.Add)
		return
	}
	var a framework.ActionType
	if !apiequality.Semantic.DeepEqual(old.Status.Allocatable, n.Status.Allocatable) {
		a |= framework.UpdateNodeAllocatable
	}
	if !apiequality.Semantic.DeepEqual(old.Labels, n.Labels) {
		a |= framework.UpdateNodeLabel
	}
	if old.Spec.Unschedulable != n.Spec.Unschedulable || !apiequality.Semantic.DeepEqual(old.Spec.Taints, n.Spec.Taints) {
		a |= framework.UpdateNodeTaint
	}
	if !conditionsEqual(old.Status.Conditions, n.Status.Conditions) {
		a |= framework.UpdateNodeCondition
	}
	if a != 0 {
		s.move(framework.Node, a)
	}
}

func conditionsEqual(a, b []v1.NodeCondition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].Status != b[i].Status {
			return false
		}
	}
	return true
}

// DeleteNode removes a node (its pods stay until their own delete events).
func (s *Scheduler) DeleteNode(n *v1.Node) {
	s.c.removeNode(n)
	s.move(framework.Node, framework.Delete)
}

// AddPod: an assigned pod (spec.nodeName set) goes to the cache; an
// unassigned, non-terminal pod for this scheduler goes to activeQ.
func (s *Scheduler) AddPod(p *v1.Pod) {
	if p.Spec.NodeName != "" {
		if terminal(p) {
			return
		}
		s.q.remove(framework.PodKey(p))
		s.c.addPod(s.newPodInfo(p))
		s.move(framework.Pod, framework.Add)
		return
	}
	if terminal(p) || !s.responsible(p) || len(p.Spec.SchedulingGates) > 0 || s.c.isAssumed(framework.PodKey(p)) {
		return
	}
	s.q.add(s.newPodInfo(p))
}

// UpdatePod follows a pod through binding (confirming an assumed pod),
// spec changes while pending, and termination.
func (s *Scheduler) UpdatePod(old, p *v1.Pod) {
	key := framework.PodKey(p)
	if p.Spec.NodeName != "" {
		if terminal(p) {
			if s.c.removePod(key) {
				s.move(framework.Pod, framework.Delete)
			}
			s.q.remove(key)
			return
		}
		if ps := s.c.pods[key]; ps != nil && ps.assumed && ps.nodeName == p.Spec.NodeName {
			// Confirming the assumed pod: same node, same requests.
			c := *ps.info
			c.Pod = p
			s.c.confirm(ps, &c)
		} else {
			s.c.addPod(s.newPodInfo(p))
		}
		s.q.remove(key)
		a := framework.UpdatePodOther
		if old == nil || !apiequality.Semantic.DeepEqual(old.Labels, p.Labels) {
			a = framework.UpdatePodLabel
		}
		s.move(framework.Pod, a)
		return
	}
	if s.c.isAssumed(key) {
		return
	}
	if terminal(p) || !s.responsible(p) || len(p.Spec.SchedulingGates) > 0 {
		// Gated pods wait outside the queue (upstream's SchedulingGates
		// PreEnqueue plugin) until their gates are removed.
		s.q.remove(key)
		return
	}
	s.q.update(s.newPodInfo(p))
}

// DeletePod forgets a pod; pods that were waiting for room are retried.
func (s *Scheduler) DeletePod(p *v1.Pod) {
	key := framework.PodKey(p)
	s.q.remove(key)
	if s.c.removePod(key) {
		s.move(framework.Pod, framework.Delete)
	}
}

// AddPriorityClass records a PriorityClass (used when a pod has no spec.priority).
func (s *Scheduler) AddPriorityClass(pc *schedulingv1.PriorityClass) { s.objs.priority[pc.Name] = pc }

// DeletePriorityClass forgets a PriorityClass.
func (s *Scheduler) DeletePriorityClass(pc *schedulingv1.PriorityClass) {
	delete(s.objs.priority, pc.Name)
}

// AddPodDisruptionBudget records or replaces a PDB (preemption respects them).
func (s *Scheduler) AddPodDisruptionBudget(pdb *policyv1.PodDisruptionBudget) {
	s.objs.pdbs[nsName(pdb.Namespace, pdb.Name)] = pdb
	s.objs.rebuildPDBs()
}

// DeletePodDisruptionBudget forgets a PDB.
func (s *Scheduler) DeletePodDisruptionBudget(pdb *policyv1.PodDisruptionBudget) {
	delete(s.objs.pdbs, nsName(pdb.Namespace, pdb.Name))
	s.objs.rebuildPDBs()
}

// AddService records or replaces a Service (default topology spreading).
func (s *Scheduler) AddService(svc *v1.Service) {
	s.objs.services[nsName(svc.Namespace, svc.Name)] = svc
}

// DeleteService forgets a Service.
func (s *Scheduler) DeleteService(svc *v1.Service) {
	delete(s.objs.services, nsName(svc.Namespace, svc.Name))
}

// AddReplicaSet records or replaces a ReplicaSet (default topology spreading).
func (s *Scheduler) AddReplicaSet(rs *appsv1.ReplicaSet) {
	s.objs.replicaSets[nsName(rs.Namespace, rs.Name)] = rs
}

// DeleteReplicaSet forgets a ReplicaSet.
func (s *Scheduler) DeleteReplicaSet(rs *appsv1.ReplicaSet) {
	delete(s.objs.replicaSets, nsName(rs.Namespace, rs.Name))
}

// AddStatefulSet records or replaces a StatefulSet.
func (s *Scheduler) AddStatefulSet(ss *appsv1.StatefulSet) {
	s.objs.statefulSets[nsName(ss.Namespace, ss.Name)] = ss
}

// DeleteStatefulSet forgets a StatefulSet.
func (s *Scheduler) DeleteStatefulSet(ss *appsv1.StatefulSet) {
	delete(s.objs.statefulSets, nsName(ss.Namespace, ss.Name))
}

// AddReplicationController records or replaces a ReplicationController.
func (s *Scheduler) AddReplicationController(rc *v1.ReplicationController) {
	s.objs.rcs[nsName(rc.Namespace, rc.Name)] = rc
}

// DeleteReplicationController forgets a ReplicationController.
func (s *Scheduler) DeleteReplicationController(rc *v1.ReplicationController) {
	delete(s.objs.rcs, nsName(rc.Namespace, rc.Name))
}

// AddNamespace records or replaces a Namespace (affinity namespaceSelectors).
func (s *Scheduler) AddNamespace(ns *v1.Namespace) { s.objs.namespaces[ns.Name] = ns }

// DeleteNamespace forgets a Namespace.
func (s *Scheduler) DeleteNamespace(ns *v1.Namespace) { delete(s.objs.namespaces, ns.Name) }

// AddPersistentVolumeClaim records or replaces a claim; pods waiting on
// volumes are retried.
func (s *Scheduler) AddPersistentVolumeClaim(pvc *v1.PersistentVolumeClaim) {
	_, existed := s.objs.pvcs[nsName(pvc.Namespace, pvc.Name)]
	s.objs.pvcs[nsName(pvc.Namespace, pvc.Name)] = pvc
	s.move(framework.PersistentVolumeClaim, addOrUpdate(existed))
}

// DeletePersistentVolumeClaim forgets a claim.
func (s *Scheduler) DeletePersistentVolumeClaim(pvc *v1.PersistentVolumeClaim) {
	delete(s.objs.pvcs, nsName(pvc.Namespace, pvc.Name))
}

// AddPersistentVolume records or replaces a volume; pods waiting on
// volumes are retried.
func (s *Scheduler) AddPersistentVolume(pv *v1.PersistentVolume) {
	_, existed := s.objs.pvs[pv.Name]
	s.objs.pvs[pv.Name] = pv
	if !existed {
		s.objs.pvList = nil
	} else {
		for i, x := range s.objs.pvList {
			if x.Name == pv.Name {
				s.objs.pvList[i] = pv
			}
		}
	}
	s.move(framework.PersistentVolume, addOrUpdate(existed))
}

// DeletePersistentVolume forgets a volume.
func (s *Scheduler) DeletePersistentVolume(pv *v1.PersistentVolume) {
	delete(s.objs.pvs, pv.Name)
	s.objs.pvList = nil
}

// AddStorageClass records or replaces a StorageClass; pods waiting on
// volumes are retried.
func (s *Scheduler) AddStorageClass(sc *storagev1.StorageClass) {
	_, existed := s.objs.classes[sc.Name]
	s.objs.classes[sc.Name] = sc
	s.move(framework.StorageClass, addOrUpdate(existed))
}

// DeleteStorageClass forgets a StorageClass.
func (s *Scheduler) DeleteStorageClass(sc *storagev1.StorageClass) { delete(s.objs.classes, sc.Name) }

func addOrUpdate(existed bool) framework.ActionType {
	if existed {
		return framework.Update
	}
	return framework.Add
}

// --- the cycle's outer API ---

// Pop returns the next pod to schedule, after moving pods whose backoff
// (or unschedulable timeout) has passed at now; false when none is ready.
func (s *Scheduler) Pop(now time.Time) (*v1.Pod, bool) {
	p := s.q.pop(now)
	if p == nil {
		return nil, false
	}
	return p.info.Pod, true
}

// Bound reports that the Binding for pod was written; the assumed pod stays
// in the cache until the pod's update (with spec.nodeName) arrives.
func (s *Scheduler) Bound(pod *v1.Pod, nodeName string) {
	key := framework.PodKey(pod)
	if ps := s.c.pods[key]; ps != nil {
		ps.bindingFinished = true
	}
	if qp := s.q.lookup(key); qp != nil && qp.where == inFlight {
		s.q.removePod(qp)
	}
}

// BindFailed forgets the assumed pod and requeues it with backoff.
func (s *Scheduler) BindFailed(now time.Time, pod *v1.Pod, err error) {
	key := framework.PodKey(pod)
	if ps := s.c.pods[key]; ps != nil && ps.assumed {
		node := ps.nodeName
		s.c.forget(key)
		state := framework.NewCycleState(ps.info)
		for i := len(s.reserve) - 1; i >= 0; i-- {
			s.reserve[i].Unreserve(state, pod, node)
		}
		s.move(framework.Pod, framework.Delete)
	}
	if qp := s.q.pods[key]; qp != nil && qp.where == inFlight {
		s.q.requeue(qp, now, nil, true)
	}
}

// NextWake is the earliest time a pod in backoff or in the unschedulable
// pool becomes ready; the simulator sets a timer and calls Pop then.
func (s *Scheduler) NextWake() (time.Time, bool) { return s.q.nextWake() }

// SyncSnapshot brings the cycle snapshot up to date with the cache, as the
// next cycle would. The simulator calls it when the queue is idle: a
// snapshot left stale after a burst still holds every pod it assumed as the
// pending object its binding replaced.
func (s *Scheduler) SyncSnapshot() { s.c.updateSnapshot(s.snap) }

// Pending counts pods in the queue (active, backoff, unschedulable, in flight).
func (s *Scheduler) Pending() int { return len(s.q.pods) }

// ScheduledMessage is the Scheduled event text:
// "Successfully assigned default/myapache to w2.example.com".
func ScheduledMessage(pod *v1.Pod, node string) string {
	return "Successfully assigned " + pod.Namespace + "/" + pod.Name + " to " + node
}
