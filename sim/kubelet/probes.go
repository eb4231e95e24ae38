package kubelet

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Probes, as the kubelet's prober workers run them: one worker per probe of
// a running container, probing every period from the initial delay, with
// upstream's thresholds, events and actions (a liveness or startup failure
// kills the container, readiness flips Ready). A startup probe holds the
// others back until it succeeds.
//
// A probe's outcome depends on the container's filesystem (exec probes run
// in the container's shell) or on the modelled server (httpGet, tcpSocket,
// which do not change while it runs). So a worker whose outcome is settled
// (a passing probe) stops its timer and waits for the filesystem to change
// (fsWatch); it then probes at the first period boundary at or after the
// change, which is when probing every period would have noticed it. A
// probe that keeps failing (readiness) probes every period, as each failure
// is an event. A jump of a day thus costs what the probes do in it.

// prober is one probe worker of one run of a container.
type prober struct {
	kind  string // Liveness, Readiness, Startup
	probe *corev1.Probe
	c     *ctrState
	run   int // c.run it belongs to
	// next is when the worker probes next (or would, while parked).
	next                time.Time
	period              time.Duration
	successes, failures int32
}

func (w *prober) live() bool { return w.c.run == w.run && w.c.running != nil }

// probeResult runs one probe against the container and returns "" on
// success, else the prober's output for the event.
func (k *Kubelet) probeResult(ps *podState, c *ctrState, p *corev1.Probe) (string, bool) {
	if c.proc == nil {
		return "", true
	}
	if len(c.proc.Ports) == 0 && (p.HTTPGet != nil || p.TCPSocket != nil) {
		// The catalog models no network behaviour for this image (the
		// control plane and add-ons: coredns's /health and /ready):
		// its probes pass.
		return "", true
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
			return fmt.Sprintf("Get \"http://%s:%d%s\": dial tcp %s:%d: connect: connection refused", ps.ip, port, path, ps.ip, port), false
		}
		status, _, _ := h("GET", path, map[string]string{"User-Agent": "kube-probe/" + trimPatch(k.cfg.Version)})
		if status < 200 || status >= 400 {
			return fmt.Sprintf("HTTP probe failed with statuscode: %d", status), false
		}
	case p.TCPSocket != nil:
		port := k.resolvePort(c, p.TCPSocket.Port)
		if c.proc.Ports[port] == nil {
			return fmt.Sprintf("dial tcp %s:%d: connect: connection refused", ps.ip, port), false
		}
	case p.Exec != nil:
		// pkg/probe/exec: the command's stdout and stderr together; one
		// still running after timeoutSeconds is a failure with the
		// runtime's timeout (remote_runtime's ExecSync).
		timeout := time.Second
		if p.TimeoutSeconds > 0 {
			timeout = time.Duration(p.TimeoutSeconds) * time.Second
		}
		var out strings.Builder
		code, timedOut, err := k.cfg.Runtime.ExecSync(c.id, p.Exec.Command, timeout, &out, &out)
		switch {
		case err != nil:
			o, e, code := c.proc.Exec(p.Exec.Command)
			if code != 0 {
				return o + e, false
			}
		case timedOut:
			return fmt.Sprintf("command %q timed out", strings.Join(p.Exec.Command, " ")), false
		case code != 0:
			return out.String(), false
		}
	}
	return "", true
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

// armProbes starts the probe workers of a container that just started.
func (k *Kubelet) armProbes(ps *podState, c *ctrState) { k.armProbesFrom(ps, c, 0) }

// armProbesFrom starts the workers of a container that has been running
// for elapsed (an adopted container keeps the readiness it had).
func (k *Kubelet) armProbesFrom(ps *podState, c *ctrState, elapsed time.Duration) {
	if (c.init && !isSidecar(&c.spec)) || c.proc == nil || c.startupPending {
		return // a pending startup probe arms them when it passes
	}
	k.armAfterStartup(ps, c, elapsed)
}

// armAfterStartup starts the liveness and readiness workers.
func (k *Kubelet) armAfterStartup(ps *podState, c *ctrState, elapsed time.Duration) {
	if rp := c.spec.ReadinessProbe; rp != nil {
		if !(elapsed > 0 && c.ready) {
			c.ready = false
		}
		k.startProber(ps, c, "Readiness", rp, elapsed)
	}
	if lp := c.spec.LivenessProbe; lp != nil {
		k.startProber(ps, c, "Liveness", lp, elapsed)
	}
}

// startProber arms a worker's first probe at the initial delay (counted
// from the container's start; the kubelet probes at once when it is 0, with
// up to one period of jitter we leave out).
func (k *Kubelet) startProber(ps *podState, c *ctrState, kind string, p *corev1.Probe, elapsed time.Duration) {
	initial, period, _ := probeDefaults(p)
	w := &prober{kind: kind, probe: p, c: c, run: c.run, period: period}
	d := max(initial-elapsed, 0)
	w.next = k.cfg.Clock.Now().Add(d)
	k.after(ps, d, func() { k.probeTick(ps, w) })
}

// probeTick runs one probe of a worker and arms its next one.
func (k *Kubelet) probeTick(ps *podState, w *prober) {
	if !w.live() {
		return
	}
	c := w.c
	gen, _, _ := k.cfg.Runtime.Changed(c.id)
	msg, ok := k.probeResult(ps, c, w.probe)
	_, _, threshold := probeDefaults(w.probe)
	success := int32(1)
	if w.probe.SuccessThreshold > 0 {
		success = w.probe.SuccessThreshold
	}
	if ok {
		w.failures = 0
		w.successes++
	} else {
		w.successes = 0
		w.failures++
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Unhealthy", w.kind+" probe failed: "+msg)
	}
	settled := false
	switch w.kind {
	case "Startup":
		if ok {
			c.startupPending = false
			c.ready = c.spec.ReadinessProbe == nil
			k.writeStatus(ps)
			k.armAfterStartup(ps, c, k.cfg.Clock.Now().Sub(c.started))
			if next := c.onStarted; next != nil {
				c.onStarted = nil
				next()
			}
			return // a startup worker ends with its first success
		}
		if w.failures >= threshold {
			k.probeKill(ps, c, "startup")
			return
		}
	case "Liveness":
		if !ok && w.failures >= threshold {
			k.probeKill(ps, c, "liveness")
			return
		}
		settled = ok
	case "Readiness":
		switch {
		case ok && !c.ready && w.successes >= success:
			c.ready = true
			k.writeStatus(ps)
		case !ok && c.ready && w.failures >= threshold:
			c.ready = false
			k.writeStatus(ps)
		}
		settled = ok && c.ready
	}
	w.next = w.next.Add(w.period)
	if settled {
		// Nothing changes until the filesystem does.
		k.watchFS(ps, c, gen, func(changed time.Time) {
			for w.next.Before(changed) {
				w.next = w.next.Add(w.period)
			}
			k.after(ps, max(w.next.Sub(k.cfg.Clock.Now()), 0), func() { k.probeTick(ps, w) })
		})
		return
	}
	k.after(ps, w.period, func() { k.probeTick(ps, w) })
}

// probeKill kills a container that failed its liveness or startup probe.
func (k *Kubelet) probeKill(ps *podState, c *ctrState, kind string) {
	msg := fmt.Sprintf("Container %s failed %s probe", c.spec.Name, kind)
	if policy := ps.pod.Spec.RestartPolicy; policy != corev1.RestartPolicyNever {
		msg += ", will be restarted"
	}
	k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", msg)
	k.exited(ps, c, stopCode(c), "")
}
