package practice

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kubesim/scenarios/killercoda"
	"kubesim/sim"
)

// TestScenarioOnHosts: a scenario's scripts and blocks run on the
// simulated controlplane (and node01 through ssh), with virtual sleeps,
// and never touch the user's HOME or /tmp.
func TestScenarioOnHosts(t *testing.T) {
	probe := fmt.Sprintf("kubesim-hosts-probe-%d", os.Getpid())
	home, _ := os.UserHomeDir()
	fsys := fstest.MapFS{
		"index.json": {Data: []byte(`{
  "title": "Hosts",
  "details": {
    "intro": {"text": "intro.md", "background": "background.sh"},
    "steps": [{"title": "Files and the kubelet", "text": "step1.md", "verify": "verify1.sh"}]
  },
  "backend": {"imageid": "kubernetes-kubeadm-2nodes"}
}`)},
		"intro.md": {Data: []byte("# Hosts\n")},
		"background.sh": {Data: []byte("echo hi > /tmp/" + probe + "\nmkdir -p ~/" + probe + "\n" +
			"ssh node01 systemctl stop kubelet\nsleep 60\n")},
		"step1.md": {Data: []byte("# Files\n\n```\nssh node01 systemctl start kubelet; touch ~/" + probe + "/done\n```{{exec}}\n")},
		"verify1.sh": {Data: []byte("test -f /tmp/" + probe + " && test -f ~/" + probe + "/done || exit 1\n" +
			"for i in $(seq 1 100); do kubectl get node node01 | grep -qw Ready && exit 0; sleep 3; done; exit 1\n")},
	}
	sc, err := killercoda.Load(fsys, "hosts", "hosts")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, err := sim.New(SpecFor(sc.Topology), sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	env, err := New(c, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	start := c.Clock.Now()
	var out strings.Builder
	res, err := killercoda.Test(context.Background(), sc, env, &out, killercoda.TestConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("scenario failed:\n%s", out.String())
	}
	// The failing verify before the block polled for 5 minutes of cluster
	// time.
	if d := c.Clock.Now().Sub(start); d < 5*time.Minute {
		t.Errorf("the cluster's clock moved %v, want the verify's sleeps (5m+)", d)
	}
	for _, p := range []string{filepath.Join(os.TempDir(), probe), "/tmp/" + probe, filepath.Join(home, probe)} {
		if _, err := os.Stat(p); err == nil {
			os.RemoveAll(p)
			t.Errorf("a scenario script wrote %s on the user's machine", p)
		}
	}
}

func TestPromptSSH(t *testing.T) {
	dir := t.TempDir()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	env, err := New(c, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	var out strings.Builder
	code, err := env.Run(context.Background(), "ssh w1 systemctl is-active kubelet", &out, &out)
	if err != nil || code != 0 || out.String() != "active\n" {
		t.Fatalf("ssh w1 systemctl is-active kubelet: %d %v %q", code, err, out.String())
	}
}
