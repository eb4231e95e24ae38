package nodeports

import (
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "NodePorts"

// ErrReason is upstream's reason text.
const ErrReason = "node(s) didn't have free ports for the requested pod ports"

// NodePorts is the plugin.
type NodePorts struct{}

var statusConflict = framework.NewStatus(framework.Unschedulable, ErrReason).WithPlugin(Name)

// New is the factory.
func New(_ any, _ framework.Handle) (framework.Plugin, error) { return &NodePorts{}, nil }

// Name returns the plugin name.
func (*NodePorts) Name() string { return Name }

const preFilterKey framework.StateKey = "PreFilter" + Name

type preFilterState []v1.ContainerPort

func (s preFilterState) Clone() framework.StateData { return s }

// PreFilter collects the pod's host ports; Skip when there are none.
func (*NodePorts) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	var ports preFilterState
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	if len(ports) == 0 {
		return nil, framework.SkipStatus
	}
	state.Write(preFilterKey, ports)
	return nil, nil
}

// Filter rejects nodes where a wanted host port is taken.
func (*NodePorts) Filter(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	d, err := state.Read(preFilterKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	for _, p := range d.(preFilterState) {
		if ni.UsedPorts.CheckConflict(p.HostIP, string(p.Protocol), p.HostPort) {
			return statusConflict
		}
	}
	return nil
}

// EventsToRegister: a pod deleted, a node added or changed.
func (*NodePorts) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{
		{Resource: framework.Pod, ActionType: framework.Delete},
		{Resource: framework.Node, ActionType: framework.Add | framework.Update},
	}
}
