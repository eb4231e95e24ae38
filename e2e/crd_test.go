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

// TestCRDManagedFields: a custom object records its managers as a
// built-in one does, and server-side apply works on it.
func TestCRDManagedFields(t *testing.T) {
	crd, err := os.ReadFile("testdata/crontab-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(string(crd))
	cl.apply(cronTab)
	out, errOut, code := cl.kubectl("get ct my-new-cron-object -o jsonpath={.metadata.managedFields[*].manager}")
	if code != 0 || out != "kubectl-client-side-apply" {
		t.Errorf("managers: exit %d %q %s", code, out, errOut)
	}
	out, errOut, code = cl.kubectl("apply --server-side -f -", strings.Replace(cronTab, "my-awesome-cron-image", "other", 1))
	if code != 0 {
		t.Fatalf("apply --server-side: exit %d %s%s", code, out, errOut)
	}
	out, errOut, _ = cl.kubectl("get ct my-new-cron-object -o jsonpath='{.spec.image} {.metadata.managedFields[*].manager}'")
	if out != "other kubectl-last-applied kubectl" { // kubectl migrated its client-side entry (csaupgrade)
		t.Errorf("after server-side apply: %q %s", out, errOut)
	}
}

const fruitCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: fruits.example.org
spec:
  group: example.org
  scope: Cluster
  names: {plural: fruits, singular: fruit, kind: Fruit}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          color: {type: string, enum: [red, green]}
`

// TestCRDScopesAndNamespaces: a cluster-scoped CRD prints the default
// NAME and AGE columns and refuses a value outside its enum; a namespace
// holding custom objects is deleted with them; two CRDs may not claim one
// name in a group.
func TestCRDScopesAndNamespaces(t *testing.T) {
	crd, err := os.ReadFile("testdata/crontab-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(fruitCRD)
	cl.apply("apiVersion: example.org/v1\nkind: Fruit\nmetadata:\n  name: apple\ncolor: red\n")
	if out, _, _ := cl.kubectl("get fruits"); out != "NAME    AGE\napple   0s\n" {
		t.Errorf("get fruits:\n%s", out)
	}
	_, errOut, code := cl.kubectl("apply -f -", "apiVersion: example.org/v1\nkind: Fruit\nmetadata:\n  name: pear\ncolor: blue\n")
	if want := `The Fruit "pear" is invalid: color: Unsupported value: "blue": supported values: "red", "green"` + "\n"; code != 1 || errOut != want {
		t.Errorf("bad color: exit %d\n got %q\nwant %q", code, errOut, want)
	}
	cl.apply(string(crd))
	cl.kubectl("create namespace team")
	cl.apply(strings.Replace(cronTab, "metadata:\n", "metadata:\n  namespace: team\n", 1))
	if out, errOut, code := cl.kubectl("delete namespace team"); code != 0 {
		t.Fatalf("delete namespace: exit %d %s%s", code, out, errOut)
	}
	if out, _, code := cl.kubectl("get namespace team"); code == 0 {
		t.Errorf("namespace team stays: %s", out)
	}
	clash := strings.NewReplacer("crontabs.stable.example.com", "crontabs2.stable.example.com", "plural: crontabs", "plural: crontabs2", "singular: crontab", "singular: crontab2").Replace(string(crd))
	cl.apply(clash)
	out, _, _ := cl.kubectl("get crd crontabs2.stable.example.com -o jsonpath={.status.conditions[0].reason}/{.status.conditions[0].message}")
	if want := `ListKindConflict/"CronTabList" is already in use`; out != want {
		t.Errorf("conflicting CRD: %q, want %q", out, want)
	}
}
