package e2e

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.23
`

// TestEmbeddedKubectl drives the acceptance commands of the core issue
// through the real kubectl code, in memory.
func TestEmbeddedKubectl(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(60 * time.Hour)
	steps := []struct {
		name      string
		args      string
		stdin     string
		stdout    string
		stderr    string
		code      int
		advanceBy time.Duration
	}{
		{name: "get nodes", args: "get nodes", stdout: "" +
			"NAME             STATUS   ROLES           AGE     VERSION\n" +
			"m.example.com    Ready    control-plane   2d12h   v1.27.1\n" +
			"w1.example.com   Ready    <none>          2d12h   v1.27.1\n" +
			"w2.example.com   Ready    <none>          2d12h   v1.27.1\n"},
		{name: "get ns", args: "get ns", stdout: "" +
			"NAME              STATUS   AGE\n" +
			"default           Active   2d12h\n" +
			"kube-flannel      Active   2d12h\n" +
			"kube-node-lease   Active   2d12h\n" +
			"kube-public       Active   2d12h\n" +
			"kube-system       Active   2d12h\n"},
		{name: "get pods, none", args: "get pods", stderr: "No resources found in default namespace.\n"},
		{name: "create namespace", args: "create namespace practice", stdout: "namespace/practice created\n"},
		{name: "apply", args: "apply -f -", stdin: podYAML, stdout: "pod/web created\n"},
		{name: "apply again", args: "apply -f -", stdin: podYAML, stdout: "pod/web unchanged\n"},
		{name: "label", args: "label pod web tier=frontend", stdout: "pod/web labeled\n"},
		{name: "get labels", args: "get pod web -o jsonpath={.metadata.labels.tier}", stdout: "frontend"},
		{name: "get missing", args: "get pod nope", stderr: "Error from server (NotFound): pods \"nope\" not found\n", code: 1},
		{name: "delete", args: "delete pod web", stdout: "pod \"web\" deleted from default namespace\n"},
		{name: "get deleted", args: "get pod web", stderr: "Error from server (NotFound): pods \"web\" not found\n", code: 1},
	}
	for _, s := range steps {
		out, errOut, code := cl.kubectl(s.args, s.stdin)
		if diff := cmp.Diff(s.stdout, out); diff != "" {
			t.Errorf("%s: kubectl %s stdout (-want +got):\n%s", s.name, s.args, diff)
		}
		if diff := cmp.Diff(s.stderr, errOut); diff != "" {
			t.Errorf("%s: kubectl %s stderr (-want +got):\n%s", s.name, s.args, diff)
		}
		if code != s.code {
			t.Errorf("%s: kubectl %s exit code %d, want %d", s.name, s.args, code, s.code)
		}
	}
}

// TestAuthCanI: the kubeconfig user is cluster-admin, as kubeadm's admin.conf.
func TestAuthCanI(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	out, errOut, code := cl.kubectl("auth can-i create pods")
	if out != "yes\n" || code != 0 {
		t.Errorf("auth can-i: exit %d %q %q", code, out, errOut)
	}
}

// TestDeleteNamespace: kubectl delete ns waits until the namespace and its
// pods are gone (stepped mode: the waiting watch moves virtual time).
func TestDeleteNamespace(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.kubectl("create namespace scratch")
	cl.kubectl("run web --image nginx:1.23 -n scratch")
	cl.advance(time.Minute)
	out, errOut, code := cl.kubectl("delete namespace scratch")
	if code != 0 || out != "namespace \"scratch\" deleted\n" {
		t.Errorf("delete ns: exit %d %q %q", code, out, errOut)
	}
	if _, errOut, code := cl.kubectl("get ns scratch"); code != 1 || errOut != "Error from server (NotFound): namespaces \"scratch\" not found\n" {
		t.Errorf("get deleted ns: exit %d %q", code, errOut)
	}
}

// TestNodeEvents: events recorded at one virtual instant keep distinct names
// (successive nanoseconds), so none is lost.
func TestNodeEvents(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	out, _, _ := cl.kubectl("get events --field-selector involvedObject.name=w2.example.com -o custom-columns=REASON:.reason --no-headers")
	want := "Starting\nNodeHasSufficientMemory\nNodeHasNoDiskPressure\nNodeHasSufficientPID\nNodeAllocatableEnforced\nNodeReady\nRegisteredNode\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("node events (-want +got):\n%s", diff)
	}
}
