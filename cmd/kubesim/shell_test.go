package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"kubesim/sim"
)

// TestShellInterrupt: Ctrl-C at the prompt starts a new prompt line and
// leaves the shell running; during a command it ends that command only.
// Leaving asks before the cluster is deleted.
func TestShellInterrupt(t *testing.T) {
	env, cleanup, err := newLocal(sim.DefaultClusterSpec(), time.Now().UTC().Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	lines := make(chan string)
	intr := make(chan os.Signal)
	var out, errOut bytes.Buffer
	done := make(chan error)
	go func() { done <- shellLoop(env, lines, &out, &errOut, intr) }()
	intr <- os.Interrupt // at the prompt
	start := time.Now()
	lines <- "sleep 30; echo finished\n"
	intr <- os.Interrupt // during the command
	lines <- "kubectl get ns default --no-headers -o name\n"
	close(lines)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the interrupted command ran for %v", d)
	}
	got := out.String()
	if strings.Contains(got, "finished") || !strings.Contains(got, "namespace/default\n") || strings.Count(got, "[vagrant@m ~]$ ") != 4 {
		t.Errorf("shell output:\n%s\nstderr:\n%s", got, errOut.String())
	}

	for answer, keep := range map[string]bool{"\n": false, "y\n": false, "n\n": true, "No\n": true} {
		ch := make(chan string, 1)
		ch <- answer
		var o bytes.Buffer
		if got := askKeep(ch, &o); got != keep || o.String() != "Delete the practice cluster? [Y/n] " {
			t.Errorf("answer %q: keep %v, printed %q", answer, got, o.String())
		}
	}
}

// TestShellExec: kubectl exec at the practice prompt reaches the pod (it
// used to dial kubesim.invalid through DNS and fail).
func TestShellExec(t *testing.T) {
	env, cleanup, err := newLocal(sim.DefaultClusterSpec(), time.Now().UTC().Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	var out, errOut bytes.Buffer
	env.Run(t.Context(), "kubectl run web --image httpd:2.4", &out, &errOut)
	env.Advance(time.Minute)
	out.Reset()
	code, err := env.Run(t.Context(), "kubectl exec web -- cat /usr/local/apache2/htdocs/index.html", &out, &errOut)
	if err != nil || code != 0 || strings.Contains(errOut.String(), "kubesim.invalid") || !strings.Contains(out.String(), "It works!") {
		t.Errorf("kubectl exec: exit %d, %v\nstdout:\n%s\nstderr:\n%s", code, err, out.String(), errOut.String())
	}
}
