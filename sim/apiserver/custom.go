package apiserver

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"kubesim/sim/apiserver/printers"
	"kubesim/sim/registry"
)

// Custom resources over HTTP: the request decoding of apiextensions-
// apiserver's crdHandler (JSON or YAML, no protobuf; unknown fields pruned,
// reported as warnings or, with fieldValidation=Strict, refused; metadata
// coerced to ObjectMeta) and their Tables from the printer columns.

// decodeCustom decodes a custom object from a request body.
func decodeCustom(req *http.Request, res *registry.Resource, body []byte, strict bool) (runtime.Object, []string, error) {
	gv := res.GVR.GroupVersion()
	cannot := func(err error) error {
		return apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", res.Kind, gv.Version, res.Kind, err))
	}
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch ct {
	case protobufMIMEType:
		return nil, nil, &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
			Message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/cbor",
			Details: &metav1.StatusDetails{}}}
	case "application/yaml":
		j, err := yaml.YAMLToJSON(body)
		if err != nil {
			return nil, nil, cannot(err)
		}
		body = j
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil, apierrors.NewBadRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/cbor")
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(body); err != nil {
		return nil, nil, cannot(err)
	}
	if got := u.GroupVersionKind(); got.Kind != res.Kind || got.GroupVersion() != gv {
		return nil, nil, cannot(fmt.Errorf("no kind %q is registered for version %q", got.Kind, got.GroupVersion()))
	}
	if err := coerceMeta(u); err != nil {
		return nil, nil, cannot(err)
	}
	var warnings []string
	if unknown := registry.PruneCustom(res, u); len(unknown) > 0 {
		msgs := make([]string, len(unknown))
		for i, f := range unknown {
			msgs[i] = fmt.Sprintf("unknown field %q", f)
		}
		if strict {
			return nil, nil, cannot(fmt.Errorf("strict decoding error: %s", strings.Join(msgs, ", ")))
		}
		warnings = msgs
	}
	return u, warnings, nil
}

// coerceMeta replaces a custom object's metadata by its ObjectMeta form:
// unknown metadata fields go, a wrongly typed one is an error.
func coerceMeta(u *unstructured.Unstructured) error {
	raw, ok := u.Object["metadata"]
	if !ok || raw == nil {
		return nil
	}
	mm, ok := raw.(map[string]any)
	if !ok {
		return fmt.Errorf("metadata: expected object, got %T", raw)
	}
	var m metav1.ObjectMeta
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(mm, &m); err != nil {
		return err
	}
	out, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&m)
	if err != nil {
		return err
	}
	if out["creationTimestamp"] == nil {
		delete(out, "creationTimestamp")
	}
	u.Object["metadata"] = out
	return nil
}

// customPatchType refuses a strategic merge patch of a custom object, as
// apiextensions-apiserver does (it has no Go type to merge by).
func customPatchType(req *http.Request, r *request) error {
	if r.res.Custom == nil || r.sub == "scale" {
		return nil
	}
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if types.PatchType(ct) != types.StrategicMergePatchType {
		return nil
	}
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"),
		Details: &metav1.StatusDetails{}}}
}

// customTable is the Table of custom objects by the version's printer
// columns.
func customTable(res *registry.Resource, objs []runtime.Object, lm metav1.ListMeta, opts printers.Options) (*metav1.Table, error) {
	cols := res.Custom.Columns
	return printers.RowsTable(cols.Headers, objs, lm, opts, func(o runtime.Object) []any {
		u, ok := o.(*unstructured.Unstructured)
		if !ok {
			return []any{registry.ObjectMeta(o).GetName()}
		}
		return cols.Cells(u.Object, u.GetName(), opts.Now)
	})
}

// asServed returns obj in the version of the request: an object of
// another version of the same CRD gets the requested apiVersion, which is
// all the None conversion strategy changes.
func asServed(res *registry.Resource, obj runtime.Object) runtime.Object {
	if res.Custom == nil {
		return obj
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj
	}
	want := res.GVR.GroupVersion().String()
	if u.GetAPIVersion() == want {
		return obj
	}
	cp := u.DeepCopy()
	cp.SetAPIVersion(want)
	return cp
}
