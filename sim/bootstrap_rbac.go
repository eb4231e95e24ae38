package sim

import (
	"math/rand/v2"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The default RBAC policy kube-apiserver reconciles at start (its
// rbac/bootstrap-roles post-start hook, plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy) and the bindings kubeadm adds. kubesim serves a subset of
// the ClusterRoles: the user-facing ones (cluster-admin, admin, edit, view
// and the system:aggregate-to-* roles that fill the last three), the ones
// bound to every user (system:basic-user, system:discovery,
// system:public-info-viewer), and system:auth-delegator, system:monitoring,
// system:node, system:node-proxier, system:kube-dns, system:kube-scheduler
// and system:kube-controller-manager. The ~30 system:controller:* roles are
// left out: kubesim's controllers write through the registry, not over HTTP.

// rule is a PolicyRule over API groups and resources.
func rule(groups, resources []string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

// urls is a PolicyRule over non-resource URLs.
func urls(paths []string, verbs ...string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{NonResourceURLs: paths, Verbs: verbs}
}

func named(r rbacv1.PolicyRule, names ...string) rbacv1.PolicyRule {
	r.ResourceNames = names
	return r
}

func strs(s ...string) []string { return s }

var (
	core         = strs("")
	readVerbs    = strs("get", "list", "watch")
	writeVerbs   = strs("create", "delete", "deletecollection", "patch", "update")
	rwVerbs      = strs("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
	eventsGroups = strs("", "events.k8s.io")
)

const (
	aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
	aggregateToEdit  = "rbac.authorization.k8s.io/aggregate-to-edit"
	aggregateToView  = "rbac.authorization.k8s.io/aggregate-to-view"
)

func bootstrapClusterRoles() []*rbacv1.ClusterRole {
	aggregated := func(name, selector string, labels ...string) *rbacv1.ClusterRole {
		r := clusterRole(name, labels)
		r.AggregationRule = &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{selector: "true"}}}}
		return r
	}
	withRules := func(r *rbacv1.ClusterRole, rules ...rbacv1.PolicyRule) *rbacv1.ClusterRole {
		r.Rules = rules
		return r
	}
	return []*rbacv1.ClusterRole{
		aggregated("admin", aggregateToAdmin),
		withRules(clusterRole("cluster-admin", nil),
			rule(strs("*"), strs("*"), "*"),
			urls(strs("*"), "*")),
		aggregated("edit", aggregateToEdit, aggregateToAdmin),
		withRules(clusterRole("system:aggregate-to-admin", strs(aggregateToAdmin)),
			rule(strs("authorization.k8s.io"), strs("localsubjectaccessreviews"), "create"),
			rule(strs("rbac.authorization.k8s.io"), strs("rolebindings", "roles"), rwVerbs...)),
		withRules(clusterRole("system:aggregate-to-edit", strs(aggregateToEdit)),
			rule(core, strs("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"), readVerbs...),
			rule(core, strs("serviceaccounts"), "impersonate"),
			rule(core, strs("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"), writeVerbs...),
			rule(core, strs("pods/eviction"), "create"),
			rule(core, strs("configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"), writeVerbs...),
			rule(core, strs("serviceaccounts/token"), "create"),
			rule(strs("apps"), strs("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"), writeVerbs...),
			rule(strs("autoscaling"), strs("horizontalpodautoscalers"), writeVerbs...),
			rule(strs("batch"), strs("cronjobs", "jobs"), writeVerbs...),
			rule(strs("extensions"), strs("daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"), writeVerbs...),
			rule(strs("policy"), strs("poddisruptionbudgets"), writeVerbs...),
			rule(strs("networking.k8s.io"), strs("ingresses", "networkpolicies"), writeVerbs...),
			rule(strs("coordination.k8s.io"), strs("leases"), rwVerbs...)),
		withRules(clusterRole("system:aggregate-to-view", strs(aggregateToView)),
			rule(core, strs("configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"), readVerbs...),
			rule(core, strs("bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"), readVerbs...),
			rule(core, strs("namespaces"), readVerbs...),
			rule(strs("discovery.k8s.io"), strs("endpointslices"), readVerbs...),
			rule(strs("apps"), strs("controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"), readVerbs...),
			rule(strs("autoscaling"), strs("horizontalpodautoscalers", "horizontalpodautoscalers/status"), readVerbs...),
			rule(strs("batch"), strs("cronjobs", "cronjobs/status", "jobs", "jobs/status"), readVerbs...),
			rule(strs("extensions"), strs("daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"), readVerbs...),
			rule(strs("policy"), strs("poddisruptionbudgets", "poddisruptionbudgets/status"), readVerbs...),
			rule(strs("networking.k8s.io"), strs("ingresses", "ingresses/status", "networkpolicies"), readVerbs...)),
		withRules(clusterRole("system:auth-delegator", nil),
			rule(strs("authentication.k8s.io"), strs("tokenreviews"), "create"),
			rule(strs("authorization.k8s.io"), strs("subjectaccessreviews"), "create")),
		withRules(clusterRole("system:basic-user", nil),
			rule(strs("authorization.k8s.io"), strs("selfsubjectaccessreviews", "selfsubjectrulesreviews"), "create"),
			rule(strs("authentication.k8s.io"), strs("selfsubjectreviews"), "create")),
		withRules(clusterRole("system:discovery", nil),
			urls(strs("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"), "get")),
		withRules(clusterRole("system:kube-controller-manager", nil),
			rule(eventsGroups, strs("events"), "create", "patch", "update"),
			rule(strs("coordination.k8s.io"), strs("leases"), "create"),
			named(rule(strs("coordination.k8s.io"), strs("leases"), "get", "update"), "kube-controller-manager"),
			rule(core, strs("secrets", "serviceaccounts"), "create"),
			rule(core, strs("secrets"), "delete"),
			rule(core, strs("configmaps", "namespaces", "secrets", "serviceaccounts"), "get"),
			rule(core, strs("secrets", "serviceaccounts"), "update"),
			rule(strs("authentication.k8s.io"), strs("tokenreviews"), "create"),
			rule(strs("authorization.k8s.io"), strs("subjectaccessreviews"), "create"),
			rule(strs("*"), strs("*"), "list", "watch"),
			rule(core, strs("serviceaccounts/token"), "create")),
		withRules(clusterRole("system:kube-dns", nil),
			rule(core, strs("endpoints", "services"), "list", "watch")),
		withRules(clusterRole("system:kube-scheduler", nil),
			rule(eventsGroups, strs("events"), "create", "patch", "update"),
			rule(strs("coordination.k8s.io"), strs("leases"), "create"),
			named(rule(strs("coordination.k8s.io"), strs("leases"), "get", "update"), "kube-scheduler"),
			rule(core, strs("nodes"), readVerbs...),
			rule(core, strs("pods"), "delete", "get", "list", "watch"),
			rule(core, strs("bindings", "pods/binding"), "create"),
			rule(core, strs("pods/status"), "patch", "update"),
			rule(core, strs("replicationcontrollers", "services"), readVerbs...),
			rule(strs("apps", "extensions"), strs("replicasets"), readVerbs...),
			rule(strs("apps"), strs("statefulsets"), readVerbs...),
			rule(strs("policy"), strs("poddisruptionbudgets"), readVerbs...),
			rule(core, strs("persistentvolumeclaims", "persistentvolumes"), readVerbs...),
			rule(strs("authentication.k8s.io"), strs("tokenreviews"), "create"),
			rule(strs("authorization.k8s.io"), strs("subjectaccessreviews"), "create"),
			rule(strs("storage.k8s.io"), strs("csinodes"), readVerbs...),
			rule(core, strs("namespaces"), readVerbs...),
			rule(strs("storage.k8s.io"), strs("csidrivers"), readVerbs...),
			rule(strs("storage.k8s.io"), strs("csistoragecapacities"), readVerbs...)),
		withRules(clusterRole("system:monitoring", nil),
			urls(strs("/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"), "get")),
		withRules(clusterRole("system:node", nil),
			rule(strs("authentication.k8s.io"), strs("tokenreviews"), "create"),
			rule(strs("authorization.k8s.io"), strs("localsubjectaccessreviews", "subjectaccessreviews"), "create"),
			rule(core, strs("services"), readVerbs...),
			rule(core, strs("nodes"), "create", "get", "list", "watch"),
			rule(core, strs("nodes/status"), "patch", "update"),
			rule(core, strs("nodes"), "patch", "update"),
			rule(core, strs("events"), "create", "patch", "update"),
			rule(core, strs("pods"), readVerbs...),
			rule(core, strs("pods"), "create", "delete"),
			rule(core, strs("pods/status"), "patch", "update"),
			rule(core, strs("pods/eviction"), "create"),
			rule(core, strs("configmaps", "secrets"), readVerbs...),
			rule(core, strs("persistentvolumeclaims", "persistentvolumes"), "get"),
			rule(core, strs("endpoints"), "get"),
			rule(strs("certificates.k8s.io"), strs("certificatesigningrequests"), "create", "get", "list", "watch"),
			rule(strs("coordination.k8s.io"), strs("leases"), "create", "delete", "get", "patch", "update"),
			rule(strs("storage.k8s.io"), strs("volumeattachments"), "get"),
			rule(core, strs("serviceaccounts/token"), "create"),
			rule(core, strs("persistentvolumeclaims/status"), "get", "patch", "update"),
			rule(strs("storage.k8s.io"), strs("csidrivers"), readVerbs...),
			rule(strs("storage.k8s.io"), strs("csinodes"), "create", "delete", "get", "patch", "update"),
			rule(strs("node.k8s.io"), strs("runtimeclasses"), readVerbs...)),
		withRules(clusterRole("system:node-proxier", nil),
			rule(core, strs("endpoints", "services"), "list", "watch"),
			rule(core, strs("nodes"), readVerbs...),
			rule(eventsGroups, strs("events"), "create", "patch", "update"),
			rule(strs("discovery.k8s.io"), strs("endpointslices"), "list", "watch")),
		withRules(clusterRole("system:public-info-viewer", nil),
			urls(strs("/healthz", "/livez", "/readyz", "/version", "/version/"), "get")),
		aggregated("view", aggregateToView, aggregateToEdit),
	}
}

// clusterRole is a bootstrap ClusterRole: labelled rbac-defaults,
// annotated for auto-update, plus the given aggregate-to labels.
func clusterRole(name string, aggregateTo []string) *rbacv1.ClusterRole {
	labels := map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}
	for _, l := range aggregateTo {
		labels[l] = "true"
	}
	return &rbacv1.ClusterRole{ObjectMeta: bootstrapMeta(name, labels)}
}

func bootstrapMeta(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: labels,
		Annotations: map[string]string{"rbac.authorization.kubernetes.io/autoupdate": "true"}}
}

func clusterRoleBinding(name, role string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: bootstrapMeta(name, map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"}),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   subjects,
	}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: name}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: name}
}

// bootstrapClusterRoleBindings are the default bindings of the roles above,
// plus kubeadm's kubeadm:cluster-admins (1.29+: admin.conf's group).
func bootstrapClusterRoleBindings(minor int) []*rbacv1.ClusterRoleBinding {
	bs := []*rbacv1.ClusterRoleBinding{
		clusterRoleBinding("cluster-admin", "cluster-admin", group("system:masters")),
		clusterRoleBinding("system:basic-user", "system:basic-user", group("system:authenticated")),
		clusterRoleBinding("system:discovery", "system:discovery", group("system:authenticated")),
		clusterRoleBinding("system:kube-controller-manager", "system:kube-controller-manager", user("system:kube-controller-manager")),
		clusterRoleBinding("system:kube-dns", "system:kube-dns", rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: "kube-dns", Namespace: "kube-system"}),
		clusterRoleBinding("system:kube-scheduler", "system:kube-scheduler", user("system:kube-scheduler")),
		clusterRoleBinding("system:monitoring", "system:monitoring", group("system:monitoring")),
		clusterRoleBinding("system:node", "system:node"),
		clusterRoleBinding("system:node-proxier", "system:node-proxier", user("system:kube-proxy")),
		clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", group("system:authenticated"), group("system:unauthenticated")),
	}
	if minor >= 29 {
		b := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "kubeadm:cluster-admins"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{group("kubeadm:cluster-admins")},
		}
		bs = append([]*rbacv1.ClusterRoleBinding{b}, bs...)
	}
	return bs
}

// ensureRBACDefaults creates the default roles and bindings that are
// missing, as kube-apiserver's post-start hook does on every start (a
// cluster from an older kubesim gets them when it resumes). Their uids come
// from a stream of their own, so the names and uids the rest of the cluster
// draws are what they were before RBAC was served.
func (c *Cluster) ensureRBACDefaults() {
	rnd := rand.New(rand.NewPCG(c.Spec.Seed, 0x72626163))
	c.Registry.WithRand(rnd, func() {
		create := func(resource string, obj runtime.Object) {
			res := c.res("rbac.authorization.k8s.io", resource)
			if _, err := c.Registry.Get(res, "", objName(obj)); err == nil {
				return
			}
			c.mustCreate("rbac.authorization.k8s.io", resource, "", obj)
		}
		for _, r := range bootstrapClusterRoles() {
			create("clusterroles", r)
		}
		for _, b := range bootstrapClusterRoleBindings(minorVersion(c.Spec.KubernetesVersion)) {
			create("clusterrolebindings", b)
		}
	})
}
