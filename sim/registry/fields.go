package registry

import (
	"reflect"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
)

// FieldSet returns the fields a field selector may use on obj, as
// kube-apiserver's registry strategies expose them.
func FieldSet(obj runtime.Object) fields.Set {
	m := ObjectMeta(obj)
	set := fields.Set{"metadata.name": m.GetName()}
	if m.GetNamespace() != "" {
		set["metadata.namespace"] = m.GetNamespace()
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		set["spec.nodeName"] = o.Spec.NodeName
		set["spec.restartPolicy"] = string(o.Spec.RestartPolicy)
		set["spec.schedulerName"] = o.Spec.SchedulerName
		set["spec.serviceAccountName"] = o.Spec.ServiceAccountName
		set["spec.hostNetwork"] = strconv.FormatBool(o.Spec.HostNetwork)
		set["status.phase"] = string(o.Status.Phase)
		set["status.podIP"] = o.Status.PodIP
		set["status.nominatedNodeName"] = o.Status.NominatedNodeName
	case *corev1.Node:
		set["spec.unschedulable"] = strconv.FormatBool(o.Spec.Unschedulable)
	case *corev1.Namespace:
		set["status.phase"] = string(o.Status.Phase)
	case *corev1.Secret:
		set["type"] = string(o.Type)
	case *corev1.Event:
		set["involvedObject.kind"] = o.InvolvedObject.Kind
		set["involvedObject.namespace"] = o.InvolvedObject.Namespace
		set["involvedObject.name"] = o.InvolvedObject.Name
		set["involvedObject.uid"] = string(o.InvolvedObject.UID)
		set["involvedObject.apiVersion"] = o.InvolvedObject.APIVersion
		set["involvedObject.resourceVersion"] = o.InvolvedObject.ResourceVersion
		set["involvedObject.fieldPath"] = o.InvolvedObject.FieldPath
		set["reason"] = o.Reason
		set["reportingComponent"] = o.ReportingController
		set["source"] = o.Source.Component
		set["type"] = o.Type
	case *appsv1.ReplicaSet:
		set["status.replicas"] = strconv.Itoa(int(o.Status.Replicas))
	}
	return set
}

// FieldLabelSupported reports whether a field selector key is served for a resource.
func FieldLabelSupported(res *Resource, key string) bool {
	switch key {
	case "metadata.name", "metadata.namespace":
		return true
	}
	probe := res.New()
	_, ok := FieldSet(probe)[key]
	if !ok && res.Kind == "Pod" {
		// FieldSet omits empty namespace; every pod key is present otherwise.
		return false
	}
	return ok
}

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// copySpec sets dst.Spec (and metadata other than what a status write may
// change) from src: a write to the status subresource changes status only.
func copySpec(dst, src runtime.Object) {
	if u, ok := dst.(*unstructured.Unstructured); ok {
		copyCustomSpec(u, src)
		return
	}
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	if f := dv.FieldByName("Spec"); f.IsValid() {
		f.Set(sv.FieldByName("Spec"))
	}
	dm, sm := ObjectMeta(dst), ObjectMeta(src)
	dm.SetLabels(sm.GetLabels())
	dm.SetAnnotations(sm.GetAnnotations())
	dm.SetFinalizers(sm.GetFinalizers())
	dm.SetOwnerReferences(sm.GetOwnerReferences())
}

// copyStatus sets dst.Status from src: a write to the main resource keeps
// the stored status.
func copyStatus(dst, src runtime.Object) {
	if u, ok := dst.(*unstructured.Unstructured); ok {
		copyCustomStatus(u, src)
		return
	}
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	if f := dv.FieldByName("Status"); f.IsValid() {
		f.Set(sv.FieldByName("Status"))
	}
}

// specChanged reports whether the Spec field differs (drives metadata.generation).
func specChanged(a, b runtime.Object) bool {
	if u, ok := a.(*unstructured.Unstructured); ok {
		// With a status subresource the status is the stored one here,
		// so comparing all but metadata is the CR strategy's rule.
		return customSpecChanged(u, b, false)
	}
	av, bv := reflect.ValueOf(a).Elem().FieldByName("Spec"), reflect.ValueOf(b).Elem().FieldByName("Spec")
	if !av.IsValid() || !bv.IsValid() {
		return false
	}
	return !equality.Semantic.DeepEqual(av.Interface(), bv.Interface())
}
