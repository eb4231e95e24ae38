package apiserver

import (
	"encoding/json"
	"fmt"
	"io"
	certificatesv1 "k8s.io/api/certificates/v1"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/apiserver/printers"
	"kubesim/sim/registry"
)

// maxBodyBytes bounds request bodies (kube-apiserver: 3 MiB objects, 100 MiB requests).
const maxBodyBytes = 3 << 20

func (s *Server) serveResource(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	switch r.sub {
	case "status", "approval", "token", "scale", "binding", "eviction", "log", "exec", "attach", "portforward", "finalize", "ephemeralcontainers", "proxy":
		if r.sub != "status" && r.sub != "ephemeralcontainers" || req.Method != http.MethodGet {
			s.serveSubresource(w, req, r)
			return
		}
	}
	switch req.Method {
	case http.MethodGet:
		if r.name == "" {
			if isTrue(q.Get("watch")) {
				s.serveWatch(w, req, r)
				return
			}
			s.serveList(w, req, r)
			return
		}
		var obj runtime.Object
		var err error
		s.cfg.Driver.Read(func() { obj, err = s.cfg.Registry.Committed().Get(r.res, r.namespace, r.name) })
		if err != nil {
			writeError(w, err)
			return
		}
		s.writeMaybeTable(w, req, r, []runtime.Object{obj}, metav1.ListMeta{ResourceVersion: registry.ObjectMeta(obj).GetResourceVersion()}, true)
	case http.MethodPost:
		if r.name != "" {
			writeError(w, methodNotSupported(r, "create"))
			return
		}
		s.serveCreate(w, req, r)
	case http.MethodPut:
		if r.name == "" {
			writeError(w, methodNotSupported(r, "update"))
			return
		}
		s.serveUpdate(w, req, r)
	case http.MethodPatch:
		if r.name == "" {
			writeError(w, methodNotSupported(r, "patch"))
			return
		}
		if err := customPatchType(req, r); err != nil {
			writeError(w, err)
			return
		}
		s.servePatch(w, req, r)
	case http.MethodDelete:
		if r.name == "" {
			s.serveDeleteCollection(w, req, r)
			return
		}
		opts, err := deleteOptions(req)
		if err != nil {
			writeError(w, err)
			return
		}
		var obj runtime.Object
		s.cfg.Driver.Do(func() { obj, err = s.cfg.Registry.Delete(r.res, r.namespace, r.name, opts) })
		if err != nil {
			writeError(w, err)
			return
		}
		writeObject(w, http.StatusOK, obj)
	default:
		writeError(w, apierrors.NewMethodNotSupported(r.res.GR(), req.Method))
	}
}

func isTrue(v string) bool { return v == "true" || v == "1" }

// listOptions parses labelSelector and fieldSelector.
func listOptions(q url.Values, res *registry.Resource) (registry.ListOptions, error) {
	var opts registry.ListOptions
	if v := q.Get("labelSelector"); v != "" {
		sel, err := labels.Parse(v)
		if err != nil {
			return opts, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err))
		}
		opts.Labels = sel
	}
	if v := q.Get("fieldSelector"); v != "" {
		sel, err := fields.ParseSelector(v)
		if err != nil {
			return opts, apierrors.NewBadRequest(err.Error())
		}
		for _, req := range sel.Requirements() {
			if !registry.FieldLabelSupported(res, req.Field) {
				return opts, apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.Field))
			}
		}
		opts.Fields = sel
	}
	return opts, nil
}

func (s *Server) serveList(w http.ResponseWriter, req *http.Request, r *request) {
	opts, err := listOptions(req.URL.Query(), r.res)
	if err != nil {
		writeError(w, err)
		return
	}
	var objs []runtime.Object
	var rev int64
	s.cfg.Driver.Read(func() { objs, rev, err = s.cfg.Registry.Committed().List(r.res, r.namespace, opts) })
	if err != nil {
		writeError(w, err)
		return
	}
	s.writeMaybeTable(w, req, r, objs, metav1.ListMeta{ResourceVersion: strconv.FormatInt(rev, 10)}, false)
}

// tableVersion returns the meta.k8s.io version of a Table asked for in
// Accept, or "" when the client wants plain objects.
func tableVersion(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "application/json" {
			continue
		}
		if params["as"] == "Table" && params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1") {
			return params["v"]
		}
		if params["as"] == "" {
			return ""
		}
	}
	return ""
}

func (s *Server) tableOptions(req *http.Request) printers.Options {
	return printers.Options{
		Now:           s.cfg.Clock.Now(),
		Version:       s.cfg.Version,
		IncludeObject: req.URL.Query().Get("includeObject"),
	}
}

// writeMaybeTable answers a get or list as a Table when asked, else as the object or list.
func (s *Server) writeMaybeTable(w http.ResponseWriter, req *http.Request, r *request, objs []runtime.Object, lm metav1.ListMeta, single bool) {
	if r.res.Custom != nil {
		for i := range objs {
			objs[i] = asServed(r.res, objs[i])
		}
	}
	if v := tableVersion(req.Header.Get("Accept")); v != "" {
		opts := s.tableOptions(req)
		opts.TableVersion = v
		t, err := s.buildTable(r.res, objs, lm, opts)
		if err != nil {
			writeError(w, apierrors.NewBadRequest(err.Error()))
			return
		}
		t.APIVersion = "meta.k8s.io/" + v
		writeJSONValue(w, http.StatusOK, t)
		return
	}
	if single {
		writeObject(w, http.StatusOK, objs[0])
		return
	}
	writeList(w, r.res, objs, lm)
}

func (s *Server) buildTable(res *registry.Resource, objs []runtime.Object, lm metav1.ListMeta, opts printers.Options) (*metav1.Table, error) {
	var t *metav1.Table
	var err error
	if res.Custom != nil {
		t, err = customTable(res, objs, lm, opts)
	} else if printers.Supported(res.GR()) {
		t, err = printers.Table(res.GR(), objs, lm, opts)
	} else {
		t, err = printers.DefaultTable(objs, lm, opts)
	}
	if err != nil {
		return nil, err
	}
	t.Kind = "Table"
	if t.APIVersion == "" {
		t.APIVersion = "meta.k8s.io/v1"
	}
	return t, nil
}

// writeList writes a typed list: {"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[...]}.
func writeList(w http.ResponseWriter, res *registry.Resource, objs []runtime.Object, lm metav1.ListMeta) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	meta, _ := json.Marshal(lm)
	fmt.Fprintf(w, `{"kind":%q,"apiVersion":%q,"metadata":%s,"items":[`, res.ListKind, res.GVR.GroupVersion().String(), meta)
	for i, o := range objs {
		if i > 0 {
			io.WriteString(w, ",")
		}
		b, err := encodeJSON(o)
		if err != nil {
			continue
		}
		w.Write([]byte(strings.TrimSuffix(string(b), "\n")))
	}
	io.WriteString(w, "]}\n")
}

// writeJSONValue writes any value with encoding/json, as kube-apiserver's
// JSON serializer does (HTML escaping on, trailing newline).
func writeJSONValue(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// readBody reads a request body within the size limit.
func readBody(req *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBodyBytes+1))
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	if len(body) > maxBodyBytes {
		return nil, apierrors.NewRequestEntityTooLargeError("limit is 3145728")
	}
	return body, nil
}

// decodeBody decodes a JSON, YAML or protobuf request body into a new
// object of the resource's kind. strict reports unknown fields as errors;
// otherwise they come back as warnings.
func decodeBody(req *http.Request, res *registry.Resource, strict bool) (runtime.Object, []string, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, nil, err
	}
	if res.Custom != nil {
		return decodeCustom(req, res, body, strict)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil, apierrors.NewBadRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
	}
	into := res.New()
	gvk := res.GVK()
	ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	var obj runtime.Object
	var warnings []string
	switch ct {
	case protobufMIMEType:
		obj, _, err = protoSerializer.Decode(body, &gvk, into)
	case "application/yaml":
		obj, _, err = registry.Codecs.UniversalDeserializer().Decode(body, &gvk, into)
	default:
		obj, _, err = strictJSON.Decode(body, &gvk, into)
		if err != nil && runtime.IsStrictDecodingError(err) {
			if strict {
				return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", res.Kind, gvk.Version, res.Kind, err))
			}
			sde, _ := runtime.AsStrictDecodingError(err)
			for _, e := range sde.Errors() {
				warnings = append(warnings, e.Error())
			}
			obj, _, err = jsonSerializer.Decode(body, &gvk, into)
		}
	}
	if err != nil {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", res.Kind, gvk.Version, res.Kind, err))
	}
	if got := obj.GetObjectKind().GroupVersionKind(); got.Kind != "" && got.Kind != res.Kind {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: no kind %q is registered for version %q", res.Kind, gvk.Version, res.Kind, got.Kind, got.GroupVersion()))
	}
	return obj, warnings, nil
}

func writeWarnings(w http.ResponseWriter, warnings []string) {
	for _, msg := range warnings {
		w.Header().Add("Warning", `299 - "`+strings.ReplaceAll(msg, `"`, `\"`)+`"`)
	}
}

func isStrict(q url.Values) bool { return q.Get("fieldValidation") == "Strict" }
func isDryRun(q url.Values) bool { return len(q["dryRun"]) > 0 }

func (s *Server) serveCreate(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	obj, warnings, err := decodeBody(req, r.res, isStrict(q))
	if err != nil {
		writeError(w, err)
		return
	}
	if r.res.Kind == "Binding" {
		s.serveBinding(w, req, r, obj)
		return
	}
	if s.serveReview(w, r, obj) {
		return
	}
	if err := writeOptionsError(q, "CreateOptions"); err != nil {
		writeError(w, err)
		return
	}
	if csr, ok := obj.(*certificatesv1.CertificateSigningRequest); ok {
		requestor(csr, r.user)
	}
	var out runtime.Object
	s.doAs(fieldManager(q, req.UserAgent()), func() { out, err = s.cfg.Registry.Create(r.res, r.namespace, obj, isDryRun(q)) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeWarnings(w, warnings)
	writeObject(w, http.StatusCreated, out)
}

func (s *Server) serveUpdate(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	obj, warnings, err := decodeBody(req, r.res, isStrict(q))
	if err != nil {
		writeError(w, err)
		return
	}
	m := registry.ObjectMeta(obj)
	if m.GetName() != r.name {
		writeError(w, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.GetName(), r.name)))
		return
	}
	var out runtime.Object
	update := s.cfg.Registry.Update
	if isDryRun(q) {
		update = s.cfg.Registry.DryRunUpdate
	}
	if err := writeOptionsError(q, "UpdateOptions"); err != nil {
		writeError(w, err)
		return
	}
	s.doAs(fieldManager(q, req.UserAgent()), func() { out, err = update(r.res, r.namespace, obj, r.sub) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeWarnings(w, warnings)
	writeObject(w, http.StatusOK, out)
}

// deleteOptions reads DeleteOptions from the body and query.
func deleteOptions(req *http.Request) (*metav1.DeleteOptions, error) {
	opts := &metav1.DeleteOptions{}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	switch {
	case len(body) > 0 && strings.HasPrefix(req.Header.Get("Content-Type"), protobufMIMEType):
		// client-go with ContentType protobuf (helm's clients) sends its
		// DeleteOptions in the protobuf envelope.
		if _, _, err := protoSerializer.Decode(body, nil, opts); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	case len(strings.TrimSpace(string(body))) > 0:
		if err := json.Unmarshal(body, opts); err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
	}
	q := req.URL.Query()
	if v := q.Get("gracePeriodSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid gracePeriodSeconds %q", v))
		}
		opts.GracePeriodSeconds = &n
	}
	if v := q.Get("propagationPolicy"); v != "" {
		p := metav1.DeletionPropagation(v)
		opts.PropagationPolicy = &p
	}
	if isDryRun(q) {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return opts, nil
}

func (s *Server) serveDeleteCollection(w http.ResponseWriter, req *http.Request, r *request) {
	lo, err := listOptions(req.URL.Query(), r.res)
	if err != nil {
		writeError(w, err)
		return
	}
	opts, err := deleteOptions(req)
	if err != nil {
		writeError(w, err)
		return
	}
	var deleted []runtime.Object
	var rev int64
	s.cfg.Driver.Do(func() {
		var objs []runtime.Object
		objs, rev, err = s.cfg.Registry.List(r.res, r.namespace, lo)
		if err != nil {
			return
		}
		for _, o := range objs {
			m := registry.ObjectMeta(o)
			out, derr := s.cfg.Registry.Delete(r.res, m.GetNamespace(), m.GetName(), opts)
			if derr == nil {
				deleted = append(deleted, out)
			}
		}
	})
	if err != nil {
		writeError(w, err)
		return
	}
	writeList(w, r.res, deleted, metav1.ListMeta{ResourceVersion: strconv.FormatInt(rev, 10)})
}
