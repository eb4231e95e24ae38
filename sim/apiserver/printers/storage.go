package printers

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Printers for persistentvolumes, persistentvolumeclaims and
// storageclasses (printers.go printPersistentVolume,
// printPersistentVolumeClaim, printStorageClass). 1.29 added the
// VolumeAttributesClass column (always printed, <unset> when empty).

var (
	pvColumns133 = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Capacity", "string", corev1.PersistentVolumeSpec{}.SwaggerDoc()["capacity"]),
		col("Access Modes", "string", corev1.PersistentVolumeSpec{}.SwaggerDoc()["accessModes"]),
		col("Reclaim Policy", "string", corev1.PersistentVolumeSpec{}.SwaggerDoc()["persistentVolumeReclaimPolicy"]),
		col("Status", "string", corev1.PersistentVolumeStatus{}.SwaggerDoc()["phase"]),
		col("Claim", "string", corev1.PersistentVolumeSpec{}.SwaggerDoc()["claimRef"]),
		col("StorageClass", "string", "StorageClass of the pv"),
		col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
		col("Reason", "string", corev1.PersistentVolumeStatus{}.SwaggerDoc()["reason"]),
		ageColumn(),
		wide("VolumeMode", "string", corev1.PersistentVolumeSpec{}.SwaggerDoc()["volumeMode"]),
	}
	pvColumns127 = append(pvColumns133[:7:7], pvColumns133[8:]...)

	pvcColumns133 = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Status", "string", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["phase"]),
		col("Volume", "string", corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeName"]),
		col("Capacity", "string", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["capacity"]),
		col("Access Modes", "string", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["accessModes"]),
		col("StorageClass", "string", "StorageClass of the pvc"),
		col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
		ageColumn(),
		wide("VolumeMode", "string", corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeMode"]),
	}
	pvcColumns127 = append(pvcColumns133[:6:6], pvcColumns133[7:]...)

	storageClassColumns = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Provisioner", "string", storagev1.StorageClass{}.SwaggerDoc()["provisioner"]),
		col("ReclaimPolicy", "string", storagev1.StorageClass{}.SwaggerDoc()["reclaimPolicy"]),
		col("VolumeBindingMode", "string", storagev1.StorageClass{}.SwaggerDoc()["volumeBindingMode"]),
		col("AllowVolumeExpansion", "string", storagev1.StorageClass{}.SwaggerDoc()["allowVolumeExpansion"]),
		ageColumn(),
	}
)

func pvColumns(c *printContext) []metav1.TableColumnDefinition {
	if c.atLeast(29) {
		return pvColumns133
	}
	return pvColumns127
}

func pvcColumns(c *printContext) []metav1.TableColumnDefinition {
	if c.atLeast(29) {
		return pvcColumns133
	}
	return pvcColumns127
}

// AccessModes is helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that
// order, each once.
func AccessModes(modes []corev1.PersistentVolumeAccessMode) string {
	var out []string
	for _, m := range []struct {
		mode  corev1.PersistentVolumeAccessMode
		short string
	}{{corev1.ReadWriteOnce, "RWO"}, {corev1.ReadOnlyMany, "ROX"}, {corev1.ReadWriteMany, "RWX"}, {corev1.ReadWriteOncePod, "RWOP"}} {
		for _, x := range modes {
			if x == m.mode {
				out = append(out, m.short)
				break
			}
		}
	}
	return strings.Join(out, ",")
}

func printPersistentVolume(pv *corev1.PersistentVolume, c *printContext) metav1.TableRow {
	claim := ""
	if r := pv.Spec.ClaimRef; r != nil {
		claim = r.Namespace + "/" + r.Name
	}
	size := pv.Spec.Capacity[corev1.ResourceStorage]
	phase := string(pv.Status.Phase)
	if pv.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	mode := "<unset>"
	if pv.Spec.VolumeMode != nil {
		mode = string(*pv.Spec.VolumeMode)
	}
	cells := []interface{}{pv.Name, size.String(), AccessModes(pv.Spec.AccessModes), string(pv.Spec.PersistentVolumeReclaimPolicy),
		phase, claim, volumeClass(pv)}
	if c.atLeast(29) {
		vac := "<unset>"
		if pv.Spec.VolumeAttributesClassName != nil {
			vac = *pv.Spec.VolumeAttributesClassName
		}
		cells = append(cells, vac)
	}
	return metav1.TableRow{Cells: append(cells, pv.Status.Reason, c.since(pv.CreationTimestamp), mode)}
}

func printPersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim, c *printContext) metav1.TableRow {
	phase := string(pvc.Status.Phase)
	if pvc.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	capacity, modes, mode := "", "", "<unset>"
	if pvc.Spec.VolumeName != "" {
		modes = AccessModes(pvc.Status.AccessModes)
		q := pvc.Status.Capacity[corev1.ResourceStorage]
		capacity = q.String()
	}
	if pvc.Spec.VolumeMode != nil {
		mode = string(*pvc.Spec.VolumeMode)
	}
	cells := []interface{}{pvc.Name, phase, pvc.Spec.VolumeName, capacity, modes, claimClass(pvc)}
	if c.atLeast(29) {
		vac := "<unset>"
		if pvc.Spec.VolumeAttributesClassName != nil {
			vac = *pvc.Spec.VolumeAttributesClassName
		}
		cells = append(cells, vac)
	}
	return metav1.TableRow{Cells: append(cells, c.since(pvc.CreationTimestamp), mode)}
}

func printStorageClass(sc *storagev1.StorageClass, c *printContext) metav1.TableRow {
	name := sc.Name
	if isDefaultClass(sc) {
		name += " (default)"
	}
	reclaim := string(corev1.PersistentVolumeReclaimDelete)
	if sc.ReclaimPolicy != nil {
		reclaim = string(*sc.ReclaimPolicy)
	}
	mode := string(storagev1.VolumeBindingImmediate)
	if sc.VolumeBindingMode != nil {
		mode = string(*sc.VolumeBindingMode)
	}
	expand := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
	return metav1.TableRow{Cells: []interface{}{name, sc.Provisioner, reclaim, mode, expand, c.since(sc.CreationTimestamp)}}
}

func volumeClass(pv *corev1.PersistentVolume) string {
	if cl, ok := pv.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return cl
	}
	return pv.Spec.StorageClassName
}

func claimClass(c *corev1.PersistentVolumeClaim) string {
	if cl, ok := c.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		return cl
	}
	if c.Spec.StorageClassName != nil {
		return *c.Spec.StorageClassName
	}
	return ""
}

func isDefaultClass(sc *storagev1.StorageClass) bool {
	return sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true" ||
		sc.Annotations["storageclass.beta.kubernetes.io/is-default-class"] == "true"
}
