package apiserver

import (
	"fmt"
	"net/http"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"kubesim/sim/registry"
	"kubesim/sim/satoken"
)

// serveTokenRequest is the serviceaccounts/token subresource (TokenREST):
// a token for the service account, valid for spec.expirationSeconds
// (default 3600, at least 10 minutes) on the cluster's clock, optionally
// bound to a Pod or Secret.
func (s *Server) serveTokenRequest(w http.ResponseWriter, req *http.Request, r *request) {
	if s.cfg.Tokens == nil {
		writeError(w, notFoundPath())
		return
	}
	body, err := readBody(req)
	if err != nil {
		writeError(w, err)
		return
	}
	tr := &authenticationv1.TokenRequest{}
	gvk := authenticationv1.SchemeGroupVersion.WithKind("TokenRequest")
	if _, _, derr := registry.Codecs.UniversalDeserializer().Decode(body, &gvk, tr); derr != nil {
		writeError(w, apierrors.NewBadRequest(derr.Error()))
		return
	}
	if tr.Spec.ExpirationSeconds == nil {
		tr.Spec.ExpirationSeconds = new(int64)
		*tr.Spec.ExpirationSeconds = 3600
	}
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if e := *tr.Spec.ExpirationSeconds; e < 600 {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), e, "may not specify a duration less than 10 minutes"))
	} else if e > 1<<32 {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), e, "may not specify a duration larger than 2^32 seconds"))
	}
	if len(errs) > 0 {
		writeError(w, apierrors.NewInvalid(gvk.GroupKind(), "", errs))
		return
	}
	var sa *corev1.ServiceAccount
	var bound *corev1.ObjectReference
	var now time.Time
	s.cfg.Driver.Do(func() {
		now = s.cfg.Clock.Now()
		var obj any
		obj, err = s.cfg.Registry.Get(r.res, r.namespace, r.name)
		if err == nil {
			sa = obj.(*corev1.ServiceAccount)
		}
		if err == nil && tr.Spec.BoundObjectRef != nil {
			bound, err = s.boundObject(r.namespace, r.name, tr.Spec.BoundObjectRef)
		}
	})
	if err != nil {
		writeError(w, err)
		return
	}
	var pod, secret *satoken.Ref
	if bound != nil {
		ref := &satoken.Ref{Name: bound.Name, UID: string(bound.UID)}
		if bound.Kind == "Pod" {
			pod = ref
		} else {
			secret = ref
		}
	}
	d := time.Duration(*tr.Spec.ExpirationSeconds) * time.Second
	now = now.UTC().Truncate(time.Second)
	token := s.cfg.Tokens.Issue(satoken.Ref{Namespace: sa.Namespace, Name: sa.Name, UID: string(sa.UID)}, tr.Spec.Audiences, now, d, pod, secret)
	if len(tr.Spec.Audiences) == 0 {
		tr.Spec.Audiences = []string{satoken.Issuer}
	}
	tr.Status = authenticationv1.TokenRequestStatus{Token: token, ExpirationTimestamp: metav1.NewTime(now.Add(d))}
	tr.SetGroupVersionKind(gvk)
	writeJSONValue(w, http.StatusCreated, tr)
}

// boundObject checks a TokenRequest's boundObjectRef: a Pod running as
// the service account, or a Secret, of the namespace, with the given uid
// if one is set.
func (s *Server) boundObject(ns, saName string, ref *authenticationv1.BoundObjectReference) (*corev1.ObjectReference, error) {
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	resource := map[string]string{"Pod": "pods", "Secret": "secrets"}[ref.Kind]
	if resource == "" || gvk.Group != "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s", gvk.String()))
	}
	res, _ := registry.LookupGVR(corev1.SchemeGroupVersion.WithResource(resource))
	obj, err := s.cfg.Registry.Get(res, ns, ref.Name)
	if err != nil {
		return nil, err
	}
	if p, ok := obj.(*corev1.Pod); ok && p.Spec.ServiceAccountName != saName {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", saName))
	}
	m := registry.ObjectMeta(obj)
	if ref.UID != "" && ref.UID != m.GetUID() {
		return nil, apierrors.NewConflict(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, ref.Name, fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	return &corev1.ObjectReference{Kind: ref.Kind, Name: ref.Name, UID: m.GetUID()}, nil
}
