package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"

	"kubesim/sim/quota"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// resourceQuotaController keeps ResourceQuota status (upstream
// pkg/controller/resourcequota): status.hard is spec.hard, status.used
// the usage of every object in the namespace that falls under the quota,
// for each resource it limits, counted by sim/quota as the admission plugin
// counts. Admission charges a new object at once; this controller recounts
// when an object of a namespace with quotas changes (upstream replenishes
// on deletes and pods turning terminal, and resyncs every 5 minutes), so
// freed usage shows as soon as the object is gone.
type resourceQuotaController struct {
	controller[*corev1.ResourceQuota]
	quotas *registry.Resource
	// withQuota counts the quotas per namespace, so that events elsewhere
	// cost nothing.
	withQuota map[string]int
}

func newResourceQuota(b *base) *resourceQuotaController {
	c := &resourceQuotaController{quotas: mustLookup(corev1.SchemeGroupVersion.WithResource("resourcequotas")), withQuota: map[string]int{}}
	c.controller = newController[*corev1.ResourceQuota](b, "resourcequota", c.quotas, c.syncQuota)
	c.component = "resource-quota-controller"
	c.onEventFor = func(res string) bool { return res != "events" && res != "leases" }
	c.onEvent = func(ev store.Event, res, ns, _ string) {
		switch {
		case res == "resourcequotas":
			if ev.Type == store.Put && ev.PrevKV == nil {
				c.withQuota[ns]++
			} else if ev.Type == store.Delete {
				if c.withQuota[ns]--; c.withQuota[ns] <= 0 {
					delete(c.withQuota, ns)
				}
			}
		case res == "events" || res == "leases" || ns == "":
		case c.withQuota[ns] > 0:
			c.relistNS(ns)
		}
	}
	return c
}

func (c *resourceQuotaController) syncQuota(key string, now time.Time) bool {
	q, ok := c.live(key)
	if !ok {
		return false
	}
	if c.withQuota[q.Namespace] == 0 {
		// Resumed from a state file: the initial list saw this quota.
		c.withQuota[q.Namespace] = len(list[*corev1.ResourceQuota](c.base, c.quotas, q.Namespace))
	}
	hardNames := quota.ResourceNames(q.Spec.Hard)
	used := corev1.ResourceList{}
	for k, v := range q.Status.Used {
		used[k] = v.DeepCopy()
	}
	for _, res := range registry.Resources() {
		if !res.Namespaced || res.NewList == nil || res.Alias {
			continue
		}
		gr := res.GR()
		names := quota.MatchingResources(gr, hardNames)
		if len(names) == 0 {
			continue
		}
		sum := corev1.ResourceList{}
		for _, n := range names {
			sum[n] = resource.Quantity{Format: resource.DecimalSI}
		}
		objs, _, _ := c.Registry.List(res, q.Namespace, registry.ListOptions{})
		for _, o := range objs {
			if quota.InScope(q, o) {
				sum = quota.Add(sum, quota.Usage(gr, o, now))
			}
		}
		for k, v := range quota.Mask(sum, names) {
			used[k] = v
		}
	}
	st := corev1.ResourceQuotaStatus{Hard: q.Spec.DeepCopy().Hard, Used: quota.Mask(used, hardNames)}
	if equality.Semantic.DeepEqual(st, q.Status) {
		return false
	}
	cp := q.DeepCopy()
	cp.Status = st
	return c.update(c.quotas, cp, "status")
}
