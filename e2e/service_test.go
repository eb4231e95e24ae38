package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kubesim/internal/verbs"
	"kubesim/sim"
)

// TestServiceReachable: a deployment exposed as a Service answers curl on
// its ClusterIP through the simulated kube-proxy.
func TestServiceReachable(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	if out, errOut, code := cl.kubectl("expose deployment web --port 80"); code != 0 || out != "service/web exposed\n" {
		t.Fatalf("expose: exit %d %q %q", code, out, errOut)
	}
	cl.advance(time.Minute)
	ip, _, _ := cl.kubectl("get svc web -o jsonpath={.spec.clusterIP}")
	var out, errOut bytes.Buffer
	code := verbs.Run(context.Background(), cl.c, "curl", []string{"-s", "http://" + ip}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "Welcome to nginx!") {
		t.Errorf("curl %s: exit %d %q %q", ip, code, out.String(), errOut.String())
	}
	eps, _, _ := cl.kubectl("get endpoints web -o jsonpath={.subsets[0].addresses[*].ip}")
	if len(strings.Fields(eps)) != 2 {
		t.Errorf("endpoints: %q, want two addresses", eps)
	}
}
