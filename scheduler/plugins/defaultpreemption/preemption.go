package defaultpreemption

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "DefaultPreemption"

// Upstream message texts (default_preemption.go, preemption.go).
const (
	MsgNotHelpful      = "Preemption is not helpful for scheduling"
	MsgNoVictims       = "No preemption victims found for incoming pod"
	MsgPolicyNever     = "not eligible due to preemptionPolicy=Never."
	MsgTerminatingPod  = "not eligible due to a terminating pod on the nominated node."
	msgNoCandidateNode = "no candidate node for preemption"
)

// Args configures the plugin as DefaultPreemptionArgs.
type Args struct {
	MinCandidateNodesPercentage int32 // default 10
	MinCandidateNodesAbsolute   int32 // default 100
}

// DefaultPreemption is the plugin.
type DefaultPreemption struct {
	h    framework.Handle
	args Args
	// DoublePeriod makes the nested FitError end in ".." as kube-scheduler ≤ 1.29.
	DoublePeriod bool
}

// New is the factory; args may be nil or Args.
func New(args any, h framework.Handle) (framework.Plugin, error) {
	a, _ := args.(Args)
	if a.MinCandidateNodesPercentage == 0 {
		a.MinCandidateNodesPercentage = 10
	}
	if a.MinCandidateNodesAbsolute == 0 {
		a.MinCandidateNodesAbsolute = 100
	}
	if a.MinCandidateNodesPercentage < 0 || a.MinCandidateNodesPercentage > 100 {
		return nil, fmt.Errorf("%s: minCandidateNodesPercentage %d not in [0, 100]", Name, a.MinCandidateNodesPercentage)
	}
	return &DefaultPreemption{h: h, args: a}, nil
}

// Name returns the plugin name.
func (*DefaultPreemption) Name() string { return Name }

// PostFilter tries preemption; its message is prefixed "preemption: ".
func (pl *DefaultPreemption) PostFilter(state *framework.CycleState, pod *v1.Pod, m map[string]*framework.Status) (*framework.PostFilterResult, *framework.Status) {
	res, st := pl.preempt(state, pod, m)
	if msg := st.Message(); msg != "" {
		return res, framework.NewStatus(st.Code(), "preemption: "+msg)
	}
	return res, st
}

type candidate struct {
	name          string
	victims       []*v1.Pod
	numViolations int
}

func (pl *DefaultPreemption) preempt(state *framework.CycleState, pod *v1.Pod, m map[string]*framework.Status) (*framework.PostFilterResult, *framework.Status) {
	if ok, msg := pl.eligible(pod, m[pod.Status.NominatedNodeName]); !ok {
		return nil, framework.NewStatus(framework.Unschedulable, msg)
	}
	all := pl.h.Snapshot().List()
	if len(all) == 0 {
		return nil, framework.AsStatus(errors.New("no nodes available"))
	}
	var potential []*framework.NodeInfo
	statuses := map[string]*framework.Status{}
	for _, ni := range all {
		if m[ni.Node().Name].Code() == framework.UnschedulableAndUnresolvable {
			statuses[ni.Node().Name] = framework.NewStatus(framework.UnschedulableAndUnresolvable, MsgNotHelpful)
			continue
		}
		potential = append(potential, ni)
	}
	var candidates []candidate
	if len(potential) > 0 {
		offset := pl.h.Rand().Int32N(int32(len(potential)))
		num := pl.numCandidates(int32(len(potential)))
		var dryStatuses map[string]*framework.Status
		candidates, dryStatuses = pl.dryRun(state, pod, potential, int(offset), int(num))
		for k, v := range dryStatuses {
			statuses[k] = v
		}
	}
	if len(candidates) == 0 {
		fe := &framework.FitError{Pod: pod, NumAllNodes: len(statuses), Diagnosis: framework.Diagnosis{NodeToStatus: statuses}}
		return &framework.PostFilterResult{}, framework.NewStatus(framework.Unschedulable, fe.Error())
	}
	best := pickOne(candidates)
	if best == nil {
		return nil, framework.NewStatus(framework.Unschedulable, msgNoCandidateNode)
	}
	res := &framework.PostFilterResult{NominatedNodeName: best.name, Victims: best.victims}
	prio := framework.PodPriority(pod)
	for _, np := range pl.h.NominatedPodsForNode(best.name) {
		if np.Priority < prio && np.Key != framework.PodKey(pod) {
			res.LowerPriorityNominated = append(res.LowerPriorityNominated, np.Pod)
		}
	}
	return res, nil
}

func (pl *DefaultPreemption) eligible(pod *v1.Pod, nominatedStatus *framework.Status) (bool, string) {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return false, MsgPolicyNever
	}
	if nom := pod.Status.NominatedNodeName; nom != "" {
		if nominatedStatus.Code() == framework.UnschedulableAndUnresolvable {
			return true, ""
		}
		if ni := pl.h.Snapshot().Get(nom); ni != nil {
			prio := framework.PodPriority(pod)
			for _, p := range ni.Pods {
				if p.Pod.DeletionTimestamp != nil && p.Priority < prio {
					return false, MsgTerminatingPod
				}
			}
		}
	}
	return true, ""
}

func (pl *DefaultPreemption) numCandidates(n int32) int32 {
	c := n * pl.args.MinCandidateNodesPercentage / 100
	if c < pl.args.MinCandidateNodesAbsolute {
		c = pl.args.MinCandidateNodesAbsolute
	}
	return min(c, n)
}

type dryResult struct {
	victims    []*v1.Pod
	violations int
	status     *framework.Status
}

// dryRun evaluates nodes from offset in windows; within a window nodes run in
// parallel, results are merged in visiting order and the run stops, as
// upstream, once there is a non-violating candidate and enough candidates.
func (pl *DefaultPreemption) dryRun(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, offset, num int) ([]candidate, map[string]*framework.Status) {
	pdbs := pl.h.Objects().PodDisruptionBudgets()
	var nonViolating, violating []candidate
	statuses := map[string]*framework.Status{}
	window := max(num, 16)
	for start := 0; start < len(nodes); start += window {
		end := min(start+window, len(nodes))
		results := make([]dryResult, end-start)
		pl.h.Parallelizer().Until(end-start, func(i int) {
			ni := nodes[(offset+start+i)%len(nodes)].Clone()
			v, n, st := pl.selectVictimsOnNode(state.Clone(), pod, ni, pdbs)
			results[i] = dryResult{v, n, st}
		})
		for i, r := range results {
			name := nodes[(offset+start+i)%len(nodes)].Node().Name
			if r.status.IsSuccess() && len(r.victims) > 0 {
				c := candidate{name: name, victims: r.victims, numViolations: r.violations}
				if r.violations == 0 {
					nonViolating = append(nonViolating, c)
				} else {
					violating = append(violating, c)
				}
				if len(nonViolating) > 0 && len(nonViolating)+len(violating) >= num {
					return append(nonViolating, violating...), statuses
				}
				continue
			}
			st := r.status
			if st.IsSuccess() {
				st = framework.AsStatus(fmt.Errorf("expected at least one victim pod on node %q", name))
			}
			statuses[name] = st
		}
	}
	return append(nonViolating, violating...), statuses
}

// selectVictimsOnNode removes all lower-priority pods, checks the pod fits,
// then reprieves as many as possible (PDB-violating ones first, each group
// from the most important down).
func (pl *DefaultPreemption) selectVictimsOnNode(state *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo, pdbs []*policyv1.PodDisruptionBudget) ([]*v1.Pod, int, *framework.Status) {
	var potential []*framework.PodInfo
	prio := framework.PodPriority(pod)
	for _, p := range append([]*framework.PodInfo(nil), ni.Pods...) {
		if p.Priority < prio {
			potential = append(potential, p)
			ni.RemovePod(p.Pod)
			if st := pl.h.RunPreFilterExtensionRemovePod(state, pod, p, ni); !st.IsSuccess() {
				return nil, 0, st
			}
		}
	}
	if len(potential) == 0 {
		return nil, 0, framework.NewStatus(framework.UnschedulableAndUnresolvable, MsgNoVictims)
	}
	if st := pl.h.RunFilterPluginsWithNominatedPods(state, pod, ni); !st.IsSuccess() {
		return nil, 0, st
	}
	sort.SliceStable(potential, func(i, j int) bool { return MoreImportantPod(potential[i], potential[j]) })
	violatingPods, nonViolatingPods := filterPodsWithPDBViolation(potential, pdbs)
	var victims []*v1.Pod
	numViolating := 0
	reprieve := func(p *framework.PodInfo) (bool, *framework.Status) {
		ni.AddPodInfo(p)
		if st := pl.h.RunPreFilterExtensionAddPod(state, pod, p, ni); !st.IsSuccess() {
			return false, st
		}
		fits := pl.h.RunFilterPluginsWithNominatedPods(state, pod, ni).IsSuccess()
		if !fits {
			ni.RemovePod(p.Pod)
			if st := pl.h.RunPreFilterExtensionRemovePod(state, pod, p, ni); !st.IsSuccess() {
				return false, st
			}
			victims = append(victims, p.Pod)
		}
		return fits, nil
	}
	for _, p := range violatingPods {
		fits, st := reprieve(p)
		if st != nil {
			return nil, 0, st
		}
		if !fits {
			numViolating++
		}
	}
	for _, p := range nonViolatingPods {
		if _, st := reprieve(p); st != nil {
			return nil, 0, st
		}
	}
	return victims, numViolating, nil
}

// startTime is the pod's start time; a pod not started counts as newest.
func startTime(p *v1.Pod) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return time.Unix(1<<62, 0)
}

// MoreImportantPod orders by priority, then earlier start time.
func MoreImportantPod(a, b *framework.PodInfo) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return startTime(a.Pod).Before(startTime(b.Pod))
}

func filterPodsWithPDBViolation(pods []*framework.PodInfo, pdbs []*policyv1.PodDisruptionBudget) (violating, nonViolating []*framework.PodInfo) {
	allowed := make([]int32, len(pdbs))
	sels := make([]labels.Selector, len(pdbs))
	for i, pdb := range pdbs {
		allowed[i] = pdb.Status.DisruptionsAllowed
		if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil {
			sels[i] = s
		} else {
			sels[i] = labels.Nothing()
		}
	}
	for _, pi := range pods {
		p := pi.Pod
		violated := false
		if len(p.Labels) != 0 {
			for i, pdb := range pdbs {
				if pdb.Namespace != p.Namespace {
					continue
				}
				if sels[i].Empty() || !sels[i].Matches(labels.Set(p.Labels)) {
					continue
				}
				if _, ok := pdb.Status.DisruptedPods[p.Name]; ok {
					continue
				}
				allowed[i]--
				if allowed[i] < 0 {
					violated = true
				}
			}
		}
		if violated {
			violating = append(violating, pi)
		} else {
			nonViolating = append(nonViolating, pi)
		}
	}
	return violating, nonViolating
}

// pickOne applies upstream's criteria in order: fewest PDB violations,
// lowest highest-priority victim, lowest priority sum, fewest victims,
// latest start of the highest-priority victims; then the first candidate.
func pickOne(cs []candidate) *candidate {
	if len(cs) == 0 {
		return nil
	}
	filter := func(in []*candidate, key func(*candidate) int64) []*candidate {
		best := int64(math.MaxInt64)
		var out []*candidate
		for _, c := range in {
			k := key(c)
			if k < best {
				best, out = k, out[:0]
			}
			if k == best {
				out = append(out, c)
			}
		}
		return out
	}
	set := make([]*candidate, len(cs))
	for i := range cs {
		if len(cs[i].victims) == 0 {
			return &cs[i]
		}
		set[i] = &cs[i]
	}
	set = filter(set, func(c *candidate) int64 { return int64(c.numViolations) })
	if len(set) > 1 {
		set = filter(set, func(c *candidate) int64 { return int64(framework.PodPriority(c.victims[0])) })
	}
	if len(set) > 1 {
		set = filter(set, func(c *candidate) int64 {
			var sum int64
			for _, p := range c.victims {
				sum += int64(framework.PodPriority(p)) + int64(math.MaxInt32) + 1
			}
			return sum
		})
	}
	if len(set) > 1 {
		set = filter(set, func(c *candidate) int64 { return int64(len(c.victims)) })
	}
	if len(set) == 1 {
		return set[0]
	}
	chosen := set[0]
	latest := earliestStart(chosen.victims)
	for _, c := range set[1:] {
		if t := earliestStart(c.victims); t.After(latest) {
			latest, chosen = t, c
		}
	}
	return chosen
}

// earliestStart is the earliest start among the highest-priority victims.
func earliestStart(victims []*v1.Pod) time.Time {
	top := framework.PodPriority(victims[0])
	e := startTime(victims[0])
	for _, p := range victims[1:] {
		if framework.PodPriority(p) == top && startTime(p).Before(e) {
			e = startTime(p)
		}
	}
	return e
}
