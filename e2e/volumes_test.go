package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const cfgPodsYAML = `apiVersion: v1
kind: Pod
metadata:
  name: cfg
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
  volumes:
  - {name: cfg, configMap: {name: colors}}
---
apiVersion: v1
kind: Pod
metadata:
  name: stuck
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts: [{name: cfg, mountPath: /etc/cfg}]
  volumes:
  - {name: cfg, configMap: {name: nope}}
`

const colorsRed = `apiVersion: v1
kind: ConfigMap
metadata:
  name: colors
data:
  color: red
`

// TestConfigMapVolumeUpdate: a ConfigMap volume shows its keys, and an
// update reaches the file within the kubelet's sync period; a pod whose
// ConfigMap does not exist stays ContainerCreating with upstream's
// FailedMount event.
func TestConfigMapVolumeUpdate(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.run("kubectl", "create", "configmap", "colors", "--from-literal=color=blue"); code != 0 {
		t.Fatalf("create configmap: %s", out)
	}
	if out, code := s.runStdin(cfgPodsYAML, "kubectl", "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s", out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.run("kubectl", "exec", "cfg", "--", "cat", "/etc/cfg/color"); out != "blue" {
		t.Errorf("before the update: %q", out)
	}
	if out, code := s.runStdin(colorsRed, "kubectl", "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply colors: %s", out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.run("kubectl", "exec", "cfg", "--", "cat", "/etc/cfg/color"); out != "red" {
		t.Errorf("a minute after the update: %q, want red", out)
	}
	out, _ := s.run("kubectl", "get", "pod", "stuck", "--no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "0/1" || f[2] != "ContainerCreating" {
		t.Errorf("get pod stuck: %q", out)
	}
	out, _ = s.run("kubectl", "get", "events", "--field-selector", "involvedObject.name=stuck,reason=FailedMount", "-o", "custom-columns=MSG:.message", "--no-headers")
	// The first line; a second (Unable to attach or mount volumes) comes
	// once the wait passes 2m3s, which the wall time of this test may reach.
	if first, _, _ := strings.Cut(out, "\n"); first != `MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found` {
		t.Errorf("FailedMount events:\n%s", out)
	}
}

// TestImageLoad: `kubesim image load` makes a user's image pullable on a
// running cluster: a pod of it runs and prints the file its entry gives.
func TestImageLoad(t *testing.T) {
	s := startServed(t, "v1.27.1")
	entry := filepath.Join(s.dir, "myapp.yaml")
	os.WriteFile(entry, []byte("shell: busybox\nconfig: {cmd: [sh]}\nfiles: {/etc/myapp.conf: \"greeting=hello\\n\"}\n"), 0o644)
	out, code := s.run(s.bin, "image", "load", "myapp:1.0", "--from", entry)
	if code != 0 || strings.Count(out, "not yet present on node") != 3 {
		t.Fatalf("image load: exit %d\n%s", code, out)
	}
	if out, code := s.run("kubectl", "run", "myapp", "--image=myapp:1.0", "--restart=Never", "--", "cat", "/etc/myapp.conf"); code != 0 {
		t.Fatalf("run: %s", out)
	}
	if err := s.Advance(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.run("kubectl", "logs", "myapp"); out != "greeting=hello\n" {
		t.Errorf("logs: %q", out)
	}
}

const hogYAML = `apiVersion: v1
kind: Pod
metadata:
  name: hog
spec:
  nodeName: w1.example.com
  containers:
  - name: stress
    image: polinux/stress
    command: ["stress", "--vm", "1", "--vm-bytes", "1700M", "--vm-hang", "1"]
`

// TestMemoryPressureEviction: a pod that eats a worker's memory is evicted
// (Failed, Evicted, upstream's message) and the node reports MemoryPressure
// with its taint.
func TestMemoryPressureEviction(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.runStdin(hogYAML, "kubectl", "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s", out)
	}
	if err := s.Advance(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	// The killed container's terminated reason (Error) is what get pods
	// shows, as when the pod worker records it before the runtime drops
	// the container (else ContainerStatusUnknown; Evicted when none ran).
	out, _ := s.run("kubectl", "get", "pod", "hog", "--no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "0/1" || f[2] != "Error" {
		t.Errorf("get pod hog: %q", out)
	}
	if out, _ := s.run("kubectl", "get", "pod", "hog", "-o", "jsonpath={.status.phase} {.status.reason}"); out != "Failed Evicted" {
		t.Errorf("phase and reason: %q", out)
	}
	out, _ = s.run("kubectl", "get", "pod", "hog", "-o", "jsonpath={.status.message}")
	if !strings.HasPrefix(out, "The node was low on resource: memory. Threshold quantity: 100Mi, available: ") ||
		!strings.HasSuffix(out, "Container stress was using 1701Mi, request is 0, has larger consumption of memory. ") {
		t.Errorf("message %q", out)
	}
	out, _ = s.run("kubectl", "describe", "node", "w1.example.com")
	for _, want := range []string{"node.kubernetes.io/memory-pressure:NoSchedule", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe node lacks %q:\n%s", want, out)
		}
	}
}
