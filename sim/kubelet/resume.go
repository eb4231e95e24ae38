package kubelet

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/registry"
)

// A stopped cluster is a suspended machine: `kubesim start` resumes it at
// the virtual time it stopped at. The pod timers (pulls, container exits,
// probes, back-offs) lived in the stopped process; this file re-arms them
// from what the store recorded, so that a pod goes on where it was.

// haltedAfter is how stale a lease is at resume when its node was off: a
// running kubelet renews every LeaseRenewInterval, and the resume time is
// at most one interval past its last renewal (the stop time, or after a
// crash the newest time in the store).
const haltedAfter = 2 * LeaseRenewInterval

// statusOf finds a container's recorded status by name.
func statusOf(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

// Resume is the kubelet's first act after the cluster's state was
// reopened: it renews its lease at once and, if the node is not Ready (the
// node lifecycle controller marked it while the kubelet was away), posts
// its Ready status again. A node whose lease had stopped being renewed
// well before the cluster stopped was powered off (vagrant halt): it stays
// off until it is started.
func (k *Kubelet) Resume(now time.Time) {
	if !k.running {
		return
	}
	if obj, err := k.cfg.Registry.Get(k.leaseRes, corev1.NamespaceNodeLease, k.cfg.NodeName); err == nil {
		if rt := obj.(*coordinationv1.Lease).Spec.RenewTime; rt != nil && now.Sub(rt.Time) > haltedAfter {
			k.Halt()
			return
		}
	}
	k.RenewLease(now)
	obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName)
	if err != nil {
		return
	}
	for _, c := range obj.(*corev1.Node).Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue {
			k.postReady()
			return
		}
	}
}

// rearm restarts the in-flight work of an adopted pod, in start order:
// a running container gets its exit and probe timers back (less the time
// it has run); the first container not yet started resumes its start (an
// image pull in progress continues with the time it had left); a
// terminated container that the restart policy restarts is restarted.
// The kubelet keeps back-offs in memory (flowcontrol.Backoff), so a pod
// in ImagePullBackOff or CrashLoopBackOff is retried at once, as after a
// kubelet restart.
func (k *Kubelet) rearm(ps *podState) {
	if ps.pod.DeletionTimestamp != nil {
		return
	}
	now := k.cfg.Clock.Now()
	for i, c := range ps.all() {
		switch {
		case c.running != nil:
			elapsed := now.Sub(c.started)
			if c.proc != nil && c.proc.Exit != nil {
				exit := *c.proc.Exit
				k.after(ps, max(exit.After-elapsed, 0), func() { k.exited(ps, c, exit.Code, "") })
			}
			k.armProbesFrom(ps, c, max(elapsed, time.Nanosecond))
			if k.cfg.Runtime.Scripted(c.id) {
				k.drive(ps, c)
			}
			if c.init && !isSidecar(&c.spec) {
				return // the next ones start when it completes
			}
		case c.term != nil:
			if c.init && c.term.ExitCode == 0 && !isSidecar(&c.spec) {
				continue
			}
			policy := ps.pod.Spec.RestartPolicy
			if sidecar := isSidecar(&c.spec); sidecar && appsDone(ps) {
				ps.sidecarsStopping = true
			} else if sidecar || policy == corev1.RestartPolicyAlways || (policy == corev1.RestartPolicyOnFailure && c.term.ExitCode != 0) {
				k.restart(ps, c)
			}
			if c.init && !isSidecar(&c.spec) {
				return
			}
		case c.last != nil:
			// Waiting in CrashLoopBackOff: restart it now.
			k.after(ps, 0, func() {
				c.restarts++
				k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Pulled", "Container image \""+c.spec.Image+"\" already present on machine")
				k.launch(ps, c, func() {})
			})
			if c.init {
				return
			}
		default:
			// Never started: its start was in flight, and the containers
			// after it wait for it.
			if since, ok := k.pullingSince(ps, c); ok && c.waiting != nil && (c.waiting.Reason == "ContainerCreating" || c.waiting.Reason == "PodInitializing") {
				k.pull(ps, i, now.Sub(since))
			} else {
				k.startContainer(ps, i)
			}
			return
		}
	}
}

var eventsResource = schema.GroupResource{Resource: "events"}

// pullingSince finds, among the pod's recorded events, a pull of the
// container that started and has not ended (a Pulling event newer than
// any Pulled or Failed one), and when it started.
func (k *Kubelet) pullingSince(ps *podState, c *ctrState) (time.Time, bool) {
	res, ok := registry.Lookup(eventsResource)
	if !ok {
		return time.Time{}, false
	}
	objs, _, _ := k.cfg.Registry.List(res, ps.ns, registry.ListOptions{})
	var pulling, ended time.Time
	fp := fieldPath(c)
	for _, o := range objs {
		ev := o.(*corev1.Event)
		if ev.InvolvedObject.UID != ps.uid || ev.InvolvedObject.FieldPath != fp {
			continue
		}
		t := ev.LastTimestamp.Time
		switch ev.Reason {
		case "Pulling":
			if t.After(pulling) {
				pulling = t
			}
		case "Pulled", "Failed", "BackOff":
			if t.After(ended) {
				ended = t
			}
		}
	}
	if pulling.IsZero() || !pulling.After(ended) {
		return time.Time{}, false
	}
	return pulling, true
}
