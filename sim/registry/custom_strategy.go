package registry

import (
	"fmt"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"kubesim/sim/validation"
)

// The custom resource strategy (apiextensions-apiserver
// pkg/registry/customresource): what Create and Update do for an object of
// a CRD-defined kind, an *unstructured.Unstructured.

// customCreateAllowed refuses creates while the CRD is being deleted.
func customCreateAllowed(res *Resource) error {
	if res.Custom != nil && res.Custom.Terminating {
		return apierrors.NewMethodNotSupported(res.GR(), "create")
	}
	return nil
}

// PruneCustom drops the fields of obj its schema does not declare and
// returns their paths ("spec.foo"), for the API server's strict or warning
// field validation. The registry prunes again on write; this only reports.
func PruneCustom(res *Resource, obj runtime.Object) []string {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok || res.Custom == nil {
		return nil
	}
	return res.Custom.Version.Prune(u.Object)
}

// defaultCustom is PrepareForCreate/PrepareForUpdate and the decoder's
// pruning and defaulting: apiVersion and kind are the resource's, unknown
// fields go, the schema's defaults are set, and with the status
// subresource a create drops the status.
func (r *Registry) defaultCustom(res *Resource, obj, old runtime.Object) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	if u.Object == nil {
		u.Object = map[string]any{}
	}
	u.SetAPIVersion(res.GVR.GroupVersion().String())
	u.SetKind(res.Kind)
	v := res.Custom.Version
	if old == nil && v.Status {
		delete(u.Object, "status")
	}
	v.Prune(u.Object)
	v.Default(u.Object)
}

// validateCustom validates a custom object: its metadata as the CR
// strategy does, then its content by the version's schema. The error is
// the field list, or nil.
func (r *Registry) validateCustom(u *unstructured.Unstructured, old runtime.Object) field.ErrorList {
	res, ok := r.customs().byGVK[u.GroupVersionKind()]
	if !ok {
		return nil
	}
	m, err := customMeta(u)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), "", err.Error())}
	}
	var om *metav1.ObjectMeta
	if ou, ok := old.(*unstructured.Unstructured); ok {
		if om, err = customMeta(ou); err != nil {
			om = nil
		}
	}
	errs := validation.ValidateCustomObjectMeta(m, om, res.Namespaced)
	return append(errs, res.Custom.Version.Validate(u.Object)...)
}

// copyCustomSpec keeps everything of src but status and the metadata a
// status write may change: a write to the status subresource.
func copyCustomSpec(dst *unstructured.Unstructured, src runtime.Object) {
	s, ok := src.(*unstructured.Unstructured)
	if !ok {
		return
	}
	status, hasStatus := dst.Object["status"]
	meta := dst.Object["metadata"]
	next := runtime.DeepCopyJSON(s.Object)
	next["metadata"] = meta
	delete(next, "status")
	if hasStatus {
		next["status"] = status
	}
	dst.Object = next
	sm := ObjectMeta(s)
	dst.SetLabels(sm.GetLabels())
	dst.SetAnnotations(sm.GetAnnotations())
	dst.SetFinalizers(sm.GetFinalizers())
	dst.SetOwnerReferences(sm.GetOwnerReferences())
}

// copyCustomStatus keeps src's status: a write to the main resource.
func copyCustomStatus(dst *unstructured.Unstructured, src runtime.Object) {
	s, ok := src.(*unstructured.Unstructured)
	if !ok {
		return
	}
	if st, ok := s.Object["status"]; ok {
		dst.Object["status"] = runtime.DeepCopyJSONValue(st)
	} else {
		delete(dst.Object, "status")
	}
}

// customSpecChanged reports a change of anything but metadata (and status,
// when it is a subresource): the CR strategy's generation rule.
func customSpecChanged(a *unstructured.Unstructured, b runtime.Object, statusSub bool) bool {
	o, ok := b.(*unstructured.Unstructured)
	if !ok {
		return false
	}
	strip := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, v := range m {
			if k == "metadata" || (statusSub && k == "status") {
				continue
			}
			out[k] = v
		}
		return out
	}
	return !equality.Semantic.DeepEqual(strip(a.Object), strip(o.Object))
}

// jsonPathFields splits a simple JSON path (".spec.replicas") into fields.
func jsonPathFields(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "."), ".")
}

func customScaleOf(res *Resource, u *unstructured.Unstructured) (*autoscalingv1.Scale, error) {
	sc := res.Custom.Version.Scale
	if sc == nil {
		return nil, notFound(res, u.GetName())
	}
	out := &autoscalingv1.Scale{TypeMeta: metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"},
		ObjectMeta: metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), UID: u.GetUID(), ResourceVersion: u.GetResourceVersion(), CreationTimestamp: u.GetCreationTimestamp()}}
	if n, ok, _ := unstructured.NestedFieldNoCopy(u.Object, jsonPathFields(sc.SpecReplicasPath)...); ok {
		out.Spec.Replicas = int32(toInt64(n))
	}
	if n, ok, _ := unstructured.NestedFieldNoCopy(u.Object, jsonPathFields(sc.StatusReplicasPath)...); ok {
		out.Status.Replicas = int32(toInt64(n))
	}
	if sc.LabelSelectorPath != nil && *sc.LabelSelectorPath != "" {
		if s, ok, _ := unstructured.NestedFieldNoCopy(u.Object, jsonPathFields(*sc.LabelSelectorPath)...); ok {
			if str, ok := s.(string); ok {
				out.Status.Selector = str
			}
		}
	}
	return out, nil
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case int32:
		return int64(n)
	}
	return 0
}

// customSetScale writes n at the scale subresource's spec path.
func (r *Registry) customSetScale(res *Resource, ns, name string, n int32, dryRun bool) (*autoscalingv1.Scale, error) {
	obj, err := r.Get(res, ns, name)
	if err != nil {
		return nil, err
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok || res.Custom.Version.Scale == nil {
		return nil, notFound(res, name)
	}
	scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: autoscalingv1.ScaleSpec{Replicas: n}}
	if errs := validation.ValidateScale(scale); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: "autoscaling", Kind: "Scale"}, name, errs)
	}
	cp := u.DeepCopy()
	if err := unstructured.SetNestedField(cp.Object, int64(n), jsonPathFields(res.Custom.Version.Scale.SpecReplicasPath)...); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot set %s: %v", res.Custom.Version.Scale.SpecReplicasPath, err))
	}
	cp.SetResourceVersion("")
	out, err := r.update(res, ns, cp, "", dryRun)
	if err != nil {
		return nil, err
	}
	return customScaleOf(res, out.(*unstructured.Unstructured))
}
