package apiserver

import (
	"net/http"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/authz"
	"kubesim/sim/registry"
)

// serveReview answers the review kinds, which are created and never
// stored: SelfSubjectAccessReview (kubectl auth can-i) and
// SubjectAccessReview ask the authorizer, SelfSubjectRulesReview lists the
// user's rules (can-i --list), SelfSubjectReview (kubectl auth whoami)
// echoes the user. It reports whether obj was one.
func (s *Server) serveReview(w http.ResponseWriter, r *request, obj runtime.Object) bool {
	switch o := obj.(type) {
	case *authorizationv1.SelfSubjectAccessReview:
		o.Status = s.review(r.user, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes)
	case *authorizationv1.SubjectAccessReview:
		u := &authz.User{Name: o.Spec.User, UID: o.Spec.UID, Groups: o.Spec.Groups}
		o.Status = s.review(u, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes)
	case *authenticationv1.SelfSubjectReview:
		o.Status.UserInfo = authenticationv1.UserInfo{Username: r.user.Name, UID: r.user.UID, Groups: r.user.Groups}
		if len(r.user.Extra) > 0 {
			o.Status.UserInfo.Extra = map[string]authenticationv1.ExtraValue{}
			for k, v := range r.user.Extra {
				o.Status.UserInfo.Extra[k] = v
			}
		}
	case *authorizationv1.SelfSubjectRulesReview:
		o.Status = s.rulesReview(r.user, o.Spec.Namespace)
	default:
		return false
	}
	registry.SetGVK(obj)
	writeObject(w, http.StatusCreated, obj)
	return true
}

// review is the access review's answer: the authorizer's decision for the
// attributes (an allowed request's reason names the binding).
func (s *Server) review(u *authz.User, ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes) authorizationv1.SubjectAccessReviewStatus {
	a := &authz.Attributes{User: u}
	switch {
	case ra != nil:
		a.ResourceRequest = true
		a.Verb, a.Namespace, a.APIGroup, a.APIVersion = ra.Verb, ra.Namespace, ra.Group, ra.Version
		a.Resource, a.Subresource, a.Name = ra.Resource, ra.Subresource, ra.Name
	case nra != nil:
		a.Verb, a.Path = nra.Verb, nra.Path
	}
	ok, reason := s.authz.Authorize(a)
	return authorizationv1.SubjectAccessReviewStatus{Allowed: ok, Reason: reason}
}

// rulesReview is SelfSubjectRulesReview's status: the user's rules in the
// namespace, resource and non-resource ones apart.
func (s *Server) rulesReview(u *authz.User, ns string) authorizationv1.SubjectRulesReviewStatus {
	rules, errs := s.authz.Rules(u, ns)
	st := authorizationv1.SubjectRulesReviewStatus{ResourceRules: []authorizationv1.ResourceRule{}, NonResourceRules: []authorizationv1.NonResourceRule{}}
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 {
			st.NonResourceRules = append(st.NonResourceRules, authorizationv1.NonResourceRule{Verbs: r.Verbs, NonResourceURLs: r.NonResourceURLs})
			continue
		}
		st.ResourceRules = append(st.ResourceRules, authorizationv1.ResourceRule{Verbs: r.Verbs, APIGroups: r.APIGroups, Resources: r.Resources, ResourceNames: r.ResourceNames})
	}
	if len(errs) > 0 {
		st.Incomplete = true
		st.EvaluationError = strings.Join(errs, ", ")
	}
	return st
}
