package kubelet_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// harness is a stepped cluster (the lecture's three nodes) for kubelet
// tests: pods go in through the registry, time moves by Advance, nothing
// sleeps.
type harness struct {
	t *testing.T
	c *sim.Cluster
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: filepath.Join(t.TempDir(), "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Advance(time.Minute) // nodes Ready, networks up
	return &harness{t: t, c: c}
}

func res(resource string) *registry.Resource {
	r, _ := registry.Lookup(schema.GroupResource{Resource: resource})
	return r
}

// create creates a pod from YAML in namespace default.
func (h *harness) create(manifest string) {
	h.t.Helper()
	var pod corev1.Pod
	if err := yaml.Unmarshal([]byte(manifest), &pod); err != nil {
		h.t.Fatal(err)
	}
	var err error
	h.c.Do(func() { _, err = h.c.Registry.Create(res("pods"), "default", &pod, false) })
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) pod(name string) *corev1.Pod {
	h.t.Helper()
	var pod *corev1.Pod
	h.c.Do(func() {
		obj, err := h.c.Registry.Get(res("pods"), "default", name)
		if err != nil {
			h.t.Fatal(err)
		}
		pod = obj.(*corev1.Pod)
	})
	return pod
}

func (h *harness) logs(name, container string, timestamps bool) string {
	h.t.Helper()
	var out []byte
	var err error
	h.c.Do(func() { out, err = h.c.PodLogs("default", name, container, false, timestamps, nil) })
	if err != nil {
		h.t.Fatalf("logs %s: %v", name, err)
	}
	return string(out)
}

func (h *harness) exec(name, container string, cmd ...string) {
	h.t.Helper()
	h.c.Do(func() {
		if _, e, code, err := h.c.PodExec("default", name, container, cmd); err != nil || code != 0 {
			h.t.Fatalf("exec %v: %v %d %s", cmd, err, code, e)
		}
	})
}

// events lists the pod's events as "Reason xCount: message".
func (h *harness) events(name string) []string {
	var out []string
	h.c.Do(func() {
		objs, _, _ := h.c.Registry.List(res("events"), "default", registry.ListOptions{})
		for _, o := range objs {
			ev := o.(*corev1.Event)
			if ev.InvolvedObject.Name == name {
				out = append(out, ev.Reason+" x"+itoa(ev.Count)+": "+ev.Message)
			}
		}
	})
	return out
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func has(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// TestPollingLoopWakesOnWrite: a loop that polls for a file parks; a write
// through kubectl exec wakes it at the next period boundary; its output
// goes to the log stamped with the virtual time it was written.
func TestPollingLoopWakesOnWrite(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: waiter}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo waiting; while [ ! -f /tmp/ready ]; do sleep 1; done; echo seen"]
`)
	h.c.Advance(10 * time.Minute)
	if st := h.pod("waiter").Status.ContainerStatuses[0].State; st.Running == nil {
		t.Fatalf("after 10 min: %+v, want running", st)
	}
	h.exec("waiter", "c", "touch", "/tmp/ready")
	h.c.Advance(2 * time.Second)
	st := h.pod("waiter").Status.ContainerStatuses[0].State
	if st.Terminated == nil || st.Terminated.Reason != "Completed" {
		t.Fatalf("after the write: %+v, want Completed", st)
	}
	logs := strings.Split(strings.TrimSpace(h.logs("waiter", "c", true)), "\n")
	if len(logs) != 2 || !strings.HasSuffix(logs[0], " waiting") || !strings.HasSuffix(logs[1], " seen") {
		t.Fatalf("logs %q", logs)
	}
	t0, _ := time.Parse(time.RFC3339Nano, strings.Fields(logs[0])[0])
	t1, _ := time.Parse(time.RFC3339Nano, strings.Fields(logs[1])[0])
	if d := t1.Sub(t0); d < 10*time.Minute || d > 10*time.Minute+2*time.Second || d%time.Second != 0 {
		t.Errorf("seen %v after waiting, want a whole number of seconds just past 10 min", d)
	}
}

// TestReadinessExecProbe: an exec readiness probe reads the container's
// filesystem each period: not Ready until the file exists.
func TestReadinessExecProbe(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: ready}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {command: ["cat", "/tmp/ready"]}
      periodSeconds: 5
`)
	h.c.Advance(time.Minute)
	if cs := h.pod("ready").Status.ContainerStatuses[0]; cs.Ready || cs.State.Running == nil {
		t.Fatalf("before the file: ready %v running %v", cs.Ready, cs.State.Running != nil)
	}
	if !has(h.events("ready"), "Unhealthy x") {
		t.Errorf("no Unhealthy event: %q", h.events("ready"))
	}
	h.exec("ready", "c", "touch", "/tmp/ready")
	h.c.Advance(5 * time.Second)
	if cs := h.pod("ready").Status.ContainerStatuses[0]; !cs.Ready {
		t.Errorf("a period after the file: not ready")
	}
	h.exec("ready", "c", "rm", "/tmp/ready")
	h.c.Advance(15 * time.Second)
	if cs := h.pod("ready").Status.ContainerStatuses[0]; cs.Ready {
		t.Errorf("three periods after removing the file: still ready")
	}
}

// TestStartupProbe: a startup probe holds liveness back; failing
// failureThreshold times, it restarts the container.
func TestStartupProbe(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: slow}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
    startupProbe:
      exec: {command: ["cat", "/tmp/started"]}
      periodSeconds: 5
      failureThreshold: 3
    livenessProbe:
      exec: {command: ["cat", "/tmp/alive"]}
      periodSeconds: 5
`)
	h.c.Advance(8 * time.Second)
	cs := h.pod("slow").Status.ContainerStatuses[0]
	if cs.Started == nil || *cs.Started || cs.Ready {
		t.Errorf("before the startup probe passes: started %v ready %v", cs.Started, cs.Ready)
	}
	h.c.Advance(10 * time.Second)
	evs := h.events("slow")
	found := false
	for _, e := range evs {
		var n int
		if _, err := fmt.Sscanf(e, "Unhealthy x%d: Startup probe failed: cat: can't open '/tmp/started': No such file or directory\n", &n); err == nil && n >= 3 {
			found = true
		}
	}
	if !found {
		t.Errorf("events lack three startup probe failures: %q", evs)
	}
	if !has(evs, "Killing x1: Container c failed startup probe, will be restarted") || has(evs, "Unhealthy x1: Liveness") {
		t.Errorf("events: %q", evs)
	}
	if cs := h.pod("slow").Status.ContainerStatuses[0]; cs.RestartCount != 1 {
		t.Errorf("restartCount %d, want 1", cs.RestartCount)
	}
}
