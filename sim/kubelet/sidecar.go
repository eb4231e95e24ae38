package kubelet

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Native sidecars (restartable init containers, 1.29+) and container
// restarts on a spec change, as kuberuntime's computePodActions does them:
//
//   - A sidecar starts in init-container order; the next init container
//     starts once the sidecar has started (its startup probe, if any, has
//     passed), not once it exits. It is restarted whatever the pod's
//     restart policy, counts in the pod's readiness, runs beside the app
//     containers and is stopped after them (on deletion, and when the app
//     containers of a restartPolicy Never/OnFailure pod are done).
//   - A container whose image changed (kubectl set image pod/...) is killed
//     ("Container x definition changed, will be restarted") and started
//     again with the new image; its restart count goes up.

// sidecarMinGrace is the least grace period a sidecar is stopped with
// (kuberuntime minimumGracePeriodInSeconds).
const sidecarMinGrace = 2 * time.Second

// afterC is after for a timer that belongs to one container: it does not
// fire once the container's timers were forgotten (cgen bumped).
func (k *Kubelet) afterC(ps *podState, c *ctrState, d time.Duration, fn func()) {
	gen := c.cgen
	k.after(ps, d, func() {
		if c.cgen == gen {
			fn()
		}
	})
}

// index returns the position of c in all().
func (ps *podState) index(c *ctrState) int {
	return slices.Index(ps.all(), c)
}

func (ps *podState) runningSidecars() []*ctrState {
	var out []*ctrState
	for i := len(ps.inits) - 1; i >= 0; i-- {
		if c := ps.inits[i]; isSidecar(&c.spec) && c.running != nil {
			out = append(out, c)
		}
	}
	return out
}

// stopAfter is how long a container takes to stop when signalled with the
// given grace period.
func stopAfter(c *ctrState, grace time.Duration) time.Duration {
	if c.proc != nil && !c.proc.Stop.Ignores && c.proc.Stop.After < grace {
		return c.proc.Stop.After
	}
	return grace
}

func stopCode(c *ctrState) int {
	if c.proc != nil && !c.proc.Stop.Ignores {
		return c.proc.Stop.Code
	}
	return 137
}

func (k *Kubelet) graceOf(ps *podState) time.Duration {
	if g := ps.pod.Spec.TerminationGracePeriodSeconds; g != nil {
		return time.Duration(*g) * time.Second
	}
	return 30 * time.Second
}

// armStartup starts a just-started container's startup probe worker
// (probes.go): started stays false, and liveness and readiness wait, until
// it passes; failureThreshold failures restart the container.
func (k *Kubelet) armStartup(ps *podState, c *ctrState) {
	sp := c.spec.StartupProbe
	c.startupPending = sp != nil && c.proc != nil
	if !c.startupPending {
		return
	}
	c.ready = false
	k.startProber(ps, c, "Startup", sp, 0)
}

// whenStarted runs next once c has started (at once without a pending
// startup probe).
func (k *Kubelet) whenStarted(ps *podState, c *ctrState, next func()) {
	if !c.startupPending {
		next()
		return
	}
	c.onStarted = next
}

// stopSidecarsIfDone stops the sidecars of a pod whose app containers have
// all terminated for good (restartPolicy Never or OnFailure): the pod can
// then complete.
func (k *Kubelet) stopSidecarsIfDone(ps *podState) {
	if ps.sidecarsStopping || !appsDone(ps) {
		return
	}
	sidecars := ps.runningSidecars()
	if len(sidecars) == 0 {
		return
	}
	ps.sidecarsStopping = true
	for _, c := range ps.inits {
		c.cgen++ // no sidecar restarts any more
	}
	for _, c := range sidecars {
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", c.spec.Name))
		k.after(ps, stopAfter(c, k.graceOf(ps)), func() {
			if c.running == nil {
				return
			}
			code := stopCode(c)
			k.unregister(ps, c)
			c.term = &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: exitReason(code), StartedAt: c.running.StartedAt, FinishedAt: k.now(), ContainerID: k.containerID(c)}
			c.running, c.ready = nil, false
			k.rt.StopContainer(k.ctx(), &runtimeapi.StopContainerRequest{ContainerId: c.id})
			k.cfg.Runtime.TakeCost()
			k.writeStatus(ps)
		})
	}
}

// appsDone reports whether every app container has terminated for good
// (a terminated container that restarts waits instead).
func appsDone(ps *podState) bool {
	for _, c := range ps.ctrs {
		if c.term == nil || c.running != nil {
			return false
		}
	}
	return len(ps.ctrs) > 0
}

// applyImageChanges restarts the containers whose image the pod's spec
// now names differently (the only container field a pod update may
// change); one not started yet simply starts with the new image.
func (k *Kubelet) applyImageChanges(ps *podState, pod *corev1.Pod) {
	specs := map[string]*corev1.Container{}
	for i := range pod.Spec.InitContainers {
		if c := &pod.Spec.InitContainers[i]; isSidecar(c) {
			specs[c.Name] = c
		}
	}
	for i := range pod.Spec.Containers {
		specs[pod.Spec.Containers[i].Name] = &pod.Spec.Containers[i]
	}
	for i, c := range ps.all() {
		want := specs[c.spec.Name]
		if want == nil || want.Image == c.spec.Image {
			continue
		}
		c.spec.Image = want.Image
		if c.begun {
			k.replace(ps, i, c)
		}
	}
}

// replace kills container i (if it runs) and starts it again.
func (k *Kubelet) replace(ps *podState, i int, c *ctrState) {
	c.cgen++ // its exit, crash-loop restart and pull retry are moot
	if c.running == nil {
		k.rerun(ps, i, c)
		return
	}
	k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Container %s definition changed, will be restarted", c.spec.Name))
	k.afterC(ps, c, stopAfter(c, k.graceOf(ps)), func() {
		if c.running == nil {
			return
		}
		code := stopCode(c)
		k.unregister(ps, c)
		c.term = &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: exitReason(code), StartedAt: c.running.StartedAt, FinishedAt: k.now(), ContainerID: k.containerID(c)}
		c.running, c.ready = nil, false
		if c.proc != nil {
			c.prevLogs = c.proc.LogsUntil(k.cfg.Clock.Now().Sub(c.started))
		}
		k.rt.StopContainer(k.ctx(), &runtimeapi.StopContainerRequest{ContainerId: c.id})
		k.cfg.Runtime.TakeCost()
		k.rerun(ps, i, c)
	})
}

// rerun starts container i again from its (new) spec: a new container
// instance if one ran before, with no crash-loop back-off (the back-off is
// kept per container spec).
func (k *Kubelet) rerun(ps *podState, i int, c *ctrState) {
	if c.term != nil {
		c.last, c.term = c.term, nil
	}
	if c.id != "" {
		c.restarts++
		c.prevProc = c.proc
		k.rt.RemoveContainer(k.ctx(), &runtimeapi.RemoveContainerRequest{ContainerId: c.id})
		k.cfg.Runtime.TakeCost()
	}
	c.crashes, c.pullFail = 0, 0
	c.waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	k.writeStatus(ps)
	k.startContainer(ps, i)
}
