package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSystemKubectlTop: kubectl top (1.27 and 1.33) reads the
// metrics.k8s.io API: node rows with their percentages, the system pods,
// a busy loop's core capped at its limit, --containers.
func TestSystemKubectlTop(t *testing.T) {
	for _, tc := range []struct{ version, nodesHeader string }{
		{"v1.27.1", "NAME             CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%   "},
		{"v1.33.0", "NAME             CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   "},
	} {
		t.Run(tc.version, func(t *testing.T) {
			s := startServed(t, tc.version)
			if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
				t.Fatalf("kubesim clock freeze: %s", out)
			}
			for _, args := range [][]string{
				{"run", "burn", "--image", "busybox", "--", "sh", "-c", "while true; do :; done"},
				{"run", "capped", "--image", "busybox", "--overrides", `{"spec":{"containers":[{"name":"capped","image":"busybox","command":["sh","-c","while true; do :; done"],"resources":{"limits":{"cpu":"250m"}}}]}}`},
				{"run", "idle", "--image", "nginx"},
			} {
				if out, code := s.run("kubectl", args...); code != 0 {
					t.Fatalf("kubectl %v: %s", args, out)
				}
			}
			if out, code := s.run("kubectl", "top", "pods"); code != 1 || out != "error: metrics not available yet\n" {
				t.Errorf("top pods before a scrape: exit %d %q", code, out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			out, code := s.run("kubectl", "top", "nodes")
			lines := strings.Split(out, "\n")
			if code != 0 || lines[0] != tc.nodesHeader || len(lines) != 5 || !strings.HasPrefix(lines[1], "m.example.com ") {
				t.Errorf("top nodes: exit %d\n%s", code, out)
			}
			out, code = s.run("kubectl", "top", "pods")
			want := "NAME     CPU(cores)   MEMORY(bytes)   \nburn     1000m        1Mi             \ncapped   250m         1Mi             \nidle     0m           3Mi             \n"
			if diff := cmp.Diff(want, out); diff != "" || code != 0 {
				t.Errorf("top pods: exit %d (-want +got):\n%s", code, diff)
			}
			out, _ = s.run("kubectl", "top", "pods", "-A")
			if !strings.Contains(out, "\nkube-system    kube-apiserver-m.example.com            42m          285Mi") || !strings.HasPrefix(out, "NAMESPACE ") {
				t.Errorf("top pods -A:\n%s", out)
			}
			out, _ = s.run("kubectl", "top", "pod", "burn", "--containers")
			if want := "POD    NAME   CPU(cores)   MEMORY(bytes)   \nburn   burn   1000m        1Mi             \n"; out != want {
				t.Errorf("top pod --containers:\n%s\nwant\n%s", out, want)
			}
		})
	}
}
