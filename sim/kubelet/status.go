package kubelet

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"

	"kubesim/runtime/chain"
	"kubesim/runtime/images"
	"kubesim/runtime/shell"
	"kubesim/sim/podutil"
	"kubesim/sim/registry"
)

func podsOnNode(node string) registry.ListOptions {
	return registry.ListOptions{Fields: fields.OneTermEqualSelector("spec.nodeName", node)}
}

// writeStatus writes the pod status the kubelet's generateAPIPodStatus
// would produce for the pod's current state.
func (k *Kubelet) writeStatus(ps *podState) {
	obj, err := k.cfg.Registry.Get(k.podRes, ps.ns, ps.name)
	if err != nil || obj.(*corev1.Pod).UID != ps.uid {
		return
	}
	pod := obj.(*corev1.Pod).DeepCopy()
	st := &pod.Status
	now := k.now()
	st.HostIP = k.cfg.NodeIP
	if minorOf(k.cfg.Version) >= 28 {
		st.HostIPs = []corev1.HostIP{{IP: k.cfg.NodeIP}}
	}
	if ps.ip != "" {
		st.PodIP = ps.ip
		st.PodIPs = []corev1.PodIP{{IP: ps.ip}}
	}
	if !ps.startTime.IsZero() {
		t := ps.startTime
		st.StartTime = &t
	}
	var initStatuses []corev1.ContainerStatus
	var incomplete, unready []string
	for _, c := range ps.inits {
		cs := k.containerStatus(c)
		initStatuses = append(initStatuses, cs)
		switch {
		case isSidecar(&c.spec):
			// A sidecar has initialized once it started; it counts in
			// the pod's readiness like an app container.
			if cs.Started == nil || !*cs.Started {
				incomplete = append(incomplete, c.spec.Name)
			}
			if !c.ready {
				unready = append(unready, c.spec.Name)
			}
		case c.term == nil || c.term.ExitCode != 0:
			incomplete = append(incomplete, c.spec.Name)
		}
	}
	st.InitContainerStatuses = initStatuses
	var statuses []corev1.ContainerStatus
	for _, c := range ps.ctrs {
		if !c.ready {
			unready = append(unready, c.spec.Name)
		}
		statuses = append(statuses, k.containerStatus(c))
	}
	st.ContainerStatuses = statuses
	st.EphemeralContainerStatuses = k.ephemeralStatuses(ps)
	st.Phase = podPhase(&pod.Spec, initStatuses, statuses, false)
	if ps.evicted != "" {
		st.Phase = corev1.PodFailed
	}
	for _, cs := range statuses {
		if cs.State.Running != nil || cs.State.Terminated != nil {
			incomplete = nil // an app container ran: the pod was initialized
		}
	}
	// Conditions in generateAPIPodStatus order.
	var conds []corev1.PodCondition
	set := func(t corev1.PodConditionType, ok bool, reason, msg string) {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now}
		if !ok {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, reason, msg
		}
		if _, old := podutil.GetPodCondition(&pod.Status, t); old != nil && old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		conds = append(conds, c)
	}
	if minorOf(k.cfg.Version) >= 29 {
		set("PodReadyToStartContainers", ps.sandboxID != "" && (ps.ip != ""), "", "")
	}
	terminal := st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed
	if terminal {
		reason := "PodCompleted"
		if st.Phase == corev1.PodFailed {
			reason = "PodFailed"
		}
		set(corev1.PodInitialized, true, "", "")
		if st.Phase == corev1.PodSucceeded {
			conds[len(conds)-1].Reason = "PodCompleted"
		}
		set(corev1.PodReady, false, reason, "")
		set(corev1.ContainersReady, false, reason, "")
	} else {
		set(corev1.PodInitialized, len(incomplete) == 0, "ContainersNotInitialized", fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(incomplete, " ")))
		msg := fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
		set(corev1.PodReady, len(unready) == 0, "ContainersNotReady", msg)
		set(corev1.ContainersReady, len(unready) == 0, "ContainersNotReady", msg)
	}
	sched := corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now}
	if _, old := podutil.GetPodCondition(&pod.Status, corev1.PodScheduled); old != nil {
		sched = *old
	}
	conds = append(conds, sched)
	st.Conditions = conds
	if ps.evicted != "" {
		k.evictedStatus(ps, st, now)
	}
	pod.ResourceVersion = ""
	k.cfg.Registry.Update(k.podRes, ps.ns, pod, "status")
}

// containerStatus is one container's status as the kubelet reports it.
func (k *Kubelet) containerStatus(c *ctrState) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: c.spec.Name, Image: k.imageName(c.spec.Image), ImageID: c.imageRef, RestartCount: c.restarts, Ready: c.ready}
	started := c.running != nil && !c.startupPending
	cs.Started = &started
	switch {
	case c.running != nil:
		cs.State.Running = c.running.DeepCopy()
		cs.ContainerID = k.containerID(c)
	case c.term != nil:
		cs.State.Terminated = c.term.DeepCopy()
		cs.ContainerID = c.term.ContainerID
	case c.waiting != nil:
		cs.State.Waiting = c.waiting.DeepCopy()
	}
	if c.last != nil {
		cs.LastTerminationState.Terminated = c.last.DeepCopy()
	}
	return cs
}

// imageName is the image as the runtime reports it (docker.io/library/httpd:2.4).
func (k *Kubelet) imageName(ref string) string {
	repo, tag, err := images.Normalize(ref)
	if err != nil {
		return ref
	}
	if tag == "" {
		return repo
	}
	return repo + ":" + tag
}

// Logs returns a container's log, as the kubelet serves pods/log.
func (k *Kubelet) Logs(ns, name, container string, previous, timestamps bool, tail *int64) ([]byte, error) {
	var ps *podState
	for _, p := range k.pods {
		if p.ns == ns && p.name == name {
			ps = p
		}
	}
	if ps == nil || len(ps.ctrs) == 0 {
		return nil, fmt.Errorf("container not found")
	}
	c := ps.ctrs[0]
	if container != "" {
		c = nil
		for _, x := range ps.all() {
			if x.spec.Name == container {
				c = x
			}
		}
		if c == nil {
			return nil, fmt.Errorf("container %s is not valid for pod %s", container, name)
		}
	}
	var lines []images.LogLine
	var start time.Time
	if previous {
		if c.last == nil {
			return nil, fmt.Errorf("previous terminated container %q in pod %q not found", c.spec.Name, name)
		}
		lines = c.prevLogs
		start = c.last.StartedAt.Time
	} else {
		if c.running == nil && c.term == nil && c.last != nil {
			// Waiting to restart: the log of its last run, as the kubelet
			// serves the last terminated container's.
			lines, start = c.prevLogs, c.last.StartedAt.Time
		} else if c.running == nil && c.term == nil {
			reason := "ContainerCreating"
			if c.waiting != nil {
				reason = c.waiting.Reason
			}
			return nil, fmt.Errorf("container %q in pod %q is waiting to start: %s", c.spec.Name, name, reason)
		} else {
			if c.proc != nil {
				lines = c.proc.LogsUntil(k.cfg.Clock.Now().Sub(c.started))
			}
			start = c.started
		}
	}
	if tail != nil && int64(len(lines)) > *tail {
		lines = lines[int64(len(lines))-*tail:]
	}
	var b strings.Builder
	for _, l := range lines {
		if timestamps {
			b.WriteString(start.Add(l.Offset).UTC().Format(time.RFC3339Nano) + " ")
		}
		b.WriteString(l.Text + "\n")
	}
	return []byte(b.String()), nil
}

// exec runs cmd in the container's shell and filesystem (runtime/shell
// through the runtime), or in the image catalog's model when the runtime
// has no filesystem for it.
func (k *Kubelet) exec(c *ctrState, cmd []string) (string, string, int) {
	var out, errOut strings.Builder
	code, err := k.cfg.Runtime.Exec(c.id, cmd, nil, &out, &errOut)
	if err != nil {
		return c.proc.Exec(cmd)
	}
	return out.String(), errOut.String(), code
}

// ExecStream prepares an interactive exec (stdin, a terminal) in a running
// container: the caller drives the process (the API server's exec and
// attach streams). Call it with the cluster lock held.
func (k *Kubelet) ExecStream(ns, name, container string, cmd []string, o chain.ExecOptions) (*shell.Process, error) {
	c, err := k.runningContainer(ns, name, container)
	if err != nil {
		return nil, err
	}
	return k.cfg.Runtime.StartExec(c.id, cmd, o)
}

// Sandbox returns a pod's sandbox id, its network namespace and its IP on
// this node (port-forward's target); ok is false when the pod has no
// sandbox here.
func (k *Kubelet) Sandbox(ns, name string) (id, netns, ip string, ok bool) {
	for _, ps := range k.pods {
		if ps.ns == ns && ps.name == name && ps.sandboxID != "" {
			return ps.sandboxID, k.cfg.Runtime.NetNS(ps.sandboxID), ps.ip, true
		}
	}
	return "", "", "", false
}

// runningContainer finds a running container of a pod on this node.
func (k *Kubelet) runningContainer(ns, name, container string) (*ctrState, error) {
	for _, ps := range k.pods {
		if ps.ns != ns || ps.name != name {
			continue
		}
		for _, c := range ps.all() {
			if c.spec.Name != container {
				continue
			}
			if c.running == nil || c.proc == nil {
				return nil, fmt.Errorf("container %q in pod %q is not running", container, name)
			}
			return c, nil
		}
	}
	return nil, fmt.Errorf("container %q in pod %q not found", container, name)
}

// Exec runs a command in a running container (the kubelet's exec endpoint).
func (k *Kubelet) Exec(ns, name, container string, cmd []string) (string, string, int, error) {
	c, err := k.runningContainer(ns, name, container)
	if err != nil {
		return "", "", 0, err
	}
	o, e, code := k.exec(c, cmd)
	if e != "" && !strings.HasSuffix(e, "\n") {
		e += "\n" // runc's message is a line of the container's stderr
	}
	return o, e, code, nil
}
