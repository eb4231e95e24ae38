package registry

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// podSpecOf returns the pod spec an object carries (a Pod's, or a
// workload's pod template's), or nil.
func podSpecOf(obj runtime.Object) *corev1.PodSpec {
	switch o := obj.(type) {
	case *corev1.Pod:
		return &o.Spec
	case *corev1.PodTemplate:
		return &o.Template.Spec
	case *corev1.ReplicationController:
		if o.Spec.Template != nil {
			return &o.Spec.Template.Spec
		}
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec
	case *batchv1.Job:
		return &o.Spec.Template.Spec
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec
	}
	return nil
}

// dropDisabledFields clears the pod spec fields of features the cluster's
// version does not have on (upstream podutil.DropDisabledPodFields): an
// init container's restartPolicy (SidecarContainers, on by default from
// 1.29) unless the stored object already uses it.
func (r *Registry) dropDisabledFields(obj, old runtime.Object) {
	spec := podSpecOf(obj)
	if spec == nil || r.minor() >= 29 || (old != nil && usesSidecars(podSpecOf(old))) {
		return
	}
	for i := range spec.InitContainers {
		spec.InitContainers[i].RestartPolicy = nil
	}
}

func usesSidecars(spec *corev1.PodSpec) bool {
	if spec == nil {
		return false
	}
	for i := range spec.InitContainers {
		if spec.InitContainers[i].RestartPolicy != nil {
			return true
		}
	}
	return false
}
