package controllers

import (
	"fmt"
	"path"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// LocalPathProvisioner is the provisioner name of rancher's local-path
// provisioner, the default StorageClass's in kind and k3s.
const LocalPathProvisioner = "rancher.io/local-path"

// LocalPathRoot is where local-path keeps its volumes on a node
// (its default nodePathMap; kind configures /var/local-path-provisioner).
const LocalPathRoot = "/opt/local-path-provisioner"

// LocalPathDir is the node directory of a local-path volume:
// <root>/<pv name>_<claim namespace>_<claim name>.
func LocalPathDir(pvName, ns, claim string) string {
	return path.Join(LocalPathRoot, pvName+"_"+ns+"_"+claim)
}

// localPathController is rancher's local-path-provisioner as
// sig-storage-lib-external-provisioner drives it: a claim annotated for
// rancher.io/local-path (by the binder) and, for WaitForFirstConsumer, with
// the node the scheduler chose, gets a hostPath volume pvc-<claim uid> on
// that node (DirectoryOrCreate under LocalPathRoot, node affinity on
// kubernetes.io/hostname, the class's reclaim policy); a Released volume
// it provisioned with the Delete policy is deleted. The directory itself is
// made and removed by the node's kubelet (local-path runs a helper pod on
// the node for both). kubesim runs no provisioner pod; the events' source
// is the identity such a pod would have.
type localPathController struct {
	controller[*corev1.PersistentVolumeClaim]
	volumes  queue
	identity string
}

func newLocalPath(b *base) *localPathController {
	c := &localPathController{volumes: queue{}}
	c.controller = newController[*corev1.PersistentVolumeClaim](b, "local-path-provisioner", b.pvcs, c.syncClaim)
	c.onEventFor = resources("persistentvolumes")
	c.onEvent = func(ev store.Event, res, ns, name string) {
		if res == "persistentvolumes" {
			c.volumes.add(name)
		}
	}
	return c
}

// Run provisions for the queued claims, then deletes the queued volumes
// that are due.
func (c *localPathController) Run(now time.Time) bool {
	wrote := c.controller.Run(now)
	return c.volumes.each(c.syncVolume) || wrote
}

// source is the event source of the provisioner: <provisioner>_<pod>_<uuid>,
// drawn when first needed.
func (c *localPathController) source() string {
	if c.identity == "" {
		c.identity = LocalPathProvisioner + "_local-path-provisioner-" + c.Registry.RandSuffix(10)[:10] + "-" + c.Registry.RandSuffix(5) + "_" + c.Registry.NewUID()
	}
	return c.identity
}

func (c *localPathController) syncClaim(key string, _ time.Time) bool {
	claim, ok := c.live(key)
	if !ok || claim.Spec.VolumeName != "" || claim.Status.Phase != corev1.ClaimPending {
		return false
	}
	if claim.Annotations[annStorageProvisioner] != LocalPathProvisioner && claim.Annotations[annBetaStorageProvisioner] != LocalPathProvisioner {
		return false
	}
	class, ok := get[*storagev1.StorageClass](c.base, c.storageclasses, "", registry.ClaimClass(claim))
	if !ok || class.Provisioner != LocalPathProvisioner {
		return false
	}
	node := claim.Annotations[annSelectedNode]
	wffc := class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
	if node == "" && wffc {
		return false
	}
	name := "pvc-" + string(claim.UID)
	if _, exists := get[*corev1.PersistentVolume](c.base, c.pvs, "", name); exists {
		return false
	}
	src := c.source()
	c.event(withGVK(claim, c.pvcs.GVK()), src, corev1.EventTypeNormal, "Provisioning", fmt.Sprintf("External provisioner is provisioning volume for claim %q", claim.Namespace+"/"+claim.Name))
	if node == "" {
		// Immediate binding: local-path needs a node; it refuses.
		c.event(withGVK(claim, c.pvcs.GVK()), src, corev1.EventTypeWarning, "ProvisioningFailed",
			"failed to provision volume with StorageClass \""+class.Name+"\": configuration error, no node was specified")
		return false
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{annDynamicallyProvisioned: LocalPathProvisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              class.Name,
			VolumeMode:                    claim.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: claim.Namespace, Name: claim.Name,
				UID: claim.UID, APIVersion: "v1", ResourceVersion: claim.ResourceVersion},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: LocalPathDir(name, claim.Namespace, claim.Name), Type: ptrTo(corev1.HostPathDirectoryOrCreate)}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}},
			}}}},
		},
	}
	if _, err := c.Registry.Create(c.pvs, "", pv, false); err != nil {
		c.event(withGVK(claim, c.pvcs.GVK()), src, corev1.EventTypeWarning, "ProvisioningFailed",
			fmt.Sprintf("failed to provision volume with StorageClass %q: %v", class.Name, err))
		return false
	}
	c.event(withGVK(claim, c.pvcs.GVK()), src, corev1.EventTypeNormal, "ProvisioningSucceeded", "Successfully provisioned volume "+name)
	return true
}

// syncVolume deletes a Released volume this provisioner made whose policy is Delete.
func (c *localPathController) syncVolume(name string) bool {
	pv, ok := get[*corev1.PersistentVolume](c.base, c.pvs, "", name)
	if !ok || pv.DeletionTimestamp != nil || pv.Annotations[annDynamicallyProvisioned] != LocalPathProvisioner {
		return false
	}
	if pv.Status.Phase != corev1.VolumeReleased || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		return false
	}
	_, err := c.Registry.Delete(c.pvs, "", name, nil)
	return err == nil
}
