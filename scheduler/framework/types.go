package framework

import (
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	resourcehelper "k8s.io/component-helpers/resource"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// Defaults kube-scheduler assumes for containers without requests when
// scoring (pkg/scheduler/util/pod_resources.go).
const (
	DefaultMilliCPURequest int64 = 100               // 0.1 core
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024 // 200 MB
)

// MaxNodeScore and MinNodeScore bound what a Score plugin returns after
// normalisation.
const (
	MaxNodeScore int64 = 100
	MinNodeScore int64 = 0
)

// PodKey identifies a pod: its UID, or namespace/name when it has none (test pods).
func PodKey(p *v1.Pod) string {
	if p.UID != "" {
		return string(p.UID)
	}
	return p.Namespace + "/" + p.Name
}

// Resource is an aggregate of compute resources in scheduler units
// (milli-CPU, bytes, pod count, scalar resources by name).
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	AllowedPodNumber int
	ScalarResources  map[v1.ResourceName]int64
}

// NewResource converts a ResourceList.
func NewResource(rl v1.ResourceList) Resource {
	var r Resource
	r.Add(rl)
	return r
}

// IsScalarResourceName reports extended, hugepages, prefixed-native and
// attachable-volume resources, as pkg/scheduler/util.IsScalarResourceName.
func IsScalarResourceName(name v1.ResourceName) bool {
	s := string(name)
	if strings.HasPrefix(s, v1.ResourceHugePagesPrefix) || strings.HasPrefix(s, v1.ResourceAttachableVolumesPrefix) {
		return true
	}
	if strings.Contains(s, v1.ResourceDefaultNamespacePrefix) {
		return true
	}
	return strings.Contains(s, "/") && !strings.HasPrefix(s, v1.DefaultResourceRequestsPrefix)
}

// Add adds a ResourceList.
func (r *Resource) Add(rl v1.ResourceList) {
	for name, q := range rl {
		switch name {
		case v1.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case v1.ResourceMemory:
			r.Memory += q.Value()
		case v1.ResourcePods:
			r.AllowedPodNumber += int(q.Value())
		case v1.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		default:
			if IsScalarResourceName(name) {
				r.AddScalar(name, q.Value())
			}
		}
	}
}

// AddScalar adds v to the named scalar resource.
func (r *Resource) AddScalar(name v1.ResourceName, v int64) {
	if r.ScalarResources == nil {
		r.ScalarResources = map[v1.ResourceName]int64{}
	}
	r.ScalarResources[name] += v
}

func (r *Resource) addResource(o *Resource, sign int64) {
	r.MilliCPU += sign * o.MilliCPU
	r.Memory += sign * o.Memory
	r.EphemeralStorage += sign * o.EphemeralStorage
	for k, v := range o.ScalarResources {
		r.AddScalar(k, sign*v)
	}
}

// Clone deep-copies r.
func (r Resource) Clone() Resource {
	if r.ScalarResources != nil {
		m := make(map[v1.ResourceName]int64, len(r.ScalarResources))
		for k, v := range r.ScalarResources {
			m[k] = v
		}
		r.ScalarResources = m
	}
	return r
}

// IsZero reports whether nothing is requested.
func (r *Resource) IsZero() bool {
	if r.MilliCPU != 0 || r.Memory != 0 || r.EphemeralStorage != 0 {
		return false
	}
	for _, v := range r.ScalarResources {
		if v != 0 {
			return false
		}
	}
	return true
}

// AffinityTerm is a parsed PodAffinityTerm.
type AffinityTerm struct {
	Namespaces        sets.Set[string]
	Selector          labels.Selector
	TopologyKey       string
	NamespaceSelector labels.Selector
	// NamespaceSelectorSet is true when the term had a non-empty
	// namespaceSelector (one that needs namespace labels to evaluate).
	NamespaceSelectorSet bool
}

// Matches reports whether pod (whose namespace has labels nsLabels) matches
// the term: namespace listed or selected, and labels selected.
func (t *AffinityTerm) Matches(pod *v1.Pod, nsLabels labels.Set) bool {
	if t.Namespaces.Has(pod.Namespace) || t.NamespaceSelector.Matches(nsLabels) {
		return t.Selector.Matches(labels.Set(pod.Labels))
	}
	return false
}

// WeightedAffinityTerm is a preferred term with its weight.
type WeightedAffinityTerm struct {
	AffinityTerm
	Weight int32
}

// PodInfo is a pod with everything the scheduler derives from it once:
// parsed affinity terms, requests, priority.
type PodInfo struct {
	Pod *v1.Pod
	Key string

	RequiredAffinityTerms      []AffinityTerm
	RequiredAntiAffinityTerms  []AffinityTerm
	PreferredAffinityTerms     []WeightedAffinityTerm
	PreferredAntiAffinityTerms []WeightedAffinityTerm

	// Requests as NodeResourcesFit sees them (resource.PodRequests, overhead included).
	Requests Resource
	// NonZeroCPU/NonZeroMem replace missing container requests by the
	// scoring defaults (100m, 200MB).
	NonZeroCPU, NonZeroMem int64
	// Priority is spec.priority (0 if unset), or the value resolved by the scheduler.
	Priority int32
	// ParseError is set when an affinity term did not parse.
	ParseError error
}

var nonMissing = v1.ResourceList{
	v1.ResourceCPU:    *resource.NewMilliQuantity(DefaultMilliCPURequest, resource.DecimalSI),
	v1.ResourceMemory: *resource.NewQuantity(DefaultMemoryRequest, resource.DecimalSI),
}

// NewPodInfo derives a PodInfo from pod.
func NewPodInfo(pod *v1.Pod) *PodInfo {
	pi := &PodInfo{}
	pi.Update(pod)
	return pi
}

// Update re-derives everything from pod.
func (pi *PodInfo) Update(pod *v1.Pod) {
	*pi = PodInfo{Pod: pod, Key: PodKey(pod), Priority: corev1helpers.PodPriority(pod)}
	if !pi.setRequestsFast(pod) {
		pi.setRequests(pod)
	}
	aff := pod.Spec.Affinity
	if aff == nil {
		return
	}
	var err error
	if aff.PodAffinity != nil {
		pi.RequiredAffinityTerms, err = affinityTerms(pod, aff.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.setErr(err)
		pi.PreferredAffinityTerms, err = weightedTerms(pod, aff.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		pi.setErr(err)
	}
	if aff.PodAntiAffinity != nil {
		pi.RequiredAntiAffinityTerms, err = affinityTerms(pod, aff.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
		pi.setErr(err)
		pi.PreferredAntiAffinityTerms, err = weightedTerms(pod, aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		pi.setErr(err)
	}
}

// setRequests derives Requests and NonZeroCPU/NonZeroMem with component-helpers'
// PodRequests (init and sidecar containers, overhead, pod-level resources).
func (pi *PodInfo) setRequests(pod *v1.Pod) {
	reqs := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	pi.Requests = NewResource(reqs)
	if allRequestCPUAndMemory(pod) {
		// No container misses a request, so the non-zero defaults change nothing.
		pi.NonZeroCPU, pi.NonZeroMem = pi.Requests.MilliCPU, pi.Requests.Memory
	} else {
		non0 := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{NonMissingContainerRequests: nonMissing})
		cpu, mem := non0[v1.ResourceCPU], non0[v1.ResourceMemory]
		pi.NonZeroCPU, pi.NonZeroMem = cpu.MilliValue(), mem.Value()
	}
}

// setRequestsFast is setRequests without building ResourceLists, for the
// common pod: regular containers only, no overhead, no pod-level resources,
// requests of cpu, memory, ephemeral-storage and pods only. It sums the
// quantities per resource as PodRequests does (exactly) and converts once,
// so the values are identical. It reports false, leaving pi alone, for any
// other pod.
func (pi *PodInfo) setRequestsFast(pod *v1.Pod) bool {
	if len(pod.Spec.InitContainers) > 0 || pod.Spec.Overhead != nil || pod.Spec.Resources != nil {
		return false
	}
	var cpu, mem, eph, pods resource.Quantity
	var missingCPU, missingMem int64
	for i := range pod.Spec.Containers {
		r := pod.Spec.Containers[i].Resources.Requests
		hasCPU, hasMem := false, false
		for name, q := range r {
			switch name {
			case v1.ResourceCPU:
				cpu.Add(q)
				hasCPU = true
			case v1.ResourceMemory:
				mem.Add(q)
				hasMem = true
			case v1.ResourceEphemeralStorage:
				eph.Add(q)
			case v1.ResourcePods:
				pods.Add(q)
			default:
				return false
			}
		}
		if !hasCPU {
			missingCPU++
		}
		if !hasMem {
			missingMem++
		}
	}
	pi.Requests = Resource{MilliCPU: cpu.MilliValue(), Memory: mem.Value(), EphemeralStorage: eph.Value(), AllowedPodNumber: int(pods.Value())}
	// A missing request counts as the default; both defaults are whole
	// milli-CPUs and bytes, so adding them after rounding up is exact.
	pi.NonZeroCPU = pi.Requests.MilliCPU + missingCPU*DefaultMilliCPURequest
	pi.NonZeroMem = pi.Requests.Memory + missingMem*DefaultMemoryRequest
	return true
}

func allRequestCPUAndMemory(pod *v1.Pod) bool {
	if pod.Spec.Resources != nil {
		return false
	}
	for _, cs := range [][]v1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range cs {
			r := cs[i].Resources.Requests
			if _, ok := r[v1.ResourceCPU]; !ok {
				return false
			}
			if _, ok := r[v1.ResourceMemory]; !ok {
				return false
			}
		}
	}
	return true
}

func (pi *PodInfo) setErr(err error) {
	if err != nil && pi.ParseError == nil {
		pi.ParseError = err
	}
}

// HasAffinity reports any pod affinity or anti-affinity (required or preferred).
func (pi *PodInfo) HasAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// HasRequiredAntiAffinity reports required pod anti-affinity terms.
func (pi *PodInfo) HasRequiredAntiAffinity() bool {
	a := pi.Pod.Spec.Affinity
	return a != nil && a.PodAntiAffinity != nil && len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0
}

// NewAffinityTerm parses one PodAffinityTerm of pod.
func NewAffinityTerm(pod *v1.Pod, t *v1.PodAffinityTerm) (AffinityTerm, error) {
	sel, err := metav1.LabelSelectorAsSelector(t.LabelSelector)
	if err != nil {
		return AffinityTerm{}, err
	}
	ns := sets.New(t.Namespaces...)
	if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
		ns = sets.New(pod.Namespace)
	}
	nsSel, err := metav1.LabelSelectorAsSelector(t.NamespaceSelector)
	if err != nil {
		return AffinityTerm{}, err
	}
	return AffinityTerm{Namespaces: ns, Selector: sel, TopologyKey: t.TopologyKey, NamespaceSelector: nsSel,
		NamespaceSelectorSet: t.NamespaceSelector != nil && !nsSel.Empty()}, nil
}

func affinityTerms(pod *v1.Pod, terms []v1.PodAffinityTerm) ([]AffinityTerm, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	out := make([]AffinityTerm, 0, len(terms))
	for i := range terms {
		t, err := NewAffinityTerm(pod, &terms[i])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func weightedTerms(pod *v1.Pod, terms []v1.WeightedPodAffinityTerm) ([]WeightedAffinityTerm, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	out := make([]WeightedAffinityTerm, 0, len(terms))
	for i := range terms {
		t, err := NewAffinityTerm(pod, &terms[i].PodAffinityTerm)
		if err != nil {
			return nil, err
		}
		out = append(out, WeightedAffinityTerm{AffinityTerm: t, Weight: terms[i].Weight})
	}
	return out, nil
}

// ImageStateSummary is an image's size and on how many nodes it is present.
// The scheduler's cache owns and updates it between cycles; plugins read it.
type ImageStateSummary struct {
	Size     int64
	NumNodes int
}

// ProtocolPort is a protocol and port pair.
type ProtocolPort struct {
	Protocol string
	Port     int32
}

// HostPortInfo maps host IP to the protocol/ports used on it.
type HostPortInfo map[string]map[ProtocolPort]struct{}

const defaultBindAllHostIP = "0.0.0.0"

func sanitize(ip, protocol string) (string, string) {
	if ip == "" {
		ip = defaultBindAllHostIP
	}
	if protocol == "" {
		protocol = string(v1.ProtocolTCP)
	}
	return ip, protocol
}

// Add records a used host port.
func (h HostPortInfo) Add(ip, protocol string, port int32) {
	if port <= 0 {
		return
	}
	ip, protocol = sanitize(ip, protocol)
	m := h[ip]
	if m == nil {
		m = map[ProtocolPort]struct{}{}
		h[ip] = m
	}
	m[ProtocolPort{protocol, port}] = struct{}{}
}

// Remove forgets a used host port.
func (h HostPortInfo) Remove(ip, protocol string, port int32) {
	if port <= 0 {
		return
	}
	ip, protocol = sanitize(ip, protocol)
	if m, ok := h[ip]; ok {
		delete(m, ProtocolPort{protocol, port})
		if len(m) == 0 {
			delete(h, ip)
		}
	}
}

// CheckConflict reports whether ip/protocol/port clashes with a used port:
// 0.0.0.0 clashes with every IP, a specific IP with itself and 0.0.0.0.
func (h HostPortInfo) CheckConflict(ip, protocol string, port int32) bool {
	if port <= 0 {
		return false
	}
	ip, protocol = sanitize(ip, protocol)
	pp := ProtocolPort{protocol, port}
	if ip == defaultBindAllHostIP {
		for _, m := range h {
			if _, ok := m[pp]; ok {
				return true
			}
		}
		return false
	}
	for _, key := range [2]string{defaultBindAllHostIP, ip} {
		if m, ok := h[key]; ok {
			if _, ok := m[pp]; ok {
				return true
			}
		}
	}
	return false
}

// NodeInfo is the scheduler's aggregate view of one node: the node object,
// its pods, requested resources, used host ports and image states.
//
// NodeInfos handed to plugins belong to a snapshot and are read-only for the
// cycle; plugins that need a modified node (preemption) Clone it.
type NodeInfo struct {
	// Hot fields first: filters and scores read them for hundreds of nodes
	// per cycle, so they share the first cache lines. Name, Unschedulable,
	// Taints and Labels copy the node's fields, so the per-node loop need
	// not dereference the Node object.
	Unschedulable bool
	Name          string
	Allocatable   Resource
	// Requested sums the pods' requests; NonZeroRequested uses the scoring
	// defaults for containers without requests (CPU and memory only).
	Requested        Resource
	NonZeroRequested Resource
	// Pods are the node's pods. A pod assumed by a cycle but not yet
	// confirmed by its update keeps the PodInfo it was scheduled with, whose
	// Pod has no spec.nodeName yet.
	Pods        []*PodInfo
	Taints      []v1.Taint
	ImageStates map[string]*ImageStateSummary
	UsedPorts   HostPortInfo
	Labels      map[string]string

	node                         *v1.Node
	PodsWithAffinity             []*PodInfo
	PodsWithRequiredAntiAffinity []*PodInfo
	// Generation changes whenever the cache changes this NodeInfo.
	Generation int64
}

// NewNodeInfo builds a NodeInfo holding pods (no node yet).
func NewNodeInfo(pods ...*PodInfo) *NodeInfo {
	n := &NodeInfo{UsedPorts: HostPortInfo{}, ImageStates: map[string]*ImageStateSummary{}}
	for _, p := range pods {
		n.AddPodInfo(p)
	}
	return n
}

// Node returns the node (nil if only pods are known).
func (n *NodeInfo) Node() *v1.Node {
	if n == nil {
		return nil
	}
	return n.node
}

// SetNode sets the node and its allocatable resources.
func (n *NodeInfo) SetNode(node *v1.Node) {
	n.node = node
	n.Name, n.Unschedulable, n.Taints, n.Labels = node.Name, node.Spec.Unschedulable, node.Spec.Taints, node.Labels
	n.Allocatable = NewResource(node.Status.Allocatable)
}

// AddPodInfo adds a pod and its resources, ports and affinity bookkeeping.
func (n *NodeInfo) AddPodInfo(pi *PodInfo) {
	n.Pods = append(n.Pods, pi)
	if pi.HasAffinity() {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if pi.HasRequiredAntiAffinity() {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.update(pi, 1)
}

func removeFromSlice(s []*PodInfo, key string) ([]*PodInfo, bool) {
	for i := range s {
		if s[i].Key == key {
			last := len(s) - 1
			s[i] = s[last]
			s[last] = nil
			return s[:last], true
		}
	}
	return s, false
}

// ReplacePodInfo puts pi where old is (same pod, same requests, ports and
// affinity: a confirmed assumed pod); false if old is not on n.
func (n *NodeInfo) ReplacePodInfo(old, pi *PodInfo) bool {
	found := false
	for _, s := range [3][]*PodInfo{n.Pods, n.PodsWithAffinity, n.PodsWithRequiredAntiAffinity} {
		for i := range s {
			if s[i] == old {
				s[i] = pi
				found = true
				break
			}
		}
	}
	return found
}

// RemovePod removes the pod with pod's key; false if it was not there.
func (n *NodeInfo) RemovePod(pod *v1.Pod) bool {
	key := PodKey(pod)
	n.PodsWithAffinity, _ = removeFromSlice(n.PodsWithAffinity, key)
	n.PodsWithRequiredAntiAffinity, _ = removeFromSlice(n.PodsWithRequiredAntiAffinity, key)
	for _, pi := range n.Pods {
		if pi.Key == key {
			n.Pods, _ = removeFromSlice(n.Pods, key)
			n.update(pi, -1)
			return true
		}
	}
	return false
}

func (n *NodeInfo) update(pi *PodInfo, sign int64) {
	n.Requested.addResource(&pi.Requests, sign)
	n.NonZeroRequested.MilliCPU += sign * pi.NonZeroCPU
	n.NonZeroRequested.Memory += sign * pi.NonZeroMem
	if n.UsedPorts == nil {
		n.UsedPorts = HostPortInfo{}
	}
	for ci := range pi.Pod.Spec.Containers {
		for _, p := range pi.Pod.Spec.Containers[ci].Ports {
			if sign > 0 {
				n.UsedPorts.Add(p.HostIP, string(p.Protocol), p.HostPort)
			} else {
				n.UsedPorts.Remove(p.HostIP, string(p.Protocol), p.HostPort)
			}
		}
	}
}

// Clone copies n so that adding or removing pods on the copy leaves n unchanged.
// Image summaries are shared.
func (n *NodeInfo) Clone() *NodeInfo {
	c := &NodeInfo{}
	n.CloneInto(c)
	return c
}

// CopyInto overwrites c with n's contents, reusing c's slices and port map
// (for snapshots that update their NodeInfos in place between cycles).
func (n *NodeInfo) CopyInto(c *NodeInfo) {
	pods, aff, anti, ports := c.Pods[:0], c.PodsWithAffinity[:0], c.PodsWithRequiredAntiAffinity[:0], c.UsedPorts
	clear(c.Pods)
	clear(c.PodsWithAffinity)
	clear(c.PodsWithRequiredAntiAffinity)
	*c = n.copyHead()
	c.Pods = append(pods, n.Pods...)
	if len(n.PodsWithAffinity) > 0 {
		c.PodsWithAffinity = append(aff, n.PodsWithAffinity...)
	}
	if len(n.PodsWithRequiredAntiAffinity) > 0 {
		c.PodsWithRequiredAntiAffinity = append(anti, n.PodsWithRequiredAntiAffinity...)
	}
	if ports == nil {
		ports = make(HostPortInfo, len(n.UsedPorts))
	}
	if len(ports) > 0 {
		clear(ports)
	}
	n.copyPortsTo(ports)
	c.UsedPorts = ports
}

// copyHead is the part of a copy of n that CopyInto and CloneInto share:
// the node's fields, its resource sums cloned, no pods and no ports.
func (n *NodeInfo) copyHead() NodeInfo {
	return NodeInfo{
		node:             n.node,
		Name:             n.Name,
		Unschedulable:    n.Unschedulable,
		Taints:           n.Taints,
		Labels:           n.Labels,
		Requested:        n.Requested.Clone(),
		NonZeroRequested: n.NonZeroRequested.Clone(),
		Allocatable:      n.Allocatable.Clone(),
		Generation:       n.Generation,
		ImageStates:      n.ImageStates,
	}
}

// copyPortsTo puts a deep copy of n's used ports into ports.
func (n *NodeInfo) copyPortsTo(ports HostPortInfo) {
	for ip, m := range n.UsedPorts {
		cm := make(map[ProtocolPort]struct{}, len(m))
		for k := range m {
			cm[k] = struct{}{}
		}
		ports[ip] = cm
	}
}

// CloneInto writes a copy of n into c (see Clone).
func (n *NodeInfo) CloneInto(c *NodeInfo) {
	*c = n.copyHead()
	c.UsedPorts = make(HostPortInfo, len(n.UsedPorts))
	if len(n.Pods) > 0 {
		c.Pods = append(make([]*PodInfo, 0, len(n.Pods)+1), n.Pods...)
	}
	if len(n.PodsWithAffinity) > 0 {
		c.PodsWithAffinity = append([]*PodInfo(nil), n.PodsWithAffinity...)
	}
	if len(n.PodsWithRequiredAntiAffinity) > 0 {
		c.PodsWithRequiredAntiAffinity = append([]*PodInfo(nil), n.PodsWithRequiredAntiAffinity...)
	}
	n.copyPortsTo(c.UsedPorts)
}

// PodPriority is spec.priority, 0 when unset.
func PodPriority(p *v1.Pod) int32 { return corev1helpers.PodPriority(p) }
