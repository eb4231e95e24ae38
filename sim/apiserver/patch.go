package apiserver

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"kubesim/sim/registry"
)

// applyPatch returns the JSON of current with the patch applied, as
// kube-apiserver's patcher does for each patch type.
func applyPatch(pt types.PatchType, current, patch []byte, schemaObj runtime.Object) ([]byte, error) {
	switch pt {
	case types.JSONPatchType:
		p, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		out, err := p.Apply(current)
		if err != nil {
			return nil, apierrors.NewGenericServerResponse(http.StatusUnprocessableEntity, "", schema.GroupResource{}, "", err.Error(), 0, false)
		}
		return out, nil
	case types.MergePatchType:
		out, err := jsonpatch.MergePatch(current, patch)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return out, nil
	case types.StrategicMergePatchType:
		var probe map[string]any
		if err := json.Unmarshal(patch, &probe); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		out, err := strategicpatch.StrategicMergePatch(current, patch, schemaObj)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return out, nil
	}
	return nil, unsupportedMediaType(string(pt))
}

func (s *Server) servePatch(w http.ResponseWriter, req *http.Request, r *request) {
	ct, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil {
		writeError(w, unsupportedMediaType(req.Header.Get("Content-Type")))
		return
	}
	pt := types.PatchType(ct)
	switch pt {
	case types.JSONPatchType, types.MergePatchType, types.StrategicMergePatchType:
	case types.ApplyYAMLPatchType:
		s.serveApply(w, req, r)
		return
	default:
		writeError(w, unsupportedMediaType(ct))
		return
	}
	q := req.URL.Query()
	if _, err := patchOptions(q, pt); err != nil {
		writeError(w, err)
		return
	}
	patch, err := readBody(req)
	if err != nil {
		writeError(w, err)
		return
	}
	var out runtime.Object
	s.doAs(fieldManager(q, req.UserAgent()), func() { out, err = s.patch(r, pt, patch, isDryRun(q), isStrict(q)) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeObject(w, http.StatusOK, out)
}

// patch applies a patch to the stored object and writes the result.
func (s *Server) patch(r *request, pt types.PatchType, patch []byte, dryRun, strict bool) (runtime.Object, error) {
	cur, err := s.cfg.Registry.Get(r.res, r.namespace, r.name)
	if err != nil {
		return nil, err
	}
	curJSON, err := encodeJSON(cur)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	patched, err := applyPatch(pt, curJSON, patch, r.res.New())
	if err != nil {
		return nil, err
	}
	gvk := r.res.GVK()
	dec := jsonSerializer
	if strict {
		dec = strictJSON
	}
	obj, _, err := dec.Decode(patched, &gvk, r.res.New())
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", r.res.Kind, gvk.Version, r.res.Kind, err))
	}
	m := registry.ObjectMeta(obj)
	if m.GetName() != r.name {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.GetName(), r.name))
	}
	// The patch carries the resourceVersion precondition only if it set one.
	if !strings.Contains(string(patch), `"resourceVersion"`) {
		m.SetResourceVersion("")
	}
	if dryRun {
		return s.cfg.Registry.DryRunUpdate(r.res, r.namespace, obj, r.sub)
	}
	return s.cfg.Registry.Update(r.res, r.namespace, obj, r.sub)
}

func unsupportedMediaType(ct string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"),
		Details: &metav1.StatusDetails{},
	}}
}
