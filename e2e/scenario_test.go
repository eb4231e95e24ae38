package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestScenarios runs `kubesim scenario test` on our own scenarios and on the
// three real killercoda scenarios (with step solutions where a step has no
// {{exec}} blocks). Each real step whose feature exists passes; the one
// remaining failure is an upstream verify that cannot fail. Each runs with a
// HOME and TMPDIR of its own that must stay empty: the scripts (which write
// ~/, /tmp, /opt and /var/lib/etcd-restore on their hosts) run on the
// simulated hosts, never on the user's machine.
func TestScenarios(t *testing.T) {
	bin := kubesimBinary(t)
	tests := []struct {
		name, dir, solutions string
		want                 []string // the closing lines
		exit                 int
	}{
		{name: "lecture-04", dir: "lecture-04", want: []string{"3 passed, 0 failed"}},
		{name: "lecture-04 ko", dir: "lecture-04 --lang ko", want: []string{"3 passed, 0 failed"}},
		{name: "scheduling-basics", dir: "scheduling-basics", want: []string{"5 passed, 0 failed"}},
		{name: "deployment-scale-expose", dir: "deployment-scale-expose", want: []string{"4 passed, 0 failed"}},
		{name: "persistent-storage", dir: "persistent-storage", want: []string{"5 passed, 0 failed"}},
		{name: "persistent-storage ko", dir: "persistent-storage --lang ko", want: []string{"5 passed, 0 failed"}},
		{name: "pods-volumes-probes", dir: "pods-volumes-probes", want: []string{"4 passed, 0 failed"}},
		{name: "pods-volumes-probes ko", dir: "pods-volumes-probes --lang ko", want: []string{"4 passed, 0 failed"}},
		{name: "autoscaling", dir: "autoscaling", want: []string{"4 passed, 0 failed"}},
		{name: "autoscaling ko", dir: "autoscaling --lang ko", want: []string{"4 passed, 0 failed"}},
		{name: "saltyrucula-04-scheduling", dir: "../scenarios/testdata/killercoda/saltyrucula-04-scheduling", solutions: "../scenarios/testdata/solutions/saltyrucula-04-scheduling", want: []string{"5 passed, 0 failed"}},
		{name: "omkar-ckad-scale-web-application-service", dir: "../scenarios/testdata/killercoda/omkar-ckad-scale-web-application-service", solutions: "../scenarios/testdata/solutions/omkar-ckad-scale-web-application-service", want: []string{"1 passed, 0 failed"}},
		{name: "kubesim-cka-node-troubleshooting", dir: "../scenarios/testdata/killercoda/kubesim-cka-node-troubleshooting", want: []string{"4 passed, 0 failed"}},
		{name: "kubesim-cka-cluster-upgrade", dir: "../scenarios/testdata/killercoda/kubesim-cka-cluster-upgrade", want: []string{"4 passed, 0 failed"}},
		{name: "saltyrucula-01-kubectl-core", dir: "../scenarios/testdata/killercoda/saltyrucula-01-kubectl-core", solutions: "../scenarios/testdata/solutions/saltyrucula-01-kubectl-core",
			want: []string{"FAIL step 5/5 Delete by label: verify passes before the step is done", "4 passed, 1 failed"}, exit: 1},
	}
	// What the CKA scenario writes on its controlplane host; none of it
	// may appear on this machine.
	hostOnly := []string{"/opt/etcd-backup.db", "/var/lib/etcd-restore"}
	for _, p := range hostOnly {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s exists on this machine before the scenarios run: the test could not tell a scenario wrote it", p)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home, tmp := t.TempDir(), t.TempDir()
			args := append([]string{"scenario", "test"}, strings.Fields(tc.dir)...)
			if tc.solutions != "" {
				args = append(args, "--solutions", tc.solutions)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var out bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.Env = append(os.Environ(), "HOME="+home, "TMPDIR="+tmp, "KUBESIM_STATE=", "XDG_STATE_HOME=")
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.exit {
				t.Errorf("exit %d, want %d\n%s", code, tc.exit, out.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			got := lines[len(lines)-1:]
			want := tc.want[len(tc.want)-1:]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("closing line (-want +got):\n%s\nfull output:\n%s", diff, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, d := range []string{home, tmp} {
				if ents, _ := os.ReadDir(d); len(ents) > 0 {
					t.Errorf("scenario test wrote %s on the user's machine", filepath.Join(d, ents[0].Name()))
				}
			}
			for _, p := range hostOnly {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("a scenario script wrote %s on the user's machine", p)
				}
			}
		})
	}
}
