package e2e

import (
	"regexp"
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

// TestDescribeAfterAdvance: kubectl computes describe's ages from the wall
// clock; after kubesim advance 2d12h they read as on a cluster where that
// much time went by ("3m57s (x725 over 2d12h)"), never "<invalid>".
func TestDescribeAfterAdvance(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.run("kubectl", "run", "crash", "--image", "busybox", "--", "/bin/sh", "-c", "exit 1"); code != 0 {
		t.Fatalf("kubectl run: exit %d\n%s", code, out)
	}
	if out, code := s.run(s.bin, "advance", "2d12h"); code != 0 {
		t.Fatalf("kubesim advance: exit %d\n%s", code, out)
	}
	out, code := s.run("kubectl", "describe", "pod", "crash")
	if code != 0 {
		t.Fatalf("kubectl describe: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "<invalid>") || !regexp.MustCompile(`BackOff  [0-9m]+s \(x[0-9]+ over 2d12h\)`).MatchString(out) {
		t.Errorf("describe after advance 2d12h: want BackOff's age over 2d12h, no <invalid>:\n%s", out)
	}
	if out, _ := s.run("kubectl", "get", "pod", "crash", "--no-headers"); !strings.HasSuffix(strings.TrimSpace(out), "2d12h") {
		t.Errorf("kubectl get pod after advance 2d12h: %s", out)
	}
}
