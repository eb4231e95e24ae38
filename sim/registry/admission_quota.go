package registry

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/quota"
)

// The ResourceQuota admission plugin (k8s.io/apiserver
// pkg/admission/plugin/resourcequota, CheckRequest): a write that would
// take a namespace past one of its quotas is Forbidden, and an admitted
// one is charged to the quotas' status.used at once, so the next request
// sees it before the quota controller recounts. It runs after validation,
// as a validating plugin.

// forbidden is admission.NewForbidden: the object's name, or its
// generateName when the name is not yet set.
func forbidden(res *Resource, obj runtime.Object, err error) error {
	m := ObjectMeta(obj)
	name := m.GetName()
	if name == "" {
		name = m.GetGenerateName()
	}
	if name == "" {
		name = "Unknown"
	}
	return apierrors.NewForbidden(res.GR(), name, err)
}

// resourceQuotas returns the namespace's quotas, or nil.
func (r *Registry) resourceQuotas(ns string) []*corev1.ResourceQuota {
	rq := byGR[coreV1.WithResource("resourcequotas").GroupResource()]
	if rq == nil || ns == "" || !r.anyStored(rq, &r.quotas) {
		return nil
	}
	objs, _, _ := r.List(rq, ns, ListOptions{})
	out := make([]*corev1.ResourceQuota, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.(*corev1.ResourceQuota))
	}
	return out
}

// presence is whether a resource has any object stored, if known.
type presence struct{ any, known bool }

// anyStored says whether the store holds an object of res (quotas, limit
// ranges) in any namespace. Admission asks on every create and most
// clusters have none: the answer is counted once and again only after a
// write to one (notePresence), so a create does not list an empty prefix.
func (r *Registry) anyStored(res *Resource, p *presence) bool {
	if !p.known {
		p.any = r.store.Count(Prefix(res, "")) > 0
		p.known = true
	}
	return p.any
}

// notePresence forgets whether there are quotas or limit ranges after a
// write to one.
func (r *Registry) notePresence(res *Resource) {
	if res.Custom != nil || res.GVR.Group != "" {
		return
	}
	switch res.GVR.Resource {
	case "resourcequotas":
		r.quotas.known = false
	case "limitranges":
		r.limits.known = false
	}
}

// admitQuota checks a create (old == nil) or an update of obj against the
// namespace's quotas and, unless dryRun, charges the admitted usage.
func (r *Registry) admitQuota(res *Resource, obj, old runtime.Object, dryRun bool) error {
	gr := res.GR()
	if !res.Namespaced || !quota.Handles(gr, old == nil) {
		return nil
	}
	quotas := r.resourceQuotas(ObjectMeta(obj).GetNamespace())
	if len(quotas) == 0 {
		return nil
	}
	now := r.clock.Now()
	var interesting []int
	for i, q := range quotas {
		if !quota.Matches(q, gr, obj) {
			continue
		}
		restricted := quota.MatchingResources(gr, quota.ResourceNames(q.Status.Hard))
		if err := quota.Constraints(restricted, obj); err != nil {
			return forbidden(res, obj, fmt.Errorf("failed quota: %s: %v", q.Name, err))
		}
		for _, n := range restricted {
			if _, ok := q.Status.Used[n]; !ok {
				return forbidden(res, obj, fmt.Errorf("status unknown for quota: %s, resources: %s", q.Name, quota.PrettyPrintNames(restricted)))
			}
		}
		interesting = append(interesting, i)
	}
	if len(interesting) == 0 {
		return nil
	}
	usage := quota.Usage(gr, obj, now)
	if neg := quota.Negative(usage); len(neg) > 0 {
		return forbidden(res, obj, fmt.Errorf("quota usage is negative for resource(s): %s", quota.PrettyPrintNames(neg)))
	}
	deltas := make(map[int]corev1.ResourceList, len(interesting))
	for _, i := range interesting {
		delta := usage
		if old != nil && quota.Matches(quotas[i], gr, old) {
			delta = quota.SubtractNonNegative(usage, quota.Usage(gr, old, now))
		}
		if delta = quota.RemoveZeros(delta); len(delta) > 0 {
			deltas[i] = delta
		}
	}
	var charged []*corev1.ResourceQuota
	for _, i := range interesting {
		delta, ok := deltas[i]
		if !ok {
			continue
		}
		q := quotas[i]
		hard := quota.ResourceNames(q.Status.Hard)
		requested := quota.Mask(delta, hard)
		used := quota.Add(q.Status.Used, requested)
		if ok, exceeded := quota.LessThanOrEqual(quota.Mask(used, quota.ResourceNames(requested)), q.Status.Hard); !ok {
			return forbidden(res, obj, fmt.Errorf("exceeded quota: %s, requested: %s, used: %s, limited: %s", q.Name,
				quota.PrettyPrint(quota.Mask(requested, exceeded)), quota.PrettyPrint(quota.Mask(q.Status.Used, exceeded)),
				quota.PrettyPrint(quota.Mask(q.Status.Hard, exceeded))))
		}
		cp := q.DeepCopy()
		cp.Status.Used = used
		charged = append(charged, cp)
	}
	if dryRun {
		return nil
	}
	rq := byGR[coreV1.WithResource("resourcequotas").GroupResource()]
	for _, q := range charged {
		if _, err := r.Update(rq, q.Namespace, q, "status"); err != nil {
			return apierrors.NewInternalError(fmt.Errorf("resource quota %s: %w", q.Name, err))
		}
	}
	return nil
}
