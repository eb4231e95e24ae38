package quota

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	resourcehelper "k8s.io/component-helpers/resource"
)

// ObjectCountName is the quota name that counts objects of a resource
// (generic.ObjectCountQuotaResourceNameFor): count/pods, count/deployments.apps.
func ObjectCountName(gr schema.GroupResource) corev1.ResourceName {
	if gr.Group == "" {
		return corev1.ResourceName("count/" + gr.Resource)
	}
	return corev1.ResourceName("count/" + gr.Resource + "." + gr.Group)
}

// legacyAliases are the object counts quota knew before count/<resource>
// (evaluator/core registry.go legacyObjectCountAliases).
var legacyAliases = map[schema.GroupResource]corev1.ResourceName{
	{Resource: "configmaps"}:             corev1.ResourceConfigMaps,
	{Resource: "resourcequotas"}:         corev1.ResourceQuotas,
	{Resource: "replicationcontrollers"}: corev1.ResourceReplicationControllers,
	{Resource: "secrets"}:                corev1.ResourceSecrets,
}

var (
	podGR     = schema.GroupResource{Resource: "pods"}
	serviceGR = schema.GroupResource{Resource: "services"}
	pvcGR     = schema.GroupResource{Resource: "persistentvolumeclaims"}
)

// podResources are the names the pod evaluator matches.
var podResources = []corev1.ResourceName{
	ObjectCountName(podGR), corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
	corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsEphemeralStorage,
	corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory, corev1.ResourceLimitsEphemeralStorage, corev1.ResourcePods,
}

var serviceResources = []corev1.ResourceName{
	ObjectCountName(serviceGR), corev1.ResourceServices, corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers,
}

const storageClassSuffix = ".storageclass.storage.k8s.io/"

// MatchingResources returns the names of hard that usage of gr can consume
// (each evaluator's MatchingResources), in the order of hard.
func MatchingResources(gr schema.GroupResource, hard []corev1.ResourceName) []corev1.ResourceName {
	var out []corev1.ResourceName
	for _, n := range hard {
		if matches(gr, n) {
			out = append(out, n)
		}
	}
	return out
}

func matches(gr schema.GroupResource, n corev1.ResourceName) bool {
	switch gr {
	case podGR:
		if contains(podResources, n) || strings.HasPrefix(string(n), corev1.ResourceHugePagesPrefix) || strings.HasPrefix(string(n), corev1.ResourceRequestsHugePagesPrefix) {
			return true
		}
		// Extended resources are quota'd as requests.<name>.
		return strings.HasPrefix(string(n), corev1.DefaultResourceRequestsPrefix) && strings.Contains(strings.TrimPrefix(string(n), corev1.DefaultResourceRequestsPrefix), "/") &&
			!strings.Contains(string(n), "kubernetes.io/")
	case serviceGR:
		return contains(serviceResources, n)
	case pvcGR:
		switch {
		case n == ObjectCountName(pvcGR), n == corev1.ResourcePersistentVolumeClaims, n == corev1.ResourceRequestsStorage:
			return true
		case strings.Contains(string(n), storageClassSuffix):
			return true
		}
		return false
	}
	if n == ObjectCountName(gr) {
		return true
	}
	alias, ok := legacyAliases[gr]
	return ok && n == alias
}

func contains(list []corev1.ResourceName, n corev1.ResourceName) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// Usage is what obj, an object of gr, charges (each evaluator's Usage).
// now decides whether a pod stuck terminating still counts.
func Usage(gr schema.GroupResource, obj runtime.Object, now time.Time) corev1.ResourceList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return PodUsage(o, now)
	case *corev1.Service:
		return serviceUsage(o)
	case *corev1.PersistentVolumeClaim:
		return pvcUsage(o)
	}
	out := corev1.ResourceList{ObjectCountName(gr): *resource.NewQuantity(1, resource.DecimalSI)}
	if alias, ok := legacyAliases[gr]; ok {
		out[alias] = *resource.NewQuantity(1, resource.DecimalSI)
	}
	return out
}

// Handles reports whether a write of gr can change quota usage
// (evaluator.Handles): every create; an update only of services and claims.
func Handles(gr schema.GroupResource, create bool) bool {
	return create || gr == serviceGR || gr == pvcGR
}

// Charged reports whether a pod still counts against compute quota
// (QuotaV1Pod): not terminal, and not past its deletion grace period.
func Charged(p *corev1.Pod, now time.Time) bool {
	if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
		return false
	}
	if p.DeletionTimestamp != nil && p.DeletionGracePeriodSeconds != nil {
		end := p.DeletionTimestamp.Add(time.Duration(*p.DeletionGracePeriodSeconds) * time.Second)
		if now.After(end) {
			return false
		}
	}
	return true
}

// PodUsage is PodUsageFunc: count/pods always; pods, requests and limits
// while the pod is charged.
func PodUsage(p *corev1.Pod, now time.Time) corev1.ResourceList {
	out := corev1.ResourceList{ObjectCountName(podGR): *resource.NewQuantity(1, resource.DecimalSI)}
	if !Charged(p, now) {
		return out
	}
	reqs := resourcehelper.PodRequests(p, resourcehelper.PodResourcesOptions{})
	lims := resourcehelper.PodLimits(p, resourcehelper.PodResourcesOptions{})
	return Add(out, computeUsage(reqs, lims))
}

// computeUsage is podComputeUsageHelper.
func computeUsage(reqs, lims corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}
	for _, r := range [...]struct{ name, req, lim corev1.ResourceName }{
		{corev1.ResourceCPU, corev1.ResourceRequestsCPU, corev1.ResourceLimitsCPU},
		{corev1.ResourceMemory, corev1.ResourceRequestsMemory, corev1.ResourceLimitsMemory},
		{corev1.ResourceEphemeralStorage, corev1.ResourceRequestsEphemeralStorage, corev1.ResourceLimitsEphemeralStorage},
	} {
		if q, ok := reqs[r.name]; ok {
			out[r.name] = q
			out[r.req] = q
		}
		if q, ok := lims[r.name]; ok {
			out[r.lim] = q
		}
	}
	for name, q := range reqs {
		if strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix) {
			out[name] = q
			out[corev1.DefaultResourceRequestsPrefix+name] = q
		} else if strings.Contains(string(name), "/") && !strings.Contains(string(name), "kubernetes.io/") {
			out[corev1.DefaultResourceRequestsPrefix+name] = q
		}
	}
	return out
}

func serviceUsage(s *corev1.Service) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	out := corev1.ResourceList{
		ObjectCountName(serviceGR):           one,
		corev1.ResourceServices:              one,
		corev1.ResourceServicesLoadBalancers: {Format: resource.DecimalSI},
		corev1.ResourceServicesNodePorts:     {Format: resource.DecimalSI},
	}
	ports := int64(len(s.Spec.Ports))
	switch s.Spec.Type {
	case corev1.ServiceTypeNodePort:
		out[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
	case corev1.ServiceTypeLoadBalancer:
		if a := s.Spec.AllocateLoadBalancerNodePorts; a != nil && !*a {
			n := int64(0)
			for _, p := range s.Spec.Ports {
				if p.NodePort != 0 {
					n++
				}
			}
			ports = n
		}
		out[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(ports, resource.DecimalSI)
		out[corev1.ResourceServicesLoadBalancers] = one
	}
	return out
}

func pvcUsage(c *corev1.PersistentVolumeClaim) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	out := corev1.ResourceList{ObjectCountName(pvcGR): one, corev1.ResourcePersistentVolumeClaims: one}
	class := ""
	if c.Spec.StorageClassName != nil {
		class = *c.Spec.StorageClassName
	}
	if class != "" {
		out[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourcePersistentVolumeClaims))] = one
	}
	if q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
		out[corev1.ResourceRequestsStorage] = q
		if class != "" {
			out[corev1.ResourceName(class+storageClassSuffix+string(corev1.ResourceRequestsStorage))] = q
		}
	}
	return out
}

// validationSet is the names a pod must state in every container when a
// quota covers them (the evaluator's backward-compatible mistake).
var validationSet = map[corev1.ResourceName]bool{
	corev1.ResourceCPU: true, corev1.ResourceMemory: true, corev1.ResourceRequestsCPU: true,
	corev1.ResourceRequestsMemory: true, corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true,
}

// Constraints is the pod evaluator's: a quota on cpu or memory requires
// every container to state it. The error reads
// "must specify limits.cpu for: a,b; requests.cpu for: a".
func Constraints(required []corev1.ResourceName, obj runtime.Object) error {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return nil
	}
	missing := map[string]map[string]bool{}
	check := func(c *corev1.Container) {
		have := computeUsage(c.Resources.Requests, c.Resources.Limits)
		for _, n := range required {
			if !validationSet[n] {
				continue
			}
			if _, ok := have[n]; !ok {
				if missing[string(n)] == nil {
					missing[string(n)] = map[string]bool{}
				}
				missing[string(n)][c.Name] = true
			}
		}
	}
	for i := range p.Spec.Containers {
		check(&p.Spec.Containers[i])
	}
	for i := range p.Spec.InitContainers {
		check(&p.Spec.InitContainers[i])
	}
	if len(missing) == 0 {
		return nil
	}
	parts := make([]string, 0, len(missing))
	for _, n := range sortedKeys(missing) {
		parts = append(parts, fmt.Sprintf("%s for: %s", n, strings.Join(sortedKeys(missing[n]), ",")))
	}
	return fmt.Errorf("must specify %s", strings.Join(parts, "; "))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Selectors are a quota's scopes and scope selector as requirements
// (getScopeSelectorsFromQuota).
func Selectors(q *corev1.ResourceQuota) []corev1.ScopedResourceSelectorRequirement {
	var out []corev1.ScopedResourceSelectorRequirement
	for _, s := range q.Spec.Scopes {
		out = append(out, corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists})
	}
	if q.Spec.ScopeSelector != nil {
		out = append(out, q.Spec.ScopeSelector.MatchExpressions...)
	}
	return out
}

// Matches reports whether obj of gr falls under quota q (generic.Matches):
// q limits something obj uses and obj is in every one of q's scopes. Only
// pods have scopes; any other object under a scoped quota does not match.
func Matches(q *corev1.ResourceQuota, gr schema.GroupResource, obj runtime.Object) bool {
	return len(MatchingResources(gr, ResourceNames(q.Status.Hard))) > 0 && InScope(q, obj)
}

// InScope reports whether obj is in every one of q's scopes (true when q
// has none). Only pods have scopes.
func InScope(q *corev1.ResourceQuota, obj runtime.Object) bool {
	for _, sel := range Selectors(q) {
		p, ok := obj.(*corev1.Pod)
		if !ok || !podInScope(sel, p) {
			return false
		}
	}
	return true
}

// podInScope is podMatchesScopeFunc.
func podInScope(sel corev1.ScopedResourceSelectorRequirement, p *corev1.Pod) bool {
	switch sel.ScopeName {
	case corev1.ResourceQuotaScopeTerminating:
		return p.Spec.ActiveDeadlineSeconds != nil && *p.Spec.ActiveDeadlineSeconds >= 0
	case corev1.ResourceQuotaScopeNotTerminating:
		return p.Spec.ActiveDeadlineSeconds == nil || *p.Spec.ActiveDeadlineSeconds < 0
	case corev1.ResourceQuotaScopeBestEffort:
		return bestEffort(p)
	case corev1.ResourceQuotaScopeNotBestEffort:
		return !bestEffort(p)
	case corev1.ResourceQuotaScopePriorityClass:
		if sel.Operator == corev1.ScopeSelectorOpExists {
			return p.Spec.PriorityClassName != ""
		}
		return priorityMatches(p, sel)
	case corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return crossNamespaceAffinity(p)
	}
	return false
}

func priorityMatches(p *corev1.Pod, sel corev1.ScopedResourceSelectorRequirement) bool {
	var op metav1.LabelSelectorOperator
	switch sel.Operator {
	case corev1.ScopeSelectorOpIn:
		op = metav1.LabelSelectorOpIn
	case corev1.ScopeSelectorOpNotIn:
		op = metav1.LabelSelectorOpNotIn
	case corev1.ScopeSelectorOpDoesNotExist:
		op = metav1.LabelSelectorOpDoesNotExist
	default:
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: string(sel.ScopeName), Operator: op, Values: sel.Values}}})
	if err != nil {
		return false
	}
	var set labels.Set
	if p.Spec.PriorityClassName != "" {
		set = labels.Set{string(corev1.ResourceQuotaScopePriorityClass): p.Spec.PriorityClassName}
	}
	return s.Matches(set)
}

func crossNamespaceAffinity(p *corev1.Pod) bool {
	a := p.Spec.Affinity
	if a == nil {
		return false
	}
	cross := func(t *corev1.PodAffinityTerm) bool { return len(t.Namespaces) != 0 || t.NamespaceSelector != nil }
	for _, aff := range []*corev1.PodAffinity{a.PodAffinity} {
		if aff == nil {
			continue
		}
		for i := range aff.RequiredDuringSchedulingIgnoredDuringExecution {
			if cross(&aff.RequiredDuringSchedulingIgnoredDuringExecution[i]) {
				return true
			}
		}
		for i := range aff.PreferredDuringSchedulingIgnoredDuringExecution {
			if cross(&aff.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm) {
				return true
			}
		}
	}
	if aa := a.PodAntiAffinity; aa != nil {
		for i := range aa.RequiredDuringSchedulingIgnoredDuringExecution {
			if cross(&aa.RequiredDuringSchedulingIgnoredDuringExecution[i]) {
				return true
			}
		}
		for i := range aa.PreferredDuringSchedulingIgnoredDuringExecution {
			if cross(&aa.PreferredDuringSchedulingIgnoredDuringExecution[i].PodAffinityTerm) {
				return true
			}
		}
	}
	return false
}

// bestEffort is the qos helper's BestEffort: no container requests or limits cpu or memory.
func bestEffort(p *corev1.Pod) bool {
	for _, cs := range [...][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range cs {
			for _, l := range []corev1.ResourceList{cs[i].Resources.Requests, cs[i].Resources.Limits} {
				for n, q := range l {
					if (n == corev1.ResourceCPU || n == corev1.ResourceMemory) && !q.IsZero() {
						return false
					}
				}
			}
		}
	}
	return true
}
