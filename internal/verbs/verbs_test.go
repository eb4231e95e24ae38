package verbs

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

func run(t *testing.T, c *sim.Cluster, verb string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb strings.Builder
	code := Run(context.Background(), c, verb, args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestVerbs: the verbs the CLI sends to a served cluster, on the lecture
// cluster: vagrant status as Vagrant prints it, explain-schedule of a
// static pod, a missing pod as kubectl says it, an unknown verb.
func TestVerbs(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	out, _, code := run(t, c, "vagrant", "status")
	want := "Current machine states:\n\n" +
		"w1.example.com            running (virtualbox)\n" +
		"w2.example.com            running (virtualbox)\n" +
		"m.example.com             running (virtualbox)\n\n" +
		"This environment represents multiple VMs. The VMs are all listed\nabove with their current state. For more information about a specific\nVM, run `vagrant status NAME`.\n"
	if diff := cmp.Diff(want, out); diff != "" || code != 0 {
		t.Errorf("vagrant status: exit %d (-want, +got):\n%s", code, diff)
	}

	out, _, code = run(t, c, "explain", "-n", "kube-system", "pod/etcd-m.example.com")
	if code != 0 || !strings.HasPrefix(out, "Pod kube-system/etcd-m.example.com: not scheduled: a static pod") {
		t.Errorf("explain etcd: exit %d, %q", code, out)
	}
	_, errOut, code := run(t, c, "explain", "nope")
	if code != 1 || errOut != "Error from server (NotFound): pods \"nope\" not found\n" {
		t.Errorf("explain nope: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := run(t, c, "frobnicate"); code != 2 || errOut != "unknown verb \"frobnicate\"\n" {
		t.Errorf("unknown verb: exit %d, stderr %q", code, errOut)
	}
}
