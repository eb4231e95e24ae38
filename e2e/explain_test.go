package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// explainCases are the explain commands whose output is kept under
// testdata/explain/<version>/.
var explainCases = []struct{ name, args string }{
	{"pod.spec.containers.livenessProbe", "explain pod.spec.containers.livenessProbe"},
	{"deployment--recursive", "explain deployment --recursive"},
	{"deployment.spec.strategy.rollingUpdate.maxSurge", "explain deployment.spec.strategy.rollingUpdate.maxSurge"},
}

// TestExplainEmbedded runs kubectl explain (the embedded kubectl) against
// clusters reporting 1.27 and 1.33 and compares with the golden files.
func TestExplainEmbedded(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			spec := sim.DefaultClusterSpec()
			spec.KubernetesVersion = version
			cl := newCluster(t, spec)
			for _, c := range explainCases {
				out, errOut, code := cl.kubectl(c.args)
				if code != 0 {
					t.Fatalf("kubectl %s: exit %d: %s", c.args, code, errOut)
				}
				golden(t, filepath.Join("testdata", "explain", version, c.name+".txt"), out)
			}
		})
	}
}

// TestExplainSystemKubectl runs the machine's kubectl (which picks the
// bundled kubectl of the server's minor) against kubesim start for 1.27 and
// 1.33 and compares with testdata/explain/system-<version>/.
func TestExplainSystemKubectl(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			s := startServed(t, version)
			for _, c := range explainCases {
				var out, errOut strings.Builder
				if code := s.runTo(&out, &errOut, "kubectl", strings.Fields(c.args)...); code != 0 {
					t.Fatalf("kubectl %s: exit %d: %s", c.args, code, errOut.String())
				}
				golden(t, filepath.Join("testdata", "explain", "system-"+version, c.name+".txt"), out.String())
			}
		})
	}
}

// golden compares got with the file, rewriting it under -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, strings.TrimSpace(diff))
	}
}
