package e2e

import (
	"strings"
	"testing"
)

// TestStartBooted is the newcomer's check: right after kubesim start, the
// first kubectl get pods -n kube-system shows every system pod Running,
// seconds old, and the nodes Ready.
func TestStartBooted(t *testing.T) {
	s := startServed(t, "v1.27.1")
	out, code := s.run("kubectl", "get", "pods", "-n", "kube-system", "--no-headers")
	if code != 0 {
		t.Fatalf("kubectl get pods: exit %d\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 9 {
		t.Fatalf("want the control plane, kube-proxy and CoreDNS pods:\n%s", out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 5 || f[1] != "1/1" || f[2] != "Running" || !strings.HasSuffix(f[4], "s") {
			t.Errorf("not Running and ready, or not seconds old: %s", l)
		}
	}
	if out, _ := s.run("kubectl", "get", "nodes", "--no-headers"); strings.Count(out, " Ready ") != 3 {
		t.Errorf("nodes not all Ready:\n%s", out)
	}
}
