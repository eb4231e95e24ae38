package registry

import (
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/store"
)

// ApplyOptions are a server-side apply's options (PatchOptions).
type ApplyOptions struct {
	// Force takes over the fields other managers own (--force-conflicts).
	Force bool
	// DryRun checks and returns the result without writing it.
	DryRun bool
	// Subresource is "" or "status".
	Subresource string
}

// Apply is server-side apply (a PATCH of application/apply-patch+yaml) of
// the applied configuration patch to res/ns/name by the current manager
// (SetManager): upstream's field manager merges it into the live object,
// or into the kind's empty object when there is none, and the result is
// created or updated as any write is (defaulting, admission on create,
// validation). It reports whether the object was created. A conflict with
// another manager's fields is a 409 with upstream's message.
func (r *Registry) Apply(res *Resource, ns, name string, patch *unstructured.Unstructured, opts ApplyOptions) (runtime.Object, bool, error) {
	if !res.Namespaced {
		ns = ""
	}
	fm := r.FieldManagers()
	if fm == nil {
		return nil, false, apierrors.NewInternalError(r.fieldsErr)
	}
	var live runtime.Object
	created := false
	kv, err := r.store.Get(Key(res, ns, name))
	switch {
	case errors.Is(err, store.ErrNotFound):
		if opts.Subresource != "" {
			return nil, false, notFound(res, name)
		}
		live = emptyOf(res)
		created = true
	case err != nil:
		return nil, false, apierrors.NewInternalError(err)
	default:
		live = kv.Obj.(runtime.Object)
	}
	obj, err := fm.Apply(managedKind(res, opts.Subresource), live, patch, r.manager, opts.Force)
	if err != nil {
		return nil, false, serverError(err)
	}
	m := ObjectMeta(obj)
	if m == nil {
		return nil, false, apierrors.NewInternalError(fmt.Errorf("apply of %s gave a %T", res.Kind, obj))
	}
	if res.Namespaced {
		if m.GetNamespace() == "" {
			m.SetNamespace(ns)
		} else if m.GetNamespace() != ns {
			return nil, false, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
	}
	if m.GetName() != name {
		return nil, false, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.GetName(), name))
	}
	r.tracked = true
	defer func() { r.tracked = false }()
	if created {
		// The system fields of a new object are the server's
		// (rest.WipeObjectMetaSystemFields).
		m.SetResourceVersion("")
		m.SetUID("")
		m.SetCreationTimestamp(metav1.Time{})
		out, err := r.Create(res, ns, obj, opts.DryRun)
		return out, err == nil, err
	}
	out, err := r.update(res, ns, obj, opts.Subresource, opts.DryRun)
	return out, false, err
}

// serverError is the API status of an error that is not one, as
// kube-apiserver answers it (ErrorToAPIStatus): 500, reason Unknown, the
// error's text as the message.
func serverError(err error) error {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		return err
	}
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusInternalServerError, Reason: metav1.StatusReasonUnknown, Message: err.Error(),
	}}
}
