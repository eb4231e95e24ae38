package registry

import (
	"bytes"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// The CustomResourceDefinition strategy (apiextensions-apiserver
// pkg/registry/customresourcedefinition) and the storage of custom objects.

// CRDCleanupFinalizer is the finalizer a deleted CRD gets until its custom
// objects are gone (customresourcecleanup.apiextensions.k8s.io).
const CRDCleanupFinalizer = apiextensionsv1.CustomResourceCleanupFinalizer

// defaultCRD applies the v1 defaults (singular, listKind, conversion) and
// the strategy's storedVersions: a create starts with an empty status that
// records the storage version, an update adds a new storage version.
func (r *Registry) defaultCRD(obj, old runtime.Object) {
	crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition)
	if !ok {
		return
	}
	if old == nil {
		crd.Status = apiextensionsv1.CustomResourceDefinitionStatus{}
	}
	Scheme.Default(crd)
	for _, v := range crd.Spec.Versions {
		if !v.Storage {
			continue
		}
		found := false
		for _, s := range crd.Status.StoredVersions {
			found = found || s == v.Name
		}
		if !found {
			crd.Status.StoredVersions = append(crd.Status.StoredVersions, v.Name)
		}
		break
	}
}

// crdCleanupFinalizer adds the cleanup finalizer to a CRD being deleted, as
// the CRD storage's Delete does on the first request, so that its objects
// are deleted before it goes (the crd controller removes it).
func crdCleanupFinalizer(res *Resource, m metav1.Object, fins []string, changed bool) ([]string, bool) {
	if res.GR() != crdGR || m.GetDeletionTimestamp() != nil {
		return fins, changed
	}
	for _, f := range fins {
		if f == CRDCleanupFinalizer {
			return fins, changed
		}
	}
	return append(append([]string(nil), fins...), CRDCleanupFinalizer), true
}

// noteCRD rebuilds the served custom resources after a write to a CRD.
func (r *Registry) noteCRD(res *Resource, rev int64) {
	if res.GR() == crdGR {
		r.rebuildCustom(rev)
	}
}

// encodeCustom is the stored form of a custom object: JSON, as
// apiextensions-apiserver stores custom resources.
func encodeCustom(dst []byte, u *unstructured.Unstructured) ([]byte, error) {
	b, err := u.MarshalJSON()
	if err != nil {
		return dst, fmt.Errorf("encode %s for storage: %w", u.GroupVersionKind(), err)
	}
	return append(dst, bytes.TrimSpace(b)...), nil
}

// decodeCustom reads a stored custom object back.
func decodeCustom(value []byte) (any, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(value); err != nil {
		return nil, err
	}
	if u.GetAPIVersion() == "" || u.GetKind() == "" {
		return nil, fmt.Errorf("stored custom object without apiVersion and kind")
	}
	return u, nil
}
