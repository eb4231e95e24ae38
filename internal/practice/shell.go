package practice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/shell"
	"mvdan.cc/sh/v3/syntax"

	"kubesim/dashboard"
	"kubesim/hosts"
	"kubesim/internal/kubectl"
	"kubesim/internal/verbs"
	"kubesim/server"
	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// Env runs commands against one cluster. It implements scenarios.Env.
type Env struct {
	Cluster *sim.Cluster
	Kubectl *kubectl.Runner
	// Binary is the kubesim executable the script shims call; empty
	// disables real-bash scripts.
	Binary string
	// Pace, if set, makes the cluster's time follow the wall clock: a
	// learner at a terminal. There kubectl runs as a child process of
	// Binary (as in a real shell), so that Ctrl-C ends it alone: in
	// process, the SIGINT handler kubectl installs while it watches or
	// waits (get -w, logs -f, delete, wait, rollout status) would exit
	// the whole prompt.
	Pace *Pace
	// Verbs, if set, answers the CLI's verbs on the cluster's endpoint
	// (kubesim curl, ssh, ... from scripts and the practice shell) in
	// place of verbs.Run: scenario play adds the scenario's commands. Set
	// it before the endpoint starts (the first script, Shell).
	Verbs server.Verbs

	dir    string
	once   sync.Once
	served *server.Served
	// page is the scenario page the dashboard shows (FollowScenario).
	page    atomic.Pointer[dashboard.PageSource]
	shimErr error
}

// New returns an Env over c, with its files (kubeconfig, caches, shims) in dir.
func New(c *sim.Cluster, dir, binary string) (*Env, error) {
	api, err := apiserver.ForCluster(c)
	if err != nil {
		return nil, err
	}
	k, err := kubectl.New(api, filepath.Join(dir, "kubectl"))
	if err != nil {
		return nil, err
	}
	// While the control plane's kube-apiserver does not serve, kubectl is
	// refused as on a real cluster.
	k.SetRefuse(func() bool {
		up := true
		c.Locked(func() { up = c.APIServing() })
		return !up
	})
	if c.Spec.Bare {
		// Bare machines: the hosts are there from the start, and with
		// them the API's gate, closed until kubeadm init.
		hosts.For(c)
	}
	return &Env{Cluster: c, Kubectl: k, Binary: binary, dir: dir}, nil
}

// Dir is the folder of the Env's files (the cluster's state is in state/).
func (e *Env) Dir() string { return e.dir }

// Close stops the script endpoint, if one was started.
func (e *Env) Close() error {
	if e.served != nil {
		return e.served.Close()
	}
	return nil
}

// Run runs one command line. Lines with shell syntax (pipes, redirections,
// variables, &&) go through real bash with the script environment.
func (e *Env) Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return 0, nil
	}
	if strings.ContainsAny(line, "|&;<>$`(){}*") {
		return e.bash(ctx, line, stdout, stderr)
	}
	args, err := SplitWords(line)
	if err != nil {
		fmt.Fprintf(stderr, "bash: %v\n", err)
		return 2, nil
	}
	return e.Exec(ctx, args, stdout, stderr), nil
}

// Exec runs one command given as words.
func (e *Env) Exec(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return 0
	}
	switch args[0] {
	case "kubectl", "k":
		args = e.catalogFiles(args)
		if e.Pace != nil && e.Binary != "" {
			return e.childKubectl(ctx, args[1:], stdout, stderr)
		}
		if streams(args[1:]) {
			return e.streamKubectl(args[1:], stdout, stderr)
		}
		return e.Kubectl.Run(args[1:], nil, stdout, stderr)
	case "curl":
		return verbs.Run(ctx, e.Cluster, "curl", args[1:], stdout, stderr)
	case "vagrant":
		return verbs.Vagrant(e.Cluster, args[1:], stdout, stderr)
	case "ssh":
		return e.ssh(ctx, args[1:], stdout, stderr)
	case "kubesim":
		if len(args) > 1 && args[1] == "kubectl" {
			return e.Exec(ctx, append([]string{"kubectl"}, args[2:]...), stdout, stderr)
		}
		if len(args) > 1 && args[1] == "explain-schedule" {
			return verbs.Run(ctx, e.Cluster, "explain", args[2:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "%s: command not found\n", args[0])
	return 127
}

// streams reports whether a kubectl command upgrades its connection (exec,
// attach, port-forward, cp): client-go dials those itself, around the
// in-memory transport, so they would look kubesim.invalid up in DNS.
func streams(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		switch a {
		case "exec", "attach", "port-forward", "cp":
			return true
		}
		return false
	}
	return false
}

// streamKubectl runs kubectl against the cluster's loopback HTTPS endpoint
// (the one scripts use), where upgraded connections are real ones.
func (e *Env) streamKubectl(args []string, stdout, stderr io.Writer) int {
	e.once.Do(func() { e.shimErr = e.startShims() })
	if e.served == nil {
		fmt.Fprintf(stderr, "error: kubectl %s needs the cluster's HTTPS endpoint: %v\n", args[0], e.shimErr)
		return 1
	}
	r := kubectl.NewRemote(filepath.Join(e.dir, "kubeconfig"), filepath.Join(e.dir, "kubectl-remote"))
	return r.Run(args, nil, stdout, stderr)
}

// Advance implements scenarios.Env.
func (e *Env) Advance(d time.Duration) error {
	if e.Pace != nil {
		e.Pace.Advance(d)
		return nil
	}
	e.Cluster.Advance(d)
	return nil
}

// CatchUp brings a paced cluster's time up to the wall clock (the prompt
// calls it before each command); without a Pace it does nothing.
func (e *Env) CatchUp() {
	if e.Pace != nil {
		e.Pace.CatchUp()
	}
}

// childKubectl runs `Binary kubectl args` against the cluster's loopback
// HTTPS endpoint, as the script shims do; ctx's end kills it.
func (e *Env) childKubectl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e.once.Do(func() { e.shimErr = e.startShims() })
	if e.served == nil {
		fmt.Fprintf(stderr, "error: the cluster's HTTPS endpoint: %v\n", e.shimErr)
		return 1
	}
	cmd := exec.CommandContext(ctx, e.Binary, append([]string{"kubectl"}, args...)...)
	cmd.Env = append(os.Environ(),
		"KUBECONFIG="+filepath.Join(e.dir, "kubeconfig"),
		"KUBESIM_STATE="+filepath.Join(e.dir, "state"),
	)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "kubectl: %v\n", err)
		return 126
	}
	return 0
}

// Directive implements scenarios.Env: halt, start and restart-node.
func (e *Env) Directive(name string, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s: want one node name, got %d arguments", name, len(args))
	}
	switch name {
	case "halt":
		return e.Cluster.HaltNode(args[0])
	case "start":
		return e.Cluster.StartNode(args[0])
	case "restart-node":
		return e.Cluster.RestartNode(args[0])
	}
	return fmt.Errorf("unknown directive %q", name)
}

// ScriptEnv implements scenarios.Env: PATH starts with shims for kubectl, k,
// curl and vagrant that reach this cluster over loopback HTTPS.
func (e *Env) ScriptEnv() []string {
	e.once.Do(func() { e.shimErr = e.startShims() })
	env := []string{"HOME=" + filepath.Join(e.dir, "home"), "TERM=dumb", "LANG=C.UTF-8"}
	if e.shimErr != nil {
		return append(env, "PATH="+os.Getenv("PATH"))
	}
	return append(env,
		"PATH="+filepath.Join(e.dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"KUBECONFIG="+filepath.Join(e.dir, "kubeconfig"),
		"KUBESIM_STATE="+filepath.Join(e.dir, "state"),
	)
}

func (e *Env) startShims() error {
	if e.Binary == "" {
		return errors.New("no kubesim binary for script shims")
	}
	state := filepath.Join(e.dir, "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		return err
	}
	v := e.Verbs
	if v == nil {
		v = verbs.Run
	}
	s, err := server.Serve(e.Cluster, state, v)
	if err != nil {
		return err
	}
	e.served = s
	if e.Pace != nil {
		s.ShiftBy(e.Pace.Lead)
	}
	if p := e.page.Load(); p != nil {
		s.SetPage(*p)
	}
	if err := server.WriteRuntimeFiles(state, os.Getpid(), s.Addr); err != nil {
		return err
	}
	if err := server.WriteContext(filepath.Join(e.dir, "kubeconfig"), "kubesim", s.Addr, s.Creds); err != nil {
		return err
	}
	bin := filepath.Join(e.dir, "bin")
	os.MkdirAll(bin, 0o755)
	os.MkdirAll(filepath.Join(e.dir, "home"), 0o755)
	shims := map[string]string{
		"kubectl": fmt.Sprintf("#!/bin/sh\nexec %q kubectl \"$@\"\n", e.Binary),
		"k":       fmt.Sprintf("#!/bin/sh\nexec %q kubectl \"$@\"\n", e.Binary),
		"curl":    fmt.Sprintf("#!/bin/sh\nexec %q curl \"$@\"\n", e.Binary),
		"vagrant": fmt.Sprintf("#!/bin/sh\nexec %q vagrant \"$@\"\n", e.Binary),
		"ssh":     fmt.Sprintf("#!/bin/sh\nexec %q ssh \"$@\"\n", e.Binary),
	}
	for name, body := range shims {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	return nil
}

func (e *Env) bash(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	cmd := bashCommand(ctx, line)
	cmd.Env = e.ScriptEnv()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// bashCommand is `bash -c line` in a process group of its own, which
// ctx's end kills whole: killing bash alone would leave its children
// (sleep 30) holding the output pipe, and Wait waiting for them.
func bashCommand(ctx context.Context, line string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/bash", "-c", line)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	return cmd
}

// SplitWords splits a command line into words as a POSIX shell does
// (mvdan.cc/sh, the shell the containers run): quotes and backslashes are
// removed; no variable is set. An unterminated quote is bash's error.
func SplitWords(s string) ([]string, error) {
	words, err := shell.Fields(s, func(string) string { return "" })
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		if q, ok := strings.CutPrefix(pe.Text, "reached EOF without closing quote `"); ok {
			return nil, fmt.Errorf("unexpected EOF while looking for matching `%s'", strings.TrimSuffix(q, "`"))
		}
	}
	return words, err
}
