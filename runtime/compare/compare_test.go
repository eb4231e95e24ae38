package compare

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/runtime/chain"
	"kubesim/runtime/cost"
)

func rel(v, base float64) float64 { return (v - base) / base }

// TestModelMatchesPublished: the modelled 105-pod steady state reproduces the
// published containerd-vs-dockershim CPU changes, and start-up latency is
// lower on containerd, as the blog says.
func TestModelMatchesPublished(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Kinds = []chain.Kind{chain.Docker, chain.Containerd}
	rows, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	docker, ctrd := rows[0], rows[1]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"kubelet CPU", rel(ctrd.KubeletCPU, docker.KubeletCPU), cost.Published.KubeletCPU},
		{"runtime CPU", rel(ctrd.RuntimeCPU, docker.RuntimeCPU), cost.Published.RuntimeCPU},
	} {
		if math.Abs(c.got-c.want) > 0.005 {
			t.Errorf("%s: containerd vs docker %+.2f%%, published %+.2f%%", c.name, 100*c.got, 100*c.want)
		}
	}
	if !(ctrd.StartP50 < docker.StartP50 && ctrd.StartP99 < docker.StartP99) {
		t.Errorf("start-up latency: containerd p50/p99 %v/%v not below docker %v/%v", ctrd.StartP50, ctrd.StartP99, docker.StartP50, docker.StartP99)
	}
	// Measured: allocations are deterministic, so their direction is a test;
	// wall time is recorded in benchmarks/runtime.md, not asserted.
	if !(ctrd.AllocsPerPod < docker.AllocsPerPod) || !(ctrd.HopCalls < docker.HopCalls) {
		t.Errorf("containerd allocs/calls per pod %.0f/%.0f not below docker %.0f/%.0f", ctrd.AllocsPerPod, ctrd.HopCalls, docker.AllocsPerPod, docker.HopCalls)
	}
	if diff := cmp.Diff([]int{5, 3}, []int{len(docker.Hops), len(ctrd.Hops)}); diff != "" {
		t.Errorf("hops (-want +got):\n%s", diff)
	}
}

func TestFormat(t *testing.T) {
	rows := []Row{
		{Kind: chain.Docker, Hops: []string{"dockershim", "dockerd"}, NsPerPod: 200, AllocsPerPod: 10, HopCalls: 4, StartP50: 300 * time.Millisecond, StartP99: 310 * time.Millisecond, KubeletCPU: 0.002, RuntimeCPU: 0.004},
		{Kind: chain.Containerd, Hops: []string{"containerd"}, NsPerPod: 100, AllocsPerPod: 5, HopCalls: 2, StartP50: 150 * time.Millisecond, StartP99: 160 * time.Millisecond, KubeletCPU: 0.001, RuntimeCPU: 0.001},
	}
	got := Format(rows)
	for _, want := range []string{
		"CHAIN        HOPS  NS/POD",
		"docker       2     200        10         4         300ms      310ms      0.20%     0.40%     kubelet→dockershim→dockerd",
		"containerd   ns/pod -50.00%  allocs/pod -50.00%  start p50 -50.00%  kubelet CPU -50.00%  runtime CPU -75.00%",
		"published (containerd 1.1 vs Docker 18.03 + dockershim, 105 pods): kubelet CPU -30.89%  runtime CPU -68.13%",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Format output lacks %q:\n%s", want, got)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i))
	}
	if got := []time.Duration{Percentile(ds, 0.5), Percentile(ds, 0.99), Percentile(ds, 1)}; !cmp.Equal(got, []time.Duration{50, 99, 100}) {
		t.Errorf("Percentile = %v, want [50 99 100]", got)
	}
	if _, err := Run(Config{Pods: 0}); err == nil {
		t.Error("Run with 0 pods: want an error")
	}
}
