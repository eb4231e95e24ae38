package apiserver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"kubesim/sim/registry"
)

// fieldManager is the manager a write is recorded under: the fieldManager
// parameter, else the program of the request's user agent (the part before
// the first "/", printable characters only, at most 128 bytes), as
// kube-apiserver's managerOrUserAgent picks it: kubectl create sends
// kubectl-create, kubectl scale sends none and is "kubectl".
func fieldManager(q url.Values, userAgent string) string {
	if m := q.Get("fieldManager"); m != "" {
		return m
	}
	prog := strings.Split(userAgent, "/")[0]
	var buf bytes.Buffer
	for _, r := range prog {
		if !unicode.IsPrint(r) {
			continue
		}
		if buf.Len()+utf8.RuneLen(r) > metav1validation.FieldManagerMaxLength {
			break
		}
		buf.WriteRune(r)
	}
	return buf.String()
}

// doAs runs fn through the driver with the request's field manager as the
// registry's current one.
func (s *Server) doAs(manager string, fn func()) {
	s.cfg.Driver.Do(func() {
		prev := s.cfg.Registry.SetManager(manager)
		defer s.cfg.Registry.SetManager(prev)
		fn()
	})
}

// writeOptionsError checks the fieldManager parameter of a create or
// update as kube-apiserver validates CreateOptions and UpdateOptions.
func writeOptionsError(q url.Values, kind string) error {
	errs := metav1validation.ValidateFieldManager(q.Get("fieldManager"), nil)
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: kind}, "", errs)
}

// patchOptions reads and validates a patch's options as kube-apiserver's
// patch handler does (ValidatePatchOptions): an apply needs a fieldManager,
// force is only for apply.
func patchOptions(q url.Values, pt types.PatchType) (*metav1.PatchOptions, error) {
	opts := &metav1.PatchOptions{FieldManager: q.Get("fieldManager"), DryRun: q["dryRun"], FieldValidation: q.Get("fieldValidation")}
	if v := q.Get("force"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid boolean value for force: %q", v))
		}
		opts.Force = &b
	}
	if errs := metav1validation.ValidatePatchOptions(opts, pt); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: "PatchOptions"}, "", errs)
	}
	return opts, nil
}

// serveApply answers a server-side apply (application/apply-patch+yaml):
// the body is the applied configuration, merged by the registry's field
// manager; 201 when it created the object.
func (s *Server) serveApply(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	opts, err := patchOptions(q, types.ApplyYAMLPatchType)
	if err != nil {
		writeError(w, err)
		return
	}
	body, err := readBody(req)
	if err != nil {
		writeError(w, err)
		return
	}
	patch := &unstructured.Unstructured{Object: map[string]any{}}
	if err := utilyaml.Unmarshal(body, &patch.Object); err != nil {
		writeError(w, apierrors.NewBadRequest(fmt.Sprintf("error decoding YAML: %v", err)))
		return
	}
	if opts.FieldValidation == metav1.FieldValidationStrict {
		if err := utilyaml.UnmarshalStrict(body, &map[string]any{}); err != nil {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("error strict decoding YAML: %v", err)))
			return
		}
	}
	var out runtime.Object
	created := false
	aopts := registry.ApplyOptions{Force: opts.Force != nil && *opts.Force, DryRun: len(opts.DryRun) > 0, Subresource: r.sub}
	s.doAs(opts.FieldManager, func() { out, created, err = s.cfg.Registry.Apply(r.res, r.namespace, r.name, patch, aopts) })
	if err != nil {
		writeError(w, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	writeObject(w, code, out)
}
