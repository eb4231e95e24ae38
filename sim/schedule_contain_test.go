package sim

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestBindWriterPanicContained: a panic on the binding writer goroutine
// (which would otherwise end the process) is reported as the loop reports
// its own (a log line naming the scheduler and the pod, a FailedSync
// Warning event on the pod), the pod goes back to the queue through
// BindFailed and is bound by a second binding; other pods are bound as
// usual.
func TestBindWriterPanicContained(t *testing.T) {
	var log bytes.Buffer
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var fails atomic.Int32
	c.scheduler().beforeBind = func(pod *corev1.Pod) {
		if pod.Name == "victim" && fails.Add(1) == 1 {
			panic("binding writer: broken")
		}
	}
	pods := c.res("", "pods")
	c.Do(func() {
		for _, n := range []string{"before", "victim", "after"} {
			if _, err := c.Registry.Create(pods, "default", explainPod(n, "", "10m"), false); err != nil {
				t.Fatal(err)
			}
		}
	})
	nodeOf := func(name string) string {
		var node string
		c.Locked(func() {
			o, err := c.Registry.Get(pods, "default", name)
			if err != nil {
				t.Fatal(err)
			}
			node = o.(*corev1.Pod).Spec.NodeName
		})
		return node
	}
	for _, n := range []string{"before", "after"} {
		if nodeOf(n) == "" {
			t.Errorf("pod %s is not bound", n)
		}
	}
	// Requeued by BindFailed, the pod is scheduled again and bound by a
	// second binding.
	if nodeOf("victim") == "" || fails.Load() != 2 {
		t.Fatalf("victim bound to %q after %d binding attempts, want bound after 2", nodeOf("victim"), fails.Load())
	}
	if want := "kubesim: default-scheduler panicked binding pod default/victim: binding writer: broken"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, &log)
	}
	evs := warnings(t, c, "victim")
	if len(evs) != 1 || evs[0].Reason != "FailedSync" || evs[0].Message != "default-scheduler panicked: binding writer: broken" {
		t.Fatalf("warnings on victim: %+v; want one FailedSync", evs)
	}
}
