package sim

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"kubesim/net/overlay"
	"kubesim/runtime/chain"
	"kubesim/runtime/images"
	"kubesim/scheduler"

	"sigs.k8s.io/yaml"
)

// NodeSpec describes one machine of the cluster, in the spirit of a
// Vagrantfile entry.
type NodeSpec struct {
	Name string `json:"name"`
	// Role is "control-plane" or "worker".
	Role string `json:"role"`
	IP   string `json:"ip"`
	CPUs int    `json:"cpus"`
	// Memory is a quantity ("2Gi", "2048Mi").
	Memory string `json:"memory"`
	// Runtime overrides the cluster's runtime for this node.
	Runtime string `json:"runtime,omitempty"`
	// Labels are extra node labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Schedulable removes the control plane's NoSchedule taint.
	Schedulable bool `json:"schedulable,omitempty"`
}

// ClusterSpec is everything needed to build a cluster.
type ClusterSpec struct {
	Name              string `json:"name"`
	KubernetesVersion string `json:"kubernetesVersion"`
	// Runtime is the container runtime chain: containerd, cri-o, docker (dockershim, < 1.24) or cri-dockerd.
	Runtime     string `json:"runtime"`
	PodCIDR     string `json:"podCIDR"`
	ServiceCIDR string `json:"serviceCIDR"`
	Seed        uint64 `json:"seed"`
	// Start is the virtual time the cluster is created at (stepped mode),
	// and the date whose image releases the catalog serves (a floating tag
	// like httpd:2.4 resolves to the release current then), in live mode too.
	Start time.Time  `json:"start"`
	Nodes []NodeSpec `json:"nodes"`
	// Scheduler configures the default-scheduler profile.
	Scheduler SchedulerSpec `json:"scheduler,omitempty"`
	// NetworkPolicy says whether the pod network enforces NetworkPolicy:
	// "calico" (the default, also ""): as Calico or Cilium do, a blocked
	// connection's packets are dropped; "none": flannel alone, which
	// stores policies and enforces none (the lecture's kubeadm cluster with
	// plain flannel behaves so). The default enforces because the CKA's
	// NetworkPolicy tasks expect an enforcing CNI.
	NetworkPolicy string `json:"networkPolicy,omitempty"`
	// Ingress is the ingress controller installed: "nginx" (ingress-nginx:
	// the IngressClass nginx and a controller on the first worker's ports
	// 80 and 443) or "" (none, as kubeadm installs none).
	Ingress string `json:"ingress,omitempty"`
	// ExplainAnnotations makes the scheduler write its per-node explanation
	// onto each pod it schedules (as kube-scheduler-simulator does).
	ExplainAnnotations bool `json:"explainAnnotations,omitempty"`
	// Images are catalog entries added to the built-in image catalog (the
	// schema of runtime/images' catalog.yaml), as kind users load images.
	Images []images.RepoEntry `json:"images,omitempty"`
	// Bare starts the machines powered on with kubeadm, kubelet, kubectl
	// and containerd installed but no cluster: no Node objects, kubelets
	// failing for want of their configuration, until `kubeadm init` on the
	// control plane and `kubeadm join` on the workers (package hosts) set
	// them up; nodes stay NotReady until a pod network (flannel) runs on
	// them (bare.go).
	Bare bool `json:"bare,omitempty"`
}

// Values of ClusterSpec.NetworkPolicy.
const (
	NetworkPolicyCalico = "calico"
	NetworkPolicyNone   = "none"
)

// IngressNginx is ClusterSpec.Ingress for ingress-nginx.
const IngressNginx = "nginx"

// EnforcesNetworkPolicy reports whether the cluster's CNI enforces
// NetworkPolicy (every value but "none").
func (s *ClusterSpec) EnforcesNetworkPolicy() bool { return s.NetworkPolicy != NetworkPolicyNone }

// SchedulerSpec is the part of a KubeSchedulerConfiguration kubesim honours.
type SchedulerSpec struct {
	// PercentageOfNodesToScore as kube-scheduler's (0: adaptive).
	PercentageOfNodesToScore int32 `json:"percentageOfNodesToScore,omitempty"`
	// Disabled plugins, by name (e.g. ImageLocality).
	Disabled []string `json:"disabled,omitempty"`
	// Weights of score plugins, by name (e.g. {"NodeResourcesFit": 2}).
	Weights map[string]int32 `json:"weights,omitempty"`
	// ScoringStrategy of NodeResourcesFit: LeastAllocated (default),
	// MostAllocated or RequestedToCapacityRatio (with its default shape).
	ScoringStrategy string `json:"scoringStrategy,omitempty"`
	// RecordDecisions keeps a summary of each scheduling decision for
	// explain-schedule on clusters of more than 16 nodes too (smaller ones
	// always keep the full decision); it costs about 7 % of the scheduler's
	// CPU at 5,000 nodes.
	RecordDecisions bool `json:"recordDecisions,omitempty"`
}

// DefaultClusterSpec is the lecture's cluster: a kubeadm control plane
// m.example.com and workers w1 and w2, Kubernetes v1.27.1 with containerd
// and flannel.
func DefaultClusterSpec() ClusterSpec {
	return ClusterSpec{
		Name:              "kubesim",
		KubernetesVersion: "v1.27.1",
		Runtime:           "containerd",
		PodCIDR:           "10.244.0.0/16",
		ServiceCIDR:       "10.96.0.0/12",
		Seed:              24,
		Start:             time.Date(2023, 4, 19, 13, 0, 0, 0, time.UTC),
		Nodes: []NodeSpec{
			{Name: "m.example.com", Role: "control-plane", IP: "192.168.56.10", CPUs: 2, Memory: "2Gi"},
			{Name: "w1.example.com", Role: "worker", IP: "192.168.56.11", CPUs: 2, Memory: "2Gi"},
			{Name: "w2.example.com", Role: "worker", IP: "192.168.56.12", CPUs: 2, Memory: "2Gi"},
		},
	}
}

// LoadSpec reads a ClusterSpec from a YAML file; missing fields take the
// default cluster's values (nodes excepted).
func LoadSpec(path string) (ClusterSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ClusterSpec{}, err
	}
	return ParseSpec(data)
}

// ParseSpec parses a ClusterSpec from YAML.
func ParseSpec(data []byte) (ClusterSpec, error) {
	spec := DefaultClusterSpec()
	spec.Nodes = nil
	if err := yaml.UnmarshalStrict(data, &spec); err != nil {
		return ClusterSpec{}, fmt.Errorf("cluster spec: %w", err)
	}
	// kubeadm's kubernetesVersion takes "1.27.1" and "v1.27.1" alike.
	if v := spec.KubernetesVersion; v != "" && v[0] >= '0' && v[0] <= '9' {
		spec.KubernetesVersion = "v" + v
	}
	return spec, nil
}

// ControlPlane returns the first control-plane node.
func (s *ClusterSpec) ControlPlane() *NodeSpec {
	for i := range s.Nodes {
		if s.Nodes[i].Role == "control-plane" {
			return &s.Nodes[i]
		}
	}
	return nil
}

// kubeadm's preflight thresholds (cmd/kubeadm/app/constants).
const (
	controlPlaneNumCPU = 2
	controlPlaneMemMB  = 1700
)

// PreflightError carries kubeadm-style preflight output.
type PreflightError struct {
	Errors []string // each "[ERROR Name]: message"
}

func (e *PreflightError) Error() string {
	var b strings.Builder
	b.WriteString("[preflight] Some fatal errors occurred:\n")
	for _, m := range e.Errors {
		b.WriteString("\t" + m + "\n")
	}
	b.WriteString("[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n")
	b.WriteString("error execution phase preflight: preflight checks failed")
	return b.String()
}

// Preflight runs kubeadm-style checks on the spec: CPUs and memory of the
// control plane (kubeadm's NumCPU and Mem), plus checks of our own for
// duplicate names, IP conflicts, the version and the runtime.
func (s *ClusterSpec) Preflight() error {
	var errs []string
	add := func(name, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("[ERROR %s]: %s", name, fmt.Sprintf(format, args...)))
	}
	if len(s.Nodes) == 0 {
		add("Nodes", "the cluster has no nodes")
	}
	if s.ControlPlane() == nil && len(s.Nodes) > 0 {
		add("ControlPlane", "no node has role control-plane")
	}
	major, minor, ok := parseVersion(s.KubernetesVersion)
	if !ok || major != 1 || minor < 20 {
		add("KubernetesVersion", "unsupported Kubernetes version %q: want v1.20.0 or newer", s.KubernetesVersion)
	}
	if _, err := netip.ParsePrefix(s.PodCIDR); err != nil {
		add("PodCIDR", "invalid pod CIDR %q: %v", s.PodCIDR, err)
	} else if _, err := overlay.New(overlay.Config{ClusterCIDR: s.PodCIDR, SubnetLen: 24}); err != nil {
		// kube-controller-manager's node IPAM would refuse it (/24 per node).
		add("PodCIDR", "pod CIDR %q: %v", s.PodCIDR, strings.TrimPrefix(err.Error(), "overlay: "))
	}
	if err := applySchedulerSpec(&scheduler.Config{Profile: scheduler.DefaultConfig(rand.New(rand.NewPCG(0, 0))).Profile}, s.Scheduler); err != nil {
		// The cluster would fail to build its scheduler: say so first.
		add("SchedulerConfig", "%v", err)
	}
	if np := s.NetworkPolicy; np != "" && np != NetworkPolicyCalico && np != NetworkPolicyNone {
		add("NetworkPolicy", "unknown networkPolicy %q: want calico (enforced, the default) or none (flannel alone)", np)
	}
	if s.Ingress != "" && s.Ingress != IngressNginx && s.Ingress != "none" {
		add("Ingress", "unknown ingress controller %q: want nginx or none", s.Ingress)
	}
	names, ips := map[string]bool{}, map[string]string{}
	for _, n := range s.Nodes {
		// The node becomes a Node object: its name must be one (kubeadm
		// validates nodeRegistration.name the same way).
		for _, msg := range validation.IsDNS1123Subdomain(n.Name) {
			add("NodeName", "node name %q: %s", n.Name, msg)
		}
		if names[n.Name] {
			add("DuplicateNodeName", "node name %q is used by more than one node", n.Name)
		}
		names[n.Name] = true
		if n.Role != "control-plane" && n.Role != "worker" {
			add("Role", "node %q: role %q is neither control-plane nor worker", n.Name, n.Role)
		}
		ip, err := netip.ParseAddr(n.IP)
		if err != nil {
			add("NodeIP", "node %q: invalid IP %q", n.Name, n.IP)
		} else if other, dup := ips[ip.String()]; dup {
			add("IPConflict", "node %q has IP %s, already used by node %q", n.Name, n.IP, other)
		} else {
			ips[ip.String()] = n.Name
		}
		mem, err := resource.ParseQuantity(n.Memory)
		if err != nil {
			add("Mem", "node %q: invalid memory %q", n.Name, n.Memory)
			continue
		}
		if n.Role == "control-plane" {
			if n.CPUs < controlPlaneNumCPU {
				add("NumCPU", "the number of available CPUs %d is less than the required %d", n.CPUs, controlPlaneNumCPU)
			}
			if mb := mem.Value() / (1 << 20); mb < controlPlaneMemMB {
				add("Mem", "the system RAM (%d MB) is less than the minimum %d MB", mb, controlPlaneMemMB)
			}
		} else if n.CPUs < 1 {
			add("NumCPU", "the number of available CPUs %d is less than the required %d", n.CPUs, 1)
		}
		rt := n.Runtime
		if rt == "" {
			rt = s.Runtime
		}
		if !slices.Contains(chain.Kinds, chain.Kind(rt)) {
			add("CRI", "node %q: unknown container runtime %q: want containerd, cri-o, cri-dockerd or docker", n.Name, rt)
		} else if rt == "docker" && ok && minor >= 24 {
			// What the node's kubelet says when asked for dockershim.
			add("CRI", "node %q: %s", n.Name, chain.RefusalText(s.KubernetesVersion))
		}
	}
	if len(errs) > 0 {
		return &PreflightError{Errors: errs}
	}
	return nil
}

// versionRE is a release version as the cluster's components read it:
// v<major>.<minor>[.<patch>] (Sscanf's "%d.%d" let "01.20A" through).
var versionRE = regexp.MustCompile(`^v([0-9]+)\.([0-9]+)(\.[0-9]+)?$`)

func parseVersion(v string) (major, minor int, ok bool) {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}
