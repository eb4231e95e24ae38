package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ageColumn matches an AGE cell at the end of a table line (the live
// clock moves while the test runs).
var ageColumn = regexp.MustCompile(`(?m)[0-9]+s$`)

// TestCRDSystemKubectl is the acceptance for CRDs with the machine's
// kubectl (1.27 and 1.33 against clusters of those versions): the docs'
// CronTab CRD applied, a CronTab listed as crontabs and ct with its printer
// columns, kubectl explain crontab.spec, a schema violation refused with
// upstream's text, kubectl scale through the scale subresource, the CronTab
// kept across kubesim stop/start, and deleting the CRD removes its objects.
func TestCRDSystemKubectl(t *testing.T) {
	crd, err := os.ReadFile("testdata/crontab-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			s := startServed(t, version)
			kubectl := func(stdin string, args ...string) string {
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
			if out := kubectl(string(crd), "apply", "-f", "-"); out != "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n" {
				t.Errorf("apply crd: %q", out)
			}
			if out := kubectl(cronTab, "apply", "-f", "-"); out != "crontab.stable.example.com/my-new-cron-object created\n" {
				t.Errorf("apply crontab: %q", out)
			}
			want := "NAME                 SPEC          REPLICAS   AGE\nmy-new-cron-object   * * * * */5   1          0s\n"
			for _, name := range []string{"crontabs", "ct"} {
				if out := ageColumn.ReplaceAllString(kubectl("", "get", name), "0s"); out != want {
					t.Errorf("get %s:\n%s\nwant\n%s", name, out, want)
				}
			}
			golden(t, filepath.Join("testdata", "explain", "system-"+version, "crontab.spec.txt"), kubectl("", "explain", "crontab.spec"))
			bad := strings.Replace(cronTab, "my-awesome-cron-image", "my-awesome-cron-image\n  replicas: \"string\"", 1)
			out, code := s.runStdin(bad, "kubectl", "apply", "-f", "-")
			if want := `The CronTab "my-new-cron-object" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"` + "\n"; code != 1 || out != want {
				t.Errorf("bad replicas: exit %d\n got %q\nwant %q", code, out, want)
			}
			if out := kubectl("", "scale", "ct", "my-new-cron-object", "--replicas=3"); out != "crontab.stable.example.com/my-new-cron-object scaled\n" {
				t.Errorf("scale: %q", out)
			}
			s.stop()
			s.startOut()
			if out := kubectl("", "get", "crontab", "my-new-cron-object", "-o", "jsonpath={.spec.replicas} {.spec.image}"); out != "3 my-awesome-cron-image" {
				t.Errorf("after stop/start: %q", out)
			}
			if out := kubectl("", "delete", "crd", "crontabs.stable.example.com"); out != "customresourcedefinition.apiextensions.k8s.io \"crontabs.stable.example.com\" deleted\n" {
				t.Errorf("delete crd: %q", out)
			}
			// kubectl may still map crontabs from its discovery cache (then
			// the list is a 404) or not any more; either way it fails.
			out, code = s.run("kubectl", "get", "crontabs")
			if code != 1 || !strings.Contains(out, "crontabs") {
				t.Errorf("get crontabs after the CRD went: exit %d\n%s", code, out)
			}
			t.Logf("get crontabs after the CRD went: %s", out)
		})
	}
}
