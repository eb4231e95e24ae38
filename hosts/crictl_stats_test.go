package hosts

import (
	"strings"
	"testing"
)

// TestCrictlStats: crictl stats lists the node's running containers with
// the metrics model's CPU and working set (it printed only its header).
func TestCrictlStats(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", "crictl stats")
	if code != 0 {
		t.Fatalf("crictl stats: %d %s", code, errs)
	}
	var row []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 6 && f[1] == "kube-apiserver" {
			row = f
		}
	}
	if row == nil || row[2] != "4.20" || row[3] != "298.8MB" || row[4] != "12.29kB" || row[5] != "3" {
		t.Errorf("no kube-apiserver row as the metrics model has it (4.20 %% CPU, 298.8MB, go-units' 4 digits):\n%s", out)
	}
	if n := strings.Count(out, "\n"); n < 5 {
		t.Errorf("crictl stats on the control plane: %d lines, want the header and its static pods' containers:\n%s", n, out)
	}
}
