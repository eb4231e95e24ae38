package hosts

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/runtime/shell"
	"kubesim/sim/registry"
)

// KubectlFunc runs kubectl with args against the cluster (the caller's
// in-process kubectl), reading stdin.
type KubectlFunc func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// RunOptions are a shell's streams and what it may reach.
type RunOptions struct {
	Stdin          io.Reader // nil: empty
	Stdout, Stderr io.Writer
	// Env adds KEY=value variables to root's login environment.
	Env []string
	// Dir is the working directory ("": /root).
	Dir string
	// Name is $0 ("bash").
	Name string
	// Kubectl runs kubectl for the host's kubectl command; nil: kubectl
	// cannot reach the cluster.
	Kubectl KubectlFunc
	// Budget bounds the virtual time the script may take (0: one hour);
	// past it the script is killed (exit 137).
	Budget time.Duration
	// TimedOut, if set, is set when the budget ran out.
	TimedOut *bool
	// Arg0 is the script's $0 ("": the shell's name).
	Arg0 string
	// Session keeps the working directory from one run to the next on
	// the host (the lines of an interactive ssh, sent one at a time).
	Session bool
}

// Run runs script as root on host name with bash (the mvdan.cc/sh
// interpreter) over the host's filesystem: its sleeps advance the cluster's
// virtual clock. It returns the exit code; an unknown host is an error.
func (hs *Hosts) Run(ctx context.Context, name, script string, o RunOptions) (int, error) {
	h, ok := hs.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("ssh: Could not resolve hostname %s: Name or service not known", name)
	}
	up := true
	hs.c.Locked(func() {
		if k := hs.c.Node(h.Name); k != nil {
			up = k.MachineUp()
		}
	})
	if !up {
		return 0, fmt.Errorf("ssh: connect to host %s port 22: No route to host", name)
	}
	if hs.loadErr != nil {
		return 0, hs.loadErr
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	defer hs.saveAfterRun(o)
	if !o.Session {
		return h.run(ctx, script, o, time.Time{}), nil
	}
	if h.cwd == "" {
		h.cwd = "/root"
	}
	o.Dir = h.cwd
	code := h.run(ctx, "trap 'pwd >"+sessionCwd+"' EXIT\n"+script, o, time.Time{})
	hs.c.Locked(func() {
		if b, err := h.fs.ReadFile(sessionCwd); err == nil {
			h.cwd = strings.TrimSpace(string(b))
			h.fs.Remove(sessionCwd)
		}
	})
	return code, nil
}

// WriteFile writes a file on host name, creating its directories (a
// scenario's assets).
func (hs *Hosts) WriteFile(name, p string, data []byte, mode fs.FileMode) error {
	h, ok := hs.Lookup(name)
	if !ok {
		return fmt.Errorf("no host %q", name)
	}
	var err error
	hs.c.Locked(func() {
		if err = h.fs.MkdirAll(path.Dir(p), 0o755); err == nil {
			err = h.fs.WriteFile(p, data, mode)
		}
	})
	return err
}

// ControlPlane is the name of the first control plane's host.
func (hs *Hosts) ControlPlane() string {
	for _, n := range hs.order {
		if hs.hosts[n].ControlPlane {
			return n
		}
	}
	if len(hs.order) > 0 {
		return hs.order[0]
	}
	return ""
}

// sessionCwd is where an ssh session's shell leaves its directory.
const sessionCwd = "/run/.kubesim-ssh-cwd"

// Prompt is bash's root prompt on host name ("root@w1:~# ") in its
// session's directory.
func (hs *Hosts) Prompt(name string) string {
	h, ok := hs.Lookup(name)
	if !ok {
		return "# "
	}
	dir := h.cwd
	switch {
	case dir == "" || dir == "/root":
		dir = "~"
	case strings.HasPrefix(dir, "/root/"):
		dir = "~" + dir[len("/root"):]
	}
	return "root@" + h.Short() + ":" + dir + "# "
}

// run runs script on h and drives it to its end on the cluster's clock.
// Callers hold hs.mu. start is a calling shell's time (ssh from a host), or
// zero for the cluster's now.
func (h *Host) run(ctx context.Context, script string, o RunOptions, _ time.Time) int {
	c := h.hs.c
	if o.Name == "" {
		o.Name = "bash"
	}
	if o.Budget == 0 {
		o.Budget = time.Hour
	}
	dir := o.Dir
	if dir == "" {
		dir = "/root"
	}
	stdin := o.Stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	env := append([]string{"HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash", "HOSTNAME=" + h.Name, "LANG=C.UTF-8", "TERM=xterm",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin", "PWD=" + dir}, o.Env...)
	var p *shell.Process
	c.Locked(func() {
		h.syncManifests()
		h.syncPodLogs()
		p = shell.Start(shell.Config{
			FS: h.fs, Flavor: shell.Debian, Env: env, Dir: dir, Hostname: h.Name, IP: h.IP, PID: 2000 + h.index,
			Start: c.Clock.Now(), Stdin: stdin, Stdout: o.Stdout, Stderr: o.Stderr, Commands: h.commands(o),
		}, []string{o.Name, "-c", script, cmp.Or(o.Arg0, o.Name)})
	})
	deadline := c.Clock.Now().Add(o.Budget)
	for {
		st := p.Advance(c.Clock.Now())
		c.Do(func() {
			h.syncManifests()
			h.syncPodLogs()
		})
		if st.Exited {
			return st.Code
		}
		if ctx.Err() != nil {
			p.Kill()
			return 130
		}
		var wake time.Time
		switch {
		case !st.Wake.IsZero():
			wake = st.Wake
		case st.Parked:
			if next, ok := c.NextWake(); ok {
				wake = next
			}
		}
		if wake.IsZero() || wake.After(deadline) {
			if !deadline.Before(c.Clock.Now()) {
				c.AdvanceTo(deadline)
			}
			p.Kill()
			if o.TimedOut != nil {
				*o.TimedOut = true
			}
			return 137
		}
		c.AdvanceTo(wake)
	}
}

// lookupResource finds a core resource's storage.
func lookupResource(resource string) (*registry.Resource, bool) {
	return registry.Lookup(schema.GroupResource{Resource: resource})
}
