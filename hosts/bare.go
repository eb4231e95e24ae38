package hosts

import (
	"strings"
	"time"
)

// Bare machines (sim.ClusterSpec.Bare): the Vagrant VMs with the
// packages installed (kubeadm, kubelet, kubectl, containerd) and no
// cluster. The kubelet unit is enabled and fails at every start for want
// of /var/lib/kubelet/config.yaml, as on a real machine before kubeadm
// init or join; kubectl has no kubeconfig. kubeadm init and join
// (kubeadm_init.go) write what kubeadm writes and start the kubelet.

// bare reports whether h is a machine kubeadm has not set up yet.
func (h *Host) bare() bool {
	return h.cluster().Spec.Bare && !h.joined()
}

// joined reports whether h's kubelet registered its node.
func (h *Host) joined() bool {
	k := h.cluster().Node(h.Name)
	return k != nil && k.Joined()
}

// unsetUp takes away what kubeadm, flannel and the user's kubeconfig
// left on a machine the normal boot laid out (writeFiles, bootUnits),
// leaving what the packages installed, and restarts the kubelet unit,
// which then fails. Call it with the cluster lock held.
func (h *Host) unsetUp() {
	h.removeKubeadmFiles()
	h.fs.RemoveAll("/etc/kubernetes/pki")
	h.fs.RemoveAll("/root/.kube")
	h.removeFlannelFiles()
	h.manifests = map[string]string{}
	// The kubelet unit's journal starts over: it never ran.
	kept := h.journal[:0]
	for _, e := range h.journal {
		if e.unit != "kubelet.service" {
			kept = append(kept, e)
		}
	}
	h.journal = kept
	// The machine booted when the cluster started (at most
	// bareBacklog ago): its services since then, and the kubelet's
	// restarts every RestartSec (catchUp).
	now := h.now()
	boot := h.cluster().Spec.Start
	if boot.After(now) || now.Sub(boot) > bareBacklog {
		boot = now.Add(-bareBacklog)
	}
	for i := range h.journal {
		if h.journal[i].at.Equal(now) {
			h.journal[i].at = boot
		}
	}
	for _, u := range h.units {
		u.since = boot
	}
	if u := h.units["kubelet.service"]; u != nil {
		u.active = false
		h.journalf(boot, "systemd", 1, u.name, "Started %s.", u.description)
		h.kubeletExec(u, boot)
		h.catchUp()
	}
}

// bareBacklog bounds how far back a bare machine's journal goes when it
// is first looked at long after the cluster started.
const bareBacklog = 10 * time.Minute

// kubeadmDirs and kubeadmFiles are what kubeadm reset deletes (the
// contents of the directories, the files), in its order.
var (
	kubeadmDirs  = []string{"/etc/kubernetes/manifests", "/var/lib/kubelet", "/etc/kubernetes/pki"}
	kubeadmFiles = []string{"/etc/kubernetes/admin.conf", "/etc/kubernetes/kubelet.conf", "/etc/kubernetes/bootstrap-kubelet.conf", "/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/scheduler.conf"}
)

// removeKubeadmFiles deletes what kubeadm init or join wrote, as kubeadm
// reset does, and etcd's data.
func (h *Host) removeKubeadmFiles() {
	h.emptyDir("/var/lib/etcd")
	for _, d := range kubeadmDirs {
		h.emptyDir(d)
	}
	for _, f := range append(kubeadmFiles, "/etc/kubernetes/super-admin.conf") {
		h.fs.Remove(f)
	}
}

// removeFlannelFiles deletes what flannel's DaemonSet put on the host.
func (h *Host) removeFlannelFiles() {
	h.fs.Remove("/etc/cni/net.d/10-flannel.conflist")
	h.fs.RemoveAll("/run/flannel")
	h.fs.Remove("/opt/cni/bin/flannel")
}

// emptyDir removes a directory's contents, keeping it.
func (h *Host) emptyDir(dir string) {
	ents, err := h.fs.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		h.fs.RemoveAll(strings.TrimSuffix(dir, "/") + "/" + e.Name())
	}
}

// dirEmpty reports whether dir is missing or empty.
func (h *Host) dirEmpty(dir string) bool {
	ents, err := h.fs.ReadDir(dir)
	return err != nil || len(ents) == 0
}

func (h *Host) hasFile(p string) bool {
	_, err := h.fs.Stat(p)
	return err == nil
}
