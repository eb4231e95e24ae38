package registry

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	resourcehelper "k8s.io/component-helpers/resource"
)

// The LimitRanger admission plugin (plugin/pkg/admission/limitranger): on
// a pod's create, its mutating half fills each container's missing
// requests and limits from the namespace's LimitRanges (default,
// defaultRequest) and says so in the kubernetes.io/limit-ranger
// annotation; its validating half enforces min, max and
// maxLimitRequestRatio per Container and per Pod, and min/max storage
// requests of PersistentVolumeClaims. Pod updates are not checked (their
// containers' resources are immutable), as upstream.

const limitRangerAnnotation = "kubernetes.io/limit-ranger"

// limitRanges returns the namespace's LimitRanges, or nil.
func (r *Registry) limitRanges(ns string) []*corev1.LimitRange {
	lr := byGR[coreV1.WithResource("limitranges").GroupResource()]
	if lr == nil || ns == "" || !r.anyStored(lr, &r.limits) {
		return nil
	}
	objs, _, _ := r.List(lr, ns, ListOptions{})
	out := make([]*corev1.LimitRange, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*corev1.LimitRange))
	}
	return out
}

// defaultLimitRange is SetDefaults_LimitRangeItem: a Container item's
// default limit falls back to max, its default request to the default
// limit, then to min.
func defaultLimitRange(lr *corev1.LimitRange) {
	for i := range lr.Spec.Limits {
		it := &lr.Spec.Limits[i]
		if it.Type != corev1.LimitTypeContainer {
			continue
		}
		if it.Default == nil {
			it.Default = corev1.ResourceList{}
		}
		if it.DefaultRequest == nil {
			it.DefaultRequest = corev1.ResourceList{}
		}
		for k, v := range it.Max {
			if _, ok := it.Default[k]; !ok {
				it.Default[k] = v.DeepCopy()
			}
		}
		for k, v := range it.Default {
			if _, ok := it.DefaultRequest[k]; !ok {
				it.DefaultRequest[k] = v.DeepCopy()
			}
		}
		for k, v := range it.Min {
			if _, ok := it.DefaultRequest[k]; !ok {
				it.DefaultRequest[k] = v.DeepCopy()
			}
		}
	}
}

// defaultPodRequests is SetDefaults_Pod's first rule: a container that
// states a limit but no request for a resource requests its limit.
func defaultPodRequests(p *corev1.Pod) {
	for _, cs := range [...][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
		for i := range cs {
			res := &cs[i].Resources
			if res.Limits == nil {
				continue
			}
			if res.Requests == nil {
				res.Requests = corev1.ResourceList{}
			}
			for k, v := range res.Limits {
				if _, ok := res.Requests[k]; !ok {
					res.Requests[k] = v.DeepCopy()
				}
			}
		}
	}
}

// admitLimitRangerMutate applies every LimitRange's container defaults to a new pod.
func (r *Registry) admitLimitRangerMutate(p *corev1.Pod) {
	ranges := r.limitRanges(p.Namespace)
	if len(ranges) == 0 {
		return
	}
	for _, lr := range ranges {
		req, lim := corev1.ResourceList{}, corev1.ResourceList{}
		for _, it := range lr.Spec.Limits {
			if it.Type == corev1.LimitTypeContainer {
				for k, v := range it.DefaultRequest {
					req[k] = v.DeepCopy()
				}
				for k, v := range it.Default {
					lim[k] = v.DeepCopy()
				}
			}
		}
		var notes []string
		for i := range p.Spec.Containers {
			notes = mergeContainerDefaults(&p.Spec.Containers[i], req, lim, "container", notes)
		}
		for i := range p.Spec.InitContainers {
			notes = mergeContainerDefaults(&p.Spec.InitContainers[i], req, lim, "init container", notes)
		}
		if len(notes) > 0 {
			if p.Annotations == nil {
				p.Annotations = map[string]string{}
			}
			p.Annotations[limitRangerAnnotation] = "LimitRanger plugin set: " + strings.Join(notes, "; ")
		}
	}
	// The pod strategy computes the QoS class after admission.
	p.Status.QOSClass = qosClass(p)
}

// mergeContainerDefaults is mergeContainerResources.
func mergeContainerDefaults(c *corev1.Container, req, lim corev1.ResourceList, prefix string, notes []string) []string {
	var setReq, setLim []string
	if c.Resources.Limits == nil {
		c.Resources.Limits = corev1.ResourceList{}
	}
	if c.Resources.Requests == nil {
		c.Resources.Requests = corev1.ResourceList{}
	}
	for k, v := range lim {
		if _, ok := c.Resources.Limits[k]; !ok {
			c.Resources.Limits[k] = v.DeepCopy()
			setLim = append(setLim, string(k))
		}
	}
	for k, v := range req {
		if _, ok := c.Resources.Requests[k]; !ok {
			c.Resources.Requests[k] = v.DeepCopy()
			setReq = append(setReq, string(k))
		}
	}
	if len(setReq) > 0 {
		sort.Strings(setReq)
		notes = append(notes, strings.Join(setReq, ", ")+fmt.Sprintf(" request for %s %s", prefix, c.Name))
	}
	if len(setLim) > 0 {
		sort.Strings(setLim)
		notes = append(notes, strings.Join(setLim, ", ")+fmt.Sprintf(" limit for %s %s", prefix, c.Name))
	}
	return notes
}

// admitLimitRanger is the validating half for a new pod or claim; the
// error is Forbidden with upstream's texts ([a, b] when several).
func (r *Registry) admitLimitRanger(res *Resource, obj runtime.Object) error {
	var ns string
	switch o := obj.(type) {
	case *corev1.Pod:
		ns = o.Namespace
	case *corev1.PersistentVolumeClaim:
		ns = o.Namespace
	default:
		return nil
	}
	for _, lr := range r.limitRanges(ns) {
		var err error
		switch o := obj.(type) {
		case *corev1.Pod:
			err = validatePodLimits(lr, o)
		case *corev1.PersistentVolumeClaim:
			err = validateClaimLimits(lr, o)
		}
		if err != nil {
			return forbidden(res, obj, err)
		}
	}
	return nil
}

func validateClaimLimits(lr *corev1.LimitRange, c *corev1.PersistentVolumeClaim) error {
	var errs []error
	for _, it := range lr.Spec.Limits {
		if it.Type != corev1.LimitTypePersistentVolumeClaim {
			continue
		}
		for _, k := range sortedNames(it.Min) {
			if err := minConstraint(string(it.Type), string(k), it.Min[k], c.Spec.Resources.Requests, corev1.ResourceList{}); err != nil {
				errs = append(errs, err)
			}
		}
		for _, k := range sortedNames(it.Max) {
			if err := maxRequestConstraint(string(it.Type), string(k), it.Max[k], c.Spec.Resources.Requests); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return utilerrors.NewAggregate(errs)
}

// sortedNames orders a list's names. Upstream ranges over the map, so the
// order of several errors is random there; sorted here, so runs repeat.
func sortedNames(l corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// validatePodLimits is PodValidateLimitFunc.
func validatePodLimits(lr *corev1.LimitRange, p *corev1.Pod) error {
	var errs []error
	check := func(typ string, it corev1.LimitRangeItem, req, lim corev1.ResourceList) {
		for _, k := range sortedNames(it.Min) {
			if err := minConstraint(typ, string(k), it.Min[k], req, lim); err != nil {
				errs = append(errs, err)
			}
		}
		for _, k := range sortedNames(it.Max) {
			if err := maxConstraint(typ, string(k), it.Max[k], req, lim); err != nil {
				errs = append(errs, err)
			}
		}
		for _, k := range sortedNames(it.MaxLimitRequestRatio) {
			if err := ratioConstraint(typ, string(k), it.MaxLimitRequestRatio[k], req, lim); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, it := range lr.Spec.Limits {
		switch it.Type {
		case corev1.LimitTypeContainer:
			for _, cs := range [...][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
				for i := range cs {
					check(string(it.Type), it, cs[i].Resources.Requests, cs[i].Resources.Limits)
				}
			}
		case corev1.LimitTypePod:
			opts := resourcehelper.PodResourcesOptions{ExcludeOverhead: true, SkipPodLevelResources: true}
			check(string(it.Type), it, resourcehelper.PodRequests(p, opts), resourcehelper.PodLimits(p, opts))
		}
	}
	return utilerrors.NewAggregate(errs)
}

// enforced returns request, limit and enforced values at a common
// precision (requestLimitEnforcedValues).
func enforced(req, lim, enf resource.Quantity) (int64, int64, int64) {
	r, l, e := req.Value(), lim.Value(), enf.Value()
	if r <= resource.MaxMilliValue && l <= resource.MaxMilliValue && e <= resource.MaxMilliValue {
		r, l, e = req.MilliValue(), lim.MilliValue(), enf.MilliValue()
	}
	return r, l, e
}

func minConstraint(typ, name string, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[corev1.ResourceName(name)]
	lim, limOK := limit[corev1.ResourceName(name)]
	r, l, e := enforced(req, lim, enf)
	switch {
	case !reqOK:
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", name, typ, enf.String())
	case r < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	case limOK && l < e:
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", name, typ, enf.String(), lim.String())
	}
	return nil
}

func maxRequestConstraint(typ, name string, enf resource.Quantity, request corev1.ResourceList) error {
	req, reqOK := request[corev1.ResourceName(name)]
	r, _, e := enforced(req, resource.Quantity{}, enf)
	switch {
	case !reqOK:
		return fmt.Errorf("maximum %s usage per %s is %s.  No request is specified", name, typ, enf.String())
	case r > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	}
	return nil
}

func maxConstraint(typ, name string, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[corev1.ResourceName(name)]
	lim, limOK := limit[corev1.ResourceName(name)]
	r, l, e := enforced(req, lim, enf)
	switch {
	case !limOK:
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", name, typ, enf.String())
	case l > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", name, typ, enf.String(), lim.String())
	case reqOK && r > e:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", name, typ, enf.String(), req.String())
	}
	return nil
}

func ratioConstraint(typ, name string, enf resource.Quantity, request, limit corev1.ResourceList) error {
	req, reqOK := request[corev1.ResourceName(name)]
	lim, limOK := limit[corev1.ResourceName(name)]
	r, l, _ := enforced(req, lim, enf)
	if !reqOK || r == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", name, typ, enf.String())
	}
	if !limOK || l == 0 {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", name, typ, enf.String())
	}
	observed := float64(l) / float64(r)
	shown := observed
	max := float64(enf.Value())
	if enf.Value() <= resource.MaxMilliValue {
		observed *= 1000
		max = float64(enf.MilliValue())
	}
	if observed > max {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", name, typ, enf.String(), shown)
	}
	return nil
}
