package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kubesim/sim"
)

// TestShellInterrupt: Ctrl-C at the prompt starts a new prompt line and
// leaves the shell running; during a command it ends that command only.
// Leaving asks before the cluster is deleted.
func TestShellInterrupt(t *testing.T) {
	env, cleanup, err := newLocal(sim.DefaultClusterSpec(), time.Now().UTC().Truncate(time.Second), true)
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

	for answer, keep := range map[string]bool{"\n": true, "y\n": false, "Yes\n": false, "n\n": true, "No\n": true} {
		ch := make(chan string, 1)
		ch <- answer
		var o bytes.Buffer
		if got := askKeep(ch, &o); got != keep || o.String() != "Delete the cluster? [y/N] " {
			t.Errorf("answer %q: keep %v, printed %q", answer, got, o.String())
		}
	}
	closed := make(chan string)
	close(closed)
	if !askKeep(closed, io.Discard) {
		t.Error("no answer at all (the terminal gone): the cluster was not kept")
	}
}

// TestShellExec: kubectl exec at the practice prompt reaches the pod (it
// used to dial kubesim.invalid through DNS and fail).
func TestShellExec(t *testing.T) {
	env, cleanup, err := newLocal(sim.DefaultClusterSpec(), time.Now().UTC().Truncate(time.Second), true)
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

// lockedBuffer is a bytes.Buffer written by a child process's copier
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShellWatch: kubectl get -w at the prompt runs until Ctrl-C, on the
// wall clock. It used to end by itself after about 4 s: the stepped
// cluster ran its timers up to the watch's 1800 s timeout as fast as it
// could, and the cluster came out half an hour older. In process, Ctrl-C
// during the watch would also have exited the whole prompt (kubectl's own
// SIGINT handler); now kubectl is a child process and only it ends.
func TestShellWatch(t *testing.T) {
	env, cleanup, err := newLocal(sim.DefaultClusterSpec(), time.Now().UTC().Truncate(time.Second), true)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		code, _ := env.Run(ctx, "kubectl get ns -w", &out, &errOut)
		done <- code
	}()
	// Bounded wait for the watch to list (the child process starts and
	// loads the kubectl code first).
	bound := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "kube-system") {
		select {
		case code := <-done:
			t.Fatalf("kubectl get -w ended before listing: exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
		case <-bound:
			t.Fatalf("kubectl get -w listed nothing in 2 minutes\nstderr:\n%s", errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	wall, virt := time.Now(), env.Cluster.Clock.Now()
	select {
	case code := <-done:
		t.Fatalf("kubectl get -w ended by itself: exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	case <-time.After(5 * time.Second):
	}
	moved, took := env.Cluster.Clock.Now().Sub(virt), time.Since(wall)
	if moved > took+2*time.Second {
		t.Errorf("while the watch waited %v, the cluster's clock moved %v", took, moved)
	}
	cancel() // Ctrl-C
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end kubectl get -w")
	}
}

// TestShellScriptNeverAsks: kubesim shell with a script on stdin (no
// terminal) runs it at kubesim's own prompt, never asks about the cluster
// and deletes it.
func TestShellScriptNeverAsks(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	root := newRoot()
	var out bytes.Buffer
	root.SetArgs([]string{"shell"})
	root.SetIn(strings.NewReader("kubectl get ns default -o name\n"))
	root.SetOut(&out)
	root.SetErr(&out)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Contains(got, "Delete the") || !strings.Contains(got, "namespace/default\n") {
		t.Errorf("output:\n%s", got)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}
