package kubelet_test

import (
	"io/fs"
	"testing"
	"time"

	"kubesim/runtime/containerfs"
)

const worker = "w1.example.com"

// hostRead reads a file of a node's host filesystem.
func (h *harness) hostRead(node, p string) (string, error) {
	var b []byte
	var err error
	h.c.Do(func() { b, err = h.c.NodeHostFS(node).FS().ReadFile(p) })
	return string(b), err
}

// TestHostPathShared: a hostPath volume is the node's directory: what one
// pod writes there the node's host filesystem holds, and a second pod on
// the node reads it.
func TestHostPathShared(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: writer}
spec:
  nodeName: w1.example.com
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo hello > /data/greeting"]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes:
  - name: d
    hostPath: {path: /srv/data, type: DirectoryOrCreate}
`)
	h.c.Advance(time.Minute)
	if st := h.pod("writer").Status.ContainerStatuses[0].State; st.Terminated == nil || st.Terminated.ExitCode != 0 {
		t.Fatalf("writer: %+v", st)
	}
	if got, err := h.hostRead(worker, "/srv/data/greeting"); got != "hello\n" || err != nil {
		t.Fatalf("host /srv/data/greeting = %q, %v", got, err)
	}
	h.create(`
metadata: {name: reader}
spec:
  nodeName: w1.example.com
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    command: ["cat", "/in/greeting"]
    volumeMounts: [{name: d, mountPath: /in, readOnly: true}]
  volumes:
  - name: d
    hostPath: {path: /srv/data}
`)
	h.c.Advance(time.Minute)
	if got := h.logs("reader", "c", false); got != "hello\n" {
		t.Errorf("reader's log %q", got)
	}
}

// TestHostPathTypeCheck: a hostPath whose type does not match keeps the pod
// ContainerCreating with FailedMount events (back-off, counted); once the
// path is there the next attempt mounts it.
func TestHostPathTypeCheck(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: hp}
spec:
  nodeName: w1.example.com
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "ls /etc/k; sleep 3600"]
    volumeMounts: [{name: k, mountPath: /etc/k}, {name: s, mountPath: /run/s.sock}]
  volumes:
  - name: k
    hostPath: {path: /etc/kubernetes, type: Directory}
  - name: s
    hostPath: {path: /run/s.sock, type: Socket}
`)
	h.c.Advance(time.Minute)
	p := h.pod("hp")
	if p.Status.Phase != "Pending" || p.Status.ContainerStatuses[0].State.Waiting == nil || p.Status.ContainerStatuses[0].State.Waiting.Reason != "ContainerCreating" {
		t.Fatalf("status %+v, want Pending, ContainerCreating", p.Status)
	}
	evs := h.events("hp")
	// Attempts at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: seven in the minute.
	for _, want := range []string{
		`FailedMount x7: MountVolume.SetUp failed for volume "k" : hostPath type check failed: /etc/kubernetes is not a directory`,
		`FailedMount x7: MountVolume.SetUp failed for volume "s" : hostPath type check failed: /run/s.sock is not a socket file`,
	} {
		if !has(evs, want) {
			t.Errorf("events lack %q: %q", want, evs)
		}
	}
	h.c.Advance(2 * time.Minute)
	if !has(h.events("hp"), `FailedMount x1: Unable to attach or mount volumes: unmounted volumes=[k s], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition`) {
		t.Errorf("no timeout event: %q", h.events("hp"))
	}
	h.c.Do(func() {
		host := h.c.NodeHostFS(worker)
		host.WriteFile("/etc/kubernetes/admin.conf", []byte("x"), 0o600)
		host.Add(containerfs.Entry{Path: "/run/s.sock", Mode: fs.ModeSocket | 0o660})
	})
	h.c.Advance(3 * time.Minute) // the back-off is at most 2m2s
	cs := h.pod("hp").Status.ContainerStatuses[0]
	if cs.State.Running == nil {
		t.Fatalf("after the paths exist: %+v", cs.State)
	}
	if got := h.logs("hp", "c", false); got != "admin.conf\n" {
		t.Errorf("log %q", got)
	}
}

// TestHostPathFileOrCreate: FileOrCreate makes an empty 0644 file (its
// directory must exist); File refuses a directory.
func TestHostPathFileOrCreate(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: f}
spec:
  nodeName: w1.example.com
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo line >> /log; sleep 3600"]
    volumeMounts: [{name: l, mountPath: /log}]
  volumes:
  - name: l
    hostPath: {path: /var/log/app.log, type: FileOrCreate}
`)
	h.create(`
metadata: {name: notfile}
spec:
  nodeName: w1.example.com
  containers:
  - name: c
    image: busybox:1.36
    volumeMounts: [{name: l, mountPath: /x}]
  volumes:
  - name: l
    hostPath: {path: /var/log, type: File}
`)
	h.c.Advance(time.Minute)
	if got, err := h.hostRead(worker, "/var/log/app.log"); got != "line\n" || err != nil {
		t.Errorf("host /var/log/app.log = %q, %v", got, err)
	}
	if !has(h.events("notfile"), `FailedMount x7: MountVolume.SetUp failed for volume "l" : hostPath type check failed: /var/log is not a file`) {
		t.Errorf("events %q", h.events("notfile"))
	}
}
