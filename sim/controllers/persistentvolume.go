package controllers

import (
	"fmt"
	"regexp"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// persistentVolumeController is kube-controller-manager's
// persistentvolume-binder (pkg/controller/volume/persistentvolume): it
// binds claims to volumes (the smallest Available volume of the claim's
// class, access modes, size, volume mode and selector, or the one a claim
// or volume names), asks the external provisioner for a volume when none
// matches and the class has one, leaves WaitForFirstConsumer claims to the
// scheduler, and reclaims the volume of a deleted claim (Retain: Released;
// Delete: deleted, or handed to its external provisioner). Claims and
// volumes are synced again every 15 s (--pvclaimbinder-sync-period), so
// the events of a pending claim repeat as upstream's do.
//
// It also plays the pvc-protection and pv-protection controllers: a claim
// being deleted keeps its finalizer while a pod uses it, a volume while it
// is Bound.
type persistentVolumeController struct {
	controller[*corev1.PersistentVolumeClaim]
	volumes   queue
	volSynced bool
	// expand holds the claims whose storage request just grew (the
	// volume_expand controller's queue); protect those a pod event may
	// release (pvc-protection's).
	expand, protect queue
}

// Annotations of the binder and the external provisioners
// (k8s.io/component-helpers/storage/volume).
const (
	annBindCompleted          = volumehelpers.AnnBindCompleted
	annBoundByController      = volumehelpers.AnnBoundByController
	annSelectedNode           = volumehelpers.AnnSelectedNode
	annDynamicallyProvisioned = volumehelpers.AnnDynamicallyProvisioned
	annStorageProvisioner     = volumehelpers.AnnStorageProvisioner
	annBetaStorageProvisioner = volumehelpers.AnnBetaStorageProvisioner
)

// pvResyncPeriod is the binder's periodic resync (--pvclaimbinder-sync-period).
const pvResyncPeriod = 15 * time.Second

func newPersistentVolume(b *base) *persistentVolumeController {
	c := &persistentVolumeController{volumes: queue{}, expand: queue{}, protect: queue{}}
	c.controller = newController[*corev1.PersistentVolumeClaim](b, "persistentvolume-binder", b.pvcs, c.syncClaim)
	c.component = "persistentvolume-controller"
	c.onEvent, c.onEventFor = c.onStorageEvent, resources("persistentvolumes", "persistentvolumeclaims", "pods", "storageclasses")
	return c
}

func (c *persistentVolumeController) onStorageEvent(ev store.Event, res, ns, name string) {
	switch res {
	case "persistentvolumes":
		c.volumes.add(name)
		for _, o := range []any{objOf(ev), prevOf(ev)} {
			if pv, ok := o.(*corev1.PersistentVolume); ok && pv.Spec.ClaimRef != nil {
				c.queue.add(nsKey(pv.Spec.ClaimRef.Namespace, pv.Spec.ClaimRef.Name))
			}
		}
	case "persistentvolumeclaims":
		if cur, ok := objOf(ev).(*corev1.PersistentVolumeClaim); ok {
			if prev, ok := prevOf(ev).(*corev1.PersistentVolumeClaim); ok {
				nq, oq := cur.Spec.Resources.Requests[corev1.ResourceStorage], prev.Spec.Resources.Requests[corev1.ResourceStorage]
				if nq.Cmp(oq) > 0 {
					c.expand.add(nsKey(ns, name))
				}
			}
		}
		for _, o := range []any{objOf(ev), prevOf(ev)} {
			if pvc, ok := o.(*corev1.PersistentVolumeClaim); ok && pvc.Spec.VolumeName != "" {
				c.volumes.add(pvc.Spec.VolumeName)
			}
		}
	case "pods":
		// A pod that stops using a claim may release its protection (the
		// pvc-protection controller's pod handler; the binder itself does
		// not watch pods).
		for _, o := range []any{objOf(ev), prevOf(ev)} {
			if p, ok := o.(*corev1.Pod); ok {
				for _, v := range p.Spec.Volumes {
					if v.PersistentVolumeClaim != nil {
						c.protect.add(nsKey(ns, v.PersistentVolumeClaim.ClaimName))
					}
				}
			}
		}
	case "storageclasses":
		c.relistNS("")
	}
}

// Run syncs the queued volumes (every volume on the first run), then the
// queued claims: a new volume is Available before the claims look for one.
func (c *persistentVolumeController) Run(now time.Time) bool {
	if !c.volSynced {
		c.volSynced = true
		for _, pv := range list[*corev1.PersistentVolume](c.base, c.pvs, "") {
			c.volumes.add(pv.Name)
		}
	}
	wrote := c.volumes.each(func(name string) bool { return c.syncVolume(name, now) })
	wrote = c.controller.Run(now) || wrote
	c.expand.each(c.syncExpand)
	return c.protect.each(func(key string) bool {
		claim, ok := c.get(key)
		return ok && claim.DeletionTimestamp != nil && c.releaseClaimProtection(claim)
	}) || wrote
}

// syncExpand is the volume_expand controller for a claim whose request
// grew: kubesim's volumes (hostPath, local, and the external
// provisioners' ones) have no in-tree expander, so it says that an
// external resizer must act, as upstream does for them; none does here,
// so the claim keeps its capacity. It writes nothing.
func (c *persistentVolumeController) syncExpand(key string) bool {
	claim, ok := c.get(key)
	if !ok || claim.Spec.VolumeName == "" || claim.Status.Phase != corev1.ClaimBound {
		return false
	}
	req, have := claim.Spec.Resources.Requests[corev1.ResourceStorage], claim.Status.Capacity[corev1.ResourceStorage]
	if req.Cmp(have) <= 0 {
		return false
	}
	c.event(withGVK(claim, c.pvcs.GVK()), "volume_expand", corev1.EventTypeNormal, "ExternalExpanding", "waiting for an external controller to expand this PVC")
	return false
}

// syncClaim is syncClaim: protection first, then unbound or bound.
func (c *persistentVolumeController) syncClaim(key string, now time.Time) bool {
	claim, ok := c.get(key)
	if !ok {
		return false
	}
	if claim.DeletionTimestamp != nil {
		return c.releaseClaimProtection(claim)
	}
	if !metav1.HasAnnotation(claim.ObjectMeta, annBindCompleted) {
		return c.syncUnboundClaim(key, claim, now)
	}
	return c.syncBoundClaim(claim)
}

func (c *persistentVolumeController) syncUnboundClaim(key string, claim *corev1.PersistentVolumeClaim, now time.Time) bool {
	if claim.Spec.VolumeName != "" {
		pv, ok := get[*corev1.PersistentVolume](c.base, c.pvs, "", claim.Spec.VolumeName)
		switch {
		case !ok:
			// The volume the user asked for does not exist (yet).
			c.requeueAt(key, now.Add(pvResyncPeriod))
			return c.setClaimPhase(claim, corev1.ClaimPending, nil)
		case pv.Spec.ClaimRef == nil:
			if err := checkVolumeSatisfyClaim(pv, claim); err != nil {
				c.record(claim, corev1.EventTypeWarning, "VolumeMismatch", fmt.Sprintf("Cannot bind to requested volume %q: %s", pv.Name, err))
				c.requeueAt(key, now.Add(pvResyncPeriod))
				return c.setClaimPhase(claim, corev1.ClaimPending, nil)
			}
			return c.bind(pv, claim)
		case volumehelpers.IsVolumeBoundToClaim(pv, claim):
			return c.bind(pv, claim)
		default:
			c.record(claim, corev1.EventTypeWarning, "FailedBinding", fmt.Sprintf("volume %q already bound to a different claim.", pv.Name))
			c.requeueAt(key, now.Add(pvResyncPeriod))
			return c.setClaimPhase(claim, corev1.ClaimPending, nil)
		}
	}
	class := c.storageClass(registry.ClaimClass(claim))
	delay := class != nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer &&
		!metav1.HasAnnotation(claim.ObjectMeta, annSelectedNode)
	if pv := c.findVolume(claim, delay); pv != nil {
		return c.bind(pv, claim)
	}
	if c.assignDefaultClass(claim) {
		return true // the update's event syncs the claim again
	}
	wrote := false
	switch {
	case delay:
		c.emitWaitForFirstConsumer(claim)
	case registry.ClaimClass(claim) != "":
		wrote = c.provisionClaim(claim, class)
	default:
		c.record(claim, corev1.EventTypeNormal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set")
	}
	c.requeueAt(key, now.Add(pvResyncPeriod))
	if cur, ok := c.get(key); ok {
		claim = cur
	}
	return c.setClaimPhase(claim, corev1.ClaimPending, nil) || wrote
}

// assignDefaultClass is RetroactiveDefaultStorageClass (beta and on in
// 1.27, GA in 1.28): a claim created with no class while there was no
// default class gets the default class once there is one.
func (c *persistentVolumeController) assignDefaultClass(claim *corev1.PersistentVolumeClaim) bool {
	if claim.Spec.StorageClassName != nil {
		return false
	}
	if _, ok := claim.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return false
	}
	sc := c.Registry.DefaultStorageClass()
	if sc == nil {
		return false
	}
	cp := claim.DeepCopy()
	cp.Spec.StorageClassName = &sc.Name
	return c.update(c.pvcs, cp, "")
}

// findVolume is findBestMatchForClaim: volumes whose access modes cover
// the claim's, then FindMatchingVolume (pre-bound first, else the smallest).
func (c *persistentVolumeController) findVolume(claim *corev1.PersistentVolumeClaim, delay bool) *corev1.PersistentVolume {
	var candidates []*corev1.PersistentVolume
	for _, pv := range list[*corev1.PersistentVolume](c.base, c.pvs, "") {
		if volumehelpers.CheckAccessModes(claim, pv) {
			candidates = append(candidates, pv)
		}
	}
	pv, err := volumehelpers.FindMatchingVolume(claim, candidates, nil, nil, delay, false)
	if err != nil {
		return nil
	}
	return pv
}

// emitWaitForFirstConsumer is emitEventForUnboundDelayBindingClaim.
func (c *persistentVolumeController) emitWaitForFirstConsumer(claim *corev1.PersistentVolumeClaim) {
	reason, msg := "WaitForFirstConsumer", "waiting for first consumer to be created before binding"
	var waiting []string
	for _, p := range c.podsIn(claim.Namespace) {
		if p.Spec.NodeName == "" && podUsesClaim(p, claim.Name) {
			waiting = append(waiting, p.Name)
		}
	}
	switch len(waiting) {
	case 0:
	case 1:
		reason, msg = "WaitForPodScheduled", fmt.Sprintf("waiting for pod %s to be scheduled", waiting[0])
	default:
		reason, msg = "WaitForPodScheduled", fmt.Sprintf("waiting for pods %s to be scheduled", joinComma(waiting))
	}
	c.record(claim, corev1.EventTypeNormal, reason, msg)
}

// provisionClaim is provisionClaimOperationExternal: kubesim's classes all
// name external provisioners (CSI drivers, rancher.io/local-path); the
// claim is annotated with the provisioner, which takes it from there.
func (c *persistentVolumeController) provisionClaim(claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass) bool {
	if class == nil {
		c.record(claim, corev1.EventTypeWarning, "ProvisioningFailed", fmt.Sprintf("storageclass.storage.k8s.io %q not found", registry.ClaimClass(claim)))
		return false
	}
	wrote := false
	if claim.Annotations[annStorageProvisioner] != class.Provisioner || claim.Annotations[annBetaStorageProvisioner] != class.Provisioner {
		cp := claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&cp.ObjectMeta, annBetaStorageProvisioner, class.Provisioner)
		metav1.SetMetaDataAnnotation(&cp.ObjectMeta, annStorageProvisioner, class.Provisioner)
		if !c.update(c.pvcs, cp, "") {
			return false
		}
		wrote = true
		claim = cp
	}
	msg := fmt.Sprintf("waiting for a volume to be created, either by external provisioner %q or manually created by system administrator", class.Provisioner)
	if c.minor >= 28 {
		msg = fmt.Sprintf("Waiting for a volume to be created either by the external provisioner '%s' "+
			"or manually by the system administrator. If volume creation is delayed, please verify that "+
			"the provisioner is running and correctly registered.", class.Provisioner)
	}
	c.record(claim, corev1.EventTypeNormal, "ExternalProvisioning", msg)
	return wrote
}

// bind is bind: the volume's claimRef and phase, then the claim's
// volumeName, annotations and phase.
func (c *persistentVolumeController) bind(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) bool {
	wrote := false
	if nv, dirty, err := volumehelpers.GetBindVolumeToClaim(pv, claim); err == nil && dirty {
		nv.Spec.ClaimRef.ResourceVersion = claim.ResourceVersion
		if !c.update(c.pvs, nv, "") {
			return false
		}
		wrote = true
		pv, _ = get[*corev1.PersistentVolume](c.base, c.pvs, "", pv.Name)
	}
	wrote = c.setVolumePhase(pv, corev1.VolumeBound, "") || wrote
	cp := claim.DeepCopy()
	dirty := false
	if cp.Spec.VolumeName != pv.Name {
		cp.Spec.VolumeName = pv.Name
		if !metav1.HasAnnotation(cp.ObjectMeta, annBoundByController) {
			metav1.SetMetaDataAnnotation(&cp.ObjectMeta, annBoundByController, "yes")
		}
		dirty = true
	}
	if !metav1.HasAnnotation(cp.ObjectMeta, annBindCompleted) {
		metav1.SetMetaDataAnnotation(&cp.ObjectMeta, annBindCompleted, "yes")
		dirty = true
	}
	if dirty {
		if !c.update(c.pvcs, cp, "") {
			return wrote
		}
		wrote = true
		if cur, ok := get[*corev1.PersistentVolumeClaim](c.base, c.pvcs, cp.Namespace, cp.Name); ok {
			cp = cur
		}
	}
	return c.setClaimPhase(cp, corev1.ClaimBound, pv) || wrote
}

func (c *persistentVolumeController) syncBoundClaim(claim *corev1.PersistentVolumeClaim) bool {
	if claim.Spec.VolumeName == "" {
		return c.claimLost(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
	}
	pv, ok := get[*corev1.PersistentVolume](c.base, c.pvs, "", claim.Spec.VolumeName)
	if !ok {
		return c.claimLost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
	}
	if pv.Spec.ClaimRef == nil || volumehelpers.IsVolumeBoundToClaim(pv, claim) {
		return c.bind(pv, claim)
	}
	return c.claimLost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")
}

func (c *persistentVolumeController) claimLost(claim *corev1.PersistentVolumeClaim, reason, msg string) bool {
	if claim.Status.Phase == corev1.ClaimLost {
		return false
	}
	wrote := c.setClaimPhase(claim, corev1.ClaimLost, nil)
	c.record(claim, corev1.EventTypeWarning, reason, msg)
	return wrote
}

// setClaimPhase is updateClaimStatus.
func (c *persistentVolumeController) setClaimPhase(claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, pv *corev1.PersistentVolume) bool {
	st := claim.Status.DeepCopy()
	st.Phase = phase
	if pv == nil {
		st.AccessModes, st.Capacity = nil, nil
	} else {
		st.AccessModes = pv.Spec.AccessModes
		if claim.Status.Phase != phase || st.Capacity == nil {
			st.Capacity = corev1.ResourceList{corev1.ResourceStorage: pv.Spec.Capacity[corev1.ResourceStorage]}
		}
	}
	if equality.Semantic.DeepEqual(st, &claim.Status) {
		return false
	}
	cp := claim.DeepCopy()
	cp.Status = *st
	return c.update(c.pvcs, cp, "status")
}

// setVolumePhase is updateVolumePhase.
func (c *persistentVolumeController) setVolumePhase(pv *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, msg string) bool {
	if pv.Status.Phase == phase && pv.Status.Message == msg {
		return false
	}
	cp := pv.DeepCopy()
	cp.Status.Phase, cp.Status.Message = phase, msg
	return c.update(c.pvs, cp, "status")
}

// syncVolume is syncVolume, plus pv-protection.
func (c *persistentVolumeController) syncVolume(name string, now time.Time) bool {
	pv, ok := get[*corev1.PersistentVolume](c.base, c.pvs, "", name)
	if !ok {
		return false
	}
	if pv.DeletionTimestamp != nil && pv.Status.Phase != corev1.VolumeBound {
		return c.removeFinalizer(c.pvs, pv, registry.PVProtectionFinalizer)
	}
	ref := pv.Spec.ClaimRef
	if ref == nil || ref.UID == "" {
		return c.setVolumePhase(pv, corev1.VolumeAvailable, "")
	}
	claim, ok := get[*corev1.PersistentVolumeClaim](c.base, c.pvcs, ref.Namespace, ref.Name)
	if ok && claim.UID != ref.UID {
		ok = false
	}
	switch {
	case !ok:
		wrote := false
		if pv.Status.Phase != corev1.VolumeReleased && pv.Status.Phase != corev1.VolumeFailed {
			wrote = c.setVolumePhase(pv, corev1.VolumeReleased, "")
			pv, _ = get[*corev1.PersistentVolume](c.base, c.pvs, "", name)
		}
		return c.reclaim(pv) || wrote
	case claim.Spec.VolumeName == "":
		c.queue.add(nsKey(claim.Namespace, claim.Name))
		return false
	case claim.Spec.VolumeName == pv.Name:
		return c.setVolumePhase(pv, corev1.VolumeBound, "")
	default:
		// The claim is bound to another volume.
		if metav1.HasAnnotation(pv.ObjectMeta, annDynamicallyProvisioned) && pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete {
			wrote := false
			if pv.Status.Phase != corev1.VolumeReleased && pv.Status.Phase != corev1.VolumeFailed {
				wrote = c.setVolumePhase(pv, corev1.VolumeReleased, "")
				pv, _ = get[*corev1.PersistentVolume](c.base, c.pvs, "", name)
			}
			return c.reclaim(pv) || wrote
		}
		if metav1.HasAnnotation(pv.ObjectMeta, annBoundByController) {
			// unbindVolume: the controller's own binding is undone.
			cp := pv.DeepCopy()
			cp.Spec.ClaimRef = nil
			delete(cp.Annotations, annBoundByController)
			if !c.update(c.pvs, cp, "") {
				return false
			}
			if cur, ok := get[*corev1.PersistentVolume](c.base, c.pvs, "", name); ok {
				c.setVolumePhase(cur, corev1.VolumeAvailable, "")
			}
			return true
		}
		return false
	}
}

// hostPathDeletable is the in-tree hostPath deleter's rule: it deletes
// only under /tmp.
var hostPathDeletable = regexp.MustCompile("^/tmp/.+")

// reclaim is reclaimVolume for a Released volume: Retain keeps it;
// Delete deletes a volume of an external provisioner (its provisioner
// does it), a hostPath volume under /tmp, and fails otherwise; Recycle is
// not modelled (no recycler pod) and fails.
func (c *persistentVolumeController) reclaim(pv *corev1.PersistentVolume) bool {
	if pv == nil || pv.DeletionTimestamp != nil || pv.Status.Phase == corev1.VolumeFailed {
		return false
	}
	switch pv.Spec.PersistentVolumeReclaimPolicy {
	case corev1.PersistentVolumeReclaimRetain:
		return false
	case corev1.PersistentVolumeReclaimRecycle:
		return c.failVolume(pv, "VolumeFailedRecycle", "No recycler plugin found for the volume!")
	case corev1.PersistentVolumeReclaimDelete:
		if p := pv.Annotations[annDynamicallyProvisioned]; p != "" {
			return false // the external provisioner deletes it
		}
		if pv.Spec.HostPath != nil {
			if !hostPathDeletable.MatchString(pv.Spec.HostPath.Path) {
				return c.failVolume(pv, "VolumeFailedDelete", fmt.Sprintf("host_path deleter only supports /tmp/.+ but received provided %s", pv.Spec.HostPath.Path))
			}
			_, err := c.Registry.Delete(c.pvs, "", pv.Name, nil)
			return err == nil
		}
		return c.failVolume(pv, "VolumeFailedDelete", "error getting deleter volume plugin for volume \""+pv.Name+"\": no deletable volume plugin matched")
	}
	return c.failVolume(pv, "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy")
}

// failVolume is updateVolumePhaseWithEvent(Failed).
func (c *persistentVolumeController) failVolume(pv *corev1.PersistentVolume, reason, msg string) bool {
	wrote := c.setVolumePhase(pv, corev1.VolumeFailed, msg)
	c.event(withGVK(pv, c.pvs.GVK()), c.component, corev1.EventTypeWarning, reason, msg)
	return wrote
}

// releaseClaimProtection is the pvc-protection controller: the finalizer
// goes once no pod that has not finished uses the claim.
func (c *persistentVolumeController) releaseClaimProtection(claim *corev1.PersistentVolumeClaim) bool {
	for _, p := range c.podsIn(claim.Namespace) {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && podUsesClaim(p, claim.Name) {
			return false
		}
	}
	return c.removeFinalizer(c.pvcs, claim, registry.PVCProtectionFinalizer)
}

func (c *persistentVolumeController) removeFinalizer(res *registry.Resource, obj object, f string) bool {
	fs := obj.GetFinalizers()
	out := make([]string, 0, len(fs))
	for _, x := range fs {
		if x != f {
			out = append(out, x)
		}
	}
	if len(out) == len(fs) {
		return false
	}
	cp := obj.DeepCopyObject().(object)
	cp.SetFinalizers(out)
	return c.update(res, cp, "")
}

func (c *persistentVolumeController) storageClass(name string) *storagev1.StorageClass {
	if name == "" {
		return nil
	}
	sc, ok := get[*storagev1.StorageClass](c.base, c.storageclasses, "", name)
	if !ok {
		return nil
	}
	return sc
}

// checkVolumeSatisfyClaim is checkVolumeSatisfyClaim: size, class, mode
// and access modes of a volume the claim names.
func checkVolumeSatisfyClaim(pv *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	req := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	have := pv.Spec.Capacity[corev1.ResourceStorage]
	if req.Cmp(have) > 0 {
		return fmt.Errorf("requested PV is too small")
	}
	if registry.VolumeClass(pv) != registry.ClaimClass(claim) {
		return fmt.Errorf("storageClassName does not match")
	}
	if volumehelpers.CheckVolumeModeMismatches(&claim.Spec, &pv.Spec) {
		return fmt.Errorf("incompatible volumeMode")
	}
	if !volumehelpers.CheckAccessModes(claim, pv) {
		return fmt.Errorf("incompatible accessMode")
	}
	return nil
}

// podUsesClaim reports whether the pod mounts the claim (directly or as
// its generic ephemeral volume <pod>-<volume>).
func podUsesClaim(p *corev1.Pod, claim string) bool {
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			return true
		}
		if v.Ephemeral != nil && p.Name+"-"+v.Name == claim {
			return true
		}
	}
	return false
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
