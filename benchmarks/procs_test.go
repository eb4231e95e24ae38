package benchmarks

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// BenchmarkScriptedPodDay: a stepped lecture cluster runs a pod whose main
// process is a shell script for a simulated day (the kubelet drives it on
// the virtual clock: a timer per wake, a filesystem watch while a polling
// loop is parked). Reported: wall time per simulated hour of the whole
// cluster, wall and the process's CPU time (user + system, getrusage), with
// an idle cluster as the baseline (issue 12: the script's share under 1 ms
// of CPU per simulated hour).
func BenchmarkScriptedPodDay(b *testing.B) {
	for _, bc := range []struct{ name, script string }{
		{"idle", ""},
		{"sleep-loop", "while true; do sleep 1; done"},
		{"poll-file", "while [ ! -f /data/ready ]; do sleep 1; done"},
		{"tick-each-minute", "while true; do date; sleep 60; done"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: filepath.Join(b.TempDir(), "state"), NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			c.Advance(time.Minute)
			if bc.script != "" {
				podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
				pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "loop"}, Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "c", Image: "busybox:1.36", Command: []string{"sh", "-c", bc.script}},
				}}}
				c.Do(func() { _, err = c.Registry.Create(podRes, "default", pod, false) })
				if err != nil {
					b.Fatal(err)
				}
				c.Advance(time.Minute)
			}
			b.ResetTimer()
			cpu0 := selfCPU()
			for b.Loop() {
				c.Advance(24 * time.Hour)
			}
			cpu := selfCPU() - cpu0
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*24), "µs/simhour")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*24), "cpu-µs/simhour")
		})
	}
}

// selfCPU is the CPU time (user + system) the process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
