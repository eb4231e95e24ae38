package sim

import (
	"fmt"

	"kubesim/sim/kubelet"
)

// What the nodes' hosts (package hosts) need from the cluster: a place to
// keep their state for the cluster's lifetime, the kubelet as a service
// that stops and starts without the machine, and the control-plane
// components as processes of their static pods.

// Extension returns the value kept under key for this cluster, made by mk
// on first use. Packages above sim keep per-cluster state here (the hosts'
// filesystems and units).
func (c *Cluster) Extension(key any, mk func() any) any {
	if v, ok := c.ext.Load(key); ok {
		return v
	}
	v, _ := c.ext.LoadOrStore(key, mk())
	return v
}

// StopKubelet stops node name's kubelet service (systemctl stop kubelet):
// its containers keep running, its lease and status are no longer renewed,
// so the node goes NotReady after the node monitor grace period. Call it
// with the cluster lock held (inside Do).
func (c *Cluster) StopKubelet(name string) error {
	return c.service(name, (*kubelet.Kubelet).StopService)
}

// StartKubelet starts a stopped kubelet service again. Call it with the
// cluster lock held (inside Do).
func (c *Cluster) StartKubelet(name string) error {
	return c.service(name, (*kubelet.Kubelet).StartService)
}

func (c *Cluster) service(name string, do func(*kubelet.Kubelet)) error {
	k := c.kubelets[name]
	if k == nil {
		return fmt.Errorf("node %q not found", name)
	}
	do(k)
	c.memberChanged(name)
	return nil
}

// Component names of the control plane's processes, for SetGate.
const (
	SchedulerComponent         = "kube-scheduler"
	ControllerManagerComponent = "kube-controller-manager"
)

// SetGate makes a control-plane component (SchedulerComponent or
// ControllerManagerComponent) run only while up reports true: the
// hosts give it "its static pod's container is running". Nil removes the
// gate. A gated component still receives every event, and catches up when
// it runs again, as a restarted kube-scheduler relists. up is called on the
// loop with the cluster lock held.
func (c *Cluster) SetGate(component string, up func() bool) {
	c.locked(func() {
		if c.gates == nil {
			c.gates = map[string]func() bool{}
		}
		var names []string
		switch component {
		case SchedulerComponent:
			names = []string{"default-scheduler"}
		case ControllerManagerComponent:
			names = c.ctrlNames
		}
		for _, n := range names {
			if up == nil {
				delete(c.gates, n)
			} else {
				c.gates[n] = up
			}
		}
	})
}

// gated reports whether a component's gate holds it back. Caller holds c.mu.
func (c *Cluster) gated(name string) bool {
	g := c.gates[name]
	return g != nil && !g()
}

// StateDir is the directory of the cluster's state file: what belongs
// to the cluster on the user's machine lives below it.
func (c *Cluster) StateDir() string { return c.opts.Dir }
