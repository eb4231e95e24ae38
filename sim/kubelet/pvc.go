package kubelet

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim/store"
)

// persistentVolumeClaim volumes. The volume manager's desired-state
// populator resolves a pod's claim to its bound PersistentVolume before
// anything is mounted (pkg/kubelet/volumemanager/populator): a claim that
// is missing or not yet bound leaves the pod ContainerCreating, retried,
// with upstream's "error processing PVC" text. A bound volume mounts a
// directory of the node's host filesystem (HostFS), so what a container
// writes there outlives the pod and is found again by the next pod on the
// node that mounts the claim:
//
//   - hostPath and local volumes (rancher's local-path provisioner makes
//     hostPath ones under /opt/local-path-provisioner) mount their path,
//     created when missing as local-path's helper pod creates it;
//   - other sources (nfs, csi, …) mount a directory of their own on the
//     node, /var/lib/kubelet/pods-independent
//     /var/lib/kubelet/plugins/kubernetes.io/<plugin>/mounts/<volume>
//     [gap: network storage is per node here, not shared between nodes].
//
// When a local-path volume of this node is deleted its directory goes, as
// local-path's cleanup helper pod removes it.

// localPathProvisioner is the provisioned-by value of local-path volumes.
const localPathProvisioner = "rancher.io/local-path"

// claimPath resolves the claim of a pod volume to the volume's path in
// the node's host filesystem; err is the populator's processing error.
func (k *Kubelet) claimPath(ns string, src *corev1.PersistentVolumeClaimVolumeSource) (string, error) {
	res, _ := lookupResource("persistentvolumeclaims")
	o, err := k.cfg.Registry.Get(res, ns, src.ClaimName)
	if err != nil {
		return "", fmt.Errorf("error processing PVC %s/%s: failed to fetch PVC from API server: persistentvolumeclaims %q not found", ns, src.ClaimName, src.ClaimName)
	}
	pvc := o.(*corev1.PersistentVolumeClaim)
	if pvc.Status.Phase != corev1.ClaimBound || pvc.Spec.VolumeName == "" {
		return "", fmt.Errorf("error processing PVC %s/%s: PVC is not bound", ns, src.ClaimName)
	}
	res, _ = lookupResource("persistentvolumes")
	o, err = k.cfg.Registry.Get(res, "", pvc.Spec.VolumeName)
	if err != nil {
		return "", fmt.Errorf("error processing PVC %s/%s: failed to fetch PV %s from API server: persistentvolumes %q not found", ns, src.ClaimName, pvc.Spec.VolumeName, pvc.Spec.VolumeName)
	}
	pv := o.(*corev1.PersistentVolume)
	switch {
	case pv.Spec.HostPath != nil:
		return path.Clean(pv.Spec.HostPath.Path), nil
	case pv.Spec.Local != nil:
		return path.Clean(pv.Spec.Local.Path), nil
	}
	return "/var/lib/kubelet/plugins/kubernetes.io/" + pluginOf(pv) + "/mounts/" + pv.Name, nil
}

// pluginOf names the volume plugin of a volume source (the directory
// name the kubelet gives it).
func pluginOf(pv *corev1.PersistentVolume) string {
	switch s := pv.Spec.PersistentVolumeSource; {
	case s.NFS != nil:
		return "nfs"
	case s.CSI != nil:
		return "csi"
	case s.ISCSI != nil:
		return "iscsi"
	}
	return "volume"
}

// setUpClaim resolves the claim and makes sure its directory exists. A
// processing error is reported as such (not as a SetUp failure).
func (k *Kubelet) setUpClaim(ns string, src *corev1.PersistentVolumeClaimVolumeSource) (process bool, err error) {
	p, err := k.claimPath(ns, src)
	if err != nil {
		return true, err
	}
	host := k.HostFS().FS()
	if st, err := host.Stat(p); err == nil && st.IsDir() {
		return false, nil
	}
	return false, host.MkdirAll(p, 0o777)
}

// volumeEvent removes the directory of a deleted local-path volume of
// this node.
func (k *Kubelet) volumeEvent(ev store.Event, pv *corev1.PersistentVolume) {
	if ev.Type != store.Delete || pv.Annotations["pv.kubernetes.io/provisioned-by"] != localPathProvisioner || pv.Spec.HostPath == nil {
		return
	}
	if na := pv.Spec.NodeAffinity; na == nil || na.Required == nil || !affinityNames(na.Required, k.cfg.NodeName) {
		return
	}
	k.HostFS().FS().RemoveAll(path.Clean(pv.Spec.HostPath.Path))
}

// affinityNames reports whether a node selector's hostname terms name node.
func affinityNames(sel *corev1.NodeSelector, node string) bool {
	for _, t := range sel.NodeSelectorTerms {
		for _, e := range t.MatchExpressions {
			if e.Key != corev1.LabelHostname || e.Operator != corev1.NodeSelectorOpIn {
				continue
			}
			for _, v := range e.Values {
				if v == node {
					return true
				}
			}
		}
	}
	return false
}
