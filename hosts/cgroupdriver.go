package hosts

import (
	"regexp"
)

// The kubelet's cgroup driver against containerd's. kubeadm's hosts run
// both with systemd (config.yaml's cgroupDriver: systemd, config.toml's
// SystemdCgroup = true). A kubelet restarted with cgroupDriver: cgroupfs
// runs, and so do the pods it already ran, but every new pod sandbox gets
// a cgroupfs parent that runc's systemd driver refuses: the pod stays in
// ContainerCreating with FailedCreatePodSandBox events ("… expected
// cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups,
// got \"/kubepods/besteffort/pod…\" instead: unknown"). Kubernetes 1.27's
// kubelet has no start-up check against a CRI runtime's driver (that was
// dockershim's "misconfiguration: kubelet cgroup driver … is different
// from docker cgroup driver", gone with it in 1.24).

var systemdCgroupLine = regexp.MustCompile(`(?m)^\s*SystemdCgroup\s*=\s*true\s*$`)

// kubeletCgroupDriver hands the kubelet's driver, and containerd's, to
// the node. Call it with the cluster lock held, when the kubelet starts.
func (h *Host) kubeletCgroupDriver(driver string) {
	k := h.cluster().Node(h.Name)
	if k == nil {
		return
	}
	k.SetCgroupDriver(driver)
	if h.runtime != "" && h.runtime != "containerd" {
		return
	}
	systemd := false
	if b, err := h.fs.ReadFile("/etc/containerd/config.toml"); err == nil {
		systemd = systemdCgroupLine.Match(b)
	}
	k.Runtime().SetSystemdCgroup(systemd)
}
