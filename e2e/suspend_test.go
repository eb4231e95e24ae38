package e2e

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kubesim/internal/kubectl"
	"kubesim/sim"
)

// reopen closes c and opens its state again as `kubesim start` does after
// `kubesim stop`: the wall clock (Start) has moved on by gap, and the time
// the cluster stopped at is handed back (ResumeAt) unless crashed.
func reopen(t *testing.T, c *sim.Cluster, state string, gap time.Duration, crashed bool) *sim.Cluster {
	t.Helper()
	stopped := c.Clock.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	opts := sim.Options{Dir: state, NoSync: true, Start: stopped.Add(gap)}
	if !crashed {
		opts.ResumeAt = stopped
	}
	c, err := sim.New(sim.DefaultClusterSpec(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !crashed && !c.Clock.Now().Equal(stopped) {
		t.Errorf("resumed at %v, stopped at %v: the gap became cluster time", c.Clock.Now(), stopped)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func run(t *testing.T, k *kubectl.Runner, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := k.Run(args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("kubectl %v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

// TestStopStartSuspends: an hour between stop and start is no cluster
// time: the nodes stay Ready and no pod is evicted, five minutes later or
// an hour later.
func TestStopStartSuspends(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k1"))
	run(t, k, "create", "deployment", "web", "--image=httpd:2.4", "--replicas=2")
	c.Advance(time.Minute)
	before := run(t, k, "get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}")
	for _, crashed := range []bool{false, true} {
		c = reopen(t, c, state, time.Hour, crashed)
		k, _ = kubectl.New(apiHandler(t, c), filepath.Join(dir, "k2"))
		for _, d := range []time.Duration{0, 6 * time.Minute, time.Hour} {
			c.Advance(d)
			nodes := run(t, k, "get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}")
			want := "m.example.com True\nw1.example.com True\nw2.example.com True\n"
			if nodes != want {
				t.Errorf("crashed=%v, %v after resume: nodes\n%s want\n%s", crashed, d, nodes, want)
			}
			if got := run(t, k, "get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}"); got != before {
				t.Errorf("crashed=%v, %v after resume: pods\n%s want\n%s", crashed, d, got, before)
			}
		}
	}
}

// TestStopMidPull: a pod whose image pull was in progress at stop (graceful
// or crash) runs after start; the pull goes on where it was (one Pulling
// event) and ends when it would have without the stop.
func TestStopMidPull(t *testing.T) {
	for _, crashed := range []bool{false, true} {
		dir := t.TempDir()
		state := filepath.Join(dir, "state")
		c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k1"))
		run(t, k, "run", "web", "--image=nginx")
		// Step until the pull has begun (bounded: virtual seconds).
		pulling := false
		for i := 0; i < 30 && !pulling; i++ {
			c.Advance(time.Second)
			reasons := run(t, k, "get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}")
			pulling = strings.Contains(reasons, "Pulling") && !strings.Contains(reasons, "Pulled")
		}
		if !pulling {
			t.Fatalf("crashed=%v: never caught the pull in progress", crashed)
		}
		c = reopen(t, c, state, time.Hour, crashed)
		k, _ = kubectl.New(apiHandler(t, c), filepath.Join(dir, "k2"))
		c.Advance(2 * time.Minute)
		if got := run(t, k, "get", "pod", "web", "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].ready}"); got != "Running true" {
			t.Errorf("crashed=%v: after start the pod is %q, want Running true", crashed, got)
		}
		reasons := run(t, k, "get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}")
		if n := strings.Count(reasons, "Pulling"); n != 1 {
			t.Errorf("crashed=%v: %d Pulling events (%s), want 1: the pull resumes, it does not start again", crashed, n, reasons)
		}
	}
}

// TestStopStartKeepsHaltedNode: a node powered off (vagrant halt) before
// the stop is still off after the start: NotReady, its lease not renewed,
// until it is started.
func TestStopStartKeepsHaltedNode(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.HaltNode("w1.example.com"); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * time.Minute)
	readiness := `jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`
	for _, crashed := range []bool{false, true} {
		c = reopen(t, c, state, time.Hour, crashed)
		k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k"))
		c.Advance(time.Minute)
		want := "m.example.com True\nw1.example.com Unknown\nw2.example.com True\n"
		if got := run(t, k, "get", "nodes", "-o", readiness); got != want {
			t.Errorf("crashed=%v: after start:\n%s want\n%s", crashed, got, want)
		}
	}
	if err := c.StartNode("w1.example.com"); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k3"))
	if got := run(t, k, "get", "nodes", "-o", readiness); got != "m.example.com True\nw1.example.com True\nw2.example.com True\n" {
		t.Errorf("after vagrant up: %s", got)
	}
}
