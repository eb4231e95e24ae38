package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

// Workload behaviour of issue 11 item 8: each test is a repro that got a
// different answer from a real cluster.

// TestDeleteCascadeOrphan: kubectl delete --cascade=orphan sends
// propagationPolicy Orphan; the owner goes, its dependents stay and lose
// their ownerReference to it.
func TestDeleteCascadeOrphan(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	rsName, _, _ := cl.kubectl("get rs -l app=web -o jsonpath={.items[0].metadata.name}")
	out, errOut, code := cl.kubectl("delete deployment web --cascade=orphan")
	if diff := cmp.Diff("deployment.apps \"web\" deleted from default namespace\n", out); diff != "" || code != 0 {
		t.Fatalf("delete: exit %d %s (-want +got):\n%s", code, errOut, diff)
	}
	cl.advance(time.Minute)
	if out, _, _ := cl.kubectl("get deployment web"); out != "" {
		t.Errorf("the deployment is still there:\n%s", out)
	}
	out, _, _ = cl.kubectl("get rs " + rsName + " -o jsonpath={.metadata.ownerReferences}")
	if out != "" {
		t.Errorf("orphaned replicaset keeps owner references %s", out)
	}
	out, _, _ = cl.kubectl("get pods -l app=web --no-headers")
	if n := strings.Count(out, "Running"); n != 2 {
		t.Errorf("want the 2 pods of the orphaned replicaset running, got:\n%s", out)
	}
	// The same one level down: the pods stay, without owner.
	out, errOut, code = cl.kubectl("delete rs " + rsName + " --cascade=orphan")
	if code != 0 {
		t.Fatalf("delete rs: exit %d %s %s", code, out, errOut)
	}
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl("get pods -l app=web --no-headers -o custom-columns=P:.status.phase,O:.metadata.ownerReferences")
	if diff := cmp.Diff("Running   <none>\nRunning   <none>\n", out); diff != "" {
		t.Errorf("pods after the replicaset's orphaning delete (-want +got):\n%s", diff)
	}
	// Background (kubectl's default) still takes the dependents along.
	cl.kubectl("create deployment db --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	cl.kubectl("delete deployment db")
	cl.advance(time.Minute)
	if out, _, _ := cl.kubectl("get rs,pods -l app=db --no-headers"); out != "" {
		t.Errorf("background deletion left dependents:\n%s", out)
	}
}

// TestServerDryRun: --dry-run=server answers as the write would and
// changes nothing, on every write path.
func TestServerDryRun(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	rv := func() string {
		out, _, _ := cl.kubectl("get deployment web -o jsonpath={.metadata.resourceVersion}/{.spec.replicas}/{.spec.template.spec.containers[0].image}/{.metadata.labels}")
		return out
	}
	before := rv()
	for _, tc := range []struct{ cmd, want string }{
		{"scale deployment web --replicas 5 --dry-run=server", "deployment.apps/web scaled (server dry run)\n"},
		{"set image deployment/web nginx=nginx:1.25 --dry-run=server", "deployment.apps/web image updated (server dry run)\n"},
		{"label deployment web tier=front --dry-run=server", "deployment.apps/web labeled (server dry run)\n"},
		{"patch deployment web -p '{\"spec\":{\"replicas\":7}}' --dry-run=server", "deployment.apps/web patched\n"},
		{"delete deployment web --dry-run=server", "deployment.apps \"web\" deleted from default namespace (server dry run)\n"},
	} {
		out, errOut, code := cl.kubectl(tc.cmd)
		if diff := cmp.Diff(tc.want, out); diff != "" || code != 0 {
			t.Errorf("%s: exit %d %s (-want +got):\n%s", tc.cmd, code, errOut, diff)
		}
		cl.advance(10 * time.Second)
		if got := rv(); got != before {
			t.Errorf("%s changed the deployment: %s, was %s", tc.cmd, got, before)
		}
	}
	// A dry run still validates.
	_, errOut, code := cl.kubectl("scale deployment web --replicas -3 --dry-run=server")
	if code == 0 {
		t.Errorf("negative dry-run scale accepted")
	}
	_ = errOut
	if out, _, _ := cl.kubectl("get pods -l app=web --no-headers"); strings.Count(out, "\n") != 2 {
		t.Errorf("pods after dry runs:\n%s", out)
	}
}
