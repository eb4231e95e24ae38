package main

import (
	"path/filepath"
	"strings"
	"testing"

	"kubesim/internal/practice"
	"kubesim/internal/verbs"
	"kubesim/scenarios/builtin"
	"kubesim/server"
)

// existingCluster starts a second kubesim (server.Start, as `kubesim
// start` does) for the scenario's topology and returns only its
// kubeconfig: the stand-in for a real cluster.
func existingCluster(t *testing.T, scenario string) string {
	t.Helper()
	sc, err := loadScenario(scenario, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := server.Start(server.Config{Spec: practice.SpecFor(sc.Topology), StateDir: filepath.Join(dir, "state"), Addr: "127.0.0.1:0", Verbs: verbs.Run, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	kc := filepath.Join(dir, "kubeconfig")
	if err := server.WriteContext(kc, "existing", s.Addr, s.Creds); err != nil {
		t.Fatal(err)
	}
	return kc
}

// TestScenarioTestExisting: the built-in scenarios pass `kubesim scenario
// test --kubeconfig` against another kubesim reached only through its
// kubeconfig, as they would against kind or kubeadm: the runner's settles
// wait for pods instead of moving a clock, curl runs in a pod.
//
// Left out, as a real cluster would fail it too: autoscaling (the HPA
// needs minutes of real load and time; 2+ minutes here, and verify still
// fails), and pods-volumes-probes (its ConfigMap step sleeps 70 s of real
// time for the kubelet's sync, longer than a block's one-minute budget).
func TestScenarioTestExisting(t *testing.T) {
	for _, name := range builtin.ScenarioNames() {
		if name == "autoscaling" || name == "pods-volumes-probes" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			kc := existingCluster(t, name)
			out, errOut, code := cli(t, "scenario", "test", "--kubeconfig", kc, name)
			if code != 0 {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		})
	}
}

// TestReplayExistingRefusesAdvance: a transcript's advance is refused on
// an existing cluster, naming the line, with a one-line verdict.
func TestReplayExistingRefusesAdvance(t *testing.T) {
	kc := existingCluster(t, "deployment-scale-expose")
	out, errOut, code := cli(t, "replay", "--kubeconfig", kc, "lecture-04")
	if code != 1 || !strings.Contains(errOut, "lecture-04.txt:13: advance: advance 2d3h: moving the clock needs a simulated cluster; "+kc+" is an existing cluster") || !strings.HasSuffix(errOut, "lecture-04: FAILED: the line above needs a simulated cluster\n") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
