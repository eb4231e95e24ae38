package killercoda

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Topology is the cluster a scenario asks for, as plain data: the caller
// (cmd/kubesim) turns it into a sim ClusterSpec.
type Topology struct {
	// ImageID is the backend.imageid it came from.
	ImageID string
	// Distribution is "kubeadm" or "k3s".
	Distribution string
	// KubernetesVersion is the version the environment runs. Killercoda's
	// images moved to 1.33 on 2025-07-15 (creator guide, see
	// shared/reference/killercoda-format.md); the patch level is our guess.
	KubernetesVersion string
	// Date is the day the environment stands for, so that image tags
	// resolve as they did then: killercoda's images run 1.33 from
	// 2025-07-15 (creator guide); the lecture was held on 2023-04-22.
	Date time.Time
	// Nodes in registration order (the control plane first).
	Nodes []Node
}

// Node is one machine of a topology.
type Node struct {
	Name string
	// Role is "control-plane" or "worker".
	Role string
	// IP is the node's InternalIP; empty means the cluster's default.
	IP string
	// NoScheduleTaint says whether a control-plane node keeps
	// node-role.kubernetes.io/control-plane:NoSchedule. Killercoda's
	// one-node image removes it so that pods can run there; k3s never sets
	// it. Always false for workers.
	NoScheduleTaint bool
}

// killercoda host IPs: 172.30.1.2 (host01, the control plane) and
// 172.30.2.2 (node01), from the creator guide.
// killercodaDate is when killercoda's Kubernetes images moved to 1.33.
var killercodaDate = time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)

func kubeadm1(id string) Topology {
	return Topology{ImageID: id, Distribution: "kubeadm", KubernetesVersion: "v1.33.0", Date: killercodaDate, Nodes: []Node{
		{Name: "controlplane", Role: "control-plane", IP: "172.30.1.2"},
	}}
}

func kubeadm2(id string) Topology {
	return Topology{ImageID: id, Distribution: "kubeadm", KubernetesVersion: "v1.33.0", Date: killercodaDate, Nodes: []Node{
		{Name: "controlplane", Role: "control-plane", IP: "172.30.1.2", NoScheduleTaint: true},
		{Name: "node01", Role: "worker", IP: "172.30.2.2"},
	}}
}

// LectureImageID is our own imageid for the lecture's Vagrant cluster:
// m.example.com (control plane) with workers w1 and w2, Kubernetes v1.27.1.
const LectureImageID = "kubesim-lecture"

// UpgradeImageID is our own imageid for the CKA upgrade exercise:
// killercoda's two-node kubeadm layout (controlplane, node01) one release
// back, at Kubernetes v1.27.1, whose next minor's packages the nodes' apt
// knows (hosts/apt.go); the day is after v1.28.15, the last 1.28 patch.
const UpgradeImageID = "kubesim-kubeadm-2nodes-v1.27"

var topologies = map[string]func(string) Topology{
	UpgradeImageID: func(id string) Topology {
		t := kubeadm2(id)
		t.KubernetesVersion, t.Date = "v1.27.1", time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
		return t
	},
	"kubernetes-kubeadm-1node":        kubeadm1,
	"kubernetes-kubeadm-1node-rapid":  kubeadm1,
	"kubernetes-kubeadm-2nodes":       kubeadm2,
	"kubernetes-kubeadm-2nodes-rapid": kubeadm2,
	"kubernetes-k3s-1node": func(id string) Topology {
		// The node name on killercoda's k3s image is a guess: every
		// scenario we read uses "controlplane".
		return Topology{ImageID: id, Distribution: "k3s", KubernetesVersion: "v1.33.0", Date: killercodaDate, Nodes: []Node{
			{Name: "controlplane", Role: "control-plane", IP: "172.30.1.2"},
		}}
	},
	LectureImageID: func(id string) Topology {
		return Topology{ImageID: id, Distribution: "kubeadm", KubernetesVersion: "v1.27.1", Date: time.Date(2023, 4, 22, 0, 0, 0, 0, time.UTC), Nodes: []Node{
			{Name: "m.example.com", Role: "control-plane", NoScheduleTaint: true},
			{Name: "w1.example.com", Role: "worker"},
			{Name: "w2.example.com", Role: "worker"},
		}}
	},
}

// KnownImageIDs lists the imageids TopologyFor accepts, sorted.
func KnownImageIDs() []string {
	return slices.Sorted(maps.Keys(topologies))
}

// TopologyFor maps a backend.imageid to its topology. An unknown imageid is
// an error that lists the known ones.
func TopologyFor(imageID string) (Topology, error) {
	f, ok := topologies[imageID]
	if !ok {
		if imageID == "" {
			return Topology{}, fmt.Errorf("backend.imageid is missing (known: %s)", strings.Join(KnownImageIDs(), ", "))
		}
		return Topology{}, fmt.Errorf("unknown backend.imageid %q (known: %s)", imageID, strings.Join(KnownImageIDs(), ", "))
	}
	return f(imageID), nil
}
