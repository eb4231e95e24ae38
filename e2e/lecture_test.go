package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"kubesim/internal/practice"
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/transcript"
	"kubesim/sim"
)

// replay plays a transcript on a fresh cluster and returns what it printed.
func replay(t *testing.T, tr *transcript.Transcript) (string, error) {
	t.Helper()
	dir := t.TempDir()
	spec := sim.DefaultClusterSpec()
	if tr.Cluster != "" {
		var err error
		if spec, err = sim.NamedSpec(tr.Cluster); err != nil {
			t.Fatal(err)
		}
	}
	if tr.HasSeed {
		spec.Seed = uint64(tr.Seed)
	}
	c, err := sim.New(spec, sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		checkInvariants(t, c)
		c.Close()
	})
	env, err := practice.New(c, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = transcript.Replay(context.Background(), tr, env, &out)
	return out.String(), err
}

// TestLectureReplay: the lecture transcript passes, twice with the same bytes.
func TestLectureReplay(t *testing.T) {
	tr, err := builtin.Transcript("lecture-04")
	if err != nil {
		t.Fatal(err)
	}
	first, err := replay(t, tr)
	if err != nil {
		t.Fatalf("lecture replay: %v", err)
	}
	second, err := replay(t, tr)
	if err != nil {
		t.Fatalf("second lecture replay: %v", err)
	}
	if first != second {
		t.Errorf("two replays printed different bytes:\n%s\n---\n%s", first, second)
	}
	for _, want := range []string{"10.244.2.2   w2.example.com", "<html><body><h1>It works!</h1></body></html>", "1 (9h ago)"} {
		if !strings.Contains(first, want) {
			t.Errorf("replay output lacks %q", want)
		}
	}
}

// TestLectureReplayDetectsChange: one changed expected character fails
// with a diff that names the line.
func TestLectureReplayDetectsChange(t *testing.T) {
	src, err := builtin.TranscriptSource("lecture-04")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "10.244.2.2   w2.example.com", "10.244.2.3   w2.example.com", 1)
	tr, err := transcript.Parse("lecture-04.txt", strings.NewReader(changed))
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay(t, tr)
	if err == nil {
		t.Fatal("a changed expected output replayed without error")
	}
	for _, want := range []string{"lecture-04.txt:", "kubectl get pods -o wide", "-want +got", "10.244.2.3", "10.244.2.2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("mismatch report lacks %q:\n%s", want, err)
		}
	}
}
