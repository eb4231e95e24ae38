package scenarios

import (
	"context"
	"io"
	"io/fs"
	"time"
)

// Env is what a scenario or a transcript needs from a running cluster. The
// cluster side (cmd/kubesim, sim) implements it; this package and its
// subpackages only call it.
//
// Concurrency: Play may run a scenario's background script (real bash, which
// reaches the cluster through the ScriptEnv shims) while the learner types
// commands that go to Run, so an implementation must accept calls from
// scripts and from Run at the same time. Run, Advance and Directive
// themselves are called from one goroutine only, never concurrently.
type Env interface {
	// Run runs one shell-like command line the way the practice shell does
	// (kubectl, k, curl, vagrant, …), writing what the command prints to
	// stdout and stderr, and returns the command's exit code. A non-nil
	// error means the environment itself failed (not the command): callers
	// stop on it. Run lets the cluster finish the work that is due now but
	// does not move the virtual clock — only Advance does — so that the ages
	// a transcript shows are exactly the sum of its advances (a pod created
	// by "kubectl run" is 2m22s old after "advance 2m22s").
	Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error)

	// Advance moves the cluster's virtual clock forward by d and lets the
	// cluster settle. Advance(0) only settles.
	Advance(d time.Duration) error

	// Directive handles a transcript directive the runner does not handle
	// itself: "halt", "start" and "restart-node" (args: one node name) in
	// this version. An unknown name is an error.
	Directive(name string, args []string) error

	// ScriptEnv returns the environment ("KEY=value" entries) for real bash
	// scripts (verify, background, foreground and {{exec}} blocks): a PATH
	// on which kubectl, k and curl (and, for the built-in lecture, vagrant)
	// reach the cluster, KUBECONFIG and so on. The runners use it as given,
	// except HOME: scripts get the scenario's work directory as their home
	// (killercoda's /root), which is also their working directory.
	ScriptEnv() []string
}

// Hosts is implemented by an Env whose nodes are machines (package hosts):
// a scenario's scripts and {{exec}} blocks run there, as root on a node's
// host in its shell, rather than in the user's bash. Their files are the
// host's, never the user's, and their sleeps move the cluster's virtual
// clock.
type Hosts interface {
	// RunOnHost runs script as `bash -c script name` on host ("": the
	// first control plane), stdout and stderr to out, within budget of
	// virtual time; timedOut reports that the budget ran out and the
	// script was killed. err is for an unknown host.
	RunOnHost(ctx context.Context, host, name, script string, out io.Writer, budget time.Duration) (code int, timedOut bool, err error)
	// PutHostFile writes a file on host (a scenario's assets).
	PutHostFile(host, path string, data []byte, mode fs.FileMode) error
	// ScratchDir is a directory of the Env's own (below its state) for
	// the runner's files (the background log).
	ScratchDir() string
}
