package e2e

import (
	"testing"

	"kubesim/sim"
)

func TestKubectlWait(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	out, errOut, code := cl.kubectl("wait --for=condition=Ready node --all --timeout=10s")
	if code != 0 {
		t.Fatalf("wait: exit %d\n%s\n%s", code, out, errOut)
	}
	want := "node/m.example.com condition met\nnode/w1.example.com condition met\nnode/w2.example.com condition met\n"
	if out != want {
		t.Errorf("wait output %q, want %q", out, want)
	}
}
