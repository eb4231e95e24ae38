package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func storageSpec(size string, modes ...corev1.PersistentVolumeAccessMode) corev1.PersistentVolumeClaimSpec {
	s := corev1.PersistentVolumeClaimSpec{AccessModes: modes}
	if size != "" {
		s.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}
	}
	return s
}

func TestValidatePersistentVolumeClaim(t *testing.T) {
	k := schema.GroupKind{Kind: "PersistentVolumeClaim"}
	tests := []struct {
		name string
		spec corev1.PersistentVolumeClaimSpec
		want string
	}{
		{"valid", storageSpec("1Gi", corev1.ReadWriteOnce), ""},
		{"nothing", storageSpec(""),
			`PersistentVolumeClaim "data" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]`},
		{"bad mode and size", storageSpec("0", "ReadWriteSometimes"),
			`PersistentVolumeClaim "data" is invalid: [spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod", spec.resources[storage]: Invalid value: "0": must be greater than zero]`},
		{"RWOP with others", storageSpec("1Gi", corev1.ReadWriteOncePod, corev1.ReadWriteOnce),
			`PersistentVolumeClaim "data" is invalid: spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"}, Spec: tt.spec}
			check(t, tt.want, invalid(k, c.Name, ValidatePersistentVolumeClaim(c)))
		})
	}
	// Updates: the spec is fixed but for the request of a bound claim.
	old := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default", ResourceVersion: "1"}, Spec: storageSpec("1Gi", corev1.ReadWriteOnce)}
	c := old.DeepCopy()
	c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
	check(t, `PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests for bound claims`,
		invalid(k, c.Name, ValidatePersistentVolumeClaimUpdate(c, old, 27)))
	c = old.DeepCopy()
	c.Status.Phase = corev1.ClaimBound
	c.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("500Mi")
	check(t, `PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value`,
		invalid(k, c.Name, ValidatePersistentVolumeClaimUpdate(c, old, 27)))
}

func TestValidatePersistentVolume(t *testing.T) {
	k := schema.GroupKind{Kind: "PersistentVolume"}
	one := corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	rwo := []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	tests := []struct {
		name string
		spec corev1.PersistentVolumeSpec
		want string
	}{
		{"valid hostPath", corev1.PersistentVolumeSpec{Capacity: one, AccessModes: rwo, PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/mnt/data"}}}, ""},
		{"no source", corev1.PersistentVolumeSpec{Capacity: one, AccessModes: rwo},
			`PersistentVolume "pv" is invalid: spec: Required value: must specify a volume type`},
		{"two sources", corev1.PersistentVolumeSpec{Capacity: one, AccessModes: rwo, PersistentVolumeSource: corev1.PersistentVolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: "/mnt/data"}, NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/x"}}},
			`PersistentVolume "pv" is invalid: spec.nfs: Forbidden: may not specify more than 1 volume type`},
		{"local without affinity", corev1.PersistentVolumeSpec{Capacity: one, AccessModes: rwo, PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt/ssd"}}},
			`PersistentVolume "pv" is invalid: spec.nodeAffinity: Required value: Local volume requires node affinity`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv"}, Spec: tt.spec}
			check(t, tt.want, invalid(k, pv.Name, ValidatePersistentVolume(pv)))
		})
	}
}

func TestValidateStorageClass(t *testing.T) {
	k := schema.GroupKind{Group: "storage.k8s.io", Kind: "StorageClass"}
	wffc, del, ret := storagev1.VolumeBindingWaitForFirstConsumer, corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRetain
	old := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard", ResourceVersion: "1"}, Provisioner: "rancher.io/local-path", ReclaimPolicy: &del, VolumeBindingMode: &wffc}
	check(t, "", invalid(k, old.Name, ValidateStorageClass(old)))
	sc := old.DeepCopy()
	sc.Provisioner = ""
	check(t, `StorageClass.storage.k8s.io "standard" is invalid: provisioner: Required value`, invalid(k, sc.Name, ValidateStorageClass(sc)))
	sc = old.DeepCopy()
	sc.ReclaimPolicy = &ret
	check(t, `StorageClass.storage.k8s.io "standard" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.`, invalid(k, sc.Name, ValidateStorageClassUpdate(sc, old)))
}
