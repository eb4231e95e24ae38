package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func (s *Server) serveSubresource(w http.ResponseWriter, req *http.Request, r *request) {
	switch {
	case r.sub == "status" || r.sub == "finalize":
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
		obj, _, err := decodeBody(req, byGVR[coreV1.WithResource("bindings")], false)
		if err != nil {
			writeError(w, err)
			return
		}
		s.serveBinding(w, req, r, obj)
	case r.sub == "eviction" && req.Method == http.MethodPost:
		s.serveEviction(w, req, r)
	case r.sub == "log" && req.Method == http.MethodGet:
		s.serveLog(w, req, r)
	case r.sub == "exec" || r.sub == "attach":
		s.serveExec(w, req, r)
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
	s.cfg.Driver.Do(func() { err = s.cfg.Registry.Bind(r.namespace, name, b.Target.Name) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSONValue(w, http.StatusCreated, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess, Code: http.StatusCreated})
}

// Bind sets a pod's node, as the pods/binding storage does: the pod must not
// be bound yet, and it gets the PodScheduled=True condition.
func (r *Registry) Bind(ns, name, node string) error {
	podRes := byGVR[coreV1.WithResource("pods")]
	obj, err := r.Get(podRes, ns, name)
	if err != nil {
		return err
	}
	pod := obj.(*corev1.Pod)
	if pod.DeletionTimestamp != nil {
		return apierrors.NewConflict(podRes.GR(), name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", name))
	}
	if pod.Spec.NodeName != "" {
		return apierrors.NewConflict(podRes.GR(), name, fmt.Errorf("pod %s is already assigned to node %q", name, pod.Spec.NodeName))
	}
	// Stored objects are never modified, so the bound pod shares every part
	// of the pending one but the conditions it changes.
	cp := *pod
	cp.Status.Conditions = append(make([]corev1.PodCondition, 0, len(pod.Status.Conditions)+1), pod.Status.Conditions...)
	cp.Spec.NodeName = node
	now := metav1.NewTime(r.clock.Now().UTC().Truncate(1e9))
	setPodCondition(&cp.Status, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now})
	_, err = r.put(podRes, &cp, 0, false)
	return err
}

// setPodCondition adds or replaces a condition, keeping the transition time
// when the status does not change.
func setPodCondition(st *corev1.PodStatus, c corev1.PodCondition) {
	for i := range st.Conditions {
		if st.Conditions[i].Type == c.Type {
			if st.Conditions[i].Status == c.Status {
				c.LastTransitionTime = st.Conditions[i].LastTransitionTime
			}
			st.Conditions[i] = c
			return
		}
	}
	st.Conditions = append(st.Conditions, c)
}

// SetPodCondition is setPodCondition for other packages.
func SetPodCondition(st *corev1.PodStatus, c corev1.PodCondition) { setPodCondition(st, c) }

func (s *Server) serveScale(w http.ResponseWriter, req *http.Request, r *request) {
	var out *autoscalingv1.Scale
	var err error
	switch req.Method {
	case http.MethodGet:
		s.cfg.Driver.Do(func() { out, err = s.getScale(r) })
	case http.MethodPut, http.MethodPatch:
		var body []byte
		body, err = readBody(req)
		if err != nil {
			break
		}
		s.cfg.Driver.Do(func() {
			cur, gerr := s.getScale(r)
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
			out, err = s.setScale(r, next.Spec.Replicas)
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

// scalable returns the parts of a Deployment, ReplicaSet or StatefulSet the
// scale subresource reads and writes.
func scalable(obj runtime.Object) (meta *metav1.ObjectMeta, replicas **int32, current int32, sel *metav1.LabelSelector, ok bool) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	case *appsv1.ReplicaSet:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	case *appsv1.StatefulSet:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	}
	return nil, nil, 0, nil, false
}

func (s *Server) getScale(r *request) (*autoscalingv1.Scale, error) {
	obj, err := s.cfg.Registry.Get(r.res, r.namespace, r.name)
	if err != nil {
		return nil, err
	}
	m, replicas, current, sel, ok := scalable(obj)
	if !ok {
		return nil, notFoundPath()
	}
	sc := &autoscalingv1.Scale{TypeMeta: metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"}, ObjectMeta: scaleMeta(*m)}
	sc.Spec.Replicas = **replicas
	sc.Status.Replicas = current
	if s, err := metav1.LabelSelectorAsSelector(sel); err == nil {
		sc.Status.Selector = s.String()
	}
	return sc, nil
}

func scaleMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp}
}

func (s *Server) setScale(r *request, n int32) (*autoscalingv1.Scale, error) {
	obj, err := s.cfg.Registry.Get(r.res, r.namespace, r.name)
	if err != nil {
		return nil, err
	}
	cp := obj.DeepCopyObject()
	m, replicas, _, _, ok := scalable(cp)
	if !ok {
		return nil, notFoundPath()
	}
	*replicas = &n
	m.ResourceVersion = ""
	if _, err := s.cfg.Registry.Update(r.res, r.namespace, cp, ""); err != nil {
		return nil, err
	}
	return s.getScale(r)
}

// serveEviction deletes a pod unless a PodDisruptionBudget forbids it.
func (s *Server) serveEviction(w http.ResponseWriter, req *http.Request, r *request) {
	body, err := readBody(req)
	if err != nil {
		writeError(w, err)
		return
	}
	ev := &policyv1.Eviction{}
	gvk := policyV1.WithKind("Eviction")
	if _, _, derr := Codecs.UniversalDeserializer().Decode(body, &gvk, ev); derr != nil {
		writeError(w, apierrors.NewBadRequest(derr.Error()))
		return
	}
	s.cfg.Driver.Do(func() { err = s.cfg.Registry.Evict(r.namespace, r.name, ev.DeleteOptions) })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSONValue(w, http.StatusCreated, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess, Code: http.StatusCreated})
}

// Evict deletes a pod through the eviction rules: a PodDisruptionBudget
// whose selector matches the pod must allow one more disruption.
func (r *Registry) Evict(ns, name string, opts *metav1.DeleteOptions) error {
	podRes := byGVR[coreV1.WithResource("pods")]
	obj, err := r.Get(podRes, ns, name)
	if err != nil {
		return err
	}
	pod := obj.(*corev1.Pod)
	terminal := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	if !terminal && pod.DeletionTimestamp == nil {
		pdbRes := byGVR[policyV1.WithResource("poddisruptionbudgets")]
		pdbs, _, _ := r.List(pdbRes, ns, ListOptions{})
		for _, o := range pdbs {
			pdb := o.(*policyv1.PodDisruptionBudget)
			sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil || sel.Empty() || !sel.Matches(labelsOf(pod)) {
				continue
			}
			if r.disruptionsAllowed(pdb) <= 0 {
				return &apierrors.StatusError{ErrStatus: metav1.Status{
					Status: metav1.StatusFailure, Code: http.StatusTooManyRequests, Reason: metav1.StatusReasonTooManyRequests,
					Message: "Cannot evict pod as it would violate the pod's disruption budget.",
					Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: "DisruptionBudget", Message: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, r.desiredHealthy(pdb), r.healthyPods(pdb))}}},
				}}
			}
		}
	}
	_, err = r.Delete(podRes, ns, name, opts)
	return err
}

func labelsOf(p *corev1.Pod) labelSet { return labelSet(p.Labels) }

type labelSet map[string]string

func (l labelSet) Has(k string) bool   { _, ok := l[k]; return ok }
func (l labelSet) Get(k string) string { return l[k] }
func (l labelSet) Lookup(k string) (string, bool) {
	v, ok := l[k]
	return v, ok
}

// healthyPods counts the Ready pods a PDB selects.
func (r *Registry) healthyPods(pdb *policyv1.PodDisruptionBudget) int32 {
	n, _ := r.pdbPods(pdb)
	return n
}

func (r *Registry) pdbPods(pdb *policyv1.PodDisruptionBudget) (healthy, total int32) {
	podRes := byGVR[coreV1.WithResource("pods")]
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return 0, 0
	}
	pods, _, _ := r.List(podRes, pdb.Namespace, ListOptions{Labels: sel})
	for _, o := range pods {
		p := o.(*corev1.Pod)
		if p.DeletionTimestamp != nil {
			continue
		}
		total++
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				healthy++
			}
		}
	}
	return healthy, total
}

func (r *Registry) desiredHealthy(pdb *policyv1.PodDisruptionBudget) int32 {
	_, total := r.pdbPods(pdb)
	switch {
	case pdb.Spec.MinAvailable != nil:
		v, _ := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(total), true)
		return int32(v)
	case pdb.Spec.MaxUnavailable != nil:
		v, _ := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(total), true)
		return total - int32(v)
	}
	return 0
}

func (r *Registry) disruptionsAllowed(pdb *policyv1.PodDisruptionBudget) int32 {
	return r.healthyPods(pdb) - r.desiredHealthy(pdb)
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
	var out []byte
	var err error
	s.cfg.Driver.Do(func() {
		if _, err = s.cfg.Registry.Get(r.res, r.namespace, r.name); err != nil {
			return
		}
		if s.cfg.Hooks.Logs == nil {
			err = notFoundPath()
			return
		}
		out, err = s.cfg.Hooks.Logs(r.namespace, r.name, opts)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}
