package controllers

import (
	"slices"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/clock"
	"kubesim/sim/contain"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// object is what a controller's primary resource is made of: a typed API
// object (*appsv1.ReplicaSet, *corev1.Namespace, ...).
type object interface {
	runtime.Object
	metav1.Object
}

// controller is the skeleton every keyed controller of this package is
// built on, in the spirit of what kube-controller-manager's controllers
// share: the informer's initial list and event handlers, the workqueue
// (keys deduplicated; here drained in sorted order, so that a run is
// deterministic), AddAfter (virtual-clock timers that re-queue a key) and
// the controller-reference lookup that turns a dependent's event into its
// owner's key.
//
// Keys are namespace/name, or name for a cluster-scoped primary resource
// (cache.MetaNamespaceKeyFunc). A controller embeds controller[T], builds
// it with newController and sets the optional hooks; the skeleton
// implements Component.
//
// Upstream's controller.Expectations have no counterpart: a controller reads
// from the store it writes to, which already holds every write, so a sync
// never acts on a cache that has not yet seen its own creations.
type controller[T object] struct {
	*base
	name string
	// primary is the resource whose objects the keys name. Its events
	// queue their object's key; the first Run queues every object.
	primary *registry.Resource
	// owns maps a dependent resource ("pods") to the Kind of controller
	// reference ("Job") whose owner its events queue, for the object and
	// its previous state.
	owns map[string]string
	// onEvent, if set, sees every event after the above, for the
	// controller's own bookkeeping. Like Handle it must not write.
	onEvent func(ev store.Event, res, ns, name string)
	// onEventFor, if set, tells the resources whose events onEvent acts
	// on; the loop hands the controller no others (Wants). Unset: all.
	onEventFor func(res string) bool
	// relistIf, if set, filters which objects a relist of a namespace
	// queues (the initial list queues them all).
	relistIf func(T) bool
	// sync reconciles one key and reports whether it wrote.
	sync func(key string, now time.Time) bool
	// component is the source of the events record writes
	// (<name>-controller unless set).
	component string

	queue  queue
	synced bool
	relist map[string]bool // namespaces ("" = all) whose objects the next Run queues
	timers map[string]*clock.Timer
}

func newController[T object](b *base, name string, primary *registry.Resource, sync func(key string, now time.Time) bool) controller[T] {
	return controller[T]{base: b, name: name, primary: primary, sync: sync, component: name + "-controller",
		queue: queue{}, relist: map[string]bool{}, timers: map[string]*clock.Timer{}}
}

// Name is the controller's name as kube-controller-manager's --controllers flag spells it.
func (c *controller[T]) Name() string { return c.name }

// Handle queues the key of a primary object, the owner of a dependent, and
// passes the event to onEvent.
func (c *controller[T]) Handle(ev store.Event) {
	res, ns, name := c.splitEvent(ev.KV.Key)
	if res == c.primary.GVR.Resource {
		c.queue.add(nsKey(ns, name))
	} else if kind, ok := c.owns[res]; ok {
		c.queue.addOwner(ev, ns, kind)
	}
	if c.onEvent != nil {
		c.onEvent(ev, res, ns, name)
	}
}

// Wants implements loop.Selective: the primary resource's events, the
// owned resources', and those onEvent acts on.
func (c *controller[T]) Wants(res string) bool {
	if res == c.primary.GVR.Resource {
		return true
	}
	if _, ok := c.owns[res]; ok {
		return true
	}
	return c.onEvent != nil && (c.onEventFor == nil || c.onEventFor(res))
}

// resources is an onEventFor of a fixed list.
func resources(names ...string) func(string) bool {
	return func(res string) bool { return slices.Contains(names, res) }
}

// Run lists the primary resource on its first call, queues the namespaces
// marked for a relist, then syncs every queued key in order.
func (c *controller[T]) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		c.queueList("", nil)
	}
	for ns := range c.relist {
		delete(c.relist, ns)
		c.queueList(ns, c.relistIf)
	}
	return c.queue.each(func(k string) bool { return c.sync(k, now) })
}

// relistNS makes the next Run queue every primary object of ns ("" = all namespaces).
func (c *controller[T]) relistNS(ns string) { c.relist[ns] = true }

func (c *controller[T]) queueList(ns string, keep func(T) bool) {
	for _, o := range list[T](c.base, c.primary, ns) {
		if keep == nil || keep(o) {
			c.queue.add(nsKey(o.GetNamespace(), o.GetName()))
		}
	}
}

// record records an event about a primary object.
func (c *controller[T]) record(obj T, typ, reason, msg string) {
	c.event(withGVK(obj, c.primary.GVK()), c.component, typ, reason, msg)
}

// controllerRef is the controller reference to a primary object its
// dependents carry (metav1.NewControllerRef).
func (c *controller[T]) controllerRef(obj T) metav1.OwnerReference {
	return newControllerRef(obj, c.primary.GVK())
}

// get returns the stored primary object of a key, or false; the timer of
// a key whose object is gone is stopped.
func (c *controller[T]) get(key string) (T, bool) {
	ns, name := splitNS(key)
	o, ok := get[T](c.base, c.primary, ns, name)
	if !ok {
		c.forget(key)
	}
	return o, ok
}

// live is get for an object that is not being deleted: one with a
// deletionTimestamp is reported as absent (and its timer stopped).
func (c *controller[T]) live(key string) (T, bool) {
	o, ok := c.get(key)
	if ok && o.GetDeletionTimestamp() != nil {
		c.forget(key)
		return o, false
	}
	return o, ok
}

// requeueAt queues key again at virtual time at (workqueue AddAfter), replacing
// an earlier timer for the key unless it is already due then.
func (c *controller[T]) requeueAt(key string, at time.Time) {
	if t := c.timers[key]; t != nil {
		if t.When().Equal(at) {
			return
		}
		c.Clock.Stop(t)
	}
	c.timers[key] = c.Clock.At(at, func() { delete(c.timers, key); c.queue.add(key) })
}

// forget stops the key's timer, if any.
func (c *controller[T]) forget(key string) {
	if t := c.timers[key]; t != nil {
		c.Clock.Stop(t)
		delete(c.timers, key)
	}
}

// addOwner queues ns/<owner name> for the object of an event (and its
// previous state) whose controller reference has the given kind.
func (q queue) addOwner(ev store.Event, ns, kind string) {
	for _, o := range []any{objOf(ev), prevOf(ev)} {
		if m, ok := o.(metav1.Object); ok {
			if ref := metav1.GetControllerOfNoCopy(m); ref != nil && ref.Kind == kind {
				q.add(nsKey(ns, ref.Name))
			}
		}
	}
}

// each drains the queue in key order through sync and reports whether any
// call wrote. A sync that panics leaves the later keys queued and raises a
// *contain.KeyPanic that the loop contains (see package contain).
func (q queue) each(sync func(key string) bool) bool {
	return contain.Each(q.drain(), keyString, nil, q.add, sync)
}

func keyString(k string) string { return k }

// queue is a set of keys drained in sorted order.
type queue map[string]struct{}

func (q queue) add(k string) { q[k] = struct{}{} }

func (q queue) drain() []string {
	if len(q) == 0 {
		return nil
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
		delete(q, k)
	}
	sort.Strings(keys)
	return keys
}

// owned returns the objects whose controller reference names owner.
func owned[D metav1.Object](objs []D, owner metav1.Object) []D {
	var out []D
	for _, o := range objs {
		if ref := metav1.GetControllerOfNoCopy(o); ref != nil && ref.UID == owner.GetUID() {
			out = append(out, o)
		}
	}
	return out
}

// update writes obj, a changed deep copy of a stored object, whatever its
// resourceVersion, to subresource ("" or "status"), and reports whether it
// was written.
func (b *base) update(res *registry.Resource, obj object, subresource string) bool {
	obj.SetResourceVersion("")
	_, err := b.Registry.Update(res, obj.GetNamespace(), obj, subresource)
	return err == nil
}
