package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kubesim/internal/kubectl"
	"kubesim/internal/verbs"
	"kubesim/sim"
)

// TestResume: a cluster reopened from its state file keeps its pods
// running: they answer exec and curl, and new pods get scheduled.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k1"))
	var out, errb bytes.Buffer
	k.Run([]string{"run", "pre", "--image", "httpd:2.4"}, nil, &out, &errb)
	c.Advance(time.Minute)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o, e, code, err := c.Node("w2.example.com").Exec("default", "pre", "pre", []string{"echo", "hi"})
	if err != nil || code != 0 || o != "hi\n" {
		t.Errorf("exec in the adopted pod: %q %q %d %v", o, e, code, err)
	}
	out.Reset()
	verbs.Run(context.Background(), c, "curl", []string{"-s", "http://10.244.2.2"}, &out, &errb)
	if !strings.Contains(out.String(), "It works!") {
		t.Errorf("curl the adopted pod: %q %q", out.String(), errb.String())
	}
	k2, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k2"))
	k2.Run([]string{"run", "web", "--image", "httpd:2.4"}, nil, &out, &errb)
	c.Advance(time.Minute)
	out.Reset()
	k2.Run([]string{"get", "pod", "web", "-o", "jsonpath={.status.phase}"}, nil, &out, &errb)
	if out.String() != "Running" {
		t.Errorf("new pod after resume: phase %q", out.String())
	}
}
