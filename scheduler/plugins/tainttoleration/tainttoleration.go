package tainttoleration

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/helper"
)

// Name is the plugin name.
const Name = "TaintToleration"

// TaintToleration is the plugin.
type TaintToleration struct {
	// Counts map to [0,100], fewer intolerable taints scoring higher.
	helper.DefaultNormalizer
	// GenericReason reproduces v1.35+ (and late v1.34.x), whose reason is
	// "node(s) had untolerated taint(s)" without the key and value.
	GenericReason bool
}

// Args configures the plugin.
type Args struct {
	GenericReason bool
}

// New is the factory; args may be nil or Args.
func New(args any, _ framework.Handle) (framework.Plugin, error) {
	p := &TaintToleration{DefaultNormalizer: helper.DefaultNormalizer{Reverse: true}}
	if a, ok := args.(Args); ok {
		p.GenericReason = a.GenericReason
	}
	return p, nil
}

// Name returns the plugin name.
func (*TaintToleration) Name() string { return Name }

func doNotSchedule(t *v1.Taint) bool {
	return t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute
}

// Filter rejects a node whose first untolerated NoSchedule/NoExecute taint
// is named in the reason: "node(s) had untolerated taint {key: value}".
func (pl *TaintToleration) Filter(_ *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	taints := ni.Taints
	if len(taints) == 0 {
		return nil
	}
	taint, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), taints, pod.Spec.Tolerations, doNotSchedule, false)
	if !untolerated {
		return nil
	}
	if pl.GenericReason {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)")
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable,
		fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value))
}

// FilterNodes is Filter over nodes (BatchFilterPlugin).
func (pl *TaintToleration) FilterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	n := 0
	for i, ni := range nodes {
		if len(ni.Taints) != 0 {
			if st := pl.Filter(state, pod, ni); st != nil {
				out[i] = st
				n++
			}
		}
	}
	return n
}

// FilterRows is FilterNodes reading rows (framework.RowFilterPlugin).
func (pl *TaintToleration) FilterRows(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, out []*framework.Status) int {
	n := 0
	for i := range rows {
		if rows[i].Flags&framework.RowTainted != 0 {
			if st := pl.Filter(state, pod, nodes[i]); st != nil {
				out[i] = st
				n++
			}
		}
	}
	return n
}

// RowTest (framework.RowTestPlugin): a node without taints passes.
func (*TaintToleration) RowTest(*framework.CycleState, *v1.Pod) (framework.RowTest, bool) {
	return framework.RowTest{Flags: framework.RowTainted}, true
}

const preScoreKey framework.StateKey = "PreScore" + Name

type preScoreState struct{ tolerations []v1.Toleration }

func (s *preScoreState) Clone() framework.StateData { return s }

// noTolerations is the (shared, never modified) state of pods without
// PreferNoSchedule tolerations.
var noTolerations = &preScoreState{}

// PreScore keeps the tolerations that can tolerate PreferNoSchedule.
func (pl *TaintToleration) PreScore(state *framework.CycleState, pod *v1.Pod, _ []*framework.NodeInfo) *framework.Status {
	var tol []v1.Toleration
	for _, t := range pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == v1.TaintEffectPreferNoSchedule {
			tol = append(tol, t)
		}
	}
	if len(tol) == 0 {
		state.Write(preScoreKey, noTolerations)
		return nil
	}
	state.Write(preScoreKey, &preScoreState{tolerations: tol})
	return nil
}

// Score counts untolerated PreferNoSchedule taints (normalised in reverse).
func (pl *TaintToleration) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	taints := ni.Taints
	if len(taints) == 0 {
		return 0, nil
	}
	d, err := state.Read(preScoreKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	tol := d.(*preScoreState).tolerations
	var n int64
	for i := range taints {
		if taints[i].Effect != v1.TaintEffectPreferNoSchedule {
			continue
		}
		if !corev1helpers.TolerationsTolerateTaint(klog.Background(), tol, &taints[i], false) {
			n++
		}
	}
	return n, nil
}

// ScoreNodes is Score over nodes (BatchScorePlugin).
func (pl *TaintToleration) ScoreNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []int64) (int, *framework.Status) {
	for i, ni := range nodes {
		if len(ni.Taints) == 0 {
			out[i] = 0
			continue
		}
		sc, st := pl.Score(state, pod, ni)
		if !st.IsSuccess() {
			return i, st
		}
		out[i] = sc
	}
	return 0, nil
}

// ScoreRows is ScoreNodes reading rows (framework.RowScorePlugin); a
// block of the snapshot without a tainted row scores 0 throughout.
func (pl *TaintToleration) ScoreRows(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, run framework.RowRun, out []int64) (int, *framework.Status) {
	for i := 0; i < len(rows); i++ {
		for b := run.Block(i, len(rows)); b != nil && b.Flags&framework.RowTainted == 0; b = run.Block(i, len(rows)) {
			clear(out[i : i+framework.RowBlockSize])
			i += framework.RowBlockSize
		}
		if i == len(rows) {
			break
		}
		if rows[i].Flags&framework.RowTainted == 0 {
			out[i] = 0
			continue
		}
		sc, st := pl.Score(state, pod, nodes[i])
		if !st.IsSuccess() {
			return i, st
		}
		out[i] = sc
	}
	return 0, nil
}

// EventsToRegister: a node added or changed.
func (*TaintToleration) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{{Resource: framework.Node, ActionType: framework.Add | framework.Update}}
}
