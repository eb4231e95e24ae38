package kubelet_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim/registry"
)

func (h *harness) node(name string) *corev1.Node {
	h.t.Helper()
	var n *corev1.Node
	h.c.Do(func() {
		obj, err := h.c.Registry.Get(res("nodes"), "", name)
		if err != nil {
			h.t.Fatal(err)
		}
		n = obj.(*corev1.Node)
	})
	return n
}

func memoryPressure(n *corev1.Node) (corev1.ConditionStatus, bool) {
	var st corev1.ConditionStatus
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeMemoryPressure {
			st = c.Status
		}
	}
	tainted := false
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeMemoryPressure && t.Effect == corev1.TaintEffectNoSchedule {
			tainted = true
		}
	}
	return st, tainted
}

// TestMemoryPressureEviction: a pod that takes a worker's memory below the
// 100Mi threshold is evicted (Failed, Evicted, upstream's message, the
// DisruptionTarget condition); the node reports MemoryPressure and is
// tainted, rejects a new BestEffort pod, and recovers five minutes after
// the threshold was last met.
func TestMemoryPressureEviction(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: quiet}
spec:
  nodeName: w1.example.com
  containers:
  - {name: c, image: busybox:1.36, command: ["sleep", "86400"]}
`)
	h.create(`
metadata: {name: hog}
spec:
  nodeName: w1.example.com
  containers:
  - name: stress
    image: polinux/stress
    command: ["stress", "--vm", "1", "--vm-bytes", "1700M", "--vm-hang", "1"]
`)
	h.c.Advance(time.Minute)
	p := h.pod("hog")
	const msg = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 14Mi. Container stress was using 1701Mi, request is 0, has larger consumption of memory. "
	if p.Status.Phase != corev1.PodFailed || p.Status.Reason != "Evicted" || p.Status.Message != msg {
		t.Fatalf("hog: phase %s reason %q message %q", p.Status.Phase, p.Status.Reason, p.Status.Message)
	}
	if c := p.Status.Conditions[0]; c.Type != corev1.DisruptionTarget || c.Reason != "TerminationByKubelet" || c.Message != msg {
		t.Errorf("first condition %+v", c)
	}
	if st := p.Status.ContainerStatuses[0].State.Terminated; st == nil || st.ExitCode != 137 {
		t.Errorf("container state %+v", p.Status.ContainerStatuses[0].State)
	}
	if evs := h.events("hog"); !has(evs, "Evicted x1: "+msg) {
		t.Errorf("events %q", evs)
	}
	if p := h.pod("quiet"); p.Status.Phase != corev1.PodRunning {
		t.Errorf("quiet: %s", p.Status.Phase)
	}
	if st, tainted := memoryPressure(h.node(worker)); st != corev1.ConditionTrue || !tainted {
		t.Errorf("node: MemoryPressure %s, tainted %v", st, tainted)
	}
	h.create(`
metadata: {name: late}
spec:
  nodeName: w1.example.com
  containers:
  - {name: c, image: busybox:1.36, command: ["sleep", "86400"]}
`)
	h.c.Advance(time.Second)
	if p := h.pod("late"); p.Status.Phase != corev1.PodFailed || p.Status.Reason != "Evicted" || p.Status.Message != "Pod was rejected: The node had condition: [MemoryPressure]. " {
		t.Errorf("late: %s %q %q", p.Status.Phase, p.Status.Reason, p.Status.Message)
	}
	h.c.Advance(5 * time.Minute)
	if st, tainted := memoryPressure(h.node(worker)); st != corev1.ConditionFalse || tainted {
		t.Errorf("five minutes later: MemoryPressure %s, tainted %v", st, tainted)
	}
	var nodeEvents []string
	h.c.Do(func() {
		objs, _, _ := h.c.Registry.List(res("events"), "default", registry.ListOptions{})
		for _, o := range objs {
			if ev := o.(*corev1.Event); ev.InvolvedObject.Kind == "Node" && ev.InvolvedObject.Name == worker {
				nodeEvents = append(nodeEvents, ev.Reason+": "+ev.Message)
			}
		}
	})
	for _, want := range []string{
		"NodeHasInsufficientMemory: Node w1.example.com status is now: NodeHasInsufficientMemory",
		"EvictionThresholdMet: Attempting to reclaim memory",
	} {
		if !has(nodeEvents, want) {
			t.Errorf("node events lack %q: %q", want, nodeEvents)
		}
	}
}

// TestEmptyDirSizeLimitEviction: writing past an emptyDir's sizeLimit
// evicts the pod at the next check.
func TestEmptyDirSizeLimitEviction(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: cache}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    volumeMounts: [{name: cache, mountPath: /cache}]
  volumes:
  - name: cache
    emptyDir: {sizeLimit: 1Mi}
`)
	h.c.Advance(time.Minute)
	h.exec("cache", "c", "sh", "-c", "printf '%512000s' x > /cache/a")
	h.c.Advance(20 * time.Second)
	if p := h.pod("cache"); p.Status.Phase != corev1.PodRunning {
		t.Fatalf("under the limit: %s %q", p.Status.Phase, p.Status.Message)
	}
	h.exec("cache", "c", "sh", "-c", "printf '%1048576s' x > /cache/b")
	h.c.Advance(20 * time.Second)
	const msg = `Usage of EmptyDir volume "cache" exceeds the limit "1Mi". `
	p := h.pod("cache")
	if p.Status.Phase != corev1.PodFailed || p.Status.Reason != "Evicted" || p.Status.Message != msg {
		t.Fatalf("over the limit: %s %q %q", p.Status.Phase, p.Status.Reason, p.Status.Message)
	}
	if evs := h.events("cache"); !has(evs, "Evicted x1: "+msg) {
		t.Errorf("events %q", evs)
	}
}

// TestExecProbeTimeout: an exec probe still running after timeoutSeconds
// fails with the runtime's timeout, and three of them restart the
// container.
func TestExecProbeTimeout(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: slowprobe}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    livenessProbe:
      exec: {command: ["sh", "-c", "sleep 5; true"]}
      timeoutSeconds: 2
      periodSeconds: 10
`)
	h.c.Advance(25 * time.Second)
	evs := h.events("slowprobe")
	timedOut := false
	for _, e := range evs {
		timedOut = timedOut || strings.HasPrefix(e, "Unhealthy x") && strings.HasSuffix(e, `: Liveness probe failed: command "sh -c sleep 5; true" timed out`)
	}
	if !timedOut ||
		!has(evs, "Killing x1: Container c failed liveness probe, will be restarted") {
		t.Errorf("events %q", evs)
	}
}
