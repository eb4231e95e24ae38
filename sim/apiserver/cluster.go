package apiserver

import "kubesim/sim"

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
		Hooks: Hooks{
			Logs: func(ns, pod string, opts LogOptions) ([]byte, error) {
				return c.PodLogs(ns, pod, opts.Container, opts.Previous, opts.Timestamps, opts.TailLines)
			},
			Exec: c.PodExec,
		},
	})
}
