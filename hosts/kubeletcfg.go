package hosts

import (
	"fmt"
	"time"

	"sigs.k8s.io/yaml"
)

// The kubelet reads its files when it starts: a broken one makes the
// process exit, and systemd restarts it every RestartSec (10 s) until the
// file is fixed (the unit is "activating (auto-restart)" meanwhile).

const kubeletRestartSec = 10 * time.Second

// kubeletStartError is why the kubelet exits at start ("" if it runs),
// as run.go's "command failed" reports it.
func (h *Host) kubeletStartError() string {
	const cfgPath = "/var/lib/kubelet/config.yaml"
	data, err := h.fs.ReadFile(cfgPath)
	if err != nil {
		return fmt.Sprintf("failed to load kubelet config file, path: %s, error: failed to load Kubelet config file %s, error failed to read kubelet config file %q, error: open %s: no such file or directory", cfgPath, cfgPath, cfgPath, cfgPath)
	}
	var cfg struct {
		Kind           string `json:"kind"`
		Authentication struct {
			X509 struct {
				ClientCAFile string `json:"clientCAFile"`
			} `json:"x509"`
		} `json:"authentication"`
		StaticPodPath string `json:"staticPodPath"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return fmt.Sprintf("failed to load kubelet config file, path: %s, error: failed to load Kubelet config file %s, error failed to decode: %v", cfgPath, cfgPath, err)
	}
	if ca := cfg.Authentication.X509.ClientCAFile; ca != "" {
		if _, err := h.fs.Stat(ca); err != nil {
			return fmt.Sprintf("failed to construct kubelet dependencies: unable to load client CA file %s: open %s: no such file or directory", ca, ca)
		}
	}
	if _, err := h.fs.Stat("/etc/kubernetes/kubelet.conf"); err != nil {
		return "failed to run Kubelet: unable to load bootstrap kubeconfig: stat /etc/kubernetes/bootstrap-kubelet.conf: no such file or directory"
	}
	return h.runtimeStartError() // runtime_unit.go
}

// runLine is run.go's line number for "command failed" (74 in 1.26-1.27,
// 72 later).
func (h *Host) runLine() int {
	if minorOf(h.cluster().Spec.KubernetesVersion) <= 27 {
		return 74
	}
	return 72
}

// kubeletExec starts the kubelet's process at t: it runs, or exits with
// its error and the unit waits to restart it. Call it with the cluster
// lock held.
func (h *Host) kubeletExec(u *unit, t time.Time) bool {
	u.pid = h.newPID()
	u.since = t
	if msg := h.kubeletStartError(); msg != "" {
		u.active, u.failing, u.lastTry = false, true, t
		h.journalf(t, "kubelet", u.pid, u.name, "E%s    %d run.go:%d] \"command failed\" err=%q", klogTime(t), u.pid, h.runLine(), msg)
		h.journalf(t, "systemd", 1, u.name, "%s: Main process exited, code=exited, status=1/FAILURE", u.name)
		h.journalf(t, "systemd", 1, u.name, "%s: Failed with result 'exit-code'.", u.name)
		return false
	}
	u.active, u.failing = true, false
	v := h.kubeletRelease()
	h.journalf(t, u.ident, u.pid, u.name, "I%s   %d server.go:415] \"Kubelet version\" kubeletVersion=\"%s\"", klogTime(t), u.pid, v)
	h.cluster().SetKubeletVersion(h.Name, v)
	h.cluster().StartKubelet(h.Name)
	h.kubeletReadsPodPath(t, u.pid) // staticpodpath.go
	h.syncManifests()
	return true
}

// catchUp runs the restarts systemd made since the last look: every
// RestartSec while the kubelet keeps failing. Call it with the cluster
// lock held.
func (h *Host) catchUp() {
	h.apiJournal() // apijournal.go
	u := h.units["kubelet.service"]
	if u == nil || !u.failing {
		return
	}
	now := h.now()
	for n := 1; u.failing && !u.lastTry.Add(kubeletRestartSec).After(now); n++ {
		t := u.lastTry.Add(kubeletRestartSec)
		u.restarts++
		h.journalf(t, "systemd", 1, u.name, "%s: Scheduled restart job, restart counter is at %d.", u.name, u.restarts)
		h.journalf(t, "systemd", 1, u.name, "Stopped %s.", u.description)
		h.journalf(t, "systemd", 1, u.name, "Started %s.", u.description)
		u.lastTry = t
		h.kubeletExec(u, t)
	}
}
