package practice

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"kubesim/hosts"
)

// RunOnHost implements scenarios.Hosts: a scenario's script runs as root
// on a node's host ("": the control plane), never in the user's bash.
func (e *Env) RunOnHost(ctx context.Context, host, name, script string, out io.Writer, budget time.Duration) (int, bool, error) {
	hs := hosts.For(e.Cluster)
	if host == "" {
		host = hs.ControlPlane()
	}
	timedOut := false
	code, err := hs.Run(ctx, host, script, hosts.RunOptions{Stdout: out, Stderr: out, Arg0: name, Budget: budget, TimedOut: &timedOut,
		Kubectl: e.hostKubectl})
	return code, timedOut, err
}

// PutHostFile implements scenarios.Hosts.
func (e *Env) PutHostFile(host, path string, data []byte, mode fs.FileMode) error {
	hs := hosts.For(e.Cluster)
	if host == "" {
		host = hs.ControlPlane()
	}
	return hs.WriteFile(host, path, data, mode)
}

// ScratchDir implements scenarios.Hosts: the Env's own directory.
func (e *Env) ScratchDir() string { return e.dir }

// hostKubectl is kubectl on a host: in process, or over the cluster's
// loopback endpoint for the commands that upgrade their connection (exec,
// attach, port-forward, cp), as the prompt runs them.
func (e *Env) hostKubectl(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if streams(args) {
		return e.streamKubectl(args, stdout, stderr)
	}
	return e.Kubectl.Run(args, stdin, stdout, stderr)
}

// ssh NODE COMMAND… at the prompt: the command runs on the node's host.
func (e *Env) ssh(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(stderr, "ssh: give a command (ssh NODE COMMAND); for a shell on the node, run kubesim ssh NODE against a started cluster")
		return 255
	}
	code, err := hosts.For(e.Cluster).Run(ctx, args[0], strings.Join(args[1:], " "), hosts.RunOptions{Stdout: stdout, Stderr: stderr, Kubectl: e.hostKubectl})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 255
	}
	return code
}
