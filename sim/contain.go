package sim

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/contain"
	"kubesim/sim/events"
	"kubesim/sim/loop"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// Panic containment. No stored object may stop the loop: a component that
// panics is recovered where the loop calls it, the panic is reported (a log
// line naming the component and the object, and a Warning event on the
// object), and the work is retried after a back-off on the virtual clock:
//   - a keyed panic (*contain.KeyPanic: a controller's or kubelet's sync of
//     one key) backs off that key only, the component goes on;
//   - any other panic in Run pauses the component for the back-off;
//   - a panic in Handle skips that event for that component;
//   - a panic in a timer or periodic job is reported and dropped.
// Every lock of the loop is released by defer, so a panic that still
// escapes (a request's own handler, the settle bound) leaves the cluster
// usable.

// panicReason is the Warning event's reason: the kubelet's FailedSync, the
// event a sync that did not complete gets upstream.
const panicReason = "FailedSync"

// keyedResource says which object a controller's queue keys name, and the
// event source kube-controller-manager uses for that controller.
var keyedResource = map[string]struct {
	gr     schema.GroupResource
	source string
}{
	"deployment":              {schema.GroupResource{Group: "apps", Resource: "deployments"}, "deployment-controller"},
	"replicaset":              {schema.GroupResource{Group: "apps", Resource: "replicasets"}, "replicaset-controller"},
	"daemonset":               {schema.GroupResource{Group: "apps", Resource: "daemonsets"}, "daemonset-controller"},
	"statefulset":             {schema.GroupResource{Group: "apps", Resource: "statefulsets"}, "statefulset-controller"},
	"job":                     {schema.GroupResource{Group: "batch", Resource: "jobs"}, "job-controller"},
	"cronjob":                 {schema.GroupResource{Group: "batch", Resource: "cronjobs"}, "cronjob-controller"},
	"disruption":              {schema.GroupResource{Group: "policy", Resource: "poddisruptionbudgets"}, "controllermanager"},
	"endpoint":                {schema.GroupResource{Resource: "services"}, "endpoint-controller"},
	"endpointslice":           {schema.GroupResource{Resource: "services"}, "endpoint-slice-controller"},
	"namespace":               {schema.GroupResource{Resource: "namespaces"}, "namespace-controller"},
	"serviceaccount":          {schema.GroupResource{Resource: "namespaces"}, "serviceaccount-controller"},
	"root-ca-cert-publisher":  {schema.GroupResource{Resource: "namespaces"}, "root-ca-cert-publisher"},
	"nodelifecycle":           {schema.GroupResource{Resource: "nodes"}, "node-controller"},
	"persistentvolume-binder": {schema.GroupResource{Resource: "persistentvolumeclaims"}, "persistentvolume-controller"},
	"local-path-provisioner":  {schema.GroupResource{Resource: "persistentvolumeclaims"}, "rancher.io/local-path"},
}

// runGuarded calls comp.Run, containing a panic; it reports whether the
// component did anything (a contained panic counts: the keys after the
// failing one are still queued).
func (c *Cluster) runGuarded(comp loop.Component, now time.Time) (did bool) {
	name := comp.Name()
	if c.paused[name] || c.gated(name) {
		return false
	}
	defer c.Registry.SetManager(c.Registry.SetManager(componentManager(name)))
	defer func() {
		if v := recover(); v != nil {
			c.containRun(name, v)
			did = true
		}
	}()
	return comp.Run(now)
}

func (c *Cluster) containRun(name string, v any) {
	if kp, ok := v.(*contain.KeyPanic); ok {
		fk := name + "\x00" + kp.Key
		c.failures[fk]++
		d := contain.Backoff(c.failures[fk])
		if kp.Retry != nil {
			c.Clock.AfterFunc(d, kp.Retry)
		}
		obj, _ := kp.Object.(runtime.Object)
		if obj == nil {
			obj = c.keyedObject(name, kp.Key)
		}
		what := kp.Key
		if obj != nil {
			what = describe(obj)
		}
		c.logf("kubesim: %s panicked syncing %s: %v (retrying in %s)\n%s", name, what, kp.Value, d, kp.Stack)
		c.panicEvent(name, obj, kp.Value)
		return
	}
	c.failures[name]++
	d := contain.Backoff(c.failures[name])
	c.paused[name] = true
	c.Clock.AfterFunc(d, func() { delete(c.paused, name) })
	c.logf("kubesim: %s panicked: %v (paused for %s)\n%s", name, v, d, debug.Stack())
}

// deliver hands each event to the Handle of every component that wants
// its resource (handlers), in order. A component that panics on an event
// is reported and skips that event.
func (c *Cluster) deliver(evs []store.Event) {
	i, j := 0, 0
	for i < len(evs) {
		i, j = c.deliverFrom(evs, i, j)
	}
}

func (c *Cluster) deliverFrom(evs []store.Event, i, j int) (ri, rj int) {
	var hs []loop.Component
	defer func() {
		if v := recover(); v != nil {
			if j >= len(hs) { // not a component's panic: skip the event
				c.logf("kubesim: delivering an event of %s panicked: %v\n%s", evs[i].KV.Key, v, debug.Stack())
				ri, rj = i+1, 0
				return
			}
			name := hs[j].Name()
			obj, _ := evs[i].KV.Obj.(runtime.Object)
			what := evs[i].KV.Key
			if obj != nil {
				what = describe(obj)
			}
			c.logf("kubesim: %s panicked handling an event of %s: %v\n%s", name, what, v, debug.Stack())
			c.panicEvent(name, obj, v)
			// Go on after the failing (event, component) pair.
			if ri, rj = i, j+1; rj == len(hs) {
				ri, rj = i+1, 0
			}
		}
	}()
	for ; i < len(evs); i++ {
		hs = c.handlers(loop.Resource(evs[i].KV.Key))
		for ; j < len(hs); j++ {
			hs[j].Handle(evs[i])
		}
		j = 0
	}
	return i, j
}

// handlers returns the components, in order, that want events of resource
// res: all but the loop.Selective ones that say no. The lists are kept per
// resource until a component is added: a pod event then costs only the
// components that act on pods.
func (c *Cluster) handlers(res string) []loop.Component {
	if hs, ok := c.handlersOf[res]; ok {
		return hs
	}
	hs := []loop.Component{}
	for _, comp := range c.components {
		if s, ok := comp.(loop.Selective); !ok || s.Wants(res) {
			hs = append(hs, comp)
		}
	}
	if c.handlersOf == nil {
		c.handlersOf = map[string][]loop.Component{}
	}
	c.handlersOf[res] = hs
	return hs
}

// guarded runs fn (a timer or periodic job), reporting a panic instead of
// passing it on. It reports whether fn returned normally.
func (c *Cluster) guarded(what string, fn func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			c.logf("kubesim: %s panicked: %v\n%s", what, v, debug.Stack())
		}
	}()
	fn()
	return true
}

// fireDue runs one due timer (clock.FireDue), containing a panic in it: the
// timer has left the queue, so the loop goes on without it.
func (c *Cluster) fireDue() (fired bool) {
	defer func() {
		if v := recover(); v != nil {
			c.logf("kubesim: a timer panicked: %v\n%s", v, debug.Stack())
			fired = true
		}
	}()
	return c.Clock.FireDue()
}

// keyedObject looks up the object a controller's queue key names, or nil.
func (c *Cluster) keyedObject(component, key string) runtime.Object {
	kr, ok := keyedResource[component]
	if !ok {
		return nil
	}
	res, ok := registry.Lookup(kr.gr)
	if !ok {
		return nil
	}
	ns, name, found := strings.Cut(key, "/")
	if !found {
		ns, name = "", key
	}
	obj, err := c.Registry.Get(res, ns, name)
	if err != nil {
		return nil
	}
	return obj
}

// describe names an object for a log line: "deployment default/web".
func describe(obj runtime.Object) string {
	ref := events.Ref(obj, "")
	if ref.Namespace == "" {
		return strings.ToLower(ref.Kind) + " " + ref.Name
	}
	return strings.ToLower(ref.Kind) + " " + ref.Namespace + "/" + ref.Name
}

// panicEvent records a Warning event on obj (nil: none) from the component
// that panicked.
func (c *Cluster) panicEvent(component string, obj runtime.Object, v any) {
	if obj == nil || c.Recorder == nil {
		return
	}
	src := events.Source{Component: component}
	if kr, ok := keyedResource[component]; ok {
		src.Component = kr.source
	} else if node, ok := strings.CutPrefix(component, "kubelet/"); ok {
		src = events.Source{Component: "kubelet", Host: node}
	}
	msg := fmt.Sprintf("%s panicked: %v", src.Component, v)
	if p, ok := obj.(*corev1.Pod); ok && src.Component == "kubelet" {
		msg = fmt.Sprintf("error syncing pod %s/%s: panic: %v", p.Namespace, p.Name, v)
	}
	// Recording must not raise a second panic out of the loop.
	c.guarded("recording a panic event", func() { c.Recorder.Event(obj, "", src, corev1.EventTypeWarning, panicReason, msg) })
}

func (c *Cluster) logf(format string, args ...any) {
	fmt.Fprintf(c.log, format+"\n", args...)
}
