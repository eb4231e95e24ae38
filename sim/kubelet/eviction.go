package kubelet

import (
	"fmt"
	"sort"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/runtime/containerfs"
	"kubesim/sim/clock"
)

// The eviction manager (pkg/kubelet/eviction): every monitoring interval it
// compares the node's memory.available with the hard threshold and the
// pods' emptyDir usage with their sizeLimit, and evicts one pod when a
// limit is passed. It does not tick: a check is armed (one timer, on the
// next 10 s boundary) only when something it reads changed — a
// container's memory, an emptyDir with a sizeLimit written to — and while
// the node is under pressure.

const (
	evictionInterval = 10 * time.Second // monitoringInterval
	// pressureTransition is evictionPressureTransitionPeriod: the
	// MemoryPressure condition stays True this long after the threshold
	// was last met.
	pressureTransition = 5 * time.Minute
	// Reason is the eviction manager's pod status reason.
	evictedReason = "Evicted"
)

// memoryThreshold is kubelet's default evictionHard memory.available<100Mi.
var memoryThreshold = resource.MustParse("100Mi")

// systemMemory is what the node uses outside its pods' containers: the
// operating system, containerd and the kubelet [guess: about 300 MiB on a
// kubeadm node of 2 GiB; the static pods count as containers, with their
// images' idle figures].
func (k *Kubelet) systemMemory() int64 { return 300 << 20 }

// evictionState is the eviction manager's memory between checks.
type evictionState struct {
	timer    *clock.Timer
	due      time.Time
	pressure bool      // the MemoryPressure condition is True
	metAt    time.Time // the threshold was last met
	// sized are the emptyDir volumes with a sizeLimit and the generation
	// last seen.
	sized []*sizedVolume
}

type sizedVolume struct {
	ps   *podState
	name string
	vol  *containerfs.Volume
	gen  uint64
}

// checkAt arms the eviction check for t, unless one comes earlier.
func (k *Kubelet) checkAt(t time.Time) {
	ev := &k.eviction
	if ev.timer != nil && !ev.due.After(t) {
		return
	}
	if ev.timer != nil {
		k.cfg.Clock.Stop(ev.timer)
	}
	ev.due = t
	ev.timer = k.cfg.Clock.AfterFunc(max(t.Sub(k.cfg.Clock.Now()), 0), func() {
		ev.timer = nil
		if k.running {
			k.synchronize()
		}
	})
}

// checkSoon arms the check at the next monitoring interval.
func (k *Kubelet) checkSoon() {
	now := k.cfg.Clock.Now()
	k.checkAt(now.Truncate(evictionInterval).Add(evictionInterval))
}

// noteMemory records a container's memory usage and arms a check when it
// changed.
func (k *Kubelet) noteMemory(c *ctrState) {
	u := int64(0)
	if c.running != nil {
		u = k.cfg.Runtime.MemoryUsage(c.id)
	}
	if u != c.mem {
		c.mem = u
		k.checkSoon()
	}
}

// watchSized registers a pod's emptyDir with a sizeLimit.
func (k *Kubelet) watchSized(ps *podState, name string, vol *containerfs.Volume) {
	for _, s := range k.eviction.sized {
		if s.ps == ps && s.name == name {
			return
		}
	}
	k.eviction.sized = append(k.eviction.sized, &sizedVolume{ps: ps, name: name, vol: vol, gen: vol.Generation()})
}

// checkSized arms a check when an emptyDir with a sizeLimit was written,
// and forgets those of pods that are gone.
func (k *Kubelet) checkSized() {
	keep := k.eviction.sized[:0]
	for _, s := range k.eviction.sized {
		if k.pods[s.ps.uid] != s.ps || s.ps.evicted != "" {
			continue
		}
		if g := s.vol.Generation(); g != s.gen {
			s.gen = g
			k.checkSoon()
		}
		keep = append(keep, s)
	}
	clear(k.eviction.sized[len(keep):])
	k.eviction.sized = keep
}

// synchronize is one pass of the eviction manager.
func (k *Kubelet) synchronize() {
	if k.localStorageEviction() {
		k.checkSoon()
		return
	}
	ev := &k.eviction
	now := k.cfg.Clock.Now()
	capacity := k.cfg.Memory.Value()
	used := k.systemMemory()
	type podUse struct {
		ps    *podState
		usage int64
		req   int64
	}
	var pods []podUse
	for _, uid := range k.podUIDs() {
		ps := k.pods[uid]
		u := podUse{ps: ps}
		for _, c := range ps.all() {
			if c.running != nil {
				u.usage += k.cfg.Runtime.MemoryUsage(c.id)
			}
			if q, ok := c.spec.Resources.Requests[corev1.ResourceMemory]; ok && !c.init {
				u.req += q.Value()
			}
		}
		used += u.usage
		if u.usage > 0 && ps.evicted == "" && !ps.killing && !isCritical(ps.pod) {
			pods = append(pods, u)
		}
	}
	available := max(capacity-used, 0)
	if available >= memoryThreshold.Value() {
		switch {
		case ev.pressure && now.Sub(ev.metAt) >= pressureTransition:
			ev.pressure = false
			k.setMemoryPressure(false)
		case ev.pressure:
			k.checkAt(ev.metAt.Add(pressureTransition))
		}
		return
	}
	ev.metAt = now
	if !ev.pressure {
		ev.pressure = true
		k.setMemoryPressure(true)
	}
	k.checkSoon()
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeWarning, "EvictionThresholdMet", "Attempting to reclaim memory")
	// rankMemoryPressure: pods over their requests first, then lower
	// priority, then the larger use above the request.
	sort.SliceStable(pods, func(i, j int) bool {
		a, b := pods[i], pods[j]
		if ax, bx := a.usage > a.req, b.usage > b.req; ax != bx {
			return ax
		}
		if pa, pb := priority(a.ps.pod), priority(b.ps.pod); pa != pb {
			return pa < pb
		}
		return a.usage-a.req > b.usage-b.req
	})
	if len(pods) == 0 {
		return
	}
	victim := pods[0].ps
	msg := fmt.Sprintf("The node was low on resource: %v. ", corev1.ResourceMemory) +
		fmt.Sprintf("Threshold quantity: %v, available: %v. ", memoryThreshold.String(), resource.NewQuantity(available, resource.BinarySI).String())
	for _, c := range victim.ctrs {
		if c.running == nil {
			continue
		}
		usage := resource.NewQuantity(k.cfg.Runtime.MemoryUsage(c.id), resource.BinarySI)
		req := c.spec.Resources.Requests[corev1.ResourceMemory]
		if usage.Cmp(req) > 0 {
			msg += fmt.Sprintf("Container %s was using %s, request is %s, has larger consumption of %v. ", c.spec.Name, usage.String(), req.String(), corev1.ResourceMemory)
		}
	}
	k.evict(victim, msg, true)
}

// localStorageEviction evicts the pods whose emptyDir usage is over its
// sizeLimit; it reports whether it evicted any.
func (k *Kubelet) localStorageEviction() bool {
	evicted := false
	for _, s := range k.eviction.sized {
		ps := s.ps
		if k.pods[ps.uid] != ps || ps.evicted != "" || ps.killing || isCritical(ps.pod) {
			continue
		}
		for i := range ps.pod.Spec.Volumes {
			v := &ps.pod.Spec.Volumes[i]
			if v.Name != s.name || v.EmptyDir == nil || v.EmptyDir.SizeLimit == nil || v.EmptyDir.SizeLimit.Sign() <= 0 {
				continue
			}
			if used := resource.NewQuantity(s.vol.Usage(), resource.BinarySI); used.Cmp(*v.EmptyDir.SizeLimit) > 0 {
				k.evict(ps, fmt.Sprintf("Usage of EmptyDir volume %q exceeds the limit %q. ", v.Name, v.EmptyDir.SizeLimit.String()), false)
				evicted = true
			}
		}
	}
	return evicted
}

// evict is the eviction manager's evictPod: a Warning Evicted event, the
// pod's containers killed at once (grace period 0), its status Failed with
// reason Evicted and the message (and, for a node-pressure eviction, the
// DisruptionTarget condition).
func (k *Kubelet) evict(ps *podState, msg string, disruption bool) {
	k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, evictedReason, msg)
	for _, c := range ps.all() {
		if c.running == nil {
			continue
		}
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", c.spec.Name))
		k.unregister(ps, c)
		c.term = &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "Error", StartedAt: c.running.StartedAt, FinishedAt: k.now(), ContainerID: k.containerID(c)}
		c.running, c.ready = nil, false
	}
	for _, c := range ps.all() {
		if c.waiting != nil {
			// A container that never ran is reported terminated too
			// [guess: ContainerStatusUnknown, as the kubelet reports a
			// container it cannot find for a terminal pod].
			c.waiting = nil
			c.term = &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "ContainerStatusUnknown", Message: "The container could not be located when the pod was terminated"}
		}
	}
	ps.evicted, ps.disruption = msg, disruption
	k.teardown(ps)
	k.writeStatus(ps)
}

// evictedStatus applies an eviction to a status being written.
func (k *Kubelet) evictedStatus(ps *podState, st *corev1.PodStatus, now metav1.Time) {
	st.Phase, st.Reason, st.Message = corev1.PodFailed, evictedReason, ps.evicted
	if !ps.disruption {
		return
	}
	for _, c := range st.Conditions {
		if c.Type == corev1.DisruptionTarget {
			return
		}
	}
	st.Conditions = append([]corev1.PodCondition{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, LastTransitionTime: now,
		Reason: "TerminationByKubelet", Message: ps.evicted}}, st.Conditions...)
}

// setMemoryPressure posts the node's MemoryPressure condition with its
// event (the kubelet's node status setter).
func (k *Kubelet) setMemoryPressure(on bool) {
	if !k.postCondition(corev1.NodeMemoryPressure, func(c *corev1.NodeCondition, now metav1.Time) {
		c.LastTransitionTime = now
		if on {
			c.Status, c.Reason, c.Message = corev1.ConditionTrue, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"
		} else {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"
		}
	}) {
		return
	}
	reason := "NodeHasSufficientMemory"
	if on {
		reason = "NodeHasInsufficientMemory"
	}
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, reason, fmt.Sprintf("Node %s status is now: %s", k.cfg.NodeName, reason))
}

// postCondition updates the node's status as a status setter does: every
// condition's heartbeat is refreshed and set changes the one of type t. It
// reports whether the node was there to update.
func (k *Kubelet) postCondition(t corev1.NodeConditionType, set func(c *corev1.NodeCondition, now metav1.Time)) bool {
	obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName)
	if err != nil {
		return false
	}
	n := obj.(*corev1.Node).DeepCopy()
	now := k.now()
	for i := range n.Status.Conditions {
		c := &n.Status.Conditions[i]
		c.LastHeartbeatTime = now
		if c.Type == t {
			set(c, now)
		}
	}
	n.ResourceVersion = ""
	k.cfg.Registry.Update(k.nodeRes, "", n, "status")
	return true
}

// admitUnderPressure is the eviction manager's Admit: while the node has
// MemoryPressure only critical pods, pods that are not BestEffort and pods
// tolerating the memory-pressure taint are admitted; the message of a
// rejection, else "".
func (k *Kubelet) admitUnderPressure(p *corev1.Pod) string {
	if !k.eviction.pressure || isCritical(p) || p.Status.QOSClass != corev1.PodQOSBestEffort {
		return ""
	}
	taint := &corev1.Taint{Key: corev1.TaintNodeMemoryPressure, Effect: corev1.TaintEffectNoSchedule}
	for i := range p.Spec.Tolerations {
		if p.Spec.Tolerations[i].ToleratesTaint(logr.Discard(), taint, false) {
			return ""
		}
	}
	return fmt.Sprintf("The node had condition: %v. ", []corev1.NodeConditionType{corev1.NodeMemoryPressure})
}

// reject is the kubelet's rejectPod: a Warning event and the pod Failed.
func (k *Kubelet) reject(p *corev1.Pod, reason, msg string) {
	k.cfg.Recorder.Event(p, "", k.source(), corev1.EventTypeWarning, reason, msg)
	cp := p.DeepCopy()
	cp.Status = corev1.PodStatus{Phase: corev1.PodFailed, Reason: reason, Message: "Pod was rejected: " + msg, QOSClass: p.Status.QOSClass}
	cp.ResourceVersion = ""
	k.cfg.Registry.Update(k.podRes, p.Namespace, cp, "status")
}

// isCritical is kubelettypes.IsCriticalPod: a static or mirror pod, or
// one at system-critical priority or above.
func isCritical(p *corev1.Pod) bool {
	if _, ok := p.Annotations["kubernetes.io/config.mirror"]; ok {
		return true
	}
	if src := p.Annotations["kubernetes.io/config.source"]; src != "" && src != "api" {
		return true
	}
	return priority(p) >= 2000000000
}

func priority(p *corev1.Pod) int32 {
	if p.Spec.Priority != nil {
		return *p.Spec.Priority
	}
	return 0
}
