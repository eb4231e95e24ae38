package registry

import (
	"errors"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Storage kinds: the defaults of PersistentVolume, PersistentVolumeClaim
// and StorageClass (pkg/apis/core/v1 and storage/v1 defaults.go, the
// strategies' PrepareForCreate/Update) and the storage admission plugins
// (DefaultStorageClass, PersistentVolumeClaimResize).

// IsDefaultClass reports whether a StorageClass carries the default-class
// annotation (GA or beta), as storageutil.IsDefaultAnnotation.
func IsDefaultClass(sc *storagev1.StorageClass) bool {
	return sc.Annotations[IsDefaultClassAnnotation] == "true" ||
		sc.Annotations["storageclass.beta.kubernetes.io/is-default-class"] == "true"
}

// IsDefaultClassAnnotation marks the default StorageClass.
const IsDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"

// ClaimClass is the claim's class: the beta annotation first, then
// spec.storageClassName (helper.GetPersistentVolumeClaimClass).
func ClaimClass(c *corev1.PersistentVolumeClaim) string {
	if cl, ok := c.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return cl
	}
	if c.Spec.StorageClassName != nil {
		return *c.Spec.StorageClassName
	}
	return ""
}

// VolumeClass is the volume's class (helper.GetPersistentVolumeClass).
func VolumeClass(pv *corev1.PersistentVolume) string {
	if cl, ok := pv.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return cl
	}
	return pv.Spec.StorageClassName
}

func (r *Registry) defaultStorage(obj, old runtime.Object) {
	now := metav1.NewTime(r.clock.Now().UTC().Truncate(1e9))
	switch o := obj.(type) {
	case *corev1.PersistentVolume:
		if o.Spec.PersistentVolumeReclaimPolicy == "" {
			o.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRetain
		}
		if o.Spec.VolumeMode == nil {
			o.Spec.VolumeMode = ptr(corev1.PersistentVolumeFilesystem)
		}
		if old == nil {
			o.Status = corev1.PersistentVolumeStatus{Phase: corev1.VolumePending}
			addFinalizer(&o.ObjectMeta, PVProtectionFinalizer)
		}
		if o.Status.Phase == "" {
			o.Status.Phase = corev1.VolumePending
		}
		// PersistentVolumeLastPhaseTransitionTime: beta, on, from 1.29.
		if r.minor() >= 29 {
			if op, ok := old.(*corev1.PersistentVolume); !ok || op.Status.Phase != o.Status.Phase {
				o.Status.LastPhaseTransitionTime = &now
			}
		}
	case *corev1.PersistentVolumeClaim:
		defaultClaimSpec(&o.Spec)
		if old == nil {
			o.Status = corev1.PersistentVolumeClaimStatus{}
			r.admitDefaultClass(o)
			addFinalizer(&o.ObjectMeta, PVCProtectionFinalizer)
		}
		if o.Status.Phase == "" {
			o.Status.Phase = corev1.ClaimPending
		}
	case *storagev1.StorageClass:
		if o.ReclaimPolicy == nil {
			o.ReclaimPolicy = ptr(corev1.PersistentVolumeReclaimDelete)
		}
		if o.VolumeBindingMode == nil {
			o.VolumeBindingMode = ptr(storagev1.VolumeBindingImmediate)
		}
	}
}

// The StorageObjectInUseProtection admission plugin's finalizers: the
// pvc-protection and pv-protection controllers remove them once nothing
// uses the object.
const (
	PVCProtectionFinalizer = "kubernetes.io/pvc-protection"
	PVProtectionFinalizer  = "kubernetes.io/pv-protection"
)

func addFinalizer(m *metav1.ObjectMeta, f string) {
	for _, x := range m.Finalizers {
		if x == f {
			return
		}
	}
	m.Finalizers = append(m.Finalizers, f)
}

func defaultClaimSpec(s *corev1.PersistentVolumeClaimSpec) {
	if s.VolumeMode == nil {
		s.VolumeMode = ptr(corev1.PersistentVolumeFilesystem)
	}
}

// defaultClaimTemplates defaults a StatefulSet's volumeClaimTemplates as
// whole claims (the apps/v1 defaulters recurse into them).
func defaultClaimTemplates(ts []corev1.PersistentVolumeClaim) {
	for i := range ts {
		defaultClaimSpec(&ts[i].Spec)
		if ts[i].Status.Phase == "" {
			ts[i].Status.Phase = corev1.ClaimPending
		}
	}
}

// admitDefaultClass is the DefaultStorageClass admission plugin: a claim
// created with no class gets the default one (the newest if several,
// ties by name).
func (r *Registry) admitDefaultClass(c *corev1.PersistentVolumeClaim) {
	if c.Spec.StorageClassName != nil {
		return
	}
	if _, ok := c.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return
	}
	if sc := r.DefaultStorageClass(); sc != nil {
		c.Spec.StorageClassName = ptr(sc.Name)
	}
}

// DefaultStorageClass is the cluster's default StorageClass, or nil
// (volumeutil.GetDefaultClass).
func (r *Registry) DefaultStorageClass() *storagev1.StorageClass {
	objs, _, _ := r.List(byGVR[storageV1.WithResource("storageclasses")], "", ListOptions{})
	var defaults []*storagev1.StorageClass
	for _, o := range objs {
		if sc := o.(*storagev1.StorageClass); IsDefaultClass(sc) {
			defaults = append(defaults, sc)
		}
	}
	if len(defaults) == 0 {
		return nil
	}
	sort.Slice(defaults, func(i, j int) bool {
		a, b := defaults[i].CreationTimestamp, defaults[j].CreationTimestamp
		if a.Equal(&b) {
			return defaults[i].Name < defaults[j].Name
		}
		return a.After(b.Time)
	})
	return defaults[0]
}

// admitResize is the PersistentVolumeClaimResize admission plugin: a
// claim may grow only once bound, and only when its class allows
// expansion.
func (r *Registry) admitResize(res *Resource, obj, old runtime.Object) error {
	c, ok := obj.(*corev1.PersistentVolumeClaim)
	oc, ok2 := old.(*corev1.PersistentVolumeClaim)
	if !ok || !ok2 {
		return nil
	}
	nq, oq := c.Spec.Resources.Requests[corev1.ResourceStorage], oc.Spec.Resources.Requests[corev1.ResourceStorage]
	if nq.Cmp(oq) <= 0 {
		return nil
	}
	if oc.Status.Phase != corev1.ClaimBound {
		return apierrors.NewForbidden(res.GR(), c.Name, errors.New("Only bound persistent volume claims can be expanded"))
	}
	class, oldClass := ClaimClass(c), ClaimClass(oc)
	allowed := false
	if class != "" && class == oldClass {
		if o, err := r.Get(byGVR[storageV1.WithResource("storageclasses")], "", class); err == nil {
			if sc := o.(*storagev1.StorageClass); sc.AllowVolumeExpansion != nil {
				allowed = *sc.AllowVolumeExpansion
			}
		}
	}
	if !allowed {
		return apierrors.NewForbidden(res.GR(), c.Name, errors.New("only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"))
	}
	return nil
}
