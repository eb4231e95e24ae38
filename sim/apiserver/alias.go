package apiserver

import (
	"fmt"
	"net/http"
	"strconv"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/registry"
)

// serveAlias serves an older version of a resource stored as another
// (registry.Resource.Alias): autoscaling/v1 HorizontalPodAutoscalers, kept
// as autoscaling/v2. Requests are converted on the way in and answers on
// the way out (registry.HPAToV2, HPAToV1); the registry only ever sees the
// stored version. Served: get, list, create, update, delete. Not served
// (405): patch and watch of the old version, and its status subresource;
// kubectl reads and patches HPAs through autoscaling/v2, the preferred
// version, and kubectl autoscale creates through v1.
func (s *Server) serveAlias(w http.ResponseWriter, req *http.Request, r *request) {
	stored, ok := registry.Lookup(r.res.GR())
	if !ok || r.res.Kind != "HorizontalPodAutoscaler" {
		writeError(w, notFoundPath())
		return
	}
	rs := *r
	rs.res = stored
	toV1 := func(o runtime.Object) runtime.Object {
		if h, ok := o.(*autoscalingv2.HorizontalPodAutoscaler); ok {
			return registry.HPAToV1(h)
		}
		return o
	}
	q := req.URL.Query()
	switch {
	case r.sub != "" || req.Method == http.MethodPatch || (req.Method == http.MethodGet && r.name == "" && isTrue(q.Get("watch"))):
		verb := map[string]string{http.MethodPatch: "patch", http.MethodGet: "watch", http.MethodPut: "update"}[req.Method]
		writeError(w, apierrors.NewMethodNotSupported(r.res.GR(), verb))
	case req.Method == http.MethodDelete:
		s.serveResource(w, req, &rs)
	case req.Method == http.MethodGet:
		var objs []runtime.Object
		var lm metav1.ListMeta
		var err error
		if r.name != "" {
			var obj runtime.Object
			s.cfg.Driver.Read(func() { obj, err = s.cfg.Registry.Committed().Get(stored, r.namespace, r.name) })
			if err == nil {
				objs, lm = []runtime.Object{obj}, metav1.ListMeta{ResourceVersion: registry.ObjectMeta(obj).GetResourceVersion()}
			}
		} else {
			var opts registry.ListOptions
			if opts, err = listOptions(q, stored); err == nil {
				var rev int64
				s.cfg.Driver.Read(func() { objs, rev, err = s.cfg.Registry.Committed().List(stored, r.namespace, opts) })
				lm = metav1.ListMeta{ResourceVersion: strconv.FormatInt(rev, 10)}
			}
		}
		if err != nil {
			writeError(w, err)
			return
		}
		if tableVersion(req.Header.Get("Accept")) != "" {
			s.writeMaybeTable(w, req, &rs, objs, lm, r.name != "")
			return
		}
		conv := make([]runtime.Object, len(objs))
		for i, o := range objs {
			conv[i] = toV1(o)
		}
		if r.name != "" {
			writeObject(w, http.StatusOK, conv[0])
			return
		}
		writeList(w, r.res, conv, lm)
	case req.Method == http.MethodPost || req.Method == http.MethodPut:
		obj, warnings, err := decodeBody(req, r.res, isStrict(q))
		if err != nil {
			writeError(w, err)
			return
		}
		in, ok := obj.(*autoscalingv1.HorizontalPodAutoscaler)
		if !ok {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("expected a HorizontalPodAutoscaler, got %T", obj)))
			return
		}
		v2 := registry.HPAToV2(in)
		var out runtime.Object
		if req.Method == http.MethodPost {
			if r.name != "" {
				writeError(w, methodNotSupported(r, "create"))
				return
			}
			s.doAs(fieldManager(q, req.UserAgent()), func() { out, err = s.cfg.Registry.Create(stored, r.namespace, v2, isDryRun(q)) })
		} else {
			if in.Name != r.name {
				writeError(w, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", in.Name, r.name)))
				return
			}
			s.doAs(fieldManager(q, req.UserAgent()), func() {
				var cur runtime.Object
				if cur, err = s.cfg.Registry.Get(stored, r.namespace, r.name); err != nil {
					return
				}
				// What v1 cannot say (other metrics, behaviour) stays.
				merged := cur.(*autoscalingv2.HorizontalPodAutoscaler).DeepCopy()
				merged.ObjectMeta, merged.Spec.ScaleTargetRef = v2.ObjectMeta, v2.Spec.ScaleTargetRef
				merged.Spec.MinReplicas, merged.Spec.MaxReplicas = v2.Spec.MinReplicas, v2.Spec.MaxReplicas
				if len(v2.Spec.Metrics) > 0 {
					merged.Spec.Metrics = v2.Spec.Metrics
				}
				if isDryRun(q) {
					out, err = s.cfg.Registry.DryRunUpdate(stored, r.namespace, merged, "")
				} else {
					out, err = s.cfg.Registry.Update(stored, r.namespace, merged, "")
				}
			})
		}
		if err != nil {
			writeError(w, err)
			return
		}
		writeWarnings(w, warnings)
		code := http.StatusOK
		if req.Method == http.MethodPost {
			code = http.StatusCreated
		}
		writeObject(w, code, toV1(out))
	default:
		writeError(w, methodNotSupported(r, "unknown"))
	}
}
