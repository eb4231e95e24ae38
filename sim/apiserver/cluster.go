package apiserver

import (
	"errors"
	"io"

	"kubesim/runtime/chain"
	"kubesim/runtime/shell"
	"kubesim/sim"
)

// ForCluster returns the API server in front of a cluster: its registry,
// its clock as reads see it, its loop (sim.Cluster implements Driver) and its
// kubelets' log and exec endpoints. The shells call it (the live server,
// the in-process kubectl transport); the cluster itself knows no HTTP.
func ForCluster(c *sim.Cluster) (*Server, error) {
	return New(Config{
		Registry: c.Registry,
		Clock:    c.ReadClock(),
		Driver:   c,
		Version:  c.Spec.KubernetesVersion,
		Live:     c.Live(),
		Tokens:   c.Tokens(),
		Hooks: Hooks{
			Logs: func(ns, pod string, opts LogOptions) ([]byte, error) {
				return c.PodLogs(ns, pod, opts.Container, opts.Previous, opts.Timestamps, opts.TailLines)
			},
			Exec: c.PodExec,
			ExecStream: func(ns, pod, container string, cmd []string, o StreamOptions, stdin io.Reader, stdout, stderr io.Writer) (*shell.Process, error) {
				p, err := c.PodExecStream(ns, pod, container, cmd, chain.ExecOptions{Stdin: stdin, Stdout: stdout, Stderr: stderr, TTY: o.TTY})
				var nf *chain.ExecNotFoundError
				if errors.As(err, &nf) {
					return nil, &ExecNotFound{Msg: nf.Msg}
				}
				return p, err
			},
			Attach: func(ns, pod, container string, out io.Writer) (*Attachment, error) {
				a, err := c.PodAttach(ns, pod, container, out)
				if err != nil {
					return nil, err
				}
				return &Attachment{Proc: a.Proc, Stdin: a.Stdin, StdinOnce: a.StdinOnce, Detach: a.Detach, Exited: a.Exited}, nil
			},
			Metrics: c.Metrics,
			PortForward: func(ns, pod string, port int32) (PortConn, error) {
				cn, err := c.PodPortForward(ns, pod, port)
				if err != nil {
					return nil, err
				}
				return cn, nil
			},
		},
	})
}
