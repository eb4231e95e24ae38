package validation

import (
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The volume source rules of core validation (validateVolumeSource) for the
// sources kubesim's kubelet mounts; other sources only count towards "one
// volume type".

const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive"

var hostPathTypes = []string{"", string(corev1.HostPathBlockDev), string(corev1.HostPathCharDev), string(corev1.HostPathDirectory),
	string(corev1.HostPathDirectoryOrCreate), string(corev1.HostPathFile), string(corev1.HostPathFileOrCreate), string(corev1.HostPathSocket)} // sets.List order

// volumeTypes lists the set sources of s in upstream's order, with the
// path names its "more than 1 volume type" errors use.
func volumeTypes(s *corev1.VolumeSource) []string {
	var names []string
	add := func(set bool, name string) {
		if set {
			names = append(names, name)
		}
	}
	add(s.EmptyDir != nil, "emptyDir")
	add(s.HostPath != nil, "hostPath")
	add(s.GitRepo != nil, "gitRepo")
	add(s.GCEPersistentDisk != nil, "gcePersistentDisk")
	add(s.AWSElasticBlockStore != nil, "awsElasticBlockStore")
	add(s.Secret != nil, "secret")
	add(s.NFS != nil, "nfs")
	add(s.ISCSI != nil, "iscsi")
	add(s.Glusterfs != nil, "glusterfs")
	add(s.Flocker != nil, "flocker")
	add(s.PersistentVolumeClaim != nil, "persistentVolumeClaim")
	add(s.RBD != nil, "rbd")
	add(s.Cinder != nil, "cinder")
	add(s.CephFS != nil, "cephFS")
	add(s.Quobyte != nil, "quobyte")
	add(s.DownwardAPI != nil, "downwarAPI") // sic, upstream's path
	add(s.FC != nil, "fc")
	add(s.FlexVolume != nil, "flexVolume")
	add(s.ConfigMap != nil, "configMap")
	add(s.AzureFile != nil, "azureFile")
	add(s.VsphereVolume != nil, "vsphereVolume")
	add(s.PhotonPersistentDisk != nil, "photonPersistentDisk")
	add(s.PortworxVolume != nil, "portworxVolume")
	add(s.AzureDisk != nil, "azureDisk")
	add(s.StorageOS != nil, "storageos")
	add(s.Projected != nil, "projected")
	add(s.ScaleIO != nil, "scaleIO")
	add(s.CSI != nil, "csi")
	add(s.Ephemeral != nil, "ephemeral")
	return names
}

// okVolumeSource is true when validateVolumeSource finds nothing wrong; it
// allocates nothing for the sources the registry itself adds (projected
// service account tokens) nor for emptyDir.
func okVolumeSource(s *corev1.VolumeSource) bool {
	single := func(others ...bool) bool {
		for _, o := range others {
			if o {
				return false
			}
		}
		return true
	}
	switch {
	case s.Projected != nil && single(s.EmptyDir != nil, s.HostPath != nil, s.GitRepo != nil, s.GCEPersistentDisk != nil, s.AWSElasticBlockStore != nil,
		s.Secret != nil, s.NFS != nil, s.ISCSI != nil, s.Glusterfs != nil, s.Flocker != nil, s.PersistentVolumeClaim != nil, s.RBD != nil,
		s.Cinder != nil, s.CephFS != nil, s.Quobyte != nil, s.DownwardAPI != nil, s.FC != nil, s.FlexVolume != nil, s.ConfigMap != nil,
		s.AzureFile != nil, s.VsphereVolume != nil, s.PhotonPersistentDisk != nil, s.PortworxVolume != nil, s.AzureDisk != nil,
		s.StorageOS != nil, s.ScaleIO != nil, s.CSI != nil, s.Ephemeral != nil):
		return true
	}
	return len(validateVolumeSource(s, volumePath)) == 0
}

var volumePath = field.NewPath("v")

// validateVolumeSource is validateVolumeSource for one volume at p.
func validateVolumeSource(s *corev1.VolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	types := volumeTypes(s)
	if len(types) == 0 {
		return field.ErrorList{field.Required(p, "must specify a volume type")}
	}
	for _, t := range types[1:] {
		errs = append(errs, field.Forbidden(p.Child(t), "may not specify more than 1 volume type"))
	}
	switch types[0] {
	case "emptyDir":
		if l := s.EmptyDir.SizeLimit; l != nil && l.Sign() < 0 {
			errs = append(errs, field.Forbidden(p.Child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity"))
		}
	case "hostPath":
		hp := p.Child("hostPath")
		if s.HostPath.Path == "" {
			errs = append(errs, field.Required(hp.Child("path"), ""))
			break
		}
		errs = append(errs, validatePathNoBacksteps(s.HostPath.Path, hp.Child("path"))...)
		if t := s.HostPath.Type; t != nil && !slices.Contains(hostPathTypes, string(*t)) {
			errs = append(errs, field.NotSupported(hp.Child("type"), *t, hostPathTypes))
		}
	case "secret":
		sp := p.Child("secret")
		if s.Secret.SecretName == "" {
			errs = append(errs, field.Required(sp.Child("secretName"), ""))
		}
		errs = append(errs, validateItems(s.Secret.DefaultMode, s.Secret.Items, sp)...)
	case "configMap":
		cp := p.Child("configMap")
		if s.ConfigMap.Name == "" {
			errs = append(errs, field.Required(cp.Child("name"), ""))
		}
		errs = append(errs, validateItems(s.ConfigMap.DefaultMode, s.ConfigMap.Items, cp)...)
	case "persistentVolumeClaim":
		if s.PersistentVolumeClaim.ClaimName == "" {
			errs = append(errs, field.Required(p.Child("persistentVolumeClaim", "claimName"), ""))
		}
	}
	return errs
}

func validateItems(mode *int32, items []corev1.KeyToPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if mode != nil && (*mode > 0777 || *mode < 0) {
		errs = append(errs, field.Invalid(p.Child("defaultMode"), *mode, fileModeErrorMsg))
	}
	for i, kp := range items {
		ip := p.Child("items").Index(i)
		if kp.Key == "" {
			errs = append(errs, field.Required(ip.Child("key"), ""))
		}
		if kp.Path == "" {
			errs = append(errs, field.Required(ip.Child("path"), ""))
		}
		errs = append(errs, validateLocalNonReservedPath(kp.Path, ip.Child("path"))...)
		if kp.Mode != nil && (*kp.Mode > 0777 || *kp.Mode < 0) {
			errs = append(errs, field.Invalid(ip.Child("mode"), *kp.Mode, fileModeErrorMsg))
		}
	}
	return errs
}

func validatePathNoBacksteps(target string, p *field.Path) field.ErrorList {
	for _, item := range strings.Split(target, "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(p, target, "must not contain '..'")}
		}
	}
	return nil
}

func validateLocalNonReservedPath(target string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(target) {
		errs = append(errs, field.Invalid(p, target, "must be a relative path"))
	}
	errs = append(errs, validatePathNoBacksteps(target, p)...)
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		errs = append(errs, field.Invalid(p, target, "must not start with '..'"))
	}
	return errs
}
