package dashboard

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// Map is what both views draw.
type Map struct {
	Nodes []Node `json:"nodes"`
	// Unscheduled are pods no node has been chosen for yet.
	Unscheduled []Pod `json:"unscheduled,omitempty"`
}

// Node is one node's box.
type Node struct {
	Name    string `json:"name"`
	Status  string `json:"status"` // Ready, NotReady or Unknown, as kubectl get nodes
	Roles   string `json:"roles,omitempty"`
	PodCIDR string `json:"podCIDR,omitempty"`
	IP      string `json:"ip,omitempty"` // InternalIP
	Pods    []Pod  `json:"pods"`
}

// Pod is one line in a node's box.
type Pod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Phase is status.phase; the colour follows it.
	Phase string `json:"phase"`
	// Status is what kubectl get pods shows in STATUS for the common
	// cases: a waiting container's reason (ContainerCreating,
	// CrashLoopBackOff), Terminating, else the phase.
	Status string `json:"status"`
	IP     string `json:"ip,omitempty"`
}

// Build makes a Map from the API's lists. Nodes are in name order, pods in
// namespace/name order; a pod bound to a node that is not listed is shown
// under a box of that name, so no pod is lost.
func Build(nodes []corev1.Node, pods []corev1.Pod) Map {
	var m Map
	index := map[string]int{}
	for _, n := range nodes {
		index[n.Name] = len(m.Nodes)
		m.Nodes = append(m.Nodes, Node{Name: n.Name, Status: nodeStatus(&n), Roles: roles(&n), PodCIDR: n.Spec.PodCIDR, IP: internalIP(&n), Pods: []Pod{}})
	}
	for i := range pods {
		p := &pods[i]
		v := podView(p)
		if p.Spec.NodeName == "" {
			m.Unscheduled = append(m.Unscheduled, v)
			continue
		}
		at, ok := index[p.Spec.NodeName]
		if !ok {
			index[p.Spec.NodeName] = len(m.Nodes)
			at = len(m.Nodes)
			m.Nodes = append(m.Nodes, Node{Name: p.Spec.NodeName, Status: "Unknown", Pods: []Pod{}})
		}
		m.Nodes[at].Pods = append(m.Nodes[at].Pods, v)
	}
	sort.Slice(m.Nodes, func(i, j int) bool { return m.Nodes[i].Name < m.Nodes[j].Name })
	for i := range m.Nodes {
		sortPods(m.Nodes[i].Pods)
	}
	sortPods(m.Unscheduled)
	return m
}

func sortPods(ps []Pod) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Namespace != ps[j].Namespace {
			return ps[i].Namespace < ps[j].Namespace
		}
		return ps[i].Name < ps[j].Name
	})
}

func nodeStatus(n *corev1.Node) string {
	s := "Unknown"
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			switch c.Status {
			case corev1.ConditionTrue:
				s = "Ready"
			case corev1.ConditionFalse:
				s = "NotReady"
			}
		}
	}
	if n.Spec.Unschedulable {
		s += ",SchedulingDisabled"
	}
	return s
}

func roles(n *corev1.Node) string {
	var rs []string
	for k := range n.Labels {
		const prefix = "node-role.kubernetes.io/"
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			rs = append(rs, k[len(prefix):])
		}
	}
	sort.Strings(rs)
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ","
		}
		out += r
	}
	return out
}

func internalIP(n *corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

func podView(p *corev1.Pod) Pod {
	phase := string(p.Status.Phase)
	if phase == "" {
		phase = string(corev1.PodPending)
	}
	status := phase
	if p.Status.Reason != "" {
		status = p.Status.Reason
	}
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			status = w.Reason
			break
		}
		if t := cs.State.Terminated; t != nil && t.Reason != "" && phase != string(corev1.PodSucceeded) {
			status = t.Reason
		}
	}
	if status == string(corev1.PodPending) && p.Spec.NodeName != "" && len(p.Status.ContainerStatuses) == 0 {
		status = "ContainerCreating"
	}
	if p.DeletionTimestamp != nil {
		status = "Terminating"
	}
	return Pod{Namespace: p.Namespace, Name: p.Name, Phase: phase, Status: status, IP: p.Status.PodIP}
}
