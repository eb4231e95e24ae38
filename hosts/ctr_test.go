package hosts

import (
	"strings"
	"testing"
)

// TestCrictlInspect: crictl inspect, inspectp and inspecti print cri-tools'
// JSON for containerd (status in the CRI struct's order, the CRI plugin's
// info with the OCI runtime spec), and a go-template reads it.
func TestCrictlInspect(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", `id=$(crictl ps -q --name etcd)
crictl inspect $id
crictl inspect -o go-template --template '{{.info.pid}} {{.status.state}} {{.info.runtimeSpec.process.cwd}}' $id
sb=$(crictl inspect -o go-template --template '{{.info.sandboxID}}' $id)
crictl inspectp $sb
crictl inspecti registry.k8s.io/pause:3.9
crictl inspect -o go-template --template '{{.info.nope}}' $id`)
	if code != 1 || !strings.Contains(errs, `map has no entry for key "nope"`) {
		t.Errorf("a template's missing key: exit %d, stderr %q", code, errs)
	}
	golden(t, "crictl-inspect.txt", out)
}

// TestCtrNerdctl: ctr's and nerdctl's tables over the node's CRI view, in
// the k8s.io namespace (the default namespace holds nothing).
func TestCtrNerdctl(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "w1", `ctr namespaces ls
ctr -n k8s.io containers list
ctr -n k8s.io images ls
ctr -n k8s.io tasks ls
ctr containers ls
nerdctl -n k8s.io ps
nerdctl --namespace=k8s.io images
nerdctl ps -a`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "ctr-nerdctl.txt", out)
	// ctr's tasks are crictl's running containers and pods, with the pids
	// crictl inspect shows.
	out, _, _ = run(t, hs, "w1", `for id in $(crictl ps -q); do echo "$id $(crictl inspect -o go-template --template '{{.info.pid}}' $id)"; done`)
	tasks, _, _ := run(t, hs, "w1", "ctr -n k8s.io tasks ls")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || !strings.Contains(tasks, f[0]+"    "+f[1]+" ") {
			t.Errorf("container %q is not a task with that pid in\n%s", line, tasks)
		}
	}
	if _, errs, code := run(t, hs, "w1", "ctr bogus"); code != 3 || errs != "ctr: No help topic for 'bogus'\n" {
		t.Errorf("ctr bogus: exit %d, %q", code, errs)
	}
}

// TestCtrContainerdStopped: with containerd stopped, ctr and nerdctl cannot
// reach its socket; started again, they list the containers.
func TestCtrContainerdStopped(t *testing.T) {
	_, hs := newCluster(t)
	_, errs, code := run(t, hs, "w1", "systemctl stop containerd; ctr -n k8s.io tasks ls")
	if code != 1 || errs != "ctr: failed to dial \"/run/containerd/containerd.sock\": context deadline exceeded\n" {
		t.Errorf("ctr with containerd stopped: exit %d, %q", code, errs)
	}
	out, _, code := run(t, hs, "w1", "systemctl start containerd; ctr -n k8s.io tasks ls -q | wc -l")
	if code != 0 || strings.TrimSpace(out) != "4" {
		t.Errorf("ctr after containerd started: exit %d, %q tasks", code, out)
	}
}
