package hosts

import (
	"strings"
	"testing"
	"time"
)

// TestCrictlKeepsExited: after a restart the previous instance stays
// Exited (attempt 0) beside the new one (attempt 1), and crictl logs reads
// it, as the kubelet's garbage collector keeps one dead container per
// container; a second restart removes the first.
func TestCrictlKeepsExited(t *testing.T) {
	c, hs := newCluster(t)
	out, _, _ := run(t, hs, "m", "crictl ps --name kube-scheduler -q")
	id := strings.TrimSpace(out)[:13]
	run(t, hs, "m", "crictl stop "+id)
	c.Advance(time.Minute)
	out, errs, code := run(t, hs, "m", "crictl ps -a --name kube-scheduler")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(out, id) {
		t.Fatalf("crictl ps -a after a restart: %d %q\n%s", code, errs, out)
	}
	for i, want := range [][2]string{{"Running", "1"}, {"Exited", "0"}} {
		f := strings.Fields(lines[1+i])
		if len(f) < 9 || !strings.Contains(lines[1+i], want[0]) || f[len(f)-3] != want[1] {
			t.Errorf("row %d: %q, want %s with attempt %s", i+1, lines[1+i], want[0], want[1])
		}
	}
	if _, errs, code := run(t, hs, "m", "crictl logs "+id); code != 0 {
		t.Errorf("crictl logs of the exited container: %d %q", code, errs)
	}
	out, _, _ = run(t, hs, "m", "crictl ps --name kube-scheduler -q")
	run(t, hs, "m", "crictl stop "+strings.TrimSpace(out)[:13])
	c.Advance(time.Minute)
	out, _, _ = run(t, hs, "m", "crictl ps -a --name kube-scheduler")
	if n := strings.Count(out, "\n"); n != 3 || strings.Contains(out, id) {
		t.Errorf("after a second restart, want the new one and the last exited one:\n%s", out)
	}
}
