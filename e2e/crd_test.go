package e2e

import (
	"os"
	"strings"
	"testing"

	"kubesim/sim"
)

const cronTab = `apiVersion: "stable.example.com/v1"
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "* * * * */5"
  image: my-awesome-cron-image
`

// TestCRDEmbedded: the Kubernetes docs' CronTab CRD with the embedded
// kubectl: established, a CronTab created, listed by plural, short name and
// kind with the printer columns, defaulted, a schema violation refused
// with upstream's text, scaled, and gone with its CRD.
func TestCRDEmbedded(t *testing.T) {
	crd, err := os.ReadFile("testdata/crontab-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			spec := sim.DefaultClusterSpec()
			spec.KubernetesVersion = version
			cl := newCluster(t, spec)
			run := func(args string, stdin ...string) string {
				t.Helper()
				out, errOut, code := cl.kubectl(args, stdin...)
				if code != 0 {
					t.Fatalf("kubectl %s: exit %d %s%s", args, code, out, errOut)
				}
				return out
			}
			if out := run("apply -f -", string(crd)); out != "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n" {
				t.Errorf("apply crd: %q", out)
			}
			if out := run("get crd crontabs.stable.example.com -o jsonpath={.status.conditions[*].type}"); out != "NamesAccepted Established" {
				t.Errorf("conditions: %q", out)
			}
			if out := run("apply -f -", cronTab); out != "crontab.stable.example.com/my-new-cron-object created\n" {
				t.Errorf("apply crontab: %q", out)
			}
			want := "NAME                 SPEC          REPLICAS   AGE\nmy-new-cron-object   * * * * */5   1          0s\n"
			for _, name := range []string{"crontabs", "ct", "crontab", "CronTab", "crontabs.stable.example.com"} {
				if out := run("get " + name); out != want {
					t.Errorf("get %s:\n%s\nwant\n%s", name, out, want)
				}
			}
			bad := strings.Replace(cronTab, "my-awesome-cron-image", "my-awesome-cron-image\n  replicas: \"string\"", 1)
			_, errOut, code := cl.kubectl("apply -f -", bad)
			if want := `The CronTab "my-new-cron-object" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"` + "\n"; code != 1 || errOut != want {
				t.Errorf("bad replicas: exit %d\n got %q\nwant %q", code, errOut, want)
			}
			if out := run("scale crontab my-new-cron-object --replicas=3"); out != "crontab.stable.example.com/my-new-cron-object scaled\n" {
				t.Errorf("scale: %q", out)
			}
			if out := run("get ct my-new-cron-object -o jsonpath={.spec.replicas}"); out != "3" {
				t.Errorf("replicas after scale: %q", out)
			}
			if out := run("api-resources --api-group=stable.example.com"); !strings.Contains(out, "crontabs") || !strings.Contains(out, "CronTab") {
				t.Errorf("api-resources:\n%s", out)
			}
			run("delete crd crontabs.stable.example.com")
			_, errOut, code = cl.kubectl("get crontabs")
			if code == 0 {
				t.Errorf("get crontabs after the CRD went: exit 0 %s", errOut)
			}
		})
	}
}
