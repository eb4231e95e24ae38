package nodeunschedulable

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "NodeUnschedulable"

// Upstream reason texts.
const (
	ErrReasonUnschedulable    = "node(s) were unschedulable"
	ErrReasonUnknownCondition = "node(s) had unknown conditions"
)

// NodeUnschedulable is the plugin.
type NodeUnschedulable struct{}

var statusUnschedulable = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable).WithPlugin(Name)

var unschedulableTaint = v1.Taint{Key: v1.TaintNodeUnschedulable, Effect: v1.TaintEffectNoSchedule}

// New is the factory.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &NodeUnschedulable{}, nil }

// Name returns the plugin name.
func (*NodeUnschedulable) Name() string { return Name }

// Filter rejects unschedulable nodes unless the pod tolerates the taint.
func (*NodeUnschedulable) Filter(_ *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	if !ni.Unschedulable {
		return nil
	}
	for i := range pod.Spec.Tolerations {
		if pod.Spec.Tolerations[i].ToleratesTaint(klog.Background(), &unschedulableTaint, false) {
			return nil
		}
	}
	return statusUnschedulable
}

// FilterNodes is Filter over nodes (BatchFilterPlugin).
func (pl *NodeUnschedulable) FilterNodes(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	n := 0
	for i, ni := range nodes {
		if ni.Unschedulable {
			if st := pl.Filter(state, pod, ni); st != nil {
				out[i] = st
				n++
			}
		}
	}
	return n
}

// EventsToRegister: a node added, or its taints/spec.unschedulable changed.
// FilterRows is FilterNodes reading rows (framework.RowFilterPlugin).
func (pl *NodeUnschedulable) FilterRows(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, rows []framework.NodeRow, out []*framework.Status) int {
	n := 0
	for i := range rows {
		if rows[i].Flags&framework.RowUnschedulable != 0 {
			if st := pl.Filter(state, pod, nodes[i]); st != nil {
				out[i] = st
				n++
			}
		}
	}
	return n
}

// RowTest (framework.RowTestPlugin): a node not marked unschedulable passes.
func (*NodeUnschedulable) RowTest(*framework.CycleState, *v1.Pod) (framework.RowTest, bool) {
	return framework.RowTest{Flags: framework.RowUnschedulable}, true
}

func (*NodeUnschedulable) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{{Resource: framework.Node, ActionType: framework.Add | framework.UpdateNodeTaint}}
}
