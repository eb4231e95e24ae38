package benchmarks

import (
	"context"
	"fmt"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
	"kubesim/runtime/compare"
)

const runtimeBenchImage = "registry.k8s.io/pause:3.9"

// BenchmarkRuntimePodStart: one op is one pod start through the chain
// (RunPodSandbox, CreateContainer, StartContainer), on nodes of up to batch
// pods (a fresh node every batch pods, outside the timer). Measured: ns/op
// and allocs/op of the hops' Go code. Reported: the modelled start-up latency
// per pod (modelled-ms/pod) and the hop requests per pod.
func BenchmarkRuntimePodStart(b *testing.B) {
	for _, kind := range chain.Kinds {
		for _, batch := range []int{1, 105} {
			b.Run(fmt.Sprintf("chain=%s/batch=%d", kind, batch), func(b *testing.B) {
				var c *chain.Chain
				var modelled time.Duration
				calls := 0
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if i%batch == 0 {
						b.StopTimer()
						if c != nil {
							calls += sumCalls(c)
						}
						var err error
						if c, err = compare.NewNode(kind, "v1.27.1", runtimeBenchImage, 1, nil); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					if err := compare.StartPod(c, i, runtimeBenchImage); err != nil {
						b.Fatal(err)
					}
					modelled += c.TakeCost()
				}
				b.StopTimer()
				calls += sumCalls(c)
				b.ReportMetric(float64(modelled.Microseconds())/1000/float64(b.N), "modelled-ms/pod")
				b.ReportMetric(float64(calls)/float64(b.N), "hop-calls/pod")
			})
		}
	}
}

// BenchmarkRuntimeRelist: one op is one PLEG relist (ListPodSandbox +
// ListContainers) on a node running pods pods — the steady-state work behind
// the published CPU figures. Reported: modelled kubelet and runtime CPU per
// relist.
func BenchmarkRuntimeRelist(b *testing.B) {
	for _, kind := range chain.Kinds {
		for _, pods := range []int{10, 105} {
			b.Run(fmt.Sprintf("chain=%s/pods=%d", kind, pods), func(b *testing.B) {
				c, err := compare.NewNode(kind, "v1.27.1", runtimeBenchImage, 1, nil)
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < pods; i++ {
					if err := compare.StartPod(c, i, runtimeBenchImage); err != nil {
						b.Fatal(err)
					}
				}
				ctx := context.Background()
				rs := c.Runtime()
				cpu0 := c.CPU()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err != nil {
						b.Fatal(err)
					}
					if _, err := rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				var k, r time.Duration
				for proc, v := range c.CPU() {
					if proc == "kubelet" {
						k += v - cpu0[proc]
					} else {
						r += v - cpu0[proc]
					}
				}
				b.ReportMetric(float64(k.Microseconds())/float64(b.N), "modelled-kubelet-µs/op")
				b.ReportMetric(float64(r.Microseconds())/float64(b.N), "modelled-runtime-µs/op")
			})
		}
	}
}

func sumCalls(c *chain.Chain) int {
	n := 0
	for _, v := range c.Calls() {
		n += v
	}
	return n
}
