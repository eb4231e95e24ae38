package hosts

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/sim/registry"
)

// TestDrainMovesClock: a host script's kubectl drain waits, polling on the
// wall clock, for the pods it evicted to go; the host moves the virtual
// clock meanwhile, so they finish terminating and drain returns. The fake
// kubectl evicts a CoreDNS pod (30 s grace) and polls for it as drain does.
func TestDrainMovesClock(t *testing.T) {
	c, hs := newCluster(t)
	res, _ := lookupResource("pods")
	var name string
	c.Locked(func() {
		objs, _, _ := c.Registry.List(res, "kube-system", registry.ListOptions{Labels: labels.SelectorFromSet(labels.Set{"k8s-app": "kube-dns"})})
		if len(objs) == 0 {
			t.Fatal("no CoreDNS pod")
		}
		name = objs[0].(*corev1.Pod).Name
	})
	gone := func() bool {
		ok := false
		c.Locked(func() {
			_, err := c.Registry.Get(res, "kube-system", name)
			ok = err != nil
		})
		return ok
	}
	kubectl := func(args []string, _ io.Reader, stdout, _ io.Writer) int {
		c.Do(func() { c.Registry.Delete(res, "kube-system", name, nil) })
		io.WriteString(stdout, "evicting pod kube-system/"+name+"\n")
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if gone() {
				io.WriteString(stdout, "pod/"+name+" evicted\n")
				return 0
			}
		}
		return 1 // what drain without the host's clock would do: wait on
	}
	start := c.Clock.Now()
	var out strings.Builder
	code, err := hs.Run(context.Background(), "m", "kubectl drain w1.example.com --ignore-daemonsets", RunOptions{Stdout: &out, Stderr: &out, Kubectl: kubectl})
	if err != nil || code != 0 {
		t.Fatalf("drain: exit %d, %v\n%s", code, err, out.String())
	}
	if d := c.Clock.Now().Sub(start); d < time.Second || d > 2*time.Minute {
		t.Errorf("the drain took %v of cluster time, want the pod's termination (about its 30 s grace)", d)
	}
}
