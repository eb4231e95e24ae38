package shell

import (
	"context"
	"io"
	"sort"
	"time"
)

// Command is a program of the machine the shell runs on that is not one of
// the busybox or coreutils applets: a node's systemctl, crictl or kubectl.
// It runs on the process's goroutine, like an applet, and must not block
// but through Cmd.Sleep.
type Command func(c *Cmd) int

// Cmd is one run of a Command.
type Cmd struct {
	Args   []string // Args[0] is the name it was called by
	Env    []string // the exported variables, KEY=value, sorted
	Dir    string   // working directory
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Ctx is canceled when the process is killed.
	Ctx  context.Context
	p    *Process
	call *call
}

// Exec runs args as the shell would run a simple command, with the
// command's streams, directory and environment (sudo, nohup): an applet,
// a Config.Commands entry or a program on PATH. It returns the exit code.
func (c *Cmd) Exec(args []string) int {
	if len(args) == 0 {
		return 0
	}
	sub := *c.call
	sub.args = args
	return c.p.execCall(&sub)
}

// Getenv returns an exported variable ("" when unset).
func (c *Cmd) Getenv(k string) string {
	for i := len(c.Env) - 1; i >= 0; i-- {
		if len(c.Env[i]) > len(k) && c.Env[i][:len(k)] == k && c.Env[i][len(k)] == '=' {
			return c.Env[i][len(k)+1:]
		}
	}
	return ""
}

// Now is the process's virtual time.
func (c *Cmd) Now() time.Time { return c.p.Now() }

// Sleep waits d of virtual time (the driver advances the clock meanwhile);
// an error means the process was killed.
func (c *Cmd) Sleep(d time.Duration) error { return c.p.sleep(d, nil) }

// Abs makes p absolute against the working directory.
func (c *Cmd) Abs(p string) string { return abs(c.Dir, p) }

// runCommand runs a Config.Commands entry for c.
func (p *Process) runCommand(cmd Command, c *call) int {
	p.impure.Add(1)
	return cmd(&Cmd{Args: c.args, Env: c.environ(), Dir: c.dir, Stdin: c.in, Stdout: c.out, Stderr: c.errw, Ctx: c.ctx, p: p, call: c})
}

// Applets lists the names the shell runs as busybox or coreutils applets,
// sorted: what a machine's /bin holds.
func Applets() []string {
	out := make([]string, 0, len(applets))
	for n := range applets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
