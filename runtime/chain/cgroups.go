package chain

import (
	"fmt"
	"strings"
)

// runc's systemd cgroup driver (containerd's runc option SystemdCgroup =
// true, as kubeadm's hosts configure it): a container whose cgroups path
// is not systemd's "slice:prefix:name" cannot be created. containerd gives
// a cgroupfs path to a pod whose cgroup parent is not a slice, which is
// what a kubelet with cgroupDriver: cgroupfs asks for, so every new pod
// sandbox on such a node fails (FailedCreatePodSandBox).

// SetSystemdCgroup sets whether runc uses the systemd cgroup driver (the
// node's /etc/containerd/config.toml). Call it where the chain's callers
// are serialised (the cluster's lock).
func (c *Chain) SetSystemdCgroup(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.systemdCgroup = on
}

// checkCgroupsPath is runc's check of the spec's cgroups path under the
// systemd driver (libcontainer/cgroups/systemd: "expected cgroupsPath to
// be of format …").
func (c *Chain) checkCgroupsPath(spec *Spec) error {
	if !c.systemdCgroup || spec.Linux == nil || spec.Linux.CgroupsPath == "" {
		return nil
	}
	if p := spec.Linux.CgroupsPath; len(strings.Split(p, ":")) != 3 {
		return fmt.Errorf("runc create failed: expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got %q instead", p)
	}
	return nil
}
