package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const sharedPodYAML = `apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  volumes:
  - name: data
    emptyDir: {}
  - name: cfg
    configMap:
      name: game
      items:
      - key: lives
        path: lives.txt
  containers:
  - name: writer
    image: busybox:1.28
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  - name: reader
    image: busybox:1.28
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /shared
      readOnly: true
    - name: cfg
      mountPath: /etc/game
`

// TestExecFilesystem: kubectl exec runs in the container's shell and
// filesystem (issue 12's repro), a pod's containers share an emptyDir, a
// read-only mount refuses writes, a configMap volume shows its items.
// kubectl exec upgrades the connection, which the in-memory kubectl cannot,
// so this runs the system kubectl against kubesim start.
func TestExecFilesystem(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.run("kubectl", "run", "sh1", "--image=busybox:1.28", "--", "sleep", "3600"); code != 0 {
		t.Fatalf("run: %s", out)
	}
	if out, code := s.run("kubectl", "create", "configmap", "game", "--from-literal=lives=3", "--from-literal=level=1"); code != 0 {
		t.Fatalf("create configmap: %s", out)
	}
	if out, code := s.runStdin(sharedPodYAML, "kubectl", "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply: %s", out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		out  string // stdout and stderr
		code int
	}{
		{[]string{"sh1", "--", "sh", "-c", "echo a > /tmp/y; cat /tmp/y"}, "a\n", 0},
		{[]string{"sh1", "--", "touch", "/tmp/t"}, "", 0},
		{[]string{"sh1", "--", "ls", "/tmp"}, "t\ny\n", 0},
		{[]string{"sh1", "--", "cat", "/tmp/nope"}, "cat: can't open '/tmp/nope': No such file or directory\ncommand terminated with exit code 1\n", 1},
		{[]string{"sh1", "--", "sh", "-c", "foo"}, "sh: foo: not found\ncommand terminated with exit code 127\n", 127},
		{[]string{"sh1", "--", "hostname"}, "sh1\n", 0},
		{[]string{"sh1", "--", "cat", "/etc/resolv.conf"}, "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", 0},
		{[]string{"sh1", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"}, "default", 0},
		{[]string{"pair", "-c", "writer", "--", "sh", "-c", "echo hello > /data/msg"}, "", 0},
		{[]string{"pair", "-c", "reader", "--", "cat", "/shared/msg"}, "hello\n", 0},
		{[]string{"pair", "-c", "reader", "--", "sh", "-c", "echo x > /shared/msg"}, "sh: can't create /shared/msg: Read-only file system\ncommand terminated with exit code 1\n", 1},
		{[]string{"sh1", "--", "cat", "/tmp/y"}, "a\n", 0},
		{[]string{"pair", "-c", "reader", "--", "ls", "/etc/game"}, "lives.txt\n", 0},
		{[]string{"pair", "-c", "reader", "--", "cat", "/etc/game/lives.txt"}, "3", 0},
		{[]string{"pair", "-c", "reader", "--", "touch", "/etc/game/x"}, "touch: /etc/game/x: Read-only file system\ncommand terminated with exit code 1\n", 1},
	}
	for _, st := range steps {
		out, code := s.run("kubectl", append([]string{"exec"}, st.args...)...)
		if diff := cmp.Diff(st.out, out); diff != "" || code != st.code {
			t.Errorf("kubectl exec %q: exit %d, want %d (-want +got):\n%s", st.args, code, st.code, diff)
		}
	}
	// kubectl cp from the pod runs `tar cf - /tmp/y` in it.
	local := filepath.Join(s.dir, "y")
	if out, code := s.run("kubectl", "cp", "sh1:/tmp/y", local); code != 0 {
		t.Errorf("kubectl cp: exit %d %s", code, out)
	}
	if b, err := os.ReadFile(local); err != nil || string(b) != "a\n" {
		t.Errorf("copied file: %q %v", b, err)
	}
}
