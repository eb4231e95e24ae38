package kubelet

import (
	corev1 "k8s.io/api/core/v1"
)

// The kubelet's cgroup driver (config.yaml's cgroupDriver as the kubelet
// read it at start). With "cgroupfs" the kubelet gives each pod sandbox a
// cgroupfs parent, /kubepods[/burstable|/besteffort]/pod<uid>
// (pkg/kubelet/cm's CgroupName.ToCgroupfs); a runtime whose runc uses
// systemd's driver then refuses to create it. Otherwise the parent is
// left to the runtime, as before.

// SetCgroupDriver sets the driver the kubelet runs with.
func (k *Kubelet) SetCgroupDriver(driver string) { k.cgroupDriver = driver }

// cgroupParent is the sandbox's cgroup parent for pod p ("" when the
// runtime chooses).
func (k *Kubelet) cgroupParent(p *corev1.Pod) string {
	if k.cgroupDriver != "cgroupfs" {
		return ""
	}
	switch qosClass(p) {
	case corev1.PodQOSGuaranteed:
		return "/kubepods/pod" + string(p.UID)
	case corev1.PodQOSBurstable:
		return "/kubepods/burstable/pod" + string(p.UID)
	}
	return "/kubepods/besteffort/pod" + string(p.UID)
}

// qosClass is the pod's QoS class: its status's, else computed as
// v1qos.GetPodQOS does for cpu and memory.
func qosClass(p *corev1.Pod) corev1.PodQOSClass {
	if p.Status.QOSClass != "" {
		return p.Status.QOSClass
	}
	set, guaranteed := false, true
	for _, c := range append(append([]corev1.Container(nil), p.Spec.InitContainers...), p.Spec.Containers...) {
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, hasReq := c.Resources.Requests[r]
			lim, hasLim := c.Resources.Limits[r]
			if hasReq || hasLim {
				set = true
			}
			if !hasLim || (hasReq && req.Cmp(lim) != 0) {
				guaranteed = false
			}
		}
	}
	switch {
	case !set:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}
