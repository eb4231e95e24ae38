package hosts

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestKubectlArgs: on a host, kubectl's -f names a host file only where it
// is kubectl's own --filename: not after "--" (the command exec runs) and
// not in logs (--follow); a pipe into `kubectl apply -f -` from another
// kubectl completes although kubectl runs one at a time.
func TestKubectlArgs(t *testing.T) {
	_, hs := newCluster(t)
	var mu sync.Mutex // one kubectl at a time, as the in-process one
	var calls [][]string
	var applied string
	kubectl := func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, args)
		if args[0] == "create" {
			io.WriteString(stdout, "kind: ConfigMap\n")
		}
		if args[0] == "apply" {
			b, _ := io.ReadAll(stdin)
			applied = string(b)
		}
		return 0
	}
	cp := hs.ControlPlane()
	script := "kubectl exec p -- test -f /etc/x\n" +
		"kubectl logs -f p\n" +
		"kubectl create configmap c --dry-run=client -o yaml | kubectl apply -f -\n"
	done := make(chan int, 1)
	var out, errb strings.Builder
	go func() {
		code, err := hs.Run(context.Background(), cp, script, RunOptions{Stdout: &out, Stderr: &errb, Kubectl: kubectl})
		if err != nil {
			t.Error(err)
		}
		done <- code
	}()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errb.String())
		}
	case <-time.After(20 * time.Second): // a deadlock guard, not a timing
		t.Fatal("a kubectl pipeline on the host never finished")
	}
	mu.Lock()
	defer mu.Unlock()
	want := [][]string{
		{"exec", "p", "--", "test", "-f", "/etc/x"},
		{"logs", "-f", "p"},
		{"create", "configmap", "c", "--dry-run=client", "-o", "yaml"},
		{"apply", "-f", "-"},
	}
	// The pipeline's two sides may call in either order.
	if len(calls) == 4 && calls[2][0] == "apply" {
		calls[2], calls[3] = calls[3], calls[2]
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("kubectl calls (-want +got):\n%s", diff)
	}
	if applied != "kind: ConfigMap\n" {
		t.Errorf("apply read %q", applied)
	}
}
