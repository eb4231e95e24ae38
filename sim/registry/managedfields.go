package registry

import (
	"errors"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/fieldmanager"
)

// SetManager makes name the field manager of the writes that follow, and
// returns the one it replaces: the API server sets the request's manager
// (fieldManager, or the user agent's program), the cluster sets each
// component's (kube-scheduler, kube-controller-manager, kubelet) around its
// work. Every create and update records the manager's fields in the
// object's managedFields as kube-apiserver does; bindings and deletions do
// not, as there.
func (r *Registry) SetManager(name string) string {
	prev := r.manager
	r.manager = name
	return prev
}

// Manager is the field manager of the writes being made.
func (r *Registry) Manager() string { return r.manager }

// SetTypes gives the registry the types of the kinds it serves, built on
// the first write that needs them (the cluster's release's OpenAPI models:
// sim wires them). Without types no write records managed fields and
// server-side apply is an internal error.
func (r *Registry) SetTypes(types func() (*fieldmanager.Types, error)) {
	r.types = types
	r.fields, r.fieldsErr = nil, nil
}

// FieldManagers returns the cluster's field managers, built on first use;
// nil if the registry has no types or they cannot be built.
func (r *Registry) FieldManagers() *fieldmanager.Managers {
	if r.fields == nil && r.fieldsErr == nil {
		if r.types == nil {
			r.fieldsErr = errNoTypes
			return nil
		}
		types, err := r.types()
		if err != nil {
			r.fieldsErr = err
			return nil
		}
		r.fields = fieldmanager.New(types, Scheme, r.clock.Now)
		r.registerCustomTypes()
	}
	return r.fields
}

var errNoTypes = errors.New("registry: no types for server-side apply")

func managedKind(res *Resource, sub string) fieldmanager.Kind {
	return fieldmanager.Kind{GVK: res.GVK(), Subresource: sub, HasStatus: hasStatus(res)}
}

// trackCreate records the current manager's fields of a new object: an
// Update from the kind's empty object, after defaulting and before
// admission, as kube-apiserver's create handler does.
func (r *Registry) trackCreate(res *Resource, obj runtime.Object) runtime.Object {
	if r.tracked {
		return obj
	}
	fm := r.FieldManagers()
	if fm == nil {
		return obj
	}
	return fm.Create(managedKind(res, ""), func() runtime.Object { return emptyOf(res) }, obj, r.manager)
}

// trackUpdate records the current manager's changes from old to obj.
func (r *Registry) trackUpdate(res *Resource, old, obj runtime.Object, sub string) runtime.Object {
	if r.tracked {
		return obj
	}
	fm := r.FieldManagers()
	if fm == nil {
		return obj
	}
	return fm.Update(managedKind(res, sub), old, obj, r.manager)
}

// admit runs the default admission plugins that mutate a new object
// (after its managed fields are recorded, as admission runs after the
// create handler's field manager).
func (r *Registry) admit(obj runtime.Object) {
	if p, ok := obj.(*corev1.Pod); ok {
		r.admitPod(p)
	}
}

// trackScale records the current manager's write of replicas n through
// the scale subresource in the parent's managedFields (m).
func (r *Registry) trackScale(res *Resource, m *metav1.ObjectMeta, before *autoscalingv1.Scale, n int32) {
	fm := r.FieldManagers()
	if fm == nil || r.tracked {
		return
	}
	after := before.DeepCopy()
	after.Spec.Replicas = n
	if entries, err := fm.Scale(res.GVR.GroupVersion(), m.ManagedFields, before, after, r.manager); err == nil {
		m.ManagedFields = entries
	}
}

// emptyOf is the kind's empty object, its kind set (a custom resource's
// objects are unstructured, which the scheme does not stamp).
func emptyOf(res *Resource) runtime.Object {
	live := res.New()
	live.GetObjectKind().SetGroupVersionKind(res.GVK())
	return live
}
