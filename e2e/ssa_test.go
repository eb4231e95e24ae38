package e2e

import (
	"strings"
	"testing"

	"kubesim/sim"
)

const ssaDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
`

// ssaConflict is the conflicting apply after kubectl scale: the server's
// message (upstream's conflict text) and kubectl's hint after it.
const ssaConflict = `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the ` + "`--force-conflicts`" + ` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`

// TestServerSideApply: kubectl apply --server-side creates and updates; a
// kubectl scale takes spec.replicas, so the next apply of another value
// is upstream's conflict (kubectl's hint after it, exit 1); --force-conflicts
// takes the field back; -o yaml hides managedFields and
// --show-managed-fields shows who owns what.
func TestServerSideApply(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			spec := sim.DefaultClusterSpec()
			spec.KubernetesVersion = version
			cl := newCluster(t, spec)
			run := func(args string, stdin ...string) string {
				t.Helper()
				out, errOut, code := cl.kubectl(args, stdin...)
				if code != 0 {
					t.Fatalf("kubectl %s: exit %d\n%s%s", args, code, out, errOut)
				}
				return out
			}
			if out := run("apply --server-side -f -", ssaDeployment); out != "deployment.apps/web serverside-applied\n" {
				t.Errorf("first apply: %q", out)
			}
			if out := run("apply --server-side -f -", ssaDeployment); out != "deployment.apps/web serverside-applied\n" {
				t.Errorf("second apply: %q", out)
			}
			run("scale deployment web --replicas=5")
			out, errOut, code := cl.kubectl("apply --server-side -f -", ssaDeployment)
			if code != 1 || out != "" || errOut != ssaConflict {
				t.Errorf("conflicting apply: exit %d, stdout %q\n got %s\nwant %s", code, out, errOut, ssaConflict)
			}
			run("apply --server-side --force-conflicts -f -", ssaDeployment)
			if out := run("get deployment web -o jsonpath={.spec.replicas}"); out != "3" {
				t.Errorf("replicas after forced apply: %q", out)
			}
			if out := run("get deployment web -o yaml"); strings.Contains(out, "managedFields") {
				t.Errorf("-o yaml shows managedFields:\n%s", out)
			}
			out = run("get deployment web -o yaml --show-managed-fields")
			for _, want := range []string{
				"    manager: kubectl\n    operation: Apply\n",
				"    manager: kube-controller-manager\n    operation: Update\n    subresource: status\n",
				"        f:replicas: {}\n",
				"          k:{\"name\":\"httpd\"}:\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("--show-managed-fields: no %q in\n%s", want, out)
				}
			}
			// The forced apply took spec.replicas from kubectl's scale entry,
			// which owned nothing else and is gone.
			if strings.Contains(out, "subresource: scale") {
				t.Errorf("the scale entry survived the forced apply:\n%s", out)
			}
		})
	}
}

// TestServerSideApplySystemKubectl is the same story with the machine's
// kubectl (1.27 and 1.33 for these servers) against kubesim start, and the
// upgrade kubectl makes from client-side to server-side apply: the
// kubectl-client-side-apply entry becomes kubectl's Apply entry.
func TestServerSideApplySystemKubectl(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			s := startServed(t, version)
			run := func(stdin string, args ...string) string {
				t.Helper()
				var out string
				var code int
				if stdin != "" {
					out, code = s.runStdin(stdin, "kubectl", args...)
				} else {
					out, code = s.run("kubectl", args...)
				}
				if code != 0 {
					t.Fatalf("kubectl %v: exit %d\n%s", args, code, out)
				}
				return out
			}
			if out := run(ssaDeployment, "apply", "-f", "-"); out != "deployment.apps/web created\n" {
				t.Errorf("client-side apply: %q", out)
			}
			out := run("", "get", "deployment", "web", "-o", "yaml", "--show-managed-fields")
			if !strings.Contains(out, "    manager: kubectl-client-side-apply\n    operation: Update\n") {
				t.Errorf("after client-side apply:\n%s", out)
			}
			if out := run(ssaDeployment, "apply", "--server-side", "-f", "-"); out != "deployment.apps/web serverside-applied\n" {
				t.Errorf("server-side apply: %q", out)
			}
			out = run("", "get", "deployment", "web", "-o", "yaml", "--show-managed-fields")
			if strings.Contains(out, "kubectl-client-side-apply") || !strings.Contains(out, "    manager: kubectl\n    operation: Apply\n") {
				t.Errorf("after the upgrade to server-side apply:\n%s", out)
			}
			run("", "scale", "deployment", "web", "--replicas=5")
			out, code := s.runStdin(ssaDeployment, "kubectl", "apply", "--server-side", "-f", "-")
			if code != 1 || out != ssaConflict {
				t.Errorf("conflicting apply: exit %d\n got %s\nwant %s", code, out, ssaConflict)
			}
			run(ssaDeployment, "apply", "--server-side", "--force-conflicts", "-f", "-")
			if out := run("", "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"); out != "3" {
				t.Errorf("replicas after --force-conflicts: %q", out)
			}
			if out := run("", "get", "deployment", "web", "-o", "yaml"); strings.Contains(out, "managedFields") {
				t.Errorf("-o yaml shows managedFields:\n%s", out)
			}
			out = run("", "get", "pods", "-o", "yaml", "--show-managed-fields")
			for _, want := range []string{
				"      manager: kube-controller-manager\n      operation: Update\n",
				"      manager: kubelet\n      operation: Update\n      subresource: status\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("pods: no %q in\n%s", want, out)
				}
			}
		})
	}
}
