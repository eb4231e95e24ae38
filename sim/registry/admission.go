package registry

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// admitMutate runs the mutating admission plugins kubesim models beyond
// those of defaultObject: LimitRanger's container defaults on a new pod.
// old is nil on create.
func (r *Registry) admitMutate(obj, old runtime.Object) {
	if p, ok := obj.(*corev1.Pod); ok && old == nil {
		r.admitLimitRangerMutate(p)
	}
}

// admitValidate runs the validating admission plugins, after validation as
// in kube-apiserver: LimitRanger (creates only), PersistentVolumeClaimResize (updates)
// and ResourceQuota, last.
func (r *Registry) admitValidate(res *Resource, obj, old runtime.Object, dryRun bool) error {
	if old == nil {
		if err := r.admitLimitRanger(res, obj); err != nil {
			return err
		}
	} else if err := r.admitResize(res, obj, old); err != nil {
		return err
	}
	return r.admitQuota(res, obj, old, dryRun)
}
