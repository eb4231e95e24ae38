// Package authz is kube-apiserver's authorization for kubesim: the RBAC
// authorizer (plugin/pkg/auth/authorizer/rbac) over the registry's
// committed view, behind the system:masters privileged-group authorizer,
// and the texts of a denial (apiserver's responsewriters.Forbidden).
//
// The rules that apply to a user (its name and groups) are gathered once
// from every binding that names it, the user, one of its groups or, for
// system:serviceaccount:<ns>:<name>, its service account, and cached: per
// request, authorization is a map lookup and a scan of that user's rules.
// The cache is dropped when an RBAC object is written (the registry's
// RBACRevision), and an entry built from a view older than the last such
// write is rebuilt on its next use, so a new RoleBinding counts from the
// first request that can read it.
//
// In-process components (controllers, kubelets, the scheduler) write
// through the registry and are never authorized, as the API server's own
// loopback client is not subject to RBAC in practice; only HTTP requests
// are (sim/apiserver).
package authz
