package controllers

import (
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// garbageCollector deletes dependents whose owners are gone (upstream
// pkg/controller/garbagecollector), in a simple form:
//
//   - It indexes every ownerReference by owner uid, from store events (and
//     a full list on its first Run).
//   - An owner is looked up as upstream's isDangling does: the resource of
//     its reference's group and kind (built-in or custom), its name in the
//     dependent's namespace (none for a cluster-scoped kind), and its uid
//     compared; a kind no resource serves counts as present (upstream
//     cannot resolve it and leaves the dependent alone).
//   - A dependent all of whose owners are absent is deleted with background
//     propagation; one that still has an existing owner only loses its
//     references to absent owners.
//   - An owner with a deletionTimestamp and the "orphan" finalizer has its
//     references removed from every dependent, then the finalizer removed.
//   - An owner with the "foregroundDeletion" finalizer has its dependents
//     deleted; the finalizer is removed once no dependent with
//     blockOwnerDeletion remains. (Upstream deletes blocking dependents in
//     the foreground recursively; here they go in the background, which
//     only changes the order in which grandchildren disappear.)
type garbageCollector struct {
	*base
	dependents map[types.UID]map[string]struct{} // owner uid -> dependent store keys
	refsOf     map[string][]metav1.OwnerReference
	check      queue // dependent store keys to check
	owners     queue // owner store keys with deletionTimestamp and GC finalizers
	synced     bool
}

func newGarbageCollector(b *base) *garbageCollector {
	return &garbageCollector{base: b, dependents: map[types.UID]map[string]struct{}{},
		refsOf: map[string][]metav1.OwnerReference{}, check: queue{}, owners: queue{}}
}

func (c *garbageCollector) Name() string { return "garbagecollector" }

// Wants implements loop.Selective: every resource but events.
func (c *garbageCollector) Wants(res string) bool { return res != "events" }

func (c *garbageCollector) Handle(ev store.Event) {
	if res, _, _ := c.splitEvent(ev.KV.Key); res == "events" {
		return
	}
	obj := objOf(ev)
	if ev.Type == store.Put && unindexedUpdate(obj, prevOf(ev)) {
		return
	}
	c.observe(ev.KV.Key, obj, ev.Type == store.Delete)
}

// unindexedUpdate reports an update that changes nothing the collector
// indexes: same uid (recorded with the earlier version, or by the first
// Run's list), no owner references before or after, not being deleted.
// A pod's binding and status updates are such.
func unindexedUpdate(obj, prev runtime.Object) bool {
	if prev == nil {
		return false
	}
	m, pm := metaOf(obj), metaOf(prev)
	return m != nil && pm != nil && m.GetUID() == pm.GetUID() && m.GetDeletionTimestamp() == nil &&
		len(m.GetOwnerReferences()) == 0 && len(pm.GetOwnerReferences()) == 0
}

func (c *garbageCollector) observe(key string, obj runtime.Object, deleted bool) {
	m := metaOf(obj)
	if m == nil {
		return
	}
	uid := m.GetUID()
	for _, r := range c.refsOf[key] {
		if set := c.dependents[r.UID]; set != nil {
			delete(set, key)
			if len(set) == 0 {
				delete(c.dependents, r.UID)
			}
		}
	}
	delete(c.refsOf, key)
	if deleted {
		for dep := range c.dependents[uid] {
			c.check.add(dep)
		}
		for _, r := range m.GetOwnerReferences() {
			if res, ok := c.ownerResource(r); ok {
				c.owners.add(registry.Key(res, ownerNS(res, m.GetNamespace()), r.Name))
			}
		}
		return
	}
	if refs := m.GetOwnerReferences(); len(refs) > 0 {
		c.refsOf[key] = append([]metav1.OwnerReference(nil), refs...)
		for _, r := range refs {
			if c.dependents[r.UID] == nil {
				c.dependents[r.UID] = map[string]struct{}{}
			}
			c.dependents[r.UID][key] = struct{}{}
		}
		c.check.add(key)
	}
	if m.GetDeletionTimestamp() != nil && (hasFinalizer(m, metav1.FinalizerOrphanDependents) || hasFinalizer(m, metav1.FinalizerDeleteDependents)) {
		c.owners.add(key)
	}
}

func hasFinalizer(m metav1.Object, f string) bool {
	for _, x := range m.GetFinalizers() {
		if x == f {
			return true
		}
	}
	return false
}

func (c *garbageCollector) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		for _, res := range registry.Resources() {
			if res.NewList == nil || res.Alias || res.GVR.Resource == "events" {
				continue
			}
			objs, _, _ := c.Registry.List(res, "", registry.ListOptions{})
			for _, o := range objs {
				m := metaOf(o)
				c.observe(registry.Key(res, m.GetNamespace(), m.GetName()), o, false)
			}
		}
	}
	wrote := false
	for _, k := range c.owners.drain() {
		if c.processOwner(k) {
			wrote = true
		}
	}
	for _, k := range c.check.drain() {
		if c.attemptToDelete(k) {
			wrote = true
		}
	}
	return wrote
}

// resolve returns the resource and object at a store key.
func (c *garbageCollector) resolve(key string) (*registry.Resource, runtime.Object, bool) {
	kv, err := c.Registry.Store().Get(key)
	if err != nil {
		return nil, nil, false
	}
	obj, ok := kv.Obj.(runtime.Object)
	if !ok {
		return nil, nil, false
	}
	resName, _, _ := splitKey(key)
	for _, r := range registry.Resources() {
		if r.GVR.Resource == resName && !r.Alias {
			return r, obj, true
		}
	}
	return nil, nil, false
}

// ownerResource returns the served resource of an owner reference's group
// and kind.
func (c *garbageCollector) ownerResource(r metav1.OwnerReference) (*registry.Resource, bool) {
	gv, err := schema.ParseGroupVersion(r.APIVersion)
	if err != nil {
		return nil, false
	}
	return c.Registry.LookupKind(schema.GroupKind{Group: gv.Group, Kind: r.Kind})
}

// ownerNS is the namespace an owner of a dependent in ns lives in.
func ownerNS(res *registry.Resource, ns string) string {
	if res.Namespaced {
		return ns
	}
	return ""
}

// ownerState reports whether the owner a dependent in namespace ns refers
// to exists and whether it is waiting for its dependents (foreground
// deletion).
func (c *garbageCollector) ownerState(r metav1.OwnerReference, ns string) (exists, waiting bool) {
	res, ok := c.ownerResource(r)
	if !ok {
		return true, false
	}
	kv, err := c.Registry.Store().Get(registry.Key(res, ownerNS(res, ns), r.Name))
	if err != nil {
		return false, false
	}
	m := metaOf(objOfKV(kv.Obj))
	if m == nil || m.GetUID() != r.UID {
		return false, false
	}
	return true, m.GetDeletionTimestamp() != nil && hasFinalizer(m, metav1.FinalizerDeleteDependents)
}

func objOfKV(v any) runtime.Object {
	o, _ := v.(runtime.Object)
	return o
}

func (c *garbageCollector) attemptToDelete(key string) bool {
	res, obj, ok := c.resolve(key)
	if !ok {
		return false
	}
	m := metaOf(obj)
	if m.GetDeletionTimestamp() != nil || len(m.GetOwnerReferences()) == 0 {
		return false
	}
	var solid, dangling []types.UID
	waiting := false
	for _, r := range m.GetOwnerReferences() {
		exists, w := c.ownerState(r, m.GetNamespace())
		switch {
		case !exists:
			dangling = append(dangling, r.UID)
		case w:
			waiting = true
			dangling = append(dangling, r.UID)
		default:
			solid = append(solid, r.UID)
		}
	}
	if len(dangling) == 0 {
		return false
	}
	if len(solid) > 0 {
		// Keep the object; drop the references to absent owners.
		drop := map[types.UID]bool{}
		for _, u := range dangling {
			drop[u] = true
		}
		cp := obj.DeepCopyObject()
		cm := metaOf(cp)
		var refs []metav1.OwnerReference
		for _, r := range cm.GetOwnerReferences() {
			if !drop[r.UID] {
				refs = append(refs, r)
			}
		}
		cm.SetOwnerReferences(refs)
		cm.SetResourceVersion("")
		_, err := c.Registry.Update(res, cm.GetNamespace(), cp, "")
		return err == nil
	}
	_ = waiting
	bg := metav1.DeletePropagationBackground
	_, err := c.Registry.Delete(res, m.GetNamespace(), m.GetName(), &metav1.DeleteOptions{PropagationPolicy: &bg})
	return err == nil
}

// processOwner handles the orphan and foregroundDeletion finalizers.
func (c *garbageCollector) processOwner(key string) bool {
	res, obj, ok := c.resolve(key)
	if !ok {
		return false
	}
	m := metaOf(obj)
	if m.GetDeletionTimestamp() == nil {
		return false
	}
	uid := m.GetUID()
	deps := make([]string, 0, len(c.dependents[uid]))
	for k := range c.dependents[uid] {
		deps = append(deps, k)
	}
	sort.Strings(deps)
	wrote := false
	switch {
	case hasFinalizer(m, metav1.FinalizerOrphanDependents):
		for _, dk := range deps {
			dres, dobj, ok := c.resolve(dk)
			if !ok {
				continue
			}
			cp := dobj.DeepCopyObject()
			cm := metaOf(cp)
			var refs []metav1.OwnerReference
			for _, r := range cm.GetOwnerReferences() {
				if r.UID != uid {
					refs = append(refs, r)
				}
			}
			cm.SetOwnerReferences(refs)
			cm.SetResourceVersion("")
			if _, err := c.Registry.Update(dres, cm.GetNamespace(), cp, ""); err == nil {
				wrote = true
			}
		}
		return c.removeFinalizer(res, obj, metav1.FinalizerOrphanDependents) || wrote
	case hasFinalizer(m, metav1.FinalizerDeleteDependents):
		blocking := 0
		for _, dk := range deps {
			dres, dobj, ok := c.resolve(dk)
			if !ok {
				continue
			}
			dm := metaOf(dobj)
			for _, r := range dm.GetOwnerReferences() {
				if r.UID == uid && r.BlockOwnerDeletion != nil && *r.BlockOwnerDeletion {
					blocking++
				}
			}
			if dm.GetDeletionTimestamp() == nil {
				bg := metav1.DeletePropagationBackground
				if _, err := c.Registry.Delete(dres, dm.GetNamespace(), dm.GetName(), &metav1.DeleteOptions{PropagationPolicy: &bg}); err == nil {
					wrote = true
				}
			}
		}
		if blocking == 0 {
			return c.removeFinalizer(res, obj, metav1.FinalizerDeleteDependents) || wrote
		}
	}
	return wrote
}

func (c *garbageCollector) removeFinalizer(res *registry.Resource, obj runtime.Object, f string) bool {
	cp := obj.DeepCopyObject()
	cm := metaOf(cp)
	var fs []string
	for _, x := range cm.GetFinalizers() {
		if x != f {
			fs = append(fs, x)
		}
	}
	cm.SetFinalizers(fs)
	cm.SetResourceVersion("")
	_, err := c.Registry.Update(res, cm.GetNamespace(), cp, "")
	return err == nil
}
