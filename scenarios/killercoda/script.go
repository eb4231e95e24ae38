package killercoda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"kubesim/scenarios"
)

// Bash is the shell scripts run in.
const Bash = "/bin/bash"

// maxScriptBytes bounds a script passed to bash -c (Linux limits one
// argument to 128 KiB).
const maxScriptBytes = 120 << 10

// ScriptResult is how one script run ended.
type ScriptResult struct {
	// What says what ran: "verify script step1/verify.sh", "exec 2", …
	What     string
	ExitCode int
	// TimedOut: the time limit was reached and the script's process group
	// was killed.
	TimedOut bool
	Timeout  time.Duration
	// Err is a failure to run the script at all (no bash, canceled, …).
	Err error
	// Tail is the end of what the script printed (stdout and stderr).
	Tail string
}

// OK reports whether the script ran and exited 0.
func (r ScriptResult) OK() bool { return r.Err == nil && !r.TimedOut && r.ExitCode == 0 }

// Describe says in one line how the script ended, with the last line it
// printed.
func (r ScriptResult) Describe() string {
	s := r.Summary()
	if last := lastLine(r.Tail); last != "" {
		s += ": " + last
	}
	return s
}

// Summary says how the script ended, without its output.
func (r ScriptResult) Summary() string {
	var s string
	switch {
	case r.TimedOut:
		s = fmt.Sprintf("%s did not finish within %v; its process group was killed", r.What, r.Timeout)
	case r.Err != nil:
		s = fmt.Sprintf("%s could not run: %v", r.What, r.Err)
	case r.ExitCode == 0:
		s = r.What + " exited 0"
	default:
		s = fmt.Sprintf("%s exited with status %d%s", r.What, r.ExitCode, exitHint(r.ExitCode))
	}
	return s
}

func exitHint(code int) string {
	switch code {
	case 2:
		return " (bash uses 2 for a syntax error or a misused builtin)"
	case 126:
		return " (a command was found but could not be run)"
	case 127:
		return " (a command was not found: is it on the scripts' PATH?)"
	}
	if code > 128 && code < 160 {
		return fmt.Sprintf(" (killed by signal %d)", code-128)
	}
	return ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n\r\t "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return t
		}
	}
	return ""
}

// scriptRunner runs bash scripts with the cluster's script environment:
// on the cluster's hosts when the Env has them, else in the user's bash.
type scriptRunner struct {
	env     []string
	dir     string
	timeout time.Duration
	hosts   scenarios.Hosts
}

// HostScriptBudget is the virtual time a script may take on a host: its
// sleeps cost no wall time, so a verify that polls for minutes passes in
// milliseconds; one that never ends is killed there.
const HostScriptBudget = time.Hour

// runOnHost runs body on the Env's control plane host.
func (r scriptRunner) runOnHost(ctx context.Context, what, name, body string, out io.Writer) ScriptResult {
	res := ScriptResult{What: what, Timeout: HostScriptBudget}
	tail := &tailBuffer{max: 4096}
	w := io.Writer(tail)
	if out != nil {
		w = io.MultiWriter(out, tail)
	}
	code, timedOut, err := r.hosts.RunOnHost(ctx, "", name, body, w, HostScriptBudget)
	res.Tail = tail.String()
	switch {
	case err != nil:
		res.Err = err
	case ctx.Err() != nil:
		res.Err = ctx.Err()
	case timedOut:
		res.TimedOut = true
	default:
		res.ExitCode = code
	}
	return res
}

// run runs body in bash (as `bash -c BODY NAME`, so $0 is the script's
// name), in its own process group, with stdin empty and stdout and stderr
// both going to out (nil: nowhere). When the time limit passes or ctx is
// canceled, the whole process group is killed; it is also killed when bash
// exits, so nothing a script left running in the background survives it.
func (r scriptRunner) run(ctx context.Context, what, name, body string, out io.Writer) ScriptResult {
	if r.hosts != nil {
		return r.runOnHost(ctx, what, name, body, out)
	}
	res := ScriptResult{What: what, Timeout: r.timeout}
	if len(body) > maxScriptBytes {
		res.Err = fmt.Errorf("script is %d bytes, more than bash -c accepts (%d)", len(body), maxScriptBytes)
		return res
	}
	tctx := ctx
	cancel := func() {}
	if r.timeout > 0 {
		tctx, cancel = context.WithTimeout(ctx, r.timeout)
	}
	defer cancel()

	tail := &tailBuffer{max: 4096}
	w := io.Writer(tail)
	if out != nil {
		w = io.MultiWriter(out, tail)
	}
	cmd := exec.CommandContext(tctx, Bash, "-c", body, name)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 500 * time.Millisecond
	if err := cmd.Start(); err != nil {
		res.Err = err
		return res
	}
	err := cmd.Wait()
	// Whatever the script started in the background goes with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res.Tail = tail.String()
	switch {
	case ctx.Err() != nil:
		res.Err = ctx.Err()
	case tctx.Err() != nil:
		res.TimedOut = true
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			res.ExitCode = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				res.ExitCode = 128 + int(ws.Signal())
			}
		} else if !errors.Is(err, exec.ErrWaitDelay) {
			res.Err = err
		}
	}
	return res
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
