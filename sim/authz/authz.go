package authz

import (
	"fmt"
	"strings"
	"sync"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/registry"
)

// Well-known users and groups (k8s.io/apiserver/pkg/authentication/user).
const (
	GroupMasters         = "system:masters"
	GroupAuthenticated   = "system:authenticated"
	GroupServiceAccounts = "system:serviceaccounts"
	ServiceAccountPrefix = "system:serviceaccount:"
)

// User is an authenticated identity.
type User struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// ServiceAccountUser is the user a service account's token authenticates
// as: system:serviceaccount:<ns>:<name> in system:serviceaccounts,
// system:serviceaccounts:<ns> and system:authenticated.
func ServiceAccountUser(ns, name, uid string) *User {
	return &User{Name: ServiceAccountPrefix + ns + ":" + name, UID: uid,
		Groups: []string{GroupServiceAccounts, GroupServiceAccounts + ":" + ns, GroupAuthenticated}}
}

// SplitServiceAccount returns the namespace and name of a service
// account's user name.
func SplitServiceAccount(user string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(user, ServiceAccountPrefix)
	if !ok {
		return "", "", false
	}
	ns, name, ok = strings.Cut(rest, ":")
	return ns, name, ok && ns != "" && name != "" && !strings.Contains(name, ":")
}

// Attributes are what a request asks to do (authorizer.Attributes).
type Attributes struct {
	User        *User
	Verb        string
	Namespace   string
	APIGroup    string
	APIVersion  string
	Resource    string
	Subresource string
	Name        string
	// Path is set for a non-resource request (ResourceRequest false).
	Path            string
	ResourceRequest bool
}

// Authorizer decides requests from the RBAC objects of a registry.
type Authorizer struct {
	reg *registry.Registry

	mu    sync.RWMutex
	rev   int64             // RBACRevision the entries were built after
	cache map[string]*rules // by userKey
}

// rules are the policy rules that apply to one user.
type rules struct {
	viewRev int64              // revision of the view they were read from
	cluster []grant            // from ClusterRoleBindings: everywhere
	ns      map[string][]grant // from RoleBindings: in their namespace
	errs    []string           // unresolvable role references
}

// grant is the rules one binding gives the user, and the RBAC
// authorizer's allow reason ("RBAC: allowed by" the binding).
type grant struct {
	rules []rbacv1.PolicyRule
	why   string
}

// New returns an authorizer over reg's committed view.
func New(reg *registry.Registry) *Authorizer {
	return &Authorizer{reg: reg, cache: map[string]*rules{}}
}

// Authorize reports whether the request is allowed, and the reason: for an
// allowed request the binding that allows it (empty for system:masters),
// for a denied one empty or "RBAC: " and the role references that could
// not be resolved.
func (a *Authorizer) Authorize(attr *Attributes) (bool, string) {
	u := attr.User
	if u == nil {
		return false, ""
	}
	for _, g := range u.Groups {
		if g == GroupMasters {
			return true, ""
		}
	}
	rs := a.rulesFor(u)
	if why, ok := allows(rs.cluster, attr); ok {
		return true, why
	}
	if attr.Namespace != "" {
		if why, ok := allows(rs.ns[attr.Namespace], attr); ok {
			return true, why
		}
	}
	if len(rs.errs) == 0 {
		return false, ""
	}
	if len(rs.errs) == 1 {
		return false, "RBAC: " + rs.errs[0]
	}
	return false, "RBAC: [" + strings.Join(rs.errs, ", ") + "]"
}

// Rules returns the RBAC rules that apply to u in namespace ns
// (cluster-wide ones first), for SelfSubjectRulesReview, and the
// unresolvable role references. As upstream's rules resolver, it does not
// know system:masters' privilege: only what bindings give.
func (a *Authorizer) Rules(u *User, ns string) ([]rbacv1.PolicyRule, []string) {
	rs := a.rulesFor(u)
	var out []rbacv1.PolicyRule
	for _, g := range rs.cluster {
		out = append(out, g.rules...)
	}
	for _, g := range rs.ns[ns] {
		out = append(out, g.rules...)
	}
	return out, rs.errs
}

func userKey(u *User) string {
	n := len(u.Name)
	for _, g := range u.Groups {
		n += 1 + len(g)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(u.Name)
	for _, g := range u.Groups {
		b.WriteByte(0)
		b.WriteString(g)
	}
	return b.String()
}

func (a *Authorizer) rulesFor(u *User) *rules {
	key := userKey(u)
	last := a.reg.RBACRevision()
	a.mu.RLock()
	rs, ok := a.cache[key]
	fresh := a.rev == last
	a.mu.RUnlock()
	if ok && fresh && rs.viewRev >= last {
		return rs
	}
	view := a.reg.Committed()
	rs = collect(view, u)
	a.mu.Lock()
	if a.rev != last {
		a.rev, a.cache = last, map[string]*rules{}
	}
	a.cache[key] = rs
	a.mu.Unlock()
	return rs
}

var (
	roles               = mustLookup("roles")
	clusterRoles        = mustLookup("clusterroles")
	roleBindings        = mustLookup("rolebindings")
	clusterRoleBindings = mustLookup("clusterrolebindings")
)

func mustLookup(resource string) *registry.Resource {
	r, ok := registry.Lookup(schema.GroupResource{Group: rbacv1.GroupName, Resource: resource})
	if !ok {
		panic("authz: " + resource + " not served")
	}
	return r
}

// collect is the RBAC authorizer's VisitRulesFor, gathered: the rules of
// every ClusterRoleBinding and RoleBinding whose subjects include u.
func collect(view registry.Committed, u *User) *rules {
	rs := &rules{viewRev: view.Rev(), ns: map[string][]grant{}}
	crbs, _, _ := view.List(clusterRoleBindings, "", registry.ListOptions{})
	for _, o := range crbs {
		b := o.(*rbacv1.ClusterRoleBinding)
		s := appliesTo(u, b.Subjects, "")
		if s == nil {
			continue
		}
		r, err := roleRules(view, b.RoleRef, "")
		if err != nil {
			rs.errs = append(rs.errs, err.Error())
			continue
		}
		why := fmt.Sprintf("RBAC: allowed by ClusterRoleBinding %q of %s %q to %s", b.Name, b.RoleRef.Kind, b.RoleRef.Name, describeSubject(s, ""))
		rs.cluster = append(rs.cluster, grant{r, why})
	}
	rbs, _, _ := view.List(roleBindings, "", registry.ListOptions{})
	for _, o := range rbs {
		b := o.(*rbacv1.RoleBinding)
		s := appliesTo(u, b.Subjects, b.Namespace)
		if s == nil {
			continue
		}
		r, err := roleRules(view, b.RoleRef, b.Namespace)
		if err != nil {
			rs.errs = append(rs.errs, err.Error())
			continue
		}
		why := fmt.Sprintf("RBAC: allowed by RoleBinding %q of %s %q to %s", b.Name+"/"+b.Namespace, b.RoleRef.Kind, b.RoleRef.Name, describeSubject(s, b.Namespace))
		rs.ns[b.Namespace] = append(rs.ns[b.Namespace], grant{r, why})
	}
	return rs
}

// roleRules is GetRoleReferenceRules. A missing role is the listers'
// NotFound, which names the resource in the singular.
func roleRules(view registry.Committed, ref rbacv1.RoleRef, ns string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "Role":
		o, err := view.Get(roles, ns, ref.Name)
		if err != nil {
			return nil, apierrors.NewNotFound(rbacv1.Resource("role"), ref.Name)
		}
		return o.(*rbacv1.Role).Rules, nil
	case "ClusterRole":
		o, err := view.Get(clusterRoles, "", ref.Name)
		if err != nil {
			return nil, apierrors.NewNotFound(rbacv1.Resource("clusterrole"), ref.Name)
		}
		return o.(*rbacv1.ClusterRole).Rules, nil
	}
	return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
}

// describeSubject is the RBAC authorizer's describeSubject.
func describeSubject(s *rbacv1.Subject, bindingNS string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		return fmt.Sprintf("%s %q", s.Kind, s.Name+"/"+ns)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Name)
}

// appliesTo is appliesToUser: the first subject that names the user, one
// of its groups, or its service account (namespace defaulting to the
// binding's), or nil.
func appliesTo(u *User, subjects []rbacv1.Subject, bindingNS string) *rbacv1.Subject {
	for i := range subjects {
		s := &subjects[i]
		switch s.Kind {
		case rbacv1.UserKind:
			if u.Name == s.Name {
				return s
			}
		case rbacv1.GroupKind:
			for _, g := range u.Groups {
				if g == s.Name {
					return s
				}
			}
		case rbacv1.ServiceAccountKind:
			ns := bindingNS
			if s.Namespace != "" {
				ns = s.Namespace
			}
			if ns != "" && len(u.Name) == len(ServiceAccountPrefix)+len(ns)+1+len(s.Name) &&
				strings.HasPrefix(u.Name, ServiceAccountPrefix) && u.Name[len(ServiceAccountPrefix):] == ns+":"+s.Name {
				return s
			}
		}
	}
	return nil
}

func allows(grants []grant, attr *Attributes) (string, bool) {
	for _, g := range grants {
		for i := range g.rules {
			if ruleAllows(&g.rules[i], attr) {
				return g.why, true
			}
		}
	}
	return "", false
}

// ruleAllows is RuleAllows.
func ruleAllows(r *rbacv1.PolicyRule, attr *Attributes) bool {
	if !has(r.Verbs, attr.Verb) {
		return false
	}
	if !attr.ResourceRequest {
		for _, u := range r.NonResourceURLs {
			if u == "*" || u == attr.Path || (strings.HasSuffix(u, "*") && strings.HasPrefix(attr.Path, strings.TrimRight(u, "*"))) {
				return true
			}
		}
		return false
	}
	if !has(r.APIGroups, attr.APIGroup) || !resourceMatches(r.Resources, attr.Resource, attr.Subresource) {
		return false
	}
	if len(r.ResourceNames) == 0 {
		return true
	}
	for _, n := range r.ResourceNames {
		if n == attr.Name {
			return true
		}
	}
	return false
}

// has is VerbMatches and APIGroupMatches: the value or "*".
func has(list []string, v string) bool {
	for _, s := range list {
		if s == "*" || s == v {
			return true
		}
	}
	return false
}

// resourceMatches is ResourceMatches: "*", resource[/subresource], or "*/subresource".
func resourceMatches(list []string, resource, sub string) bool {
	for _, s := range list {
		switch {
		case s == "*":
			return true
		case sub == "":
			if s == resource {
				return true
			}
		case len(s) == len(resource)+1+len(sub) && strings.HasPrefix(s, resource) && s[len(resource)] == '/' && strings.HasSuffix(s, sub):
			return true
		case len(s) == 2+len(sub) && strings.HasPrefix(s, "*/") && strings.HasSuffix(s, sub):
			return true
		}
	}
	return false
}

// ForbiddenMessage is responsewriters' forbiddenMessage, with the
// authorizer's reason appended as Forbidden appends it.
func ForbiddenMessage(attr *Attributes, reason string) string {
	name := ""
	if attr.User != nil {
		name = attr.User.Name
	}
	var msg string
	switch {
	case !attr.ResourceRequest:
		msg = fmt.Sprintf("User %q cannot %s path %q", name, attr.Verb, attr.Path)
	default:
		res := attr.Resource
		if attr.Subresource != "" {
			res += "/" + attr.Subresource
		}
		if attr.Namespace != "" {
			msg = fmt.Sprintf("User %q cannot %s resource %q in API group %q in the namespace %q", name, attr.Verb, res, attr.APIGroup, attr.Namespace)
		} else {
			msg = fmt.Sprintf("User %q cannot %s resource %q in API group %q at the cluster scope", name, attr.Verb, res, attr.APIGroup)
		}
	}
	if reason != "" {
		msg += ": " + reason
	}
	return msg
}
