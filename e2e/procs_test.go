package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

// The documentation's liveness example (tasks/configure-pod-container/
// configure-liveness-readiness-startup-probes, pods/probe/exec-liveness.yaml).
const livenessExec = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`

// TestLivenessExec: the script runs in the container's shell; the exec
// probe reads its filesystem each period, passes while /tmp/healthy exists
// and fails three times once it is gone; the kubelet then restarts the
// container, with upstream's events.
func TestLivenessExec(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(livenessExec)
	restarts := func() string {
		out, _, _ := cl.kubectl("get pod liveness-exec -o jsonpath={.status.containerStatuses[0].restartCount}")
		return out
	}
	cl.advance(30 * time.Second)
	out, _, _ := cl.kubectl("describe pod liveness-exec")
	if strings.Contains(out, "Unhealthy") || restarts() != "0" {
		t.Errorf("after 30s: want no failed probe yet, restarts 0:\n%s", out)
	}
	cl.advance(12 * time.Second)
	if got := restarts(); got != "1" {
		t.Errorf("after 42s restartCount = %s, want 1", got)
	}
	out, _, _ = cl.kubectl("describe pod liveness-exec")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Warning  Unhealthy  \S+ \(x3 over \S+\)\s+kubelet\s+(spec.containers{liveness}: )?Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n`),
		regexp.MustCompile(`Normal   Killing    \S+\s+kubelet\s+(spec.containers{liveness}: )?Container liveness failed liveness probe, will be restarted\n`),
	} {
		if !want.MatchString(out) {
			t.Errorf("describe lacks %s:\n%s", want, out)
		}
	}
	out, _, _ = cl.kubectl("get pod liveness-exec --no-headers")
	if f := strings.Fields(out); len(f) < 4 || f[1] != "1/1" || f[2] != "Running" || f[3] != "1" {
		t.Errorf("get pod: %q, want 1/1 Running 1", out)
	}
}

const sharedDir = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  restartPolicy: Never
  volumes:
  - name: data
    emptyDir: {}
  containers:
  - name: reader
    image: busybox:1.36
    command: ["sh", "-c", "while [ ! -f /data/ready ]; do sleep 1; done; cat /data/ready"]
    volumeMounts:
    - {name: data, mountPath: /data}
  - name: writer
    image: busybox:1.36
    command: ["sh", "-c", "sleep 20; echo hello from writer > /data/ready; echo wrote; sleep 3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
`

// TestSharedEmptyDir: one container polls the emptyDir, the other writes
// to it after 20s; the reader then prints the file and completes.
func TestSharedEmptyDir(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(sharedDir)
	cl.advance(10 * time.Second)
	out, _, _ := cl.kubectl("get pod shared -o jsonpath={.status.containerStatuses[0].state.running}")
	if out == "" {
		t.Fatalf("after 10s the reader is not running")
	}
	cl.advance(20 * time.Second)
	out, _, _ = cl.kubectl("get pod shared -o jsonpath={.status.containerStatuses[0].state.terminated.reason}")
	if out != "Completed" {
		t.Errorf("reader after 30s: %q, want Completed", out)
	}
	out, errOut, code := cl.kubectl("logs shared -c reader")
	if diff := cmp.Diff("hello from writer\n", out); diff != "" {
		t.Errorf("logs reader: exit %d %s (-want +got):\n%s", code, errOut, diff)
	}
	out, _, _ = cl.kubectl("logs shared -c writer")
	if out != "wrote\n" {
		t.Errorf("logs writer: %q", out)
	}
}

const initWrites = `apiVersion: v1
kind: Pod
metadata:
  name: init-demo
spec:
  volumes:
  - name: work
    emptyDir: {}
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ["sh", "-c", "echo configured by init > /work/config"]
    volumeMounts:
    - {name: work, mountPath: /work}
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "cat /work/config; sleep 3600"]
    volumeMounts:
    - {name: work, mountPath: /work}
`

// TestInitContainerWritesFile: the app container reads what the init
// container wrote to the shared volume.
func TestInitContainerWritesFile(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(initWrites)
	cl.advance(30 * time.Second)
	out, errOut, code := cl.kubectl("logs init-demo -c app")
	if out != "configured by init\n" {
		t.Errorf("logs app: exit %d %q %s", code, out, errOut)
	}
}

// TestCrashLoopLogs: logs of a container waiting in CrashLoopBackOff are
// those of its last run (both streams, with timestamps on request);
// --previous of a running container is its run before.
func TestCrashLoopLogs(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("run crash --image busybox:1.36 -- sh -c 'echo out; echo err >&2; sleep 2; exit 3'")
	cl.advance(40 * time.Second)
	out, _, _ := cl.kubectl("get pod crash -o jsonpath={.status.containerStatuses[0].state.waiting.reason}")
	if out != "CrashLoopBackOff" {
		t.Fatalf("waiting reason %q, want CrashLoopBackOff", out)
	}
	for _, args := range []string{"logs crash", "logs crash --previous"} {
		out, errOut, code := cl.kubectl(args)
		if diff := cmp.Diff("out\nerr\n", out); diff != "" || code != 0 {
			t.Errorf("%s: exit %d %s (-want +got):\n%s", args, code, errOut, diff)
		}
	}
	out, _, _ = cl.kubectl("logs crash --timestamps")
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z out\n\S+ err\n$`).MatchString(out) {
		t.Errorf("logs --timestamps: %q", out)
	}
}

// The documentation's "exceed a container's memory limit" example
// (tasks/configure-pod-container/assign-memory-resource, memory-request-limit-2.yaml).
const memoryDemo2 = `apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-2
spec:
  containers:
  - name: memory-demo-2-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
`

// TestOOMKilled: stress allocates past the limit; the container is
// OOM-killed (137) and restarted; describe shows the last state.
func TestOOMKilled(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(memoryDemo2)
	cl.advance(45 * time.Second)
	out, _, _ := cl.kubectl("get pod memory-demo-2 -o jsonpath={.status.containerStatuses[0].lastState.terminated.reason}/{.status.containerStatuses[0].lastState.terminated.exitCode}")
	if out != "OOMKilled/137" {
		t.Errorf("last state %q, want OOMKilled/137", out)
	}
	out, _, _ = cl.kubectl("describe pod memory-demo-2")
	if !regexp.MustCompile(`Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n`).MatchString(out) {
		t.Errorf("describe lacks the OOMKilled last state:\n%s", out)
	}
	out, _, _ = cl.kubectl("logs memory-demo-2")
	if out != "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n" {
		t.Errorf("logs: %q", out)
	}
	// Under the limit it keeps running.
	if out, errOut, code := cl.kubectl("run fits --image polinux/stress -- stress --vm 1 --vm-bytes 250M --vm-hang 1"); code != 0 {
		t.Fatalf("run: %s %s", out, errOut)
	}
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl("get pod fits -o jsonpath={.status.phase}/{.status.containerStatuses[0].restartCount}")
	if out != "Running/0" {
		t.Errorf("stress under its limit: %q, want Running/0", out)
	}
}
