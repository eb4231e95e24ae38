package hosts

import (
	"fmt"
	"strings"

	"kubesim/runtime/shell"
)

// The node's container runtime as systemd units: `systemctl stop
// containerd` (or docker, cri-docker, crio) stops the daemon, not its
// containers (their shims outlive it). The kubelet's CRI calls fail, so it
// syncs no pod and, once its runtime check has failed for long enough,
// reports the node NotReady ("container runtime is down",
// sim/kubelet/runtimedown.go); crictl cannot reach the socket; a kubelet
// started meanwhile exits. Started again, the node is Ready again.

// runtimeUnits are the units the node's CRI runtime needs, the CRI
// socket's own first.
func (h *Host) runtimeUnits() []string {
	switch h.runtime {
	case "cri-dockerd":
		return []string{"cri-docker.service", "docker.service", "containerd.service"}
	case "cri-o":
		return []string{"crio.service"}
	}
	return []string{"containerd.service"}
}

// runtimeUp reports whether every unit of the node's runtime runs.
func (h *Host) runtimeUp() bool {
	for _, n := range h.runtimeUnits() {
		if u := h.units[n]; u != nil && !u.active {
			return false
		}
	}
	return true
}

// runtimeUnitChanged carries a started or stopped unit of the runtime to
// the node's kubelet. Call it with the cluster lock held.
func (h *Host) runtimeUnitChanged(u *unit) {
	isRuntime := false
	for _, n := range h.runtimeUnits() {
		isRuntime = isRuntime || n == u.name
	}
	k := h.cluster().Node(h.Name)
	if !isRuntime || k == nil {
		return
	}
	if h.runtimeUp() {
		k.RuntimeStarted()
	} else {
		k.RuntimeStopped()
	}
}

// criDialError is the gRPC error of a dial to the stopped runtime's
// socket (its file is gone with the daemon).
func (h *Host) criDialError() string {
	sock := strings.TrimPrefix(h.criEndpoint(), "unix://")
	dialing := "transport: Error while dialing dial unix "
	if minorOf(h.cluster().Spec.KubernetesVersion) >= 30 {
		dialing = "transport: Error while dialing: dial unix "
	}
	return fmt.Sprintf("rpc error: code = Unavailable desc = connection error: desc = %q", dialing+sock+": connect: no such file or directory")
}

// crictlRefused answers crictl while the runtime's CRI socket unit is
// stopped: cri-tools validates the connection first and exits with
// logrus's fatal line. It reports whether it did (exit 1).
func (h *Host) crictlRefused(c *shell.Cmd) bool {
	var down bool
	h.hs.c.Locked(func() {
		u := h.units[h.runtimeUnits()[0]]
		down = u != nil && !u.active
	})
	if !down {
		return false
	}
	fmt.Fprintf(c.Stderr, "FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint %q: %s \n", h.criEndpoint(), h.criDialError())
	return true
}

// runtimeStartError is why a kubelet started while the runtime is stopped
// exits ("" when it runs).
func (h *Host) runtimeStartError() string {
	if h.runtimeUp() {
		return ""
	}
	return fmt.Sprintf("failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint %q: %s", h.criEndpoint(), h.criDialError())
}
