package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/authz"
)

// Authentication is the shell's (server/ checks credentials); what reaches
// this package is the user, in the request's context. A request without
// one is the cluster's admin: the in-process kubectl and the live server's
// kubeconfig token both stand for kubeadm's admin.conf.

type userKey struct{}

// WithUser returns ctx carrying the authenticated user of a request.
func WithUser(ctx context.Context, u *authz.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// AdminUser is the user of kubeadm's admin.conf for a Kubernetes version:
// kubernetes-admin in system:masters up to 1.28, in kubeadm:cluster-admins
// (bound to cluster-admin) from 1.29.
func AdminUser(version string) *authz.User {
	group := authz.GroupMasters
	if minorOf(version) >= 29 {
		group = "kubeadm:cluster-admins"
	}
	return &authz.User{Name: "kubernetes-admin", Groups: []string{group, authz.GroupAuthenticated}}
}

func minorOf(version string) int {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	return n
}

// user returns the request's user after impersonation, or the error to
// answer with.
func (s *Server) user(req *http.Request) (*authz.User, error) {
	u, _ := req.Context().Value(userKey{}).(*authz.User)
	if u == nil {
		u = s.admin
	}
	return s.impersonate(u, req.Header)
}

// impersonate is the impersonation filter: Impersonate-User (and -Group,
// -Uid) switch the request's user when the requester may impersonate each
// of them (verb impersonate on users, serviceaccounts, groups, uids).
func (s *Server) impersonate(u *authz.User, h http.Header) (*authz.User, error) {
	names := h.Values("Impersonate-User")
	groups := h.Values("Impersonate-Group")
	uids := h.Values("Impersonate-Uid")
	if len(names) == 0 {
		if len(groups) > 0 || len(uids) > 0 {
			return nil, apierrors.NewInternalError(fmt.Errorf("requested %v without impersonating a user", append(groups, uids...)))
		}
		return u, nil
	}
	name := names[0]
	check := func(a *authz.Attributes) error {
		a.User, a.Verb, a.ResourceRequest, a.APIVersion = u, "impersonate", true, "v1"
		if ok, reason := s.authz.Authorize(a); !ok {
			return forbidden(a, reason)
		}
		return nil
	}
	out := &authz.User{Name: name}
	if ns, sa, ok := authz.SplitServiceAccount(name); ok {
		if err := check(&authz.Attributes{Resource: "serviceaccounts", Namespace: ns, Name: sa}); err != nil {
			return nil, err
		}
		if len(groups) == 0 {
			out.Groups = []string{authz.GroupServiceAccounts, authz.GroupServiceAccounts + ":" + ns}
		}
	} else if err := check(&authz.Attributes{Resource: "users", Name: name}); err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := check(&authz.Attributes{Resource: "groups", Name: g}); err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g)
	}
	for _, id := range uids {
		if err := check(&authz.Attributes{APIGroup: "authentication.k8s.io", Resource: "uids", Name: id}); err != nil {
			return nil, err
		}
		out.UID = id
	}
	if name != "system:anonymous" && !contains(out.Groups, authz.GroupAuthenticated) {
		out.Groups = append(out.Groups, authz.GroupAuthenticated)
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// forbidden is responsewriters.Forbidden's error.
func forbidden(a *authz.Attributes, reason string) error {
	return apierrors.NewForbidden(schema.GroupResource{Group: a.APIGroup, Resource: a.Resource}, a.Name, fmt.Errorf("%s", authz.ForbiddenMessage(a, reason)))
}

// attributes are the RequestInfo of a resource request, as the
// authorizer sees it.
// authorize authenticates req and authorizes it for r, recording the user
// in r; on failure it has written the 401 or 403 and reports false.
func (s *Server) authorize(w http.ResponseWriter, req *http.Request, r *request) bool {
	u, err := s.user(req)
	if err != nil {
		writeError(w, err)
		return false
	}
	r.user = u
	a := attributes(u, req, r)
	if ok, reason := s.authz.Authorize(a); !ok {
		writeError(w, forbidden(a, reason))
		return false
	}
	return true
}

func attributes(u *authz.User, req *http.Request, r *request) *authz.Attributes {
	a := &authz.Attributes{User: u, ResourceRequest: true, APIGroup: r.gv.Group, APIVersion: r.gv.Version,
		Resource: r.res.GVR.Resource, Subresource: r.sub, Namespace: r.namespace, Name: r.name}
	if r.res.GVR.Resource == "namespaces" && r.gv.Group == "" && r.name != "" {
		a.Namespace = r.name
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		a.Verb = "get"
		if r.name == "" {
			q := req.URL.Query()
			a.Verb = "list"
			if isTrue(q.Get("watch")) {
				a.Verb = "watch"
			}
			a.Name = nameFromFieldSelector(q)
		}
	case http.MethodPost:
		a.Verb = "create"
	case http.MethodPut:
		a.Verb = "update"
	case http.MethodPatch:
		a.Verb = "patch"
	case http.MethodDelete:
		a.Verb = "delete"
		if r.name == "" {
			a.Verb = "deletecollection"
		}
	default:
		a.Verb = strings.ToLower(req.Method)
	}
	return a
}

// nameFromFieldSelector is RequestInfo's name for a list or watch with
// fieldSelector metadata.name=<name>.
func nameFromFieldSelector(q url.Values) string {
	v := q.Get("fieldSelector")
	if v == "" {
		return ""
	}
	sel, err := fields.ParseSelector(v)
	if err != nil {
		return ""
	}
	if name, ok := sel.RequiresExactMatch("metadata.name"); ok && len(path.IsValidPathSegmentName(name)) == 0 {
		return name
	}
	return ""
}
