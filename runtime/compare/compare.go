package compare

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sort"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
	"kubesim/runtime/cost"
)

// Config describes the workload.
type Config struct {
	// Pods started in one batch per chain; the published benchmark used 105.
	Pods int
	// Image every pod runs, pre-pulled as the node benchmark does.
	Image string
	// KubernetesVersion of the nodes; the docker (dockershim) chain always
	// runs DockershimVersion, the last release that had it.
	KubernetesVersion string
	// Kinds to compare; nil means all, docker first (the baseline).
	Kinds []chain.Kind
	// SteadyState is the window of the steady-state CPU model: PLEG relists
	// every second, and every pod's status read once.
	SteadyState time.Duration
	Seed        uint64
	Costs       *cost.Table
}

// DockershimVersion is the Kubernetes version the docker chain runs.
const DockershimVersion = "v1.23.17"

// DefaultConfig is the published benchmark's shape: 105 pause pods.
func DefaultConfig() Config {
	return Config{Pods: cost.Published.Pods, Image: "registry.k8s.io/pause:3.9", KubernetesVersion: "v1.27.1",
		Kinds: chain.Kinds, SteadyState: time.Minute, Seed: 1}
}

func (c *Config) validate() error {
	if c.Pods <= 0 {
		return fmt.Errorf("compare: Pods must be positive, got %d", c.Pods)
	}
	if c.SteadyState < time.Second {
		return fmt.Errorf("compare: SteadyState must be at least 1s, got %v", c.SteadyState)
	}
	return nil
}

// Row is one chain's result.
type Row struct {
	Kind chain.Kind
	Hops []string // below the kubelet
	// Measured, per pod start (RunPodSandbox + CreateContainer + StartContainer).
	NsPerPod     float64
	AllocsPerPod float64
	BytesPerPod  float64
	HopCalls     float64 // requests received by all hops, per pod start
	// Modelled pod start-up latency across the batch.
	StartP50, StartP99 time.Duration
	// Modelled steady-state CPU, in cores (1.0 = one core busy).
	KubeletCPU, RuntimeCPU float64
}

// Run runs the workload on every chain of cfg.
func Run(cfg Config) ([]Row, error) {
	if cfg.Image == "" {
		cfg.Image = DefaultConfig().Image
	}
	if cfg.KubernetesVersion == "" {
		cfg.KubernetesVersion = DefaultConfig().KubernetesVersion
	}
	if cfg.Kinds == nil {
		cfg.Kinds = chain.Kinds
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var rows []Row
	for _, kind := range cfg.Kinds {
		row, err := runOne(cfg, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// NewNode builds a chain as Run does (used by the benchmarks too).
func NewNode(kind chain.Kind, version, image string, seed uint64, costs *cost.Table) (*chain.Chain, error) {
	if kind == chain.Docker {
		version = DockershimVersion
	}
	ip := 1
	return chain.New(chain.Config{
		Kind: kind, KubernetesVersion: version, Node: "bench", Seed: seed, Costs: costs, TraceLimit: -1,
		Preload: []string{"registry.k8s.io/pause:3.6", "registry.k8s.io/pause:3.9", image},
		CNI: chain.CNIFuncs{AddFunc: func(string, string, string, string) (string, error) {
			ip++
			return fmt.Sprintf("10.244.%d.%d", 1+ip/250, ip%250+1), nil
		}},
	})
}

// StartPod runs the kubelet's calls for one pod with one container.
func StartPod(c *chain.Chain, i int, image string) error {
	ctx := context.Background()
	rs := c.Runtime()
	name := fmt.Sprintf("pod-%d", i)
	uid := fmt.Sprintf("uid-%06d", i)
	sbc := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "default", Uid: uid},
		Hostname:     name,
		LogDirectory: "/var/log/pods/default_" + name + "_" + uid,
		Labels:       map[string]string{"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.uid": uid},
		Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: "/kubepods/besteffort/pod" + uid},
	}
	sb, err := rs.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
	if err != nil {
		return err
	}
	ct, err := rs.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, SandboxConfig: sbc, Config: &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "c"},
		Image:    &runtimeapi.ImageSpec{Image: image},
		LogPath:  "c/0.log",
		Labels:   map[string]string{"io.kubernetes.container.name": "c", "io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": "default"},
	}})
	if err != nil {
		return err
	}
	_, err = rs.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId})
	return err
}

func sum(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

// rounds is how many batches the wall-time measurement takes the median of
// (the machine is shared; one batch is noisy).
const rounds = 3

func runOne(cfg Config, kind chain.Kind) (Row, error) {
	var row Row
	var c *chain.Chain
	var walls []time.Duration
	for round := 0; round < rounds; round++ {
		var err error
		c, err = NewNode(kind, cfg.KubernetesVersion, cfg.Image, cfg.Seed, cfg.Costs)
		if err != nil {
			return Row{}, err
		}
		row = Row{Kind: kind, Hops: c.Hops()}
		latencies := make([]time.Duration, 0, cfg.Pods)
		var before, after goruntime.MemStats
		goruntime.GC()
		goruntime.ReadMemStats(&before)
		callsBefore := sum(c.Calls())
		var wall time.Duration
		for i := 0; i < cfg.Pods; i++ {
			// Wall time on purpose: this package measures the real cost of
			// the hops' code; the simulated cluster never calls it.
			t0 := time.Now()
			if err := StartPod(c, i, cfg.Image); err != nil {
				return Row{}, err
			}
			wall += time.Since(t0)
			latencies = append(latencies, c.TakeCost())
		}
		goruntime.ReadMemStats(&after)
		walls = append(walls, wall)
		n := float64(cfg.Pods)
		row.AllocsPerPod = float64(after.Mallocs-before.Mallocs) / n
		row.BytesPerPod = float64(after.TotalAlloc-before.TotalAlloc) / n
		row.HopCalls = float64(sum(c.Calls())-callsBefore) / n
		row.StartP50, row.StartP99 = Percentile(latencies, 0.50), Percentile(latencies, 0.99)
	}
	row.NsPerPod = float64(Percentile(walls, 0.5).Nanoseconds()) / float64(cfg.Pods)

	kubelet, runtime, err := SteadyState(c, cfg.SteadyState)
	if err != nil {
		return Row{}, err
	}
	row.KubeletCPU, row.RuntimeCPU = kubelet, runtime
	return row, nil
}

// SteadyState models the node at rest for window: the kubelet's PLEG lists
// sandboxes and containers every second, and reads each pod's status once.
// It returns the modelled CPU of the kubelet process and of the runtime
// processes, in cores.
func SteadyState(c *chain.Chain, window time.Duration) (kubeletCores, runtimeCores float64, err error) {
	ctx := context.Background()
	rs := c.Runtime()
	cpu0 := c.CPU()
	var pods *runtimeapi.ListPodSandboxResponse
	var ctrs *runtimeapi.ListContainersResponse
	for s := time.Duration(0); s < window; s += time.Second {
		if pods, err = rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil {
			return 0, 0, err
		}
		if ctrs, err = rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{}); err != nil {
			return 0, 0, err
		}
	}
	for _, p := range pods.Items {
		if _, err := rs.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: p.Id}); err != nil {
			return 0, 0, err
		}
	}
	for _, ct := range ctrs.Containers {
		if _, err := rs.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ct.Id}); err != nil {
			return 0, 0, err
		}
	}
	c.TakeCost()
	var k, r time.Duration
	for proc, v := range c.CPU() {
		d := v - cpu0[proc]
		if proc == "kubelet" {
			k += d
		} else {
			r += d
		}
	}
	return k.Seconds() / window.Seconds(), r.Seconds() / window.Seconds(), nil
}

// Percentile returns the p-quantile (nearest rank) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(float64(len(s))*p+0.999999) - 1
	if idx < 0 {
		idx = 0
	}
	if idx >= len(s) {
		idx = len(s) - 1
	}
	return s[idx]
}

// Format prints rows as the CLI table, with each chain's change against the
// first row (the docker baseline) and the published figures under it.
func Format(rows []Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %-5s %-10s %-10s %-9s %-10s %-10s %-9s %-9s %s\n",
		"CHAIN", "HOPS", "NS/POD", "ALLOCS/POD", "CALLS/POD", "START-P50", "START-P99", "KUBELET", "RUNTIME", "PATH")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-12s %-5d %-10.0f %-10.0f %-9.0f %-10s %-10s %-9s %-9s %s\n",
			r.Kind, len(r.Hops), r.NsPerPod, r.AllocsPerPod, r.HopCalls,
			r.StartP50.Round(100*time.Microsecond), r.StartP99.Round(100*time.Microsecond),
			pct(r.KubeletCPU), pct(r.RuntimeCPU), "kubelet→"+strings.Join(r.Hops, "→"))
	}
	if len(rows) > 1 {
		base := rows[0]
		fmt.Fprintf(&b, "\nagainst %s:\n", base.Kind)
		for _, r := range rows[1:] {
			fmt.Fprintf(&b, "  %-12s ns/pod %s  allocs/pod %s  start p50 %s  kubelet CPU %s  runtime CPU %s\n", r.Kind,
				change(r.NsPerPod, base.NsPerPod), change(r.AllocsPerPod, base.AllocsPerPod),
				change(float64(r.StartP50), float64(base.StartP50)), change(r.KubeletCPU, base.KubeletCPU), change(r.RuntimeCPU, base.RuntimeCPU))
		}
		fmt.Fprintf(&b, "  published (containerd 1.1 vs Docker 18.03 + dockershim, %d pods): kubelet CPU %+.2f%%  runtime CPU %+.2f%%  (%s)\n",
			cost.Published.Pods, 100*cost.Published.KubeletCPU, 100*cost.Published.RuntimeCPU, cost.Published.Source)
	}
	return b.String()
}

func pct(cores float64) string { return fmt.Sprintf("%.2f%%", 100*cores) }

func change(v, base float64) string {
	if base == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f%%", 100*(v-base)/base)
}
