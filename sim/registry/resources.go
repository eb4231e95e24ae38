package registry

import (
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Subresource describes a subresource as discovery announces it.
type Subresource struct {
	Name  string
	Kind  schema.GroupVersionKind
	Verbs []string
}

// Resource describes one served resource.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	ListKind   string
	Singular   string
	Namespaced bool
	ShortNames []string
	Categories []string
	Verbs      []string
	Subs       []Subresource
	New        func() runtime.Object
	NewList    func() runtime.Object
	// Alias marks an older served version of a resource stored in another
	// (autoscaling/v1 HorizontalPodAutoscalers, stored as autoscaling/v2):
	// the API server converts at its boundary and calls the registry with
	// the stored version (Lookup's); components skip aliases.
	Alias bool
	// Custom is set for a resource served from a CRD (custom.go).
	Custom *Custom
}

// GVK returns the resource's group/version/kind.
func (r *Resource) GVK() schema.GroupVersionKind { return r.GVR.GroupVersion().WithKind(r.Kind) }

// GR returns the resource's group/resource.
func (r *Resource) GR() schema.GroupResource { return r.GVR.GroupResource() }

var (
	allVerbs    = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	statusVerbs = []string{"get", "patch", "update"}
	scaleKind   = autoscalingv1.SchemeGroupVersion.WithKind("Scale")
	statusSub   = func(k schema.GroupVersionKind) Subresource {
		return Subresource{Name: "status", Kind: k, Verbs: statusVerbs}
	}
	coreV1       = corev1.SchemeGroupVersion
	appsV1       = appsv1.SchemeGroupVersion
	coordV1      = coordinationv1.SchemeGroupVersion
	policyV1     = policyv1.SchemeGroupVersion
	schedulingV1 = schedulingv1.SchemeGroupVersion
	discoveryV1  = discoveryv1.SchemeGroupVersion
	batchV1      = batchv1.SchemeGroupVersion
	authzV1      = authorizationv1.SchemeGroupVersion
	rbacV1       = rbacv1.SchemeGroupVersion
	apiextV1     = apiextensionsv1.SchemeGroupVersion
	authnV1      = authenticationv1.SchemeGroupVersion
	certsV1      = certificatesv1.SchemeGroupVersion
	storageV1    = storagev1.SchemeGroupVersion
	netV1        = networkingv1.SchemeGroupVersion
	autoscaleV1  = autoscalingv1.SchemeGroupVersion
	autoscaleV2  = autoscalingv2.SchemeGroupVersion
)

// resources is the table of everything the server serves, in discovery order.
var resources = []*Resource{
	{GVR: coreV1.WithResource("namespaces"), Kind: "Namespace", Singular: "namespace", ShortNames: []string{"ns"},
		Verbs: []string{"create", "delete", "get", "list", "patch", "update", "watch"},
		Subs:  []Subresource{statusSub(coreV1.WithKind("Namespace")), {Name: "finalize", Kind: coreV1.WithKind("Namespace"), Verbs: []string{"update"}}},
		New:   func() runtime.Object { return &corev1.Namespace{} }, NewList: func() runtime.Object { return &corev1.NamespaceList{} }},
	{GVR: coreV1.WithResource("nodes"), Kind: "Node", Singular: "node", ShortNames: []string{"no"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(coreV1.WithKind("Node")), {Name: "proxy", Kind: coreV1.WithKind("NodeProxyOptions"), Verbs: []string{"create", "delete", "get", "patch", "update"}}},
		New:  func() runtime.Object { return &corev1.Node{} }, NewList: func() runtime.Object { return &corev1.NodeList{} }},
	{GVR: coreV1.WithResource("pods"), Kind: "Pod", Singular: "pod", Namespaced: true, ShortNames: []string{"po"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{
			{Name: "attach", Kind: coreV1.WithKind("PodAttachOptions"), Verbs: []string{"create", "get"}},
			{Name: "binding", Kind: coreV1.WithKind("Binding"), Verbs: []string{"create"}},
			{Name: "ephemeralcontainers", Kind: coreV1.WithKind("Pod"), Verbs: statusVerbs},
			{Name: "eviction", Kind: policyV1.WithKind("Eviction"), Verbs: []string{"create"}},
			{Name: "exec", Kind: coreV1.WithKind("PodExecOptions"), Verbs: []string{"create", "get"}},
			{Name: "log", Kind: coreV1.WithKind("Pod"), Verbs: []string{"get"}},
			{Name: "portforward", Kind: coreV1.WithKind("PodPortForwardOptions"), Verbs: []string{"create", "get"}},
			{Name: "proxy", Kind: coreV1.WithKind("PodProxyOptions"), Verbs: []string{"create", "delete", "get", "patch", "update"}},
			statusSub(coreV1.WithKind("Pod")),
		},
		New: func() runtime.Object { return &corev1.Pod{} }, NewList: func() runtime.Object { return &corev1.PodList{} }},
	{GVR: coreV1.WithResource("bindings"), Kind: "Binding", Singular: "binding", Namespaced: true, Verbs: []string{"create"},
		New: func() runtime.Object { return &corev1.Binding{} }},
	{GVR: coreV1.WithResource("events"), Kind: "Event", Singular: "event", Namespaced: true, ShortNames: []string{"ev"}, Verbs: allVerbs,
		New: func() runtime.Object { return &corev1.Event{} }, NewList: func() runtime.Object { return &corev1.EventList{} }},
	{GVR: coreV1.WithResource("services"), Kind: "Service", Singular: "service", Namespaced: true, ShortNames: []string{"svc"}, Categories: []string{"all"},
		Verbs: []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
		Subs:  []Subresource{{Name: "proxy", Kind: coreV1.WithKind("ServiceProxyOptions"), Verbs: []string{"create", "delete", "get", "patch", "update"}}, statusSub(coreV1.WithKind("Service"))},
		New:   func() runtime.Object { return &corev1.Service{} }, NewList: func() runtime.Object { return &corev1.ServiceList{} }},
	{GVR: coreV1.WithResource("endpoints"), Kind: "Endpoints", Singular: "endpoints", Namespaced: true, ShortNames: []string{"ep"}, Verbs: allVerbs,
		New: func() runtime.Object { return &corev1.Endpoints{} }, NewList: func() runtime.Object { return &corev1.EndpointsList{} }},
	{GVR: coreV1.WithResource("configmaps"), Kind: "ConfigMap", Singular: "configmap", Namespaced: true, ShortNames: []string{"cm"}, Verbs: allVerbs,
		New: func() runtime.Object { return &corev1.ConfigMap{} }, NewList: func() runtime.Object { return &corev1.ConfigMapList{} }},
	{GVR: coreV1.WithResource("secrets"), Kind: "Secret", Singular: "secret", Namespaced: true, Verbs: allVerbs,
		New: func() runtime.Object { return &corev1.Secret{} }, NewList: func() runtime.Object { return &corev1.SecretList{} }},
	{GVR: coreV1.WithResource("serviceaccounts"), Kind: "ServiceAccount", Singular: "serviceaccount", Namespaced: true, ShortNames: []string{"sa"}, Verbs: allVerbs,
		Subs: []Subresource{{Name: "token", Kind: authnV1.WithKind("TokenRequest"), Verbs: []string{"create"}}},
		New:  func() runtime.Object { return &corev1.ServiceAccount{} }, NewList: func() runtime.Object { return &corev1.ServiceAccountList{} }},
	{GVR: coreV1.WithResource("resourcequotas"), Kind: "ResourceQuota", Singular: "resourcequota", Namespaced: true, ShortNames: []string{"quota"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(coreV1.WithKind("ResourceQuota"))},
		New:  func() runtime.Object { return &corev1.ResourceQuota{} }, NewList: func() runtime.Object { return &corev1.ResourceQuotaList{} }},
	{GVR: coreV1.WithResource("limitranges"), Kind: "LimitRange", Singular: "limitrange", Namespaced: true, ShortNames: []string{"limits"}, Verbs: allVerbs,
		New: func() runtime.Object { return &corev1.LimitRange{} }, NewList: func() runtime.Object { return &corev1.LimitRangeList{} }},
	{GVR: coreV1.WithResource("persistentvolumeclaims"), Kind: "PersistentVolumeClaim", Singular: "persistentvolumeclaim", Namespaced: true, ShortNames: []string{"pvc"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(coreV1.WithKind("PersistentVolumeClaim"))},
		New:  func() runtime.Object { return &corev1.PersistentVolumeClaim{} }, NewList: func() runtime.Object { return &corev1.PersistentVolumeClaimList{} }},
	{GVR: coreV1.WithResource("persistentvolumes"), Kind: "PersistentVolume", Singular: "persistentvolume", ShortNames: []string{"pv"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(coreV1.WithKind("PersistentVolume"))},
		New:  func() runtime.Object { return &corev1.PersistentVolume{} }, NewList: func() runtime.Object { return &corev1.PersistentVolumeList{} }},
	{GVR: appsV1.WithResource("daemonsets"), Kind: "DaemonSet", Singular: "daemonset", Namespaced: true, ShortNames: []string{"ds"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(appsV1.WithKind("DaemonSet"))},
		New:  func() runtime.Object { return &appsv1.DaemonSet{} }, NewList: func() runtime.Object { return &appsv1.DaemonSetList{} }},
	{GVR: appsV1.WithResource("deployments"), Kind: "Deployment", Singular: "deployment", Namespaced: true, ShortNames: []string{"deploy"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{{Name: "scale", Kind: scaleKind, Verbs: statusVerbs}, statusSub(appsV1.WithKind("Deployment"))},
		New:  func() runtime.Object { return &appsv1.Deployment{} }, NewList: func() runtime.Object { return &appsv1.DeploymentList{} }},
	{GVR: appsV1.WithResource("replicasets"), Kind: "ReplicaSet", Singular: "replicaset", Namespaced: true, ShortNames: []string{"rs"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{{Name: "scale", Kind: scaleKind, Verbs: statusVerbs}, statusSub(appsV1.WithKind("ReplicaSet"))},
		New:  func() runtime.Object { return &appsv1.ReplicaSet{} }, NewList: func() runtime.Object { return &appsv1.ReplicaSetList{} }},
	{GVR: appsV1.WithResource("statefulsets"), Kind: "StatefulSet", Singular: "statefulset", Namespaced: true, ShortNames: []string{"sts"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{{Name: "scale", Kind: scaleKind, Verbs: statusVerbs}, statusSub(appsV1.WithKind("StatefulSet"))},
		New:  func() runtime.Object { return &appsv1.StatefulSet{} }, NewList: func() runtime.Object { return &appsv1.StatefulSetList{} }},
	{GVR: autoscaleV2.WithResource("horizontalpodautoscalers"), Kind: "HorizontalPodAutoscaler", Singular: "horizontalpodautoscaler", Namespaced: true, ShortNames: []string{"hpa"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(autoscaleV2.WithKind("HorizontalPodAutoscaler"))},
		New:  func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscaler{} }, NewList: func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscalerList{} }},
	{GVR: autoscaleV1.WithResource("horizontalpodautoscalers"), Kind: "HorizontalPodAutoscaler", Singular: "horizontalpodautoscaler", Namespaced: true, ShortNames: []string{"hpa"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(autoscaleV1.WithKind("HorizontalPodAutoscaler"))}, Alias: true,
		New: func() runtime.Object { return &autoscalingv1.HorizontalPodAutoscaler{} }, NewList: func() runtime.Object { return &autoscalingv1.HorizontalPodAutoscalerList{} }},
	{GVR: batchV1.WithResource("jobs"), Kind: "Job", Singular: "job", Namespaced: true, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(batchV1.WithKind("Job"))},
		New:  func() runtime.Object { return &batchv1.Job{} }, NewList: func() runtime.Object { return &batchv1.JobList{} }},
	{GVR: batchV1.WithResource("cronjobs"), Kind: "CronJob", Singular: "cronjob", Namespaced: true, ShortNames: []string{"cj"}, Categories: []string{"all"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(batchV1.WithKind("CronJob"))},
		New:  func() runtime.Object { return &batchv1.CronJob{} }, NewList: func() runtime.Object { return &batchv1.CronJobList{} }},
	{GVR: authnV1.WithResource("selfsubjectreviews"), Kind: "SelfSubjectReview", Singular: "selfsubjectreview", Verbs: []string{"create"},
		New: func() runtime.Object { return &authenticationv1.SelfSubjectReview{} }},
	{GVR: authzV1.WithResource("selfsubjectaccessreviews"), Kind: "SelfSubjectAccessReview", Singular: "selfsubjectaccessreview", Verbs: []string{"create"},
		New: func() runtime.Object { return &authorizationv1.SelfSubjectAccessReview{} }},
	{GVR: authzV1.WithResource("selfsubjectrulesreviews"), Kind: "SelfSubjectRulesReview", Singular: "selfsubjectrulesreview", Verbs: []string{"create"},
		New: func() runtime.Object { return &authorizationv1.SelfSubjectRulesReview{} }},
	{GVR: authzV1.WithResource("subjectaccessreviews"), Kind: "SubjectAccessReview", Singular: "subjectaccessreview", Verbs: []string{"create"},
		New: func() runtime.Object { return &authorizationv1.SubjectAccessReview{} }},
	{GVR: apiextV1.WithResource("customresourcedefinitions"), Kind: "CustomResourceDefinition", Singular: "customresourcedefinition", ShortNames: []string{"crd", "crds"}, Categories: []string{"api-extensions"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(apiextV1.WithKind("CustomResourceDefinition"))},
		New:  func() runtime.Object { return &apiextensionsv1.CustomResourceDefinition{} }, NewList: func() runtime.Object { return &apiextensionsv1.CustomResourceDefinitionList{} }},
	{GVR: coordV1.WithResource("leases"), Kind: "Lease", Singular: "lease", Namespaced: true, Verbs: allVerbs,
		New: func() runtime.Object { return &coordinationv1.Lease{} }, NewList: func() runtime.Object { return &coordinationv1.LeaseList{} }},
	{GVR: discoveryV1.WithResource("endpointslices"), Kind: "EndpointSlice", Singular: "endpointslice", Namespaced: true, Verbs: allVerbs,
		New: func() runtime.Object { return &discoveryv1.EndpointSlice{} }, NewList: func() runtime.Object { return &discoveryv1.EndpointSliceList{} }},
	{GVR: certsV1.WithResource("certificatesigningrequests"), Kind: "CertificateSigningRequest", Singular: "certificatesigningrequest", ShortNames: []string{"csr"}, Verbs: allVerbs,
		Subs: []Subresource{{Name: "approval", Kind: certsV1.WithKind("CertificateSigningRequest"), Verbs: statusVerbs}, statusSub(certsV1.WithKind("CertificateSigningRequest"))},
		New:  func() runtime.Object { return &certificatesv1.CertificateSigningRequest{} }, NewList: func() runtime.Object { return &certificatesv1.CertificateSigningRequestList{} }},
	{GVR: netV1.WithResource("ingressclasses"), Kind: "IngressClass", Singular: "ingressclass", Verbs: allVerbs,
		New: func() runtime.Object { return &networkingv1.IngressClass{} }, NewList: func() runtime.Object { return &networkingv1.IngressClassList{} }},
	{GVR: netV1.WithResource("ingresses"), Kind: "Ingress", Singular: "ingress", Namespaced: true, ShortNames: []string{"ing"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(netV1.WithKind("Ingress"))},
		New:  func() runtime.Object { return &networkingv1.Ingress{} }, NewList: func() runtime.Object { return &networkingv1.IngressList{} }},
	{GVR: netV1.WithResource("networkpolicies"), Kind: "NetworkPolicy", Singular: "networkpolicy", Namespaced: true, ShortNames: []string{"netpol"}, Verbs: allVerbs,
		New: func() runtime.Object { return &networkingv1.NetworkPolicy{} }, NewList: func() runtime.Object { return &networkingv1.NetworkPolicyList{} }},
	{GVR: policyV1.WithResource("poddisruptionbudgets"), Kind: "PodDisruptionBudget", Singular: "poddisruptionbudget", Namespaced: true, ShortNames: []string{"pdb"}, Verbs: allVerbs,
		Subs: []Subresource{statusSub(policyV1.WithKind("PodDisruptionBudget"))},
		New:  func() runtime.Object { return &policyv1.PodDisruptionBudget{} }, NewList: func() runtime.Object { return &policyv1.PodDisruptionBudgetList{} }},
	{GVR: rbacV1.WithResource("clusterrolebindings"), Kind: "ClusterRoleBinding", Singular: "clusterrolebinding", Verbs: allVerbs,
		New: func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }, NewList: func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} }},
	{GVR: rbacV1.WithResource("clusterroles"), Kind: "ClusterRole", Singular: "clusterrole", Verbs: allVerbs,
		New: func() runtime.Object { return &rbacv1.ClusterRole{} }, NewList: func() runtime.Object { return &rbacv1.ClusterRoleList{} }},
	{GVR: rbacV1.WithResource("rolebindings"), Kind: "RoleBinding", Singular: "rolebinding", Namespaced: true, Verbs: allVerbs,
		New: func() runtime.Object { return &rbacv1.RoleBinding{} }, NewList: func() runtime.Object { return &rbacv1.RoleBindingList{} }},
	{GVR: rbacV1.WithResource("roles"), Kind: "Role", Singular: "role", Namespaced: true, Verbs: allVerbs,
		New: func() runtime.Object { return &rbacv1.Role{} }, NewList: func() runtime.Object { return &rbacv1.RoleList{} }},
	{GVR: storageV1.WithResource("storageclasses"), Kind: "StorageClass", Singular: "storageclass", ShortNames: []string{"sc"}, Verbs: allVerbs,
		New: func() runtime.Object { return &storagev1.StorageClass{} }, NewList: func() runtime.Object { return &storagev1.StorageClassList{} }},
	{GVR: schedulingV1.WithResource("priorityclasses"), Kind: "PriorityClass", Singular: "priorityclass", ShortNames: []string{"pc"}, Verbs: allVerbs,
		New: func() runtime.Object { return &schedulingv1.PriorityClass{} }, NewList: func() runtime.Object { return &schedulingv1.PriorityClassList{} }},
}

var (
	byGVR  = map[schema.GroupVersionResource]*Resource{}
	byGR   = map[schema.GroupResource]*Resource{}
	byKind = map[schema.GroupKind]*Resource{}
)

func init() {
	for _, r := range resources {
		if r.NewList != nil {
			r.ListKind = r.Kind + "List"
		}
		byGVR[r.GVR] = r
		if !r.Alias {
			byGR[r.GR()] = r
			byKind[r.GVK().GroupKind()] = r
		}
	}
}

// Lookup returns the served resource for a group/resource.
func Lookup(gr schema.GroupResource) (*Resource, bool) {
	r, ok := byGR[gr]
	return r, ok
}

// LookupGVR returns the served resource for a group/version/resource.
func LookupGVR(gvr schema.GroupVersionResource) (*Resource, bool) {
	r, ok := byGVR[gvr]
	return r, ok
}

// LookupKind returns the served resource for a group/kind.
func LookupKind(gk schema.GroupKind) (*Resource, bool) {
	r, ok := byKind[gk]
	return r, ok
}

// Resources returns every served resource, in discovery order.
func Resources() []*Resource { return resources }

// GroupVersions returns the served group/versions, core first then by group name.
func GroupVersions() []schema.GroupVersion {
	seen := map[schema.GroupVersion]bool{}
	var gvs []schema.GroupVersion
	for _, r := range resources {
		gv := r.GVR.GroupVersion()
		if !seen[gv] {
			seen[gv] = true
			gvs = append(gvs, gv)
		}
	}
	sort.SliceStable(gvs, func(i, j int) bool { return gvs[i].Group < gvs[j].Group })
	return gvs
}

// Scheme holds only the API groups kubesim serves, plus meta/v1 and autoscaling/v1 (Scale).
var Scheme = runtime.NewScheme()

func init() {
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, apiextensionsv1.AddToScheme, coordinationv1.AddToScheme, policyv1.AddToScheme,
		schedulingv1.AddToScheme, discoveryv1.AddToScheme, autoscalingv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, authorizationv1.AddToScheme, rbacv1.AddToScheme, authenticationv1.AddToScheme, storagev1.AddToScheme, networkingv1.AddToScheme, certificatesv1.AddToScheme,
	} {
		if err := add(Scheme); err != nil {
			panic(err)
		}
	}
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	metav1.AddMetaToScheme(Scheme)
}
