package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"kubesim/runtime/cost"
	"kubesim/runtime/images"
)

// Kind names a runtime chain.
type Kind string

const (
	Docker     Kind = "docker"      // kubelet → dockershim → dockerd → containerd → shim → runc (Kubernetes ≤ 1.23)
	Containerd Kind = "containerd"  // kubelet → containerd (CRI plugin) → shim → runc
	CRIO       Kind = "cri-o"       // kubelet → crio → conmon → runc
	CRIDockerd Kind = "cri-dockerd" // kubelet → cri-dockerd → dockerd → containerd → shim → runc (Kubernetes ≥ 1.24)
)

// Kinds lists every chain, in the order tables print them.
var Kinds = []Kind{Docker, Containerd, CRIO, CRIDockerd}

// Hop names.
const (
	hopKubelet    = "kubelet"
	hopDockershim = "dockershim"
	hopCRIDockerd = "cri-dockerd"
	hopDockerd    = "dockerd"
	hopContainerd = "containerd"
	hopShim       = "containerd-shim-runc-v2"
	hopRunc       = "runc"
	hopCRIO       = "crio"
	hopConmon     = "conmon"
)

// Config configures a Chain.
type Config struct {
	Kind Kind
	// KubernetesVersion is the node's kubelet version ("v1.27.1" or "1.27.1");
	// it decides whether dockershim exists, the sandbox image and the runtime
	// version reported.
	KubernetesVersion string
	// Catalog resolves images; nil means the built-in catalog at the
	// cluster's date: Now() at construction, but never before the Kubernetes
	// version was released (a v1.33 cluster pulls what tags meant in 2025).
	Catalog *images.Catalog
	// Node is the node name (for log paths and errors).
	Node string
	// Seed derives container IDs and latency jitter.
	Seed uint64
	// Now is the virtual clock; nil means a clock stopped at the catalog date.
	Now func() time.Time
	// CNI is the node's network plugin (net/cni): RunPodSandbox calls its
	// Add for a pod-network sandbox and reports the IP it returns in
	// PodSandboxStatus; StopPodSandbox (or RemovePodSandbox, if the sandbox
	// was never stopped) calls its Del. When nil, the annotation
	// PodIPAnnotation of the sandbox config is used, if any.
	CNI CNI
	// Network, when set, gives a container's process its view of the cluster
	// network (images.Network: wget from a pod), by the pod's IP and
	// namespace (its resolv.conf search list).
	Network func(podIP, namespace string) images.Network
	// Costs is the cost table; nil means cost.Default().
	Costs *cost.Table
	// RuntimeVersion overrides the version reported (e.g. "1.6.20").
	RuntimeVersion string
	// SandboxImage overrides the pause image (e.g. "registry.k8s.io/pause:3.9").
	SandboxImage string
	// Preload lists images present before the first pull; nil means the
	// sandbox image only.
	Preload []string
	// TraceLimit bounds the trace: 0 means 1024 records, negative disables it
	// (large simulations should disable it).
	TraceLimit int
}

// PodIPAnnotation, on a PodSandboxConfig, gives the sandbox its IP when
// Config.CNI is nil, and a host-network sandbox its node's address.
const PodIPAnnotation = "kubesim.io/pod-ip"

// CNI is a node's network plugin as a container runtime calls it: Add (CNI
// ADD) once the sandbox and its network namespace exist, with the pod's
// CNI_ARGS (K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_UID) and the sandbox
// (K8S_POD_INFRA_CONTAINER_ID), returning the pod's IP; Del (CNI DEL) when
// the sandbox stops, at most once per successful Add. It runs with the
// chain's lock held and must not call back into the chain.
type CNI interface {
	Add(namespace, name, podUID, sandboxID string) (ip string, err error)
	Del(namespace, name, podUID, sandboxID string)
}

// CNIFuncs adapts two functions to CNI (tests and benchmarks); a nil
// DelFunc does nothing.
type CNIFuncs struct {
	AddFunc func(namespace, name, podUID, sandboxID string) (string, error)
	DelFunc func(namespace, name, podUID, sandboxID string)
}

func (f CNIFuncs) Add(namespace, name, podUID, sandboxID string) (string, error) {
	return f.AddFunc(namespace, name, podUID, sandboxID)
}

func (f CNIFuncs) Del(namespace, name, podUID, sandboxID string) {
	if f.DelFunc != nil {
		f.DelFunc(namespace, name, podUID, sandboxID)
	}
}

// Errors.
var (
	// ErrDockershimRemoved wraps the kubelet's refusal of the docker chain on
	// Kubernetes ≥ 1.24.
	ErrDockershimRemoved = errors.New("dockershim was removed in Kubernetes v1.24")
	ErrUnknownKind       = errors.New("unknown runtime chain")
)

// HopRecord is one request as a hop received it.
type HopRecord struct {
	From    string // the caller: "kubelet" for the first hop
	Hop     string
	Op      string // "RunPodSandbox", "POST /containers/create", "Tasks.Create", "create"
	Request any    // *runtimeapi.XRequest, *DockerRequest, *ContainerdRequest, *ShimRequest, *RuncCall, *ConmonCall
}

// Chain is one node's container runtime.
type Chain struct {
	mu    sync.Mutex
	cfg   Config
	cat   *images.Catalog
	costs *cost.Table
	rng   *rand.Rand
	front criHop
	hops  []string

	idSeq  uint64
	pidSeq int

	// CRI-visible state.
	sandboxes  map[string]*sandbox
	containers map[string]*container
	images     map[string]*images.Image // by image ID
	tags       map[string][]string      // image ID → references pulled, sorted
	sandboxImg *images.Image

	// The machine under the hops: bundles, rootfs, network namespaces, processes.
	m *machine
	// files: the containers' filesystems and the node's host paths (fs.go).
	files *files

	trace   []HopRecord
	pending time.Duration
	cpu     map[string]time.Duration
	calls   map[string]int
	version versionInfo
	// startHook sees each container process at runc create (starthook.go).
	startHook StartHook
	// systemdCgroup: runc's systemd cgroup driver (cgroups.go).
	systemdCgroup bool
}

// New builds a chain. Kind "docker" with Kubernetes ≥ 1.24 is refused with the
// kubelet's own error text.
func New(cfg Config) (*Chain, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Catalog == nil {
		cfg.Catalog = images.DefaultAt(catalogDate(cfg))
	}
	if cfg.Costs == nil {
		cfg.Costs = cost.Default()
	}
	if cfg.Now == nil {
		d := cfg.Catalog.Date()
		cfg.Now = func() time.Time { return d }
	}
	if cfg.TraceLimit == 0 {
		cfg.TraceLimit = 1024
	}
	minor, _ := parseMinor(cfg.KubernetesVersion)
	c := &Chain{
		cfg:        cfg,
		cat:        cfg.Catalog,
		costs:      cfg.Costs,
		rng:        rand.New(rand.NewPCG(cfg.Seed, 0x6b75626573696d)),
		sandboxes:  map[string]*sandbox{},
		containers: map[string]*container{},
		images:     map[string]*images.Image{},
		tags:       map[string][]string{},
		m:          newMachine(),
		cpu:        map[string]time.Duration{},
		calls:      map[string]int{},
		version:    runtimeVersionFor(cfg.Kind, minor),
		pidSeq:     1000,
	}
	if cfg.RuntimeVersion != "" {
		c.version.version = cfg.RuntimeVersion
	}
	sbRef := cfg.SandboxImage
	if sbRef == "" {
		sbRef = sandboxImageFor(minor)
	}
	img, err := c.cat.Resolve(sbRef)
	if err != nil {
		return nil, fmt.Errorf("sandbox image %s: %w", sbRef, err)
	}
	c.sandboxImg = img
	preload := cfg.Preload
	if preload == nil {
		preload = []string{sbRef}
	}
	switch cfg.Kind {
	case Docker, CRIDockerd:
		name := hopDockershim
		if cfg.Kind == CRIDockerd {
			name = hopCRIDockerd
		}
		core := &containerdCore{c: c, namespace: "moby", shimPerContainer: true}
		d := &dockerd{c: c, next: core, containers: map[string]*dockerContainer{}, images: map[string]*images.Image{}, execs: map[string]*dockerExec{}}
		c.front = &dockerCRI{c: c, hop: name, next: d}
		c.hops = []string{name, hopDockerd, hopContainerd, hopShim, hopRunc}
		for _, ref := range preload {
			if img, err := c.cat.Resolve(ref); err == nil {
				d.images[img.ID] = img
			}
		}
	case Containerd:
		core := &containerdCore{c: c, namespace: "k8s.io"}
		c.front = &containerdCRI{c: c, core: core}
		c.hops = []string{hopContainerd, hopShim, hopRunc}
	case CRIO:
		c.front = &crio{c: c}
		c.hops = []string{hopCRIO, hopConmon, hopRunc}
	}
	for _, ref := range preload {
		img, err := c.cat.Resolve(ref)
		if err != nil {
			return nil, fmt.Errorf("preload %s: %w", ref, err)
		}
		c.addImage(img)
	}
	return c, nil
}

func (cfg *Config) validate() error {
	minor, err := parseMinor(cfg.KubernetesVersion)
	if err != nil {
		return err
	}
	switch cfg.Kind {
	case Containerd, CRIO, CRIDockerd:
	case Docker:
		if minor >= 24 {
			return fmt.Errorf("%s: %w", dockershimRefusal(minor), ErrDockershimRemoved)
		}
	default:
		return fmt.Errorf("%w %q (want one of docker, containerd, cri-o, cri-dockerd)", ErrUnknownKind, cfg.Kind)
	}
	if cfg.Kind == CRIDockerd && minor < 20 {
		return fmt.Errorf("cri-dockerd needs Kubernetes ≥ 1.20, got %s", cfg.KubernetesVersion)
	}
	return nil
}

// RefusalText is the kubelet's message when asked to run dockershim on
// Kubernetes ≥ 1.24, which New returns (wrapped with ErrDockershimRemoved).
//   - 1.24–1.26: --container-runtime still parses but only "remote" passes
//     validation (cmd/kubelet/app/options/options.go ValidateKubeletFlags;
//     wrapped in server.go as "failed to validate kubelet flags: %w").
//   - ≥ 1.27: the flag is gone: "failed to parse kubelet flag: unknown flag:
//     --container-runtime" (seen in kubelet logs after upgrading to 1.27).
func RefusalText(kubernetesVersion string) string {
	minor, _ := parseMinor(kubernetesVersion)
	return dockershimRefusal(minor)
}

func dockershimRefusal(minor int) string {
	if minor >= 27 {
		return "failed to parse kubelet flag: unknown flag: --container-runtime"
	}
	return `failed to validate kubelet flags: unsupported CRI runtime: "docker", only "remote" is currently supported`
}

// catalogDate is the date a default catalog is pinned to.
func catalogDate(cfg Config) time.Time {
	minor, _ := parseMinor(cfg.KubernetesVersion)
	d := releaseDate(minor)
	if cfg.Now != nil {
		if now := cfg.Now(); now.After(d) {
			d = now
		}
	} else if minor == 27 {
		d = images.LectureDate
	}
	return d
}

// Catalog is the image catalog the chain resolves images with; the kubelet
// should use the same one (image sizes in Pulled events).
func (c *Chain) Catalog() *images.Catalog {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cat
}

// SetCatalog replaces the catalog the chain pulls from (an image loaded
// into the node).
func (c *Chain) SetCatalog(cat *images.Catalog) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cat = cat
}

// Kind returns the chain's kind.
func (c *Chain) Kind() Kind { return c.cfg.Kind }

// Hops lists the hops below the kubelet, in call order.
func (c *Chain) Hops() []string { return append([]string(nil), c.hops...) }

// Trace returns the records since the last ResetTrace, oldest first.
func (c *Chain) Trace() []HopRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]HopRecord(nil), c.trace...)
}

// ResetTrace empties the trace.
func (c *Chain) ResetTrace() {
	c.mu.Lock()
	c.trace = c.trace[:0]
	c.mu.Unlock()
}

// TakeCost returns the modelled virtual latency of the calls made since the
// last TakeCost (image pulls and stop grace periods included) and resets it.
func (c *Chain) TakeCost() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.pending
	c.pending = 0
	return d
}

// CPU returns the modelled CPU time charged so far, by process ("kubelet",
// "dockerd", "containerd", "containerd-shim-runc-v2", "runc", "crio",
// "conmon", "cri-dockerd"). dockershim's work is the kubelet's.
func (c *Chain) CPU() map[string]time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]time.Duration, len(c.cpu))
	for k, v := range c.cpu {
		out[k] = v
	}
	return out
}

// Calls returns how many requests each hop received, for tables and tests.
func (c *Chain) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Process returns the simulated process of a container or sandbox — also of
// an exited one until it is removed (kubectl logs --previous) — or nil.
func (c *Chain) Process(containerID string) *images.Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ct := c.containers[containerID]; ct != nil && ct.proc != nil {
		return ct.proc
	}
	if sb := c.sandboxes[containerID]; sb != nil && sb.proc != nil {
		return sb.proc
	}
	if p := c.m.procs[containerID]; p != nil {
		return p.p
	}
	return nil
}

// RuntimeVersion is what node.status.nodeInfo.containerRuntimeVersion shows:
// "containerd://1.6.20", "docker://20.10.21", "cri-o://1.27.1".
func (c *Chain) RuntimeVersion() string {
	return c.version.name + "://" + trimV(c.version.version)
}

// ProcessOf maps a hop to the OS process it runs in.
func ProcessOf(hop string) string {
	if hop == hopDockershim {
		return hopKubelet
	}
	return hop
}

// enter records that hop received req from from, and charges the edge and the
// operation. items sizes list operations. Callers hold c.mu.
func (c *Chain) enter(from, hop, op string, req any, items int) {
	e := c.costs.Edge(from, hop)
	o := c.costs.Op(hop, op)
	c.charge(e.Latency + o.Latency)
	c.cpu[ProcessOf(from)] += e.ClientCPU
	c.cpu[ProcessOf(hop)] += e.ServerCPU + o.CPU + time.Duration(items)*o.PerItem
	c.calls[hop]++
	if c.cfg.TraceLimit < 0 {
		return
	}
	if len(c.trace) >= c.cfg.TraceLimit {
		n := copy(c.trace, c.trace[len(c.trace)/2:])
		c.trace = c.trace[:n]
	}
	c.trace = append(c.trace, HopRecord{From: from, Hop: hop, Op: op, Request: req})
}

// charge adds latency with the table's exponential jitter.
func (c *Chain) charge(d time.Duration) {
	if d <= 0 {
		return
	}
	if j := c.costs.Jitter; j > 0 {
		d += time.Duration(float64(d) * j * c.rng.ExpFloat64())
	}
	c.pending += d
}

// wait adds a fixed virtual duration (pull transfer, grace period) without jitter.
func (c *Chain) wait(d time.Duration) { c.pending += d }

func (c *Chain) now() time.Time { return c.cfg.Now() }

// newID returns a 64-hex ID derived from the seed and a counter.
func (c *Chain) newID() string {
	c.idSeq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], c.cfg.Seed)
	binary.BigEndian.PutUint64(b[8:], c.idSeq)
	h := sha256.Sum256(append([]byte(c.cfg.Node+"/"), b[:]...))
	return hex.EncodeToString(h[:])
}

func (c *Chain) newPID() int {
	c.pidSeq++
	return c.pidSeq
}

// Backoff is the kubelet's CrashLoopBackOff delay, n-th back-off counted
// from 0: 10 s, 20 s, 40 s, … capped at 5 min, no jitter (pkg/kubelet
// backOffPeriod = 10 s, MaxContainerBackOff = 300 s; client-go
// flowcontrol.Backoff; events-and-messages.md §2.4). The kubelet restarts a
// container the first time it exits at once and starts backing off from the
// second exit, so the delays between restarts read 0, 10 s, 20 s, 40 s, …:
// after the k-th exit (k ≥ 2) the delay is Backoff(k-2). Negative n gives 0.
func Backoff(n int) time.Duration {
	const base, max = 10 * time.Second, 300 * time.Second
	if n < 0 {
		return 0
	}
	if n >= 5 {
		return max
	}
	return min(base<<n, max)
}

// BackoffResetAfter: a container that ran this long without restarting gets
// its back-off reset to 10 s (2 × the 5 min cap; client-go flowcontrol
// hasExpired).
const BackoffResetAfter = 10 * time.Minute
