package benchmarks

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// BenchmarkSchedulingE2E is scheduler_perf's SchedulingBasic end to end:
// hollow nodes and pods created through the registry (defaulting,
// validation, protobuf encoding, the bbolt store with fsync on), scheduled,
// bound through pods/binding, a Scheduled event each, one group commit.
// The timed phase is the whole envelope: creating the pods through the
// registry, scheduling, binding and committing them (envelope-s); pods/s is
// the scheduling part alone, from the last create to the last commit.
func BenchmarkSchedulingE2E(b *testing.B) {
	defer sim.TuneGC()() // as the kubesim command runs (GOGC=100 to compare)
	for _, w := range []struct{ nodes, pods int }{{500, 1000}, {5000, 10000}, {5000, 150000}} {
		b.Run(fmt.Sprintf("nodes=%d/pods=%d", w.nodes, w.pods), func(b *testing.B) {
			if testing.Short() && w.pods > 10000 {
				b.Skip("-short: skipping the 150,000-pod workload")
			}
			for i := 0; i < b.N; i++ {
				benchSchedulingE2E(b, w.nodes, w.pods)
			}
		})
	}
}

func benchSchedulingE2E(b *testing.B, nodes, pods int) {
	b.StopTimer()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	nodeRes, _ := apiserver.Lookup(schema.GroupResource{Resource: "nodes"})
	podRes, _ := apiserver.Lookup(schema.GroupResource{Resource: "pods"})
	c.Do(func() {
		for i := 0; i < nodes; i++ {
			n := &corev1.Node{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i), Labels: map[string]string{"kubernetes.io/hostname": fmt.Sprintf("node-%d", i)}},
				Status: corev1.NodeStatus{
					Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("32Gi"), corev1.ResourcePods: resource.MustParse("110")},
					Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("32Gi"), corev1.ResourcePods: resource.MustParse("110")},
					Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
				},
			}
			if _, err := c.Registry.Create(nodeRes, "", n, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err := c.Store.Sync(); err != nil {
		b.Fatal(err)
	}
	var ms0 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	b.StartTimer()
	created := time.Now()
	cpu0 := cpuTime()
	c.Locked(func() {
		for i := 0; i < pods; i++ {
			p := &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("pod-%d", i), Namespace: "default"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.9",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("10Mi")}}}}},
			}
			if _, err := c.Registry.Create(podRes, "default", p, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	start := time.Now()
	c.Settle()
	b.StopTimer()
	end := time.Now()
	cpu := cpuTime() - cpu0
	var ms1 runtime.MemStats
	runtime.GC()
	runtime.GC() // twice: bbolt's page pool (a sync.Pool) survives one
	runtime.ReadMemStats(&ms1)
	if f := os.Getenv("KUBESIM_HEAPPROFILE"); f != "" {
		out, _ := os.Create(f)
		pprof.WriteHeapProfile(out)
		out.Close()
	}
	bound := 0
	c.Locked(func() {
		objs, _, _ := c.Registry.List(podRes, "default", apiserver.ListOptions{})
		for _, o := range objs {
			if o.(*corev1.Pod).Spec.NodeName != "" {
				bound++
			}
		}
	})
	if bound != pods {
		b.Fatalf("%d of %d pods bound", bound, pods)
	}
	b.ReportMetric(float64(pods)/end.Sub(start).Seconds(), "pods/s")
	b.ReportMetric(end.Sub(created).Seconds(), "envelope-s")
	b.ReportMetric(float64(pods)/end.Sub(created).Seconds(), "envelope-pods/s")
	b.ReportMetric(float64(pods)/cpu.Seconds(), "envelope-pods/cpu-s")
	b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/float64(pods), "heap-bytes/pod")
}
