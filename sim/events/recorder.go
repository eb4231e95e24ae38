package events

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/clock"
	"kubesim/sim/registry"
)

// TTL is kube-apiserver's default --event-ttl.
const TTL = time.Hour

// Source identifies who reports an event: Component "kubelet" with Host the
// node name, "replicaset-controller" with no host, and so on.
type Source struct {
	Component string
	Host      string
}

type key struct {
	source                  Source
	kind, ns, name, uid     string
	fieldPath, typ, reason  string
	message, action, series string
}

// Recorder writes Events. Not safe for concurrent use: call it with the
// cluster's loop lock held.
type Recorder struct {
	reg   *registry.Registry
	clock clock.Clock
	res   *registry.Resource
	cache lru // key -> event name
	// lastNano is the last timestamp used in an event name: events recorded
	// at one virtual instant get successive nanoseconds, as they would on a
	// real clock, so their names never collide.
	lastNano int64
	// prefix is the events' store key prefix; expiries when each event
	// write expires and gone the events deleted since the last Expire
	// (expire.go).
	prefix   string
	expiries expiries
	gone     map[string]struct{}
}

// nameNano returns the nanosecond stamp for a new event's name.
func (r *Recorder) nameNano() int64 {
	n := r.clock.Now().UnixNano()
	if n <= r.lastNano {
		n = r.lastNano + 1
	}
	r.lastNano = n
	return n
}

// NewRecorder returns a recorder writing through reg.
func NewRecorder(reg *registry.Registry, clk clock.Clock) *Recorder {
	res, _ := registry.Lookup(corev1.SchemeGroupVersion.WithResource("events").GroupResource())
	return &Recorder{reg: reg, clock: clk, res: res, cache: newLRU(), prefix: registry.Prefix(res, ""), gone: map[string]struct{}{}}
}

// Ref builds the involvedObject reference of obj.
func Ref(obj runtime.Object, fieldPath string) corev1.ObjectReference {
	m, _ := meta.Accessor(obj)
	gvk := obj.GetObjectKind().GroupVersionKind()
	return corev1.ObjectReference{
		Kind: gvk.Kind, Namespace: m.GetNamespace(), Name: m.GetName(), UID: m.GetUID(),
		APIVersion: gvk.GroupVersion().String(), ResourceVersion: m.GetResourceVersion(), FieldPath: fieldPath,
	}
}

// Event records a core/v1 event about obj. An exact repeat (same source,
// object, type, reason and message) bumps count and lastTimestamp of the
// existing event, as client-go's EventCorrelator does.
func (r *Recorder) Event(obj runtime.Object, fieldPath string, src Source, typ, reason, message string) {
	ref := Ref(obj, fieldPath)
	now := metav1.NewTime(r.clock.Now().UTC().Truncate(time.Second))
	k := key{source: src, kind: ref.Kind, ns: ref.Namespace, name: ref.Name, uid: string(ref.UID), fieldPath: fieldPath, typ: typ, reason: reason, message: message}
	r.record(k, ref, typ, reason, message, src, func(ev *corev1.Event) {
		ev.Count++
		ev.LastTimestamp = now
	}, func(ev *corev1.Event) {
		ev.Source = corev1.EventSource{Component: src.Component, Host: src.Host}
		ev.FirstTimestamp, ev.LastTimestamp, ev.Count = now, now, 1
	})
}

// record updates the event stored under k with bump (a repeat), or
// creates it: the parts both APIs fill alike (name <object>.<hex
// nanoseconds>, namespace, object, type, reason, message, reporting
// component), then fill for the rest.
func (r *Recorder) record(k key, ref corev1.ObjectReference, typ, reason, msg string, reporting Source, bump, fill func(*corev1.Event)) {
	ns := ref.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	if r.repeat(k, ns, bump) {
		return
	}
	var hex [16]byte // the name in one allocation
	ev := &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: ref.Name + "." + string(strconv.AppendInt(hex[:0], r.nameNano(), 16)), Namespace: ns},
		InvolvedObject:      ref,
		Type:                typ,
		Reason:              reason,
		Message:             msg,
		ReportingController: reporting.Component,
		ReportingInstance:   reporting.Host,
	}
	fill(ev)
	r.create(k, ns, ev)
}

// repeat updates the stored event recorded under k, if any, with bump
// (a count or a series), and reports whether it did.
func (r *Recorder) repeat(k key, ns string, bump func(*corev1.Event)) bool {
	name, ok := r.cache.get(k)
	if !ok {
		return false
	}
	cur, err := r.reg.Get(r.res, ns, name)
	if err != nil {
		return false
	}
	ev := cur.(*corev1.Event).DeepCopy()
	bump(ev)
	ev.ResourceVersion = ""
	_, err = r.reg.Update(r.res, ns, ev, "")
	return err == nil
}

func (r *Recorder) create(k key, ns string, ev *corev1.Event) {
	if _, err := r.reg.Create(r.res, ns, ev, false); err == nil {
		r.cache.put(k, ev.Name)
	}
}

// Series records an events.k8s.io/v1 event (the scheduler's API) as
// kube-apiserver stores it for core/v1 readers: eventTime, action,
// reportingController/Instance, no source or count; a repeat with the same
// type, reason, action and object (the note is not part of the key) turns
// into a series.
func (r *Recorder) Series(obj runtime.Object, controller, instance, typ, reason, action, note string) {
	ref := Ref(obj, "")
	nowT := r.clock.Now().UTC()
	src := Source{Component: controller, Host: instance}
	k := key{source: src, kind: ref.Kind, ns: ref.Namespace, name: ref.Name, uid: string(ref.UID), typ: typ, reason: reason, action: action, series: "1"}
	r.record(k, ref, typ, reason, note, src, func(ev *corev1.Event) {
		if ev.Series == nil {
			ev.Series = &corev1.EventSeries{Count: 1}
		}
		ev.Series.Count++
		ev.Series.LastObservedTime = metav1.NewMicroTime(nowT)
	}, func(ev *corev1.Event) {
		ev.EventTime = metav1.NewMicroTime(nowT)
		ev.Action = action
	})
}
