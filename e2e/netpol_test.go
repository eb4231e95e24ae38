package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

const denyPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
  - Ingress
`

const allowPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-bb
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          run: bb
    ports:
    - protocol: TCP
      port: 80
`

// TestNetworkPolicy: with the system kubectl against 1.27 and 1.33, a
// default-deny NetworkPolicy applied from YAML is listed and described as
// upstream prints it and makes busybox's `wget -T 2 web` time out; an
// allow rule for run=bb restores it (issue 13, item 4).
func TestNetworkPolicy(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			s := startServed(t, version)
			for _, args := range [][]string{
				{"create", "deployment", "web", "--image=nginx"},
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
			wget := func() (string, int) {
				return s.run("kubectl", "exec", "bb", "--", "wget", "-T", "2", "-qO-", "http://web")
			}
			if out, code := wget(); code != 0 || !strings.Contains(out, "Welcome to nginx!") {
				t.Fatalf("wget before any policy: exit %d\n%s", code, out)
			}
			if out, code := s.runStdin(denyPolicy, "kubectl", "apply", "-f", "-"); code != 0 || out != "networkpolicy.networking.k8s.io/default-deny-ingress created\n" {
				t.Fatalf("apply deny: exit %d %q", code, out)
			}
			out, code := s.run("kubectl", "get", "netpol")
			if !regexp.MustCompile(`^NAME                   POD-SELECTOR   AGE\ndefault-deny-ingress   <none>         [0-9]+s\n$`).MatchString(out) || code != 0 {
				t.Errorf("get netpol: exit %d\n%s", code, out)
			}
			out, _ = s.run("kubectl", "describe", "netpol", "default-deny-ingress")
			for _, want := range []string{"Name:         default-deny-ingress\nNamespace:    default\n", "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n",
				"  Allowing ingress traffic:\n    <none> (Selected pods are isolated for ingress connectivity)\n", "  Policy Types: Ingress\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("describe netpol lacks %q:\n%s", want, out)
				}
			}
			if out, code := wget(); code != 1 || out != "wget: download timed out\ncommand terminated with exit code 1\n" {
				t.Errorf("wget under default deny: exit %d %q", code, out)
			}
			if out, code := s.runStdin(allowPolicy, "kubectl", "apply", "-f", "-"); code != 0 {
				t.Fatalf("apply allow: exit %d %q", code, out)
			}
			if out, code := wget(); code != 0 || !strings.Contains(out, "Welcome to nginx!") {
				t.Errorf("wget with allow-bb: exit %d\n%s", code, out)
			}
		})
	}
}
