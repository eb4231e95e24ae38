package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTrafficFromPods: from a busybox pod, kubectl exec reaches cluster DNS
// (busybox 1.28's nslookup), a Service over an nginx Deployment by name and
// one of its pods by IP, as in a kubeadm cluster (issue 13, item 3).
func TestTrafficFromPods(t *testing.T) {
	s := startServed(t, "v1.27.1")
	for _, args := range [][]string{
		{"create", "deployment", "web", "--image=nginx", "--replicas=2"},
		{"expose", "deployment", "web", "--port=80"},
		{"run", "bb", "--image=busybox:1.28", "--", "sleep", "3600"},
	} {
		if out, code := s.run("kubectl", args...); code != 0 {
			t.Fatalf("kubectl %q: exit %d\n%s", args, code, out)
		}
	}
	if err := s.Advance(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	podIP, code := s.run("kubectl", "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].status.podIP}")
	if code != 0 || podIP == "" {
		t.Fatalf("pod IP: exit %d %q", code, podIP)
	}
	out, code := s.run("kubectl", "exec", "bb", "--", "nslookup", "kubernetes.default")
	want := "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n"
	if d := cmp.Diff(want, out); d != "" || code != 0 {
		t.Errorf("nslookup kubernetes.default: exit %d (-want +got):\n%s", code, d)
	}
	// stdout and stderr travel on separate streams: join them in the pod.
	out, code = s.run("kubectl", "exec", "bb", "--", "sh", "-c", "nslookup nosuch 2>&1")
	want = "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nnslookup: can't resolve 'nosuch'\ncommand terminated with exit code 1\n"
	if d := cmp.Diff(want, out); d != "" || code != 1 {
		t.Errorf("nslookup nosuch: exit %d (-want +got):\n%s", code, d)
	}
	for _, url := range []string{"http://web", "http://" + podIP} {
		out, code := s.run("kubectl", "exec", "bb", "--", "wget", "-qO-", url)
		if code != 0 || !strings.Contains(out, "<title>Welcome to nginx!</title>") {
			t.Errorf("wget -qO- %s: exit %d\n%s", url, code, out)
		}
	}
	out, code = s.run("kubectl", "exec", "bb", "--", "wget", "-qO-", "http://nosuch")
	if want := "wget: bad address 'nosuch'\ncommand terminated with exit code 1\n"; out != want || code != 1 {
		t.Errorf("wget nosuch: exit %d %q, want %q", code, out, want)
	}
}
