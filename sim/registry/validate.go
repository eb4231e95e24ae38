package registry

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"kubesim/sim/validation"
)

// validate returns the field errors kube-apiserver reports for obj, by the
// rules of sim/validation for the cluster's version; old is nil on create.
// An update through a subresource (status) checks only the metadata, as
// upstream's status strategies do: the spec is the stored one.
func (r *Registry) validate(obj, old runtime.Object, subresource string) field.ErrorList {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return r.validateCustom(u, old)
	}
	v := validation.Default
	switch obj.(type) {
	case *appsv1.StatefulSet, *networkingv1.NetworkPolicy:
		// The only rules that differ between 1.27 and 1.33; parsing the
		// version stays off the pod create path.
		v = validation.Version(r.minor())
	}
	switch {
	case old == nil:
		return validation.Validate(obj, v)
	case subresource == "ephemeralcontainers":
		p, ok1 := obj.(*corev1.Pod)
		o, ok2 := old.(*corev1.Pod)
		if ok1 && ok2 {
			return validation.ValidatePodEphemeralContainersUpdate(p, o)
		}
		return nil
	case subresource == "status":
		if i, ok := obj.(*networkingv1.Ingress); ok {
			if o, ok := old.(*networkingv1.Ingress); ok {
				return validation.ValidateIngressStatusUpdate(i, o)
			}
		}
		return validation.ValidateStatusUpdate(obj, old)
	case subresource != "":
		return validation.ValidateStatusUpdate(obj, old)
	}
	return validation.ValidateUpdate(obj, old, v)
}
