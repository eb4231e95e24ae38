package nodename

import (
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "NodeName"

// ErrReason is upstream's reason text.
const ErrReason = "node(s) didn't match the requested node name"

// NodeName is the plugin.
type NodeName struct{}

var statusMismatch = framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReason).WithPlugin(Name)

// New is the factory.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &NodeName{}, nil }

// Name returns the plugin name.
func (*NodeName) Name() string { return Name }

// Filter rejects every node but the one named in spec.nodeName.
func (*NodeName) Filter(_ *framework.CycleState, pod *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	if pod.Spec.NodeName != "" && pod.Spec.NodeName != ni.Name {
		return statusMismatch
	}
	return nil
}

// FilterNodes is Filter over nodes (BatchFilterPlugin).
func (*NodeName) FilterNodes(_ *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, out []*framework.Status) int {
	want := pod.Spec.NodeName
	if want == "" {
		return 0
	}
	n := 0
	for i, ni := range nodes {
		if ni.Name != want {
			out[i] = statusMismatch
			n++
		}
	}
	return n
}

// FilterRows is FilterNodes (framework.RowFilterPlugin): a pod without
// spec.nodeName reads no node.
func (pl *NodeName) FilterRows(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo, _ []framework.NodeRow, out []*framework.Status) int {
	return pl.FilterNodes(state, pod, nodes, out)
}

// RowTest (framework.RowTestPlugin): every node passes when the pod names
// none.
func (*NodeName) RowTest(_ *framework.CycleState, pod *v1.Pod) (framework.RowTest, bool) {
	return framework.RowTest{}, pod.Spec.NodeName == ""
}

// EventsToRegister: a node appearing or changing.
func (*NodeName) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{{Resource: framework.Node, ActionType: framework.Add | framework.Update}}
}
