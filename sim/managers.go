package sim

import (
	"strings"

	"k8s.io/kube-openapi/pkg/validation/spec"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/registry"
)

// releaseTypes gives the registry the structured-merge-diff types of the
// served kinds from the release's OpenAPI definitions (the data
// /openapi/v3 serves), for managed fields and server-side apply.
func releaseTypes(version string) func() (*fieldmanager.Types, error) {
	return func() (*fieldmanager.Types, error) {
		return fieldmanager.NewTypes(openapi.NearestDataFile(version), func() (map[string]*spec.Schema, error) {
			return openapi.Models(version, registry.Scheme)
		})
	}
}

// componentManager is the field manager a component's writes are recorded
// under in managedFields, as a kubeadm cluster shows them: the scheduler's
// are kube-scheduler's, every controller's kube-controller-manager's (one
// process), each node agent's and its lease renewals kubelet's.
func componentManager(component string) string {
	switch {
	case component == "default-scheduler":
		return "kube-scheduler"
	case strings.HasPrefix(component, "kubelet/"), component == "hollow-kubelet", strings.HasPrefix(component, "lease/"):
		return "kubelet"
	case component == "kube-proxy":
		return "kube-proxy"
	case component == "event-ttl":
		return "kube-apiserver"
	}
	return "kube-controller-manager"
}

// bootstrapManager is the field manager of an object a new cluster starts
// with: kube-apiserver's own (the system namespaces, priority classes, the
// kubernetes Service, the default RBAC policy), the flannel manifest's
// (kubectl apply), and kubeadm's for the rest of what kubeadm init creates.
func bootstrapManager(group, resource, ns, name string) string {
	switch {
	case ns == "kube-flannel", resource == "namespaces" && name == "kube-flannel":
		return "kubectl-client-side-apply"
	case resource == "namespaces", resource == "priorityclasses", group == "rbac.authorization.k8s.io",
		resource == "services" && ns == "default" && name == "kubernetes":
		return "kube-apiserver"
	}
	return "kubeadm"
}

// as runs fn with manager as the registry's field manager.
func (c *Cluster) as(manager string, fn func()) {
	prev := c.Registry.SetManager(manager)
	defer c.Registry.SetManager(prev)
	fn()
}
