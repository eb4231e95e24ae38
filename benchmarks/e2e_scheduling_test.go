package benchmarks

import (
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/scheduler"
	"kubesim/sim"
	"kubesim/sim/registry"
)

// BenchmarkSchedulingE2E is scheduler_perf's SchedulingBasic end to end:
// hollow nodes and pods created through the registry (defaulting,
// validation, protobuf encoding, the bbolt store with fsync on), scheduled,
// bound through pods/binding, a Scheduled event each, one group commit.
// The timed phase is the whole envelope: creating the pods through the
// registry, scheduling, binding and committing them (envelope-s); pods/s is
// the scheduling part alone, from the last create to the last commit.
//
// The 100,000-node / 1,000,000-pod size runs only when asked for
// (KUBESIM_E2E_100K=1; it needs ~8 GiB and more than 20 minutes on this
// machine; KUBESIM_E2E_100K_PODS=n sets the number of pods):
//
//	KUBESIM_E2E_100K=1 go test ./benchmarks/ -run '^$' -bench 'SchedulingE2E$/nodes=100000' -benchtime 1x
//
// KUBESIM_E2E_CPUPROFILE=file profiles the timed envelope alone (the
// -cpuprofile flag's profile has the nodes' creation too); KUBESIM_HEAPPROFILE=file
// writes the live heap at the end, KUBESIM_HEAPPROFILE_CREATED=file with
// every pod created and none scheduled, KUBESIM_HEAPPROFILE_NODES=file with
// the nodes alone.
func BenchmarkSchedulingE2E(b *testing.B) {
	defer sim.TuneGC()() // as the kubesim command runs (GOGC=100 to compare)
	for _, w := range []struct{ nodes, pods int }{{500, 1000}, {5000, 10000}, {5000, 150000}, {100000, 1000000}} {
		b.Run(fmt.Sprintf("nodes=%d/pods=%d", w.nodes, w.pods), func(b *testing.B) {
			if w.nodes >= 100000 {
				if os.Getenv("KUBESIM_E2E_100K") == "" {
					b.Skip("set KUBESIM_E2E_100K=1 to run the 100,000-node / 1,000,000-pod workload")
				}
				// Under 8 GiB: the collector works harder as the heap nears
				// it instead of growing to GOGC's target (3x the live heap).
				// GOMEMLIMIT, if set, chooses otherwise (as GOGC does).
				if os.Getenv("GOMEMLIMIT") == "" {
					defer debug.SetMemoryLimit(debug.SetMemoryLimit(e2eMemoryLimit))
				}
				// And only the limit starts a collection: each one marks
				// the whole live heap (several GB of pointer-rich objects,
				// ~5 CPU-s at 300k pods), so GOGC's early cycles while the
				// heap is small only cost (300k pods: 2 cycles and 63.2
				// CPU-s at GOGC 200, none and 51.6 CPU-s off;
				// benchmarks/README.md).
				if os.Getenv("GOGC") == "" {
					defer debug.SetGCPercent(debug.SetGCPercent(-1))
				}
				// KUBESIM_E2E_100K_PODS=n runs n pods on the 100,000 nodes
				// instead (a profile of the cycle at that size in minutes).
				if v := os.Getenv("KUBESIM_E2E_100K_PODS"); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil || n <= 0 {
						b.Fatalf("KUBESIM_E2E_100K_PODS=%q: want a positive number", v)
					}
					w.pods = n
				}
			}
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
	if os.Getenv("KUBESIM_E2E_NO_MANAGED_FIELDS") != "" {
		// The cost of managedFields, measured against the same build:
		// no write records them.
		c.Locked(func() { c.Registry.SetTypes(nil) })
	}
	nodeRes, _ := registry.Lookup(schema.GroupResource{Resource: "nodes"})
	podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	var msNodes runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&msNodes)
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
	runtime.GC() // twice: bbolt's page pool (a sync.Pool) survives one
	runtime.ReadMemStats(&ms0)
	if f := os.Getenv("KUBESIM_HEAPPROFILE_NODES"); f != "" {
		writeHeapProfile(b, f) // the live heap with the nodes alone
	}
	b.StartTimer()
	if f := os.Getenv("KUBESIM_E2E_CPUPROFILE"); f != "" {
		// The envelope alone (-cpuprofile also has the nodes' creation).
		out, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	created := time.Now()
	rss := startRSSSampler()
	cpu0 := cpuTime()
	gc0 := readGC()
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
	if f := os.Getenv("KUBESIM_HEAPPROFILE_CREATED"); f != "" {
		// The heap with every pod created and none scheduled yet: the
		// pending side of the envelope's peak.
		writeHeapProfile(b, f)
	}
	start := time.Now()
	if v := os.Getenv("KUBESIM_HEAPPROFILE_AT"); v != "" {
		// SECONDS:FILE — the live heap as the last collection before
		// SECONDS into scheduling found it (no collection is forced).
		stop := heapProfileAt(b, v)
		defer stop()
	}
	c.Settle()
	b.StopTimer()
	end := time.Now()
	rssAnon, rssFile, rssPeak := rss.stop()
	cpu := cpuTime() - cpu0
	gc := readGC().sub(gc0)
	pprof.StopCPUProfile()
	var ms1 runtime.MemStats
	runtime.GC()
	runtime.GC() // twice: bbolt's page pool (a sync.Pool) survives one
	runtime.ReadMemStats(&ms1)
	if f := os.Getenv("KUBESIM_HEAPPROFILE"); f != "" {
		writeHeapProfile(b, f)
	}
	bound := 0
	// Where every pod went, in the store's key order: the same seed must
	// give the same placements run after run.
	placements := fnv.New32a()
	c.Locked(func() {
		objs, _, _ := c.Registry.List(podRes, "default", registry.ListOptions{})
		for _, o := range objs {
			p := o.(*corev1.Pod)
			if p.Spec.NodeName != "" {
				bound++
			}
			fmt.Fprintf(placements, "%s>%s;", p.Name, p.Spec.NodeName)
		}
	})
	if bound != pods {
		b.Fatalf("%d of %d pods bound", bound, pods)
	}
	b.ReportMetric(float64(placements.Sum32()), "placements-fnv32")
	b.ReportMetric(float64(pods)/end.Sub(start).Seconds(), "pods/s")
	b.ReportMetric(end.Sub(created).Seconds(), "envelope-s")
	b.ReportMetric(float64(pods)/end.Sub(created).Seconds(), "envelope-pods/s")
	b.ReportMetric(float64(pods)/cpu.Seconds(), "envelope-pods/cpu-s")
	b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/float64(pods), "heap-bytes/pod")
	b.ReportMetric(float64(ms0.HeapAlloc-msNodes.HeapAlloc)/float64(nodes), "heap-bytes/node")
	b.ReportMetric(cpu.Seconds(), "envelope-cpu-s")
	b.ReportMetric(float64(maxRSS())/(1<<20), "maxrss-MiB")
	// The envelope's resident peaks, sampled: anonymous (the Go heap) and
	// the store file's mapped pages apart.
	b.ReportMetric(float64(rssPeak)/(1<<20), "envelope-rss-MiB")
	b.ReportMetric(float64(rssAnon)/(1<<20), "envelope-rss-anon-MiB")
	b.ReportMetric(float64(rssFile)/(1<<20), "envelope-rss-file-MiB")
	b.ReportMetric(gc.cpu, "gc-cpu-s")
	b.ReportMetric(gc.idle, "gc-idle-s")
	b.ReportMetric(float64(gc.cycles), "gc-cycles")
	b.ReportMetric(float64(gc.alloc)/float64(pods), "alloc-bytes/pod")
	// kube-scheduler's adaptive percentageOfNodesToScore at this size (the
	// default cluster leaves it adaptive): how many feasible nodes a cycle
	// looks for before scoring.
	b.ReportMetric(float64(scheduler.NodesToFind(c.Spec.Scheduler.PercentageOfNodesToScore, nodes)), "nodes-to-find")
}

// writeHeapProfile writes the live heap (after a collection) to file f.
func writeHeapProfile(b *testing.B, f string) {
	runtime.GC()
	out, err := os.Create(f)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	if err := pprof.WriteHeapProfile(out); err != nil {
		b.Fatal(err)
	}
}

// gcStats reads the collector's CPU so far (the runtime's estimate: mark
// assists, dedicated workers and pauses; idle is the mark workers run on
// otherwise idle Ps, counted apart because it is wall time the OS may have
// given to another process), its completed cycles and the bytes allocated.
type gcStats struct {
	cpu, idle     float64
	cycles, alloc uint64
}

func readGC() gcStats {
	ms := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/idle:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(ms)
	var g gcStats
	if ms[0].Value.Kind() == metrics.KindFloat64 && ms[1].Value.Kind() == metrics.KindFloat64 {
		g.idle = ms[1].Value.Float64()
		g.cpu = ms[0].Value.Float64() - g.idle
	}
	if ms[2].Value.Kind() == metrics.KindUint64 && ms[3].Value.Kind() == metrics.KindUint64 {
		g.cycles, g.alloc = ms[2].Value.Uint64(), ms[3].Value.Uint64()
	}
	return g
}

func (g gcStats) sub(h gcStats) gcStats {
	return gcStats{cpu: g.cpu - h.cpu, idle: g.idle - h.idle, cycles: g.cycles - h.cycles, alloc: g.alloc - h.alloc}
}

// heapProfileAt writes a heap profile to FILE once SECONDS of wall time
// have passed ("SECONDS:FILE"), unless the returned stop comes first.
func heapProfileAt(b *testing.B, spec string) (stop func()) {
	secs, file, ok := strings.Cut(spec, ":")
	d, err := time.ParseDuration(secs + "s")
	if !ok || err != nil {
		b.Fatalf("KUBESIM_HEAPPROFILE_AT=%q: want SECONDS:FILE", spec)
	}
	t := time.AfterFunc(d, func() {
		if out, err := os.Create(file); err == nil {
			pprof.WriteHeapProfile(out)
			out.Close()
		}
	})
	return func() { t.Stop() }
}

// e2eMemoryLimit is the soft memory limit of the 100,000-node size.
const e2eMemoryLimit = 7 << 30

// maxRSS is the process's peak resident set, in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // KiB on Linux
}

// BenchmarkSchedulingE2EWorkloads runs scheduler_perf's other workloads end
// to end, with the node and pod shapes of BenchmarkScheduling (in memory):
// nodes and the initial pods are created and scheduled first (not timed),
// then the measured pods are created through the registry, scheduled, bound
// and committed (timed). Preemption victims are deleted gracefully; the
// hollow cluster removes them at once, as KWOK does.
//
//	go test ./benchmarks/ -run '^$' -bench SchedulingE2EWorkloads -benchtime 1x
func BenchmarkSchedulingE2EWorkloads(b *testing.B) {
	defer sim.TuneGC()()
	for _, w := range []schedWorkload{
		{name: "SchedulingNodeAffinity/nodes=5000/pods=10000", nodes: 5000, initPods: 5000, pods: 10000, node: zonedNode("zone1"), initPod: nodeAffinityPod("init"), pod: nodeAffinityPod("pod"), threshold: 220},
		{name: "TopologySpreading/nodes=5000/pods=5000", nodes: 5000, initPods: 5000, pods: 5000, node: zonedNode("moon-1", "moon-2", "moon-3"), initPod: defaultPod("init"), pod: topologySpreadPod("pod"), threshold: 460},
		{name: "SchedulingPodAntiAffinity/nodes=5000/pods=2000", nodes: 5000, initPods: 1000, pods: 2000, node: defaultNode, initPod: podAntiAffinityPod("init", "sched-0"), pod: podAntiAffinityPod("pod", "sched-1"), threshold: 60},
		{name: "SchedulingPodAffinity/nodes=5000/pods=5000", nodes: 5000, initPods: 5000, pods: 5000, node: zonedNode("zone1"), initPod: podAffinityPod("init", "sched-0"), pod: podAffinityPod("pod", "sched-1"), threshold: 35},
		{name: "PreemptionBasic/nodes=1000/pods=1000", nodes: 1000, initPods: 4000, pods: 1000, node: defaultNode, initPod: withPriorityClass(priorityPod(defaultPod("low"), 1, "900m"), "low"), pod: withPriorityClass(priorityPod(defaultPod("high"), 10, "3"), "high")},
	} {
		b.Run(w.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchWorkloadE2E(b, w)
			}
		})
	}
}

// withPriorityClass moves a pod's priority to a PriorityClass of that value,
// as the API requires (priority admission computes spec.priority).
func withPriorityClass(f func(int) *corev1.Pod, class string) func(int) *corev1.Pod {
	return func(i int) *corev1.Pod {
		p := f(i)
		p.Spec.Priority = nil
		p.Spec.PriorityClassName = class
		return p
	}
}

func benchWorkloadE2E(b *testing.B, w schedWorkload) {
	b.StopTimer()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	res := func(r string) *registry.Resource {
		rr, _ := registry.Lookup(schema.GroupResource{Resource: r})
		return rr
	}
	podRes := res("pods")
	create := func(r *registry.Resource, ns string, obj kruntime.Object) {
		if _, err := c.Registry.Create(r, ns, obj, false); err != nil {
			b.Fatal(err)
		}
	}
	createPods := func(n int, mk func(int) *corev1.Pod) {
		for i := 0; i < n; i++ {
			p := mk(i)
			p.UID = "" // the registry assigns one
			create(podRes, p.Namespace, p)
		}
	}
	c.Do(func() {
		for _, ns := range []string{"sched-0", "sched-1"} {
			create(res("namespaces"), "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		}
		pcRes, _ := registry.Lookup(schema.GroupResource{Group: "scheduling.k8s.io", Resource: "priorityclasses"})
		for _, pc := range []struct {
			name  string
			value int32
		}{{"low", 1}, {"high", 10}} {
			create(pcRes, "", &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: pc.name}, Value: pc.value})
		}
		for i := 0; i < w.nodes; i++ {
			n := w.node(i)
			n.UID = ""
			create(res("nodes"), "", n)
		}
		createPods(w.initPods, w.initPod)
	})
	if err := c.Store.Sync(); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	c.Locked(func() { createPods(w.pods, w.pod) })
	c.Settle()
	// Preemptors retry once their backoff (1 s, doubling) has passed: move
	// the virtual clock until every measured pod is bound, or for a minute.
	measured := func() (bound int) {
		c.Locked(func() {
			for i := 0; i < w.pods; i++ {
				p := w.pod(i)
				if o, err := c.Registry.Get(podRes, p.Namespace, p.Name); err == nil && o.(*corev1.Pod).Spec.NodeName != "" {
					bound++
				}
			}
		})
		return bound
	}
	bound := measured()
	for step := 0; bound < w.pods && step < 60; step++ {
		c.Advance(time.Second)
		bound = measured()
	}
	b.StopTimer()
	elapsed := time.Since(start)
	b.ReportMetric(float64(w.pods)/elapsed.Seconds(), "pods/s")
	b.ReportMetric(float64(bound)/float64(w.pods), "bound/pod")
	if w.threshold > 0 {
		b.ReportMetric(float64(w.threshold), "upstream-threshold-pods/s")
	}
}
