package kubelet

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Probes. A simulated container's behaviour does not change while it runs,
// so a probe's outcome is decided once, when the container starts; the
// kubelet then arms one timer for the moment the outcome shows (the first
// successful readiness probe; each of the failureThreshold failing liveness
// probes, the last of which restarts the container) instead of probing
// every period — a jump of days costs nothing.

// probeResult runs one probe against the container's simulated process and
// returns "" on success, else the prober's failure text.
func (k *Kubelet) probeResult(ps *podState, c *ctrState, p *corev1.Probe) string {
	if len(c.proc.Ports) == 0 && (p.HTTPGet != nil || p.TCPSocket != nil) {
		// The catalog models no network behaviour for this image (the
		// control plane and add-ons: coredns's /health and /ready):
		// its probes pass.
		return ""
	}
	switch {
	case p.HTTPGet != nil:
		port := k.resolvePort(c, p.HTTPGet.Port)
		path := p.HTTPGet.Path
		if path == "" {
			path = "/"
		}
		h := c.proc.Ports[port]
		if h == nil {
			return fmt.Sprintf("Get \"http://%s:%d%s\": dial tcp %s:%d: connect: connection refused", ps.ip, port, path, ps.ip, port)
		}
		status, _, _ := h("GET", path, map[string]string{"User-Agent": "kube-probe/" + trimPatch(k.cfg.Version)})
		if status < 200 || status >= 400 {
			return fmt.Sprintf("HTTP probe failed with statuscode: %d", status)
		}
	case p.TCPSocket != nil:
		port := k.resolvePort(c, p.TCPSocket.Port)
		if c.proc.Ports[port] == nil {
			return fmt.Sprintf("dial tcp %s:%d: connect: connection refused", ps.ip, port)
		}
	case p.Exec != nil:
		out, errOut, code := k.exec(c, p.Exec.Command)
		if code != 0 {
			return fmt.Sprintf("command %q exited with %d: %s%s", p.Exec.Command, code, out, errOut)
		}
	}
	return ""
}

func trimPatch(v string) string {
	var major, minor int
	fmt.Sscanf(v, "v%d.%d", &major, &minor)
	return fmt.Sprintf("%d.%d", major, minor)
}

// resolvePort maps a probe's port (number or container port name).
func (k *Kubelet) resolvePort(c *ctrState, p intstr.IntOrString) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range c.spec.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	return 0
}

func probeDefaults(p *corev1.Probe) (initial, period time.Duration, failures int32) {
	period = 10 * time.Second
	if p.PeriodSeconds > 0 {
		period = time.Duration(p.PeriodSeconds) * time.Second
	}
	failures = 3
	if p.FailureThreshold > 0 {
		failures = p.FailureThreshold
	}
	return time.Duration(p.InitialDelaySeconds) * time.Second, period, failures
}

// armProbes decides readiness and liveness for a container that just started.
func (k *Kubelet) armProbes(ps *podState, c *ctrState) { k.armProbesFrom(ps, c, 0) }

// armProbesFrom arms the probes of a container that has been running for
// elapsed (an adopted container keeps the readiness it had and the probe
// times it was due at).
func (k *Kubelet) armProbesFrom(ps *podState, c *ctrState, elapsed time.Duration) {
	if (c.init && !isSidecar(&c.spec)) || c.proc == nil {
		return
	}
	gen := c.restarts
	if rp := c.spec.ReadinessProbe; rp != nil && !(elapsed > 0 && c.ready) {
		c.ready = false
		initial, period, failures := probeDefaults(rp)
		initial = max(initial-elapsed, 0)
		if msg := k.probeResult(ps, c, rp); msg == "" {
			// The first probe runs at the initial delay (kubelet probes at
			// once when it is 0, with up to one period of jitter we leave out).
			k.after(ps, initial, func() {
				if c.restarts == gen && c.running != nil {
					c.ready = true
					k.writeStatus(ps)
				}
			})
		} else {
			k.after(ps, initial+time.Duration(failures-1)*period, func() {
				if c.restarts == gen && c.running != nil {
					k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Unhealthy", "Readiness probe failed: "+msg)
				}
			})
		}
	}
	if lp := c.spec.LivenessProbe; lp != nil {
		if msg := k.probeResult(ps, c, lp); msg != "" {
			// Every failed probe is an Unhealthy event; the container is
			// killed when failureThreshold consecutive probes have failed.
			initial, period, failures := probeDefaults(lp)
			for n := int32(1); n < failures; n++ {
				at := initial + time.Duration(n-1)*period - elapsed
				if at < 0 {
					continue // an adopted container: that probe ran before the suspend
				}
				k.after(ps, at, func() {
					if c.restarts == gen && c.running != nil {
						k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Unhealthy", "Liveness probe failed: "+msg)
					}
				})
			}
			k.after(ps, max(initial+time.Duration(failures-1)*period-elapsed, 0), func() {
				if c.restarts != gen || c.running == nil {
					return
				}
				k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Unhealthy", "Liveness probe failed: "+msg)
				k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Container %s failed liveness probe, will be restarted", c.spec.Name))
				code := 137
				if !c.proc.Stop.Ignores {
					code = c.proc.Stop.Code
				}
				k.exited(ps, c, code, "")
			})
		}
	}
}
