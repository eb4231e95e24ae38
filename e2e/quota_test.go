package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const quotaManifest = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: q
spec:
  hard:
    pods: "2"
    requests.cpu: "1"
    limits.memory: 1Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: lr
spec:
  limits:
  - type: Container
    default:
      memory: 256Mi
    defaultRequest:
      cpu: 200m
      memory: 128Mi
    max:
      cpu: 800m
`

// TestSystemKubectlQuota: with the system kubectl (1.27 and 1.33), a
// ResourceQuota and a LimitRange are enforced at admission with
// kube-apiserver's texts, the LimitRange's defaults land in the pods, and
// get/describe quota show the usage the controller and admission keep.
func TestSystemKubectlQuota(t *testing.T) {
	for _, tc := range []struct{ version, getQuota string }{
		{"v1.27.1", "NAME   AGE   REQUEST                           LIMIT\nq      0s    pods: 2/2, requests.cpu: 400m/1   limits.memory: 512Mi/1Gi\n"},
		{"v1.33.0", "NAME   REQUEST                           LIMIT                      AGE\nq      pods: 2/2, requests.cpu: 400m/1   limits.memory: 512Mi/1Gi   0s\n"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			s := startServed(t, tc.version)
			if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
				t.Fatalf("kubesim clock freeze: %s", out)
			}
			if out, code := s.runStdin(quotaManifest, "kubectl", "apply", "-f", "-"); code != 0 {
				t.Fatalf("apply: %s", out)
			}
			for _, step := range []struct {
				args []string
				out  string
				code int
			}{
				{[]string{"run", "big", "--image", "nginx", "--overrides", `{"spec":{"containers":[{"name":"big","image":"nginx","resources":{"limits":{"cpu":"2"}}}]}}`},
					`Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 800m, but limit is 2` + "\n", 1},
				{[]string{"run", "a", "--image", "nginx"}, "pod/a created\n", 0},
				{[]string{"run", "b", "--image", "nginx"}, "pod/b created\n", 0},
				{[]string{"run", "c", "--image", "nginx"},
					`Error from server (Forbidden): pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2` + "\n", 1},
				{[]string{"get", "pod", "a", "-o", "jsonpath={.spec.containers[0].resources}"},
					`{"limits":{"cpu":"800m","memory":"256Mi"},"requests":{"cpu":"200m","memory":"128Mi"}}`, 0},
				{[]string{"get", "pod", "a", "-o", `jsonpath={.metadata.annotations.kubernetes\.io/limit-ranger}`},
					"LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a", 0},
				{[]string{"get", "quota"}, tc.getQuota, 0},
				{[]string{"describe", "quota", "q"}, "Name:          q\nNamespace:     default\nResource       Used   Hard\n--------       ----   ----\nlimits.memory  512Mi  1Gi\npods           2      2\nrequests.cpu   400m   1\n", 0},
				{[]string{"delete", "pod", "a", "--grace-period=0", "--force"}, "", 0},
				{[]string{"run", "c", "--image", "nginx"}, "pod/c created\n", 0},
				// A Deployment's pods are refused too: the ReplicaSet's
				// FailedCreate becomes the Deployment's ReplicaFailure condition.
				{[]string{"create", "deployment", "web", "--image", "nginx"}, "deployment.apps/web created\n", 0},
				{[]string{"get", "deployment", "web", "-o", `jsonpath={.status.conditions[?(@.type=="ReplicaFailure")].reason}`}, "FailedCreate", 0},
			} {
				out, code := s.run("kubectl", step.args...)
				if step.args[0] == "delete" {
					continue
				}
				if diff := cmp.Diff(step.out, out); diff != "" || code != step.code {
					t.Errorf("kubectl %v: exit %d, want %d (-want +got):\n%s", step.args, code, step.code, diff)
				}
			}
		})
	}
}
