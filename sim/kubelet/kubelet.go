package kubelet

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/net/fabric"
	"kubesim/runtime/chain"
	"kubesim/runtime/images"
	"kubesim/sim/clock"
	"kubesim/sim/contain"
	"kubesim/sim/events"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// Kubelet defaults (k8s.io/kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go).
const (
	LeaseDurationSeconds = 40
	LeaseRenewInterval   = 10 * time.Second // 0.25 × lease duration
	maxPods              = 110
)

// Config configures a Kubelet.
type Config struct {
	NodeName     string
	NodeIP       string
	ControlPlane bool
	// Schedulable drops the control plane's NoSchedule taint.
	Schedulable bool
	CPUs        int
	Memory      resource.Quantity
	Labels      map[string]string
	Version     string // kubelet version, e.g. "v1.27.1"
	Registry    *registry.Registry
	Clock       *clock.Virtual
	Recorder    *events.Recorder
	Runtime     *chain.Chain
	Fabric      *fabric.Fabric // optional
	// Network is the node's pod network (net/cni), the same plugin the
	// runtime chain calls for each sandbox. Nil: pod-network pods never
	// start (the network is never ready).
	Network Network
	// OSImage and KernelVersion go into node.status.nodeInfo.
	OSImage, KernelVersion string
	// Catalog resolves images (image sizes for events); nil: images.Default().
	Catalog *images.Catalog
	// MachineID seeds the node's machineID/systemUUID/bootID.
	MachineID string
	// AwaitCNI: the node has no pod network until a flannel pod runs on
	// it, as on a kubeadm node before kube-flannel.yml is applied; till
	// then it registers and stays NotReady (cni.go).
	AwaitCNI bool
}

// Network is the node's pod network as far as the kubelet touches it. The
// runtime allocates pod IPs through it (CNI ADD in RunPodSandbox); the
// kubelet only hands it the node's podCIDR when the node object has one
// (standing in for flanneld, which watches the node), asks whether it is
// ready (the runtime's NetworkReady condition), and, on resume, rebuilds
// its reservations from the pods' recorded IPs (host-local's files on disk)
// and drops those of pods that went away before their sandbox came back.
type Network interface {
	SetSubnet(subnet netip.Prefix) bool
	Ready() bool
	Restore(podUID string, ip netip.Addr) error
	Forget(podUID string)
}

// Kubelet is one node's agent. Its methods are called on the cluster loop
// with the cluster lock held.
type Kubelet struct {
	cfg     Config
	binary  string // the version it reports when not cfg.Version (version.go)
	rt      runtimeapi.RuntimeServiceServer
	images  runtimeapi.ImageServiceServer
	pods    map[types.UID]*podState
	dirty   map[types.UID]bool
	running bool // false while the machine is halted
	// serviceStopped: the kubelet service is stopped on a running
	// machine (service.go).
	serviceStopped bool
	bootID         int
	nodeUID        types.UID
	// watches wait for containers' filesystems to change (procs.go).
	watches []*fsWatch

	podRes, nodeRes, leaseRes *registry.Resource

	// attached are the main processes kubectl attach reached, by
	// container id (attach.go).
	attached map[string]*attachState
	// eviction is the eviction manager's state (eviction.go).
	eviction evictionState
	// cni is the wait for the pod network of an AwaitCNI node (cni.go).
	cni cniState
	// rtState is the runtime service's state (runtimedown.go).
	rtState runtimeState
	// cgroupDriver is config.yaml's cgroupDriver (cgroups.go).
	cgroupDriver string
}

// New returns a kubelet for one node.
func New(cfg Config) (*Kubelet, error) {
	if cfg.NodeName == "" || cfg.Registry == nil || cfg.Clock == nil || cfg.Runtime == nil || cfg.Recorder == nil {
		return nil, fmt.Errorf("kubelet: Config needs NodeName, Registry, Clock, Recorder and Runtime")
	}
	if cfg.Catalog == nil {
		cfg.Catalog = images.Default()
	}
	if cfg.OSImage == "" {
		cfg.OSImage = "Ubuntu 22.04.2 LTS"
	}
	if cfg.KernelVersion == "" {
		cfg.KernelVersion = "5.15.0-69-generic"
	}
	k := &Kubelet{cfg: cfg, rt: cfg.Runtime.Runtime(), images: cfg.Runtime.Images(), pods: map[types.UID]*podState{}, dirty: map[types.UID]bool{}, running: true}
	k.podRes, _ = registry.Lookup(schema.GroupResource{Resource: "pods"})
	k.nodeRes, _ = registry.Lookup(schema.GroupResource{Resource: "nodes"})
	k.leaseRes, _ = registry.Lookup(schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"})
	return k, nil
}

// Name implements loop.Component.
func (k *Kubelet) Name() string { return "kubelet/" + k.cfg.NodeName }

// NodeName returns the node this kubelet runs.
func (k *Kubelet) NodeName() string { return k.cfg.NodeName }

// SetCatalog replaces the catalog the kubelet resolves images with (an
// image loaded into the node).
func (k *Kubelet) SetCatalog(cat *images.Catalog) { k.cfg.Catalog = cat }

// Runtime returns the node's container runtime chain (for its CRI socket).
func (k *Kubelet) Runtime() *chain.Chain { return k.cfg.Runtime }

// Running reports whether the machine is up.
func (k *Kubelet) Running() bool { return k.running }

// Handle queues pods bound to this node and reacts to the node's podCIDR.
func (k *Kubelet) Handle(ev store.Event) {
	switch obj := ev.KV.Obj.(type) {
	case *corev1.Pod:
		if obj.Spec.NodeName != k.cfg.NodeName {
			return
		}
		k.cniPodEvent(ev.Type, obj)
		if ev.Type == store.Delete {
			k.dirty[obj.UID] = true
			return
		}
		k.dirty[obj.UID] = true
	case *corev1.ConfigMap, *corev1.Secret:
		// Containers waiting for configuration may start now; volumes
		// taking files from it are remounted at the pod's next sync.
		meta := ev.KV.Obj.(metav1.Object)
		ns := meta.GetNamespace()
		_, isCM := ev.KV.Obj.(*corev1.ConfigMap)
		for _, uid := range k.podUIDs() {
			ps := k.pods[uid]
			if ps.ns != ns {
				continue
			}
			if ps.pod != nil && mountsObject(ps.pod, isCM, meta.GetName()) {
				k.syncVolumesSoon(ps)
			}
			for _, c := range ps.all() {
				if c.configWait != nil {
					ps.configChanged = true
					k.dirty[uid] = true
				}
			}
		}
	case *corev1.Node:
		if obj.Name == k.cfg.NodeName && ev.Type == store.Put {
			k.setPodCIDR(obj.Spec.PodCIDR)
		}
	case *corev1.PersistentVolume:
		k.volumeEvent(ev, obj) // pvc.go
	}
}

// setPodCIDR starts the node's pod network once IPAM gave it a subnet.
func (k *Kubelet) setPodCIDR(cidr string) {
	if k.cfg.Network == nil || cidr == "" {
		return
	}
	if k.cniWaits(cidr) {
		return
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !k.cfg.Network.SetSubnet(p) {
		return
	}
	k.restoreIPs()
	// Pods that waited for the network can start now.
	for uid := range k.pods {
		k.dirty[uid] = true
	}
}

// Run syncs every queued pod, in name order.
func (k *Kubelet) Run(now time.Time) bool {
	if !k.running || k.rtState.down {
		return false
	}
	did := k.checkWatches()
	did = k.cniStart() || did
	k.checkSized()
	if len(k.dirty) == 0 {
		return did
	}
	uids := make([]types.UID, 0, len(k.dirty))
	for uid := range k.dirty {
		uids = append(uids, uid)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	k.dirty = map[types.UID]bool{}
	// A pod whose sync panics is contained by the loop (package contain);
	// the pods after it stay queued.
	return contain.Each(uids, func(uid types.UID) string { return string(uid) }, k.podObject,
		func(uid types.UID) { k.dirty[uid] = true }, k.syncPod) || did
}

// podObject is the last seen pod of a uid, for a panic's report.
func (k *Kubelet) podObject(uid types.UID) any {
	if ps := k.pods[uid]; ps != nil && ps.pod != nil {
		return ps.pod
	}
	return nil
}

// restoreIPs reserves the IPs of pods already on this node (resume).
func (k *Kubelet) restoreIPs() {
	objs, _, _ := k.cfg.Registry.List(k.podRes, "", podsOnNode(k.cfg.NodeName))
	// Reserve in creation order so host-local's round-robin position ends
	// where it was (the last IP handed out).
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i].(*corev1.Pod), objs[j].(*corev1.Pod)
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	})
	for _, o := range objs {
		p := o.(*corev1.Pod)
		if p.Spec.HostNetwork || p.Status.PodIP == "" {
			continue
		}
		if ip, err := netip.ParseAddr(p.Status.PodIP); err == nil {
			k.cfg.Network.Restore(string(p.UID), ip)
		}
	}
}

func (k *Kubelet) now() metav1.Time {
	return metav1.NewTime(k.cfg.Clock.Now().UTC().Truncate(time.Second))
}

func (k *Kubelet) source() events.Source {
	return events.Source{Component: "kubelet", Host: k.cfg.NodeName}
}

// Register creates the Node object and its Lease, as the kubelet does when
// it starts for the first time.
func (k *Kubelet) Register() error {
	if obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName); err == nil {
		// Resumed: the node and its subnet are in the store already, and
		// the kubelet it reports is the binary that runs (an upgraded
		// kubelet restarted before the stop).
		k.nodeUID = obj.(*corev1.Node).UID
		k.cniResume()
		if v := obj.(*corev1.Node).Status.NodeInfo.KubeletVersion; v != k.cfg.Version {
			k.binary = v
		}
		k.setPodCIDR(obj.(*corev1.Node).Spec.PodCIDR)
		return nil
	}
	node := k.nodeObject()
	out, err := k.cfg.Registry.Create(k.nodeRes, "", node, false)
	if err != nil {
		return fmt.Errorf("register node %s: %w", k.cfg.NodeName, err)
	}
	k.nodeUID = out.(*corev1.Node).UID
	for _, r := range []struct{ reason, msg string }{
		{"Starting", "Starting kubelet."},
		{"NodeHasSufficientMemory", fmt.Sprintf("Node %s status is now: NodeHasSufficientMemory", k.cfg.NodeName)},
		{"NodeHasNoDiskPressure", fmt.Sprintf("Node %s status is now: NodeHasNoDiskPressure", k.cfg.NodeName)},
		{"NodeHasSufficientPID", fmt.Sprintf("Node %s status is now: NodeHasSufficientPID", k.cfg.NodeName)},
		{"NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"},
		{"NodeReady", fmt.Sprintf("Node %s status is now: NodeReady", k.cfg.NodeName)},
	} {
		if r.reason == "NodeReady" && !k.postsReady() {
			continue
		}
		k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, r.reason, r.msg)
	}
	return k.RenewLease(k.cfg.Clock.Now())
}

// nodeRef is what node events refer to: kind Node, name, UID = name (the kubelet's recorder uses the node name as UID).
func (k *Kubelet) nodeRef() *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: k.cfg.NodeName, UID: types.UID(k.cfg.NodeName)}}
	n.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Node"))
	return n
}

func (k *Kubelet) nodeObject() *corev1.Node {
	labels := map[string]string{
		"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
		"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": k.cfg.NodeName, "kubernetes.io/os": "linux",
	}
	var taints []corev1.Taint
	if k.cfg.ControlPlane {
		labels["node-role.kubernetes.io/control-plane"] = ""
		labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
		if !k.cfg.Schedulable {
			taints = append(taints, corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule})
		}
	}
	for key, v := range k.cfg.Labels {
		labels[key] = v
	}
	if !k.postsReady() {
		// Registered without a network: not schedulable until the node
		// lifecycle controller sees it Ready (it owns the taint from here).
		taints = append(taints, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})
	}
	now := k.now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewQuantity(int64(k.cfg.CPUs), resource.DecimalSI),
		corev1.ResourceEphemeralStorage: resource.MustParse("40470732Ki"),
		"hugepages-1Gi":                 resource.MustParse("0"),
		"hugepages-2Mi":                 resource.MustParse("0"),
		corev1.ResourceMemory:           memoryKi(k.cfg.Memory, 0),
		corev1.ResourcePods:             *resource.NewQuantity(maxPods, resource.DecimalSI),
	}
	allocatable := capacity.DeepCopy()
	allocatable[corev1.ResourceEphemeralStorage] = resource.MustParse("37297826550")
	// kubeadm reserves nothing; the kubelet subtracts the 100Mi hard eviction threshold.
	allocatable[corev1.ResourceMemory] = memoryKi(k.cfg.Memory, 100*1024)
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   k.cfg.NodeName,
			Labels: labels,
			Annotations: map[string]string{
				"kubeadm.alpha.kubernetes.io/cri-socket":                 criSocket(k.cfg.Runtime.Kind()),
				"node.alpha.kubernetes.io/ttl":                           "0",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			},
		},
		Spec: corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: allocatable,
			Conditions:  nodeConditions(now, k.postsReady()),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: k.cfg.NodeIP},
				{Type: corev1.NodeHostName, Address: k.cfg.NodeName},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID:               k.machineID("m"),
				SystemUUID:              k.machineID("u"),
				BootID:                  k.machineID(fmt.Sprintf("b%d", k.bootID)),
				KernelVersion:           k.cfg.KernelVersion,
				OSImage:                 k.cfg.OSImage,
				ContainerRuntimeVersion: k.cfg.Runtime.RuntimeVersion(),
				KubeletVersion:          k.cfg.Version,
				KubeProxyVersion:        k.cfg.Version,
				OperatingSystem:         "linux",
				Architecture:            "amd64",
			},
		},
	}
}

func memoryKi(q resource.Quantity, minusKi int64) resource.Quantity {
	ki := q.Value()/1024 - minusKi
	return resource.MustParse(fmt.Sprintf("%dKi", ki))
}

func criSocket(kind chain.Kind) string {
	switch kind {
	case "cri-o":
		return "unix:///var/run/crio/crio.sock"
	case "cri-dockerd":
		return "unix:///var/run/cri-dockerd.sock"
	case "docker":
		return "/var/run/dockershim.sock"
	}
	return "unix:///var/run/containerd/containerd.sock"
}

// machineID derives stable hex identifiers from the node name.
func (k *Kubelet) machineID(salt string) string {
	h := uint64(1469598103934665603)
	for _, c := range k.cfg.MachineID + k.cfg.NodeName + salt {
		h ^= uint64(c)
		h *= 1099511628211
	}
	g := h*6364136223846793005 + 1442695040888963407
	return fmt.Sprintf("%016x%016x", h, g)
}

func nodeConditions(now metav1.Time, ready bool) []corev1.NodeCondition {
	c := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: now, LastTransitionTime: now, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: now, LastTransitionTime: now, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, LastHeartbeatTime: now, LastTransitionTime: now, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: now, LastTransitionTime: now, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
	}
	if !ready {
		c[3].Status, c[3].Reason, c[3].Message = corev1.ConditionFalse, "KubeletNotReady", cniNotReadyMessage
	}
	return c
}

// RenewLease renews the node's Lease at tick (the cluster runs it every
// LeaseRenewInterval, coalesced over time jumps).
func (k *Kubelet) RenewLease(tick time.Time) error {
	if !k.running {
		return nil
	}
	renew := metav1.NewMicroTime(tick.UTC())
	obj, err := k.cfg.Registry.Get(k.leaseRes, corev1.NamespaceNodeLease, k.cfg.NodeName)
	if err != nil {
		dur := int32(LeaseDurationSeconds)
		holder := k.cfg.NodeName
		lease := &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: k.cfg.NodeName, Namespace: corev1.NamespaceNodeLease,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: k.cfg.NodeName, UID: k.nodeUID}}},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: &renew},
		}
		_, err = k.cfg.Registry.Create(k.leaseRes, corev1.NamespaceNodeLease, lease, false)
		return err
	}
	l := obj.(*coordinationv1.Lease).DeepCopy()
	l.Spec.RenewTime = &renew
	l.ResourceVersion = ""
	_, err = k.cfg.Registry.Update(k.leaseRes, corev1.NamespaceNodeLease, l, "")
	return err
}

// Heartbeat refreshes the node's condition heartbeats (NodeStatusReportFrequency, 5 min).
func (k *Kubelet) Heartbeat(tick time.Time) {
	if !k.running {
		return
	}
	obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName)
	if err != nil {
		return
	}
	n := obj.(*corev1.Node).DeepCopy()
	hb := metav1.NewTime(tick.UTC().Truncate(time.Second))
	for i := range n.Status.Conditions {
		n.Status.Conditions[i].LastHeartbeatTime = hb
	}
	n.ResourceVersion = ""
	k.cfg.Registry.Update(k.nodeRes, "", n, "status")
}
