package chain

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runScript starts a container running argv and drives its process as the
// kubelet does, at each time it asks for, until it exits or until limit;
// it returns its log lines ("offset stream text") and exit (nil: running).
func runScript(t *testing.T, image string, cmd, args []string, limit time.Duration) ([]string, *int) {
	t.Helper()
	c, clk := newTestChain(t, Containerd)
	_, id := podRun(t, c, "web", image, cmd, args)
	if !c.Scripted(id) {
		t.Fatalf("%v %v: not a scripted process", cmd, args)
	}
	end := clk.Now().Add(limit)
	var code *int
	for {
		st, ok := c.Advance(id, clk.Now())
		if !ok {
			t.Fatal("Advance: no process")
		}
		if st.Exited {
			code = &st.Code
			break
		}
		if st.Wake.IsZero() || st.Wake.After(end) {
			break
		}
		clk.t = st.Wake
	}
	_, lines, err := c.ContainerLogs(id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range lines {
		out = append(out, l.Offset.String()+" "+string(l.Stream)+" "+l.Text)
	}
	return out, code
}

// TestScriptedProcess: a container's shell script runs in runtime/shell on
// the virtual clock; its output is logged at the time it is written, both
// streams, and it exits with the script's status (cases of the catalog's
// former timeline interpreter).
func TestScriptedProcess(t *testing.T) {
	code := func(n int) *int { return &n }
	tests := []struct {
		name      string
		ref       string
		cmd, args []string
		logs      []string
		exit      *int
	}{
		{"echo and sleep", "busybox", []string{"sh", "-c", "echo hi; sleep 3600"}, nil, []string{"0s stdout hi"}, nil},
		{"sleep 10 as args", "busybox", nil, []string{"sleep", "10"}, nil, code(0)},
		{"false", "busybox", []string{"false"}, nil, nil, code(1)},
		{"exit 3", "alpine", []string{"sh", "-c", "exit 3"}, nil, nil, code(3)},
		{"&& and ||", "busybox", []string{"sh", "-c", "false && echo no || echo yes"}, nil, []string{"0s stdout yes"}, code(0)},
		{"env and quotes", "busybox", []string{"sh", "-c", `echo "$GREETING, '$HOSTNAME'" '$NOT'`}, nil, []string{"0s stdout hello, 'web' $NOT"}, code(0)},
		{"while loop", "busybox", []string{"sh", "-c", "echo start; while true; do echo tick; sleep 5; done"}, nil,
			[]string{"0s stdout start", "0s stdout tick", "5s stdout tick", "10s stdout tick"}, nil},
		{"for loop and hostname", "busybox", []string{"sh", "-c", "for i in 1 2; do echo n=$i; sleep 1; done; echo $(hostname)"}, nil,
			[]string{"0s stdout n=1", "1s stdout n=2", "2s stdout web"}, code(0)},
		{"date uses the clock", "busybox", []string{"sh", "-c", "sleep 2; date"}, nil, []string{"2s stdout Tue May  2 10:00:02 UTC 2023"}, code(0)},
		{"stderr", "busybox", []string{"sh", "-c", "echo oops >&2; curl x"}, nil, []string{"0s stderr oops", "0s stderr sh: curl: not found"}, code(127)},
		{"unknown command in debian", "nginx", []string{"sh", "-c", "curl x"}, nil, []string{"0s stderr sh: 1: curl: not found"}, code(127)},
		{"counter", "busybox:1.28", nil, []string{"/bin/sh", "-c", `i=0; while [ $i -lt 3 ]; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done`},
			[]string{"0s stdout 0: Tue May  2 10:00:00 UTC 2023", "1s stdout 1: Tue May  2 10:00:01 UTC 2023", "2s stdout 2: Tue May  2 10:00:02 UTC 2023"}, code(0)},
		{"partial line at exit", "busybox", []string{"sh", "-c", "printf 'no newline'"}, nil, []string{"0s stdout no newline"}, code(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, exit := runScript(t, tt.ref, tt.cmd, tt.args, 12*time.Second)
			if diff := cmp.Diff(tt.logs, logs); diff != "" {
				t.Errorf("logs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.exit, exit); diff != "" {
				t.Errorf("exit (-want +got):\n%s", diff)
			}
		})
	}
}

// driveAll advances every scripted process of the chain to now, as the
// kubelet's timers would; it reports whether there was one.
func driveAll(c *Chain, now time.Time) bool {
	c.mu.Lock()
	ids := slices.Sorted(maps.Keys(c.containers))
	c.mu.Unlock()
	any := false
	for _, id := range ids {
		if c.Scripted(id) {
			c.Advance(id, now)
			any = true
		}
	}
	return any
}
