package practice

import (
	"fmt"

	"kubesim/scenarios/killercoda"
	"kubesim/sim"
)

// SpecFor turns a scenario's topology into a cluster spec.
func SpecFor(t killercoda.Topology) sim.ClusterSpec {
	spec := sim.DefaultClusterSpec()
	if t.ImageID == killercoda.LectureImageID {
		return spec
	}
	spec.KubernetesVersion = t.KubernetesVersion
	if !t.Date.IsZero() {
		spec.Start = t.Date
	}
	spec.Nodes = nil
	for i, n := range t.Nodes {
		ip := n.IP
		if ip == "" {
			ip = fmt.Sprintf("172.30.%d.2", i+1)
		}
		spec.Nodes = append(spec.Nodes, sim.NodeSpec{
			Name: n.Name, Role: n.Role, IP: ip, CPUs: 2, Memory: "4Gi",
			Schedulable: n.Role == "control-plane" && !n.NoScheduleTaint,
		})
	}
	return spec
}
