package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

const barePodPDB = `apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels:
    app: solo
spec:
  nodeName: w1.example.com
  containers:
  - name: web
    image: nginx:1.23
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: solo
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: solo
`

// TestDrainBarePodPDB: a budget over a bare pod has no disruption to give
// (nothing is expected of pods without a controller), and the eviction
// subresource reads that status: kubectl drain --force gets the 429, says
// it will retry after 5s, tries again, and gives up at its --timeout. The
// pod stays.
func TestDrainBarePodPDB(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(barePodPDB)
	cl.advance(time.Minute)
	out, _, _ := cl.kubectl("get pdb solo --no-headers")
	if f := strings.Fields(out); len(f) < 4 || f[3] != "0" {
		t.Fatalf("pdb before drain: %q, want 0 allowed disruptions", out)
	}
	out, errOut, code := cl.kubectl("drain w1.example.com --ignore-daemonsets --force --timeout=1s")
	if code == 0 {
		t.Fatalf("drain succeeded despite the budget:\n%s\n%s", out, errOut)
	}
	refusal := `error when evicting pods/"solo" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.` + "\n"
	if strings.Count(errOut, refusal) != 1 {
		t.Errorf("drain stderr lacks the refusal once:\n%s", errOut)
	}
	// The retry: drain evicts again after its delay, then meets its timeout.
	if n := strings.Count(out, "evicting pod default/solo\n"); n != 2 {
		t.Errorf("drain tried %d times, want 2 (one retry):\n%s", n, out)
	}
	if !strings.Contains(errOut, `error when evicting pods/"solo" -n "default": global timeout reached: 1s`) {
		t.Errorf("drain stderr lacks the timeout:\n%s", errOut)
	}
	out, _, _ = cl.kubectl("get pod solo -o jsonpath={.status.phase}{.metadata.deletionTimestamp}")
	if diff := cmp.Diff("Running", out); diff != "" {
		t.Errorf("pod after the refused drain (-want +got):\n%s", diff)
	}
}
