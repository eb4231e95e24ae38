package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/sim/registry"
)

func (s *Server) serveSubresource(w http.ResponseWriter, req *http.Request, r *request) {
	switch {
	case r.sub == "status" || r.sub == "approval" || r.sub == "finalize" || r.sub == "ephemeralcontainers":
		switch req.Method {
		case http.MethodPut:
			s.serveUpdate(w, req, r)
		case http.MethodPatch:
			s.servePatch(w, req, r)
		default:
			writeError(w, methodNotSupported(r, req.Method))
		}
	case r.sub == "scale":
		s.serveScale(w, req, r)
	case r.sub == "binding" && req.Method == http.MethodPost:
		bindings, _ := registry.LookupGVR(corev1.SchemeGroupVersion.WithResource("bindings"))
		obj, _, err := decodeBody(req, bindings, false)
		if err != nil {
			writeError(w, err)
			return
		}
		s.serveBinding(w, req, r, obj)
	case r.sub == "token" && req.Method == http.MethodPost:
		s.serveTokenRequest(w, req, r)
	case r.sub == "eviction" && req.Method == http.MethodPost:
		s.serveEviction(w, req, r)
	case r.sub == "log" && req.Method == http.MethodGet:
		s.serveLog(w, req, r)
	case r.sub == "exec":
		s.serveExec(w, req, r)
	case r.sub == "attach":
		s.serveAttach(w, req, r)
	case r.sub == "portforward":
		s.servePortForward(w, req, r)
	default:
		writeError(w, notFoundPath())
	}
}

// serveBinding assigns a pod to a node (pods/binding and bindings).
func (s *Server) serveBinding(w http.ResponseWriter, req *http.Request, r *request, obj runtime.Object) {
	b, ok := obj.(*corev1.Binding)
	if !ok {
		writeError(w, apierrors.NewBadRequest("expected a Binding"))
		return
	}
	name := r.name
	if name == "" {
		name = b.Name
	}
	var err error
	bind := s.cfg.Registry.Bind
	if isDryRun(req.URL.Query()) {
		bind = s.cfg.Registry.DryRunBind
	}
	s.cfg.Driver.Do(func() { err = bind(r.namespace, name, b.Target.Name) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSONValue(w, http.StatusCreated, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess, Code: http.StatusCreated})
}

func (s *Server) serveScale(w http.ResponseWriter, req *http.Request, r *request) {
	var out *autoscalingv1.Scale
	var err error
	switch req.Method {
	case http.MethodGet:
		s.cfg.Driver.Do(func() { out, err = s.cfg.Registry.GetScale(r.res, r.namespace, r.name) })
	case http.MethodPut, http.MethodPatch:
		var body []byte
		body, err = readBody(req)
		if err != nil {
			break
		}
		s.doAs(fieldManager(req.URL.Query(), req.UserAgent()), func() {
			cur, gerr := s.cfg.Registry.GetScale(r.res, r.namespace, r.name)
			if gerr != nil {
				err = gerr
				return
			}
			next := &autoscalingv1.Scale{}
			if req.Method == http.MethodPut {
				err = json.Unmarshal(body, next)
			} else {
				curJSON, _ := json.Marshal(cur)
				var patched []byte
				patched, err = applyPatch(types.PatchType(req.Header.Get("Content-Type")), curJSON, body, &autoscalingv1.Scale{})
				if err == nil {
					err = json.Unmarshal(patched, next)
				}
			}
			if err != nil {
				err = apierrors.NewBadRequest(err.Error())
				return
			}
			out, err = s.cfg.Registry.SetScale(r.res, r.namespace, r.name, next.Spec.Replicas, isDryRun(req.URL.Query()))
		})
	default:
		err = methodNotSupported(r, req.Method)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSONValue(w, http.StatusOK, out)
}

// serveEviction decodes a pods/eviction request; the registry decides
// (Registry.Evict) from the pod's PodDisruptionBudget status.
func (s *Server) serveEviction(w http.ResponseWriter, req *http.Request, r *request) {
	body, err := readBody(req)
	if err != nil {
		writeError(w, err)
		return
	}
	ev := &policyv1.Eviction{}
	gvk := policyv1.SchemeGroupVersion.WithKind("Eviction")
	if _, _, derr := registry.Codecs.UniversalDeserializer().Decode(body, &gvk, ev); derr != nil {
		writeError(w, apierrors.NewBadRequest(derr.Error()))
		return
	}
	if ev.Name != r.name {
		writeError(w, apierrors.NewBadRequest("name in URL does not match name in Eviction object"))
		return
	}
	// The request's dryRun reaches the deletion through the eviction's
	// DeleteOptions (upstream propagateDryRun).
	opts := ev.DeleteOptions
	if q := req.URL.Query()["dryRun"]; len(q) > 0 {
		switch {
		case opts == nil:
			opts = &metav1.DeleteOptions{DryRun: q}
		case len(opts.DryRun) == 0:
			opts.DryRun = q
		case !slices.Equal(opts.DryRun, q):
			writeError(w, fmt.Errorf("Non-matching dry-run options in request and content: %v and %v", q, opts.DryRun))
			return
		}
	}
	s.cfg.Driver.Do(func() { err = s.cfg.Registry.Evict(r.namespace, r.name, opts) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSONValue(w, http.StatusCreated, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess, Code: http.StatusCreated})
}

func (s *Server) serveLog(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	opts := LogOptions{Container: q.Get("container"), Previous: isTrue(q.Get("previous")), Timestamps: isTrue(q.Get("timestamps"))}
	if v := q.Get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("invalid tailLines %q", v)))
			return
		}
		opts.TailLines = &n
	}
	follow := isTrue(q.Get("follow")) && s.cfg.Live && !opts.Previous
	var out []byte
	var err error
	sent := 0
	s.cfg.Driver.Do(func() {
		if _, err = s.cfg.Registry.Get(r.res, r.namespace, r.name); err != nil {
			return
		}
		if s.cfg.Hooks.Logs == nil {
			err = notFoundPath()
			return
		}
		out, err = s.cfg.Hooks.Logs(r.namespace, r.name, opts)
		if err == nil && follow {
			full := opts
			full.TailLines = nil
			all, _, _ := s.logState(r, full)
			sent = lineCount(all)
		}
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	if follow {
		s.followLog(w, req, r, opts, sent)
	}
}
