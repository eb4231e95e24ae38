package validation

import (
	"path"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The rules of PersistentVolume and PersistentVolumeClaim
// (pkg/apis/core/validation: ValidatePersistentVolume*,
// ValidatePersistentVolumeClaim*) and of StorageClass
// (pkg/apis/storage/validation). ReadWriteOncePod is accepted on every
// version kubesim reports (beta and on by default in 1.27, GA in 1.29).

var (
	accessModes    = []string{string(corev1.ReadOnlyMany), string(corev1.ReadWriteMany), string(corev1.ReadWriteOnce), string(corev1.ReadWriteOncePod)}
	pvReclaim      = []string{string(corev1.PersistentVolumeReclaimDelete), string(corev1.PersistentVolumeReclaimRecycle), string(corev1.PersistentVolumeReclaimRetain)}
	scReclaim      = []string{string(corev1.PersistentVolumeReclaimDelete), string(corev1.PersistentVolumeReclaimRetain)}
	volumeModes    = []string{string(corev1.PersistentVolumeBlock), string(corev1.PersistentVolumeFilesystem)}
	bindingModes   = []string{string(storagev1.VolumeBindingImmediate), string(storagev1.VolumeBindingWaitForFirstConsumer)}
	storageKeyPath = func(p *field.Path) *field.Path { return p.Child("resources").Key(string(corev1.ResourceStorage)) }
)

func validateAccessModes(modes []corev1.PersistentVolumeAccessMode, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	once, other := false, false
	for _, m := range modes {
		switch m {
		case corev1.ReadWriteOncePod:
			once = true
		case corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany:
			other = true
		default:
			errs = append(errs, field.NotSupported(p.Child("accessModes"), m, accessModes))
		}
	}
	if once && other {
		errs = append(errs, field.Forbidden(p.Child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}

func validateClassName(name string, p *field.Path) field.ErrorList {
	if name == "" {
		return nil
	}
	var errs field.ErrorList
	for _, msg := range nameIsDNSSubdomain(name, false) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}

// ValidatePersistentVolume is ValidatePersistentVolume.
func ValidatePersistentVolume(pv *corev1.PersistentVolume) field.ErrorList {
	errs := validateObjectMeta(&pv.ObjectMeta, false, subdomainName)
	s, p := &pv.Spec, specPath
	if len(s.AccessModes) == 0 {
		errs = append(errs, field.Required(p.Child("accessModes"), ""))
	}
	errs = append(errs, validateAccessModes(s.AccessModes, p)...)
	if len(s.Capacity) == 0 {
		errs = append(errs, field.Required(p.Child("capacity"), ""))
	}
	if _, ok := s.Capacity[corev1.ResourceStorage]; !ok || len(s.Capacity) > 1 {
		errs = append(errs, field.NotSupported(p.Child("capacity"), s.Capacity, []string{string(corev1.ResourceStorage)}))
	}
	for r, q := range s.Capacity {
		if q.Sign() <= 0 {
			errs = append(errs, field.Invalid(p.Child("capacity").Key(string(r)), q.String(), "must be greater than zero"))
		}
	}
	if rp := s.PersistentVolumeReclaimPolicy; rp != "" && !contains(pvReclaim, string(rp)) {
		errs = append(errs, field.NotSupported(p.Child("persistentVolumeReclaimPolicy"), rp, pvReclaim))
	}
	if s.NodeAffinity != nil && s.NodeAffinity.Required == nil {
		errs = append(errs, field.Required(p.Child("nodeAffinity").Child("required"), "must specify required node constraints"))
	}
	errs = append(errs, validatePVSource(s, p)...)
	if s.Local != nil && (s.NodeAffinity == nil || s.NodeAffinity.Required == nil) {
		errs = append(errs, field.Required(p.Child("nodeAffinity"), "Local volume requires node affinity"))
	}
	if s.HostPath != nil && path.Clean(s.HostPath.Path) == "/" && s.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimRecycle {
		errs = append(errs, field.Forbidden(p.Child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
	}
	errs = append(errs, validateClassName(s.StorageClassName, p.Child("storageClassName"))...)
	if m := s.VolumeMode; m != nil && !contains(volumeModes, string(*m)) {
		errs = append(errs, field.NotSupported(p.Child("volumeMode"), *m, volumeModes))
	}
	return errs
}

// validatePVSource counts the volume sources (exactly one) and checks the
// ones kubesim models as data: hostPath, local and nfs.
func validatePVSource(s *corev1.PersistentVolumeSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	src := reflect.ValueOf(s.PersistentVolumeSource)
	t := src.Type()
	for i := 0; i < src.NumField(); i++ {
		if src.Field(i).IsNil() {
			continue
		}
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if n > 0 {
			errs = append(errs, field.Forbidden(p.Child(name), "may not specify more than 1 volume type"))
			continue
		}
		n++
	}
	switch {
	case n == 0:
		errs = append(errs, field.Required(p, "must specify a volume type"))
	case s.HostPath != nil:
		if s.HostPath.Path == "" {
			errs = append(errs, field.Required(p.Child("hostPath", "path"), ""))
		} else {
			errs = append(errs, noBacksteps(s.HostPath.Path, p.Child("hostPath", "path"))...)
		}
	case s.Local != nil:
		if s.Local.Path == "" {
			errs = append(errs, field.Required(p.Child("local", "path"), ""))
		} else {
			errs = append(errs, noBacksteps(s.Local.Path, p.Child("local", "path"))...)
		}
	case s.NFS != nil:
		if s.NFS.Server == "" {
			errs = append(errs, field.Required(p.Child("nfs", "server"), ""))
		}
		if s.NFS.Path == "" {
			errs = append(errs, field.Required(p.Child("nfs", "path"), ""))
		}
		if !path.IsAbs(s.NFS.Path) {
			errs = append(errs, field.Invalid(p.Child("nfs", "path"), s.NFS.Path, "must be an absolute path"))
		}
	}
	return errs
}

func noBacksteps(v string, p *field.Path) field.ErrorList {
	for _, item := range strings.Split(v, "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(p, v, "must not contain '..'")}
		}
	}
	return nil
}

// ValidatePersistentVolumeUpdate is ValidatePersistentVolumeUpdate: the
// volume source and mode are immutable.
func ValidatePersistentVolumeUpdate(pv, old *corev1.PersistentVolume) field.ErrorList {
	errs := append(validateObjectMetaUpdate(&pv.ObjectMeta, &old.ObjectMeta), ValidatePersistentVolume(pv)...)
	if !apiequality.Semantic.DeepEqual(pv.Spec.PersistentVolumeSource, old.Spec.PersistentVolumeSource) {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"))
	}
	return append(errs, validateImmutable(pv.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
}

// ValidatePersistentVolumeClaim is ValidatePersistentVolumeClaim.
func ValidatePersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim) field.ErrorList {
	errs := validateObjectMeta(&pvc.ObjectMeta, true, subdomainName)
	return append(errs, ValidatePersistentVolumeClaimSpec(&pvc.Spec, specPath)...)
}

// ValidatePersistentVolumeClaimSpec is ValidatePersistentVolumeClaimSpec
// (also a StatefulSet's volumeClaimTemplates).
func ValidatePersistentVolumeClaimSpec(s *corev1.PersistentVolumeClaimSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(s.AccessModes) == 0 {
		errs = append(errs, field.Required(p.Child("accessModes"), "at least 1 access mode is required"))
	}
	if s.Selector != nil {
		errs = append(errs, validateLabelSelector(s.Selector, p.Child("selector"))...)
	}
	errs = append(errs, validateAccessModes(s.AccessModes, p)...)
	if q, ok := s.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storageKeyPath(p), ""))
	} else if q.Sign() <= 0 {
		errs = append(errs, field.Invalid(storageKeyPath(p), q.String(), "must be greater than zero"))
	}
	if s.StorageClassName != nil {
		errs = append(errs, validateClassName(*s.StorageClassName, p.Child("storageClassName"))...)
	}
	if m := s.VolumeMode; m != nil && !contains(volumeModes, string(*m)) {
		errs = append(errs, field.NotSupported(p.Child("volumeMode"), *m, volumeModes))
	}
	return errs
}

// ValidatePersistentVolumeClaimUpdate is ValidatePersistentVolumeClaimUpdate:
// the spec is immutable but for an unset volumeName and, once bound, the
// storage request, which may not shrink. (Upstream appends a go-cmp diff
// of the two specs to the Forbidden message; go-cmp randomises its
// spacing, so it is left out.)
func ValidatePersistentVolumeClaimUpdate(pvc, old *corev1.PersistentVolumeClaim, v Version) field.ErrorList {
	errs := append(validateObjectMetaUpdate(&pvc.ObjectMeta, &old.ObjectMeta), ValidatePersistentVolumeClaim(pvc)...)
	nw, ol := pvc.Spec.DeepCopy(), old.Spec.DeepCopy()
	if ol.VolumeName == "" {
		ol.VolumeName = nw.VolumeName
	}
	if ol.StorageClassName == nil && old.Annotations[corev1.BetaStorageClassAnnotation] == "" {
		ol.StorageClassName = nw.StorageClassName // retroactive default class
	}
	if pvc.Status.Phase == corev1.ClaimBound && nw.Resources.Requests != nil {
		nw.Resources.Requests[corev1.ResourceStorage] = old.Spec.Resources.Requests[corev1.ResourceStorage]
	}
	if !apiequality.Semantic.DeepEqual(nw, ol) {
		msg := "spec is immutable after creation except resources.requests for bound claims"
		if v >= 29 {
			msg = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
		}
		errs = append(errs, field.Forbidden(specPath, msg))
	}
	newSize, oldSize := pvc.Spec.Resources.Requests[corev1.ResourceStorage], old.Spec.Resources.Requests[corev1.ResourceStorage]
	if newSize.Cmp(oldSize) < 0 {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "resources", "requests", "storage"), "field can not be less than previous value"))
	}
	return append(errs, validateImmutable(pvc.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
}

// ValidateStorageClass is storage's ValidateStorageClass.
func ValidateStorageClass(sc *storagev1.StorageClass) field.ErrorList {
	errs := validateObjectMeta(&sc.ObjectMeta, false, subdomainName)
	p := field.NewPath("provisioner")
	if sc.Provisioner == "" {
		errs = append(errs, field.Required(p, ""))
	} else {
		for _, msg := range isQualifiedName(strings.ToLower(sc.Provisioner)) {
			errs = append(errs, field.Invalid(p, sc.Provisioner, msg))
		}
	}
	for k := range sc.Parameters {
		if k == "" {
			errs = append(errs, field.Invalid(field.NewPath("parameters"), k, "field can not be empty."))
		}
	}
	if rp := sc.ReclaimPolicy; rp != nil && *rp != "" && !contains(scReclaim, string(*rp)) {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), *rp, scReclaim))
	}
	if m := sc.VolumeBindingMode; m == nil {
		errs = append(errs, field.Required(field.NewPath("volumeBindingMode"), ""))
	} else if !contains(bindingModes, string(*m)) {
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), *m, bindingModes))
	}
	return errs
}

// ValidateStorageClassUpdate is ValidateStorageClassUpdate: parameters,
// provisioner, reclaimPolicy and volumeBindingMode are fixed.
func ValidateStorageClassUpdate(sc, old *storagev1.StorageClass) field.ErrorList {
	errs := validateObjectMetaUpdate(&sc.ObjectMeta, &old.ObjectMeta)
	if !reflect.DeepEqual(sc.Parameters, old.Parameters) {
		errs = append(errs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	if sc.Provisioner != old.Provisioner {
		errs = append(errs, field.Forbidden(field.NewPath("provisioner"), "updates to provisioner are forbidden."))
	}
	if sc.ReclaimPolicy != nil && old.ReclaimPolicy != nil && *sc.ReclaimPolicy != *old.ReclaimPolicy {
		errs = append(errs, field.Forbidden(field.NewPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
	}
	return append(errs, validateImmutable(sc.VolumeBindingMode, old.VolumeBindingMode, field.NewPath("volumeBindingMode"))...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
