package sim

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/scheduler"
)

// Volume binding waits. Upstream's VolumeBinding PreBind makes its writes
// (a WaitForFirstConsumer claim's selected node, a static volume's
// claimRef) and then waits until the binder and the provisioner have bound
// every claim of the pod, before the pod is bound; so the kubelet never
// sees the pod with an unbound claim. The scheduler component does the
// same: a placed pod with PreBind writes, or with a claim not bound yet
// (one a pod placed before it is waiting for), goes to volumeWait, and each Run
// binds those whose claims are all Bound (in placement order). The pod is
// assumed on its node meanwhile. [gap: upstream gives up after
// bindTimeoutSeconds (600 s) and reschedules; here the pod waits.]

// bindVolumeWaiters binds the waiting pods whose claims are bound now and
// drops those that are gone; it reports whether it wrote.
func (sc *schedulerComponent) bindVolumeWaiters(now time.Time) bool {
	if len(sc.volumeWait) == 0 {
		return false
	}
	did := false
	keep := sc.volumeWait[:0]
	for _, b := range sc.volumeWait {
		o, err := sc.c.Registry.Get(sc.podRes, b.pod.Namespace, b.pod.Name)
		if err != nil || o.(*corev1.Pod).UID != b.pod.UID || o.(*corev1.Pod).Spec.NodeName != "" {
			continue // deleted (the scheduler forgets it from the event) or bound
		}
		if !sc.claimsBound(b.pod) {
			keep = append(keep, b)
			continue
		}
		did = true
		if err := sc.c.Registry.Bind(b.pod.Namespace, b.pod.Name, b.node); err != nil {
			sc.s.BindFailed(now, b.pod, err)
			sc.s.AddPod(o.(*corev1.Pod))
			continue
		}
		sc.c.Recorder.Series(b.pod, "default-scheduler", sc.instance, corev1.EventTypeNormal, "Scheduled", "Binding", scheduler.ScheduledMessage(b.pod, b.node))
	}
	sc.volumeWait = keep
	return did
}

// claimsBound reports whether every claim the pod mounts is Bound.
func (sc *schedulerComponent) claimsBound(pod *corev1.Pod) bool {
	res := sc.c.res("", "persistentvolumeclaims")
	for _, v := range pod.Spec.Volumes {
		name := ""
		switch {
		case v.PersistentVolumeClaim != nil:
			name = v.PersistentVolumeClaim.ClaimName
		case v.Ephemeral != nil:
			name = pod.Name + "-" + v.Name
		default:
			continue
		}
		o, err := sc.c.Registry.Get(res, pod.Namespace, name)
		if err != nil {
			return false
		}
		if c := o.(*corev1.PersistentVolumeClaim); c.Status.Phase != corev1.ClaimBound || c.Spec.VolumeName == "" {
			return false
		}
	}
	return true
}
