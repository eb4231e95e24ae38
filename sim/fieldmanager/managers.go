package fieldmanager

import (
	"fmt"
	"sort"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/typed"
)

// Kind is what a write's field manager depends on: the object's kind, the
// subresource written ("" or "status"), and the fields the write may not
// change, which no manager then owns (the strategy's reset fields:
// kube-apiserver's GetResetFields; status on the main resource of a kind
// with a status subresource, spec through status).
type Kind struct {
	GVK         schema.GroupVersionKind
	Subresource string
	// HasStatus says the kind has a status subresource.
	HasStatus bool
}

// Managers records managed fields on the writes of one cluster, with
// upstream's field managers (k8s.io/apimachinery/pkg/util/managedfields)
// over Types. Times come from the cluster's clock.
//
// Managers is not safe for concurrent use: the registry calls it with the
// cluster's lock held.
type Managers struct {
	types *Types
	now   func() time.Time
	conv  convertor
	fms   map[Kind]*managedfields.FieldManager
	// empties are the kinds' empty objects as typed values (Create).
	empties map[schema.GroupVersionKind]*typed.TypedValue
	// fallbacks counts creates recorded the upstream way.
	fallbacks int
	// shapes memoizes created field sets by shape (shape.go).
	shapes    map[string][]byte
	shapeBuf  []byte
	shapeHits int
	// shapeTypes caches the struct types shapes walk (shape.go).
	shapeTypes shapeTypes
	// created is the last create's managedFields (create.go).
	created createdMemo
}

// New returns the field managers of a cluster whose objects scheme
// registers; now is the cluster's clock.
func New(types *Types, scheme *runtime.Scheme, now func() time.Time) *Managers {
	return &Managers{types: types, now: now, conv: convertor{scheme}, fms: map[Kind]*managedfields.FieldManager{}, empties: map[schema.GroupVersionKind]*typed.TypedValue{}, shapes: map[string][]byte{}}
}

// Types returns the types the managers convert objects with.
func (m *Managers) Types() *Types { return m.types }

func (m *Managers) fieldManager(k Kind) (*managedfields.FieldManager, error) {
	if fm := m.fms[k]; fm != nil {
		return fm, nil
	}
	gv := k.GVK.GroupVersion()
	reset := m.resetFilter(k)
	// The hub is the kind's own version: kubesim keeps each kind in the
	// one version it serves, where kube-apiserver converts to an internal
	// version.
	fm, err := managedfields.NewDefaultFieldManager(m.types, m.conv, noDefaults{}, creater{m.conv.scheme}, k.GVK, gv, k.Subresource, reset)
	if err != nil {
		return nil, err
	}
	m.fms[k] = fm
	return fm, nil
}

// resetFilter is the strategy's reset fields of a write as the managers'
// filter: status through the main resource of a kind with a status
// subresource, spec through status.
func (m *Managers) resetFilter(k Kind) map[fieldpath.APIVersion]fieldpath.Filter {
	if !k.HasStatus {
		return nil
	}
	var path fieldpath.Path
	switch k.Subresource {
	case "":
		path = fieldpath.MakePathOrDie("status")
	case "status":
		path = fieldpath.MakePathOrDie("spec")
	default:
		return nil
	}
	return map[fieldpath.APIVersion]fieldpath.Filter{
		fieldpath.APIVersion(k.GVK.GroupVersion().String()): fieldpath.NewExcludeSetFilter(fieldpath.NewSet(path)),
	}
}

// Update records manager's Update of live into obj (live is the kind's
// empty object on create) and returns obj with its managedFields. As
// kube-apiserver's UpdateNoErrors, a failure keeps live's managedFields.
func (m *Managers) Update(k Kind, live, obj runtime.Object, manager string) runtime.Object {
	fm, err := m.fieldManager(k)
	if err != nil {
		return obj
	}
	before := prior(live, obj)
	out := fm.UpdateNoErrors(live, obj, manager)
	m.stamp(out, before)
	return out
}

// Apply merges the applied configuration patch into live for manager, as
// server-side apply does, and returns the merged object with its
// managedFields. A conflict is upstream's 409 with its message.
func (m *Managers) Apply(k Kind, live runtime.Object, patch *unstructured.Unstructured, manager string, force bool) (runtime.Object, error) {
	fm, err := m.fieldManager(k)
	if err != nil {
		return nil, err
	}
	before := prior(live, nil)
	out, err := fm.Apply(live, patch, manager, force)
	if err != nil {
		return nil, err
	}
	m.stamp(out, before)
	return out, nil
}

// prior lists the entries a write starts from: the new object's (a client
// may send them) and the live object's.
func prior(live, obj runtime.Object) []metav1.ManagedFieldsEntry {
	var out []metav1.ManagedFieldsEntry
	for _, o := range []runtime.Object{obj, live} {
		if o == nil {
			continue
		}
		if a, err := meta.Accessor(o); err == nil {
			out = append(out, a.GetManagedFields()...)
		}
	}
	return out
}

// stamp gives every entry the write touched the cluster's time. Upstream's
// managers stamp a touched entry with the wall clock (time.Now); the
// cluster's time is its virtual clock, so each entry whose time is not one
// it had before the write gets the cluster's now, to the second as the
// API serializes it, and the entries are sorted again as upstream sorts
// them (by operation, time, manager, apiVersion, subresource).
func (m *Managers) stamp(obj runtime.Object, before []metav1.ManagedFieldsEntry) {
	a, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	entries := a.GetManagedFields()
	var now *metav1.Time
	changed := false
	for i := range entries {
		e := &entries[i]
		if e.Time == nil || kept(e, before) {
			continue
		}
		if now == nil {
			t := metav1.NewTime(m.now().UTC().Truncate(time.Second))
			now = &t
		}
		e.Time = now
		changed = true
	}
	if changed {
		sortEntries(entries)
		a.SetManagedFields(entries)
	}
}

// kept reports whether e is an entry the write left as it was: one of the
// same manager, operation and subresource with the same time.
func kept(e *metav1.ManagedFieldsEntry, before []metav1.ManagedFieldsEntry) bool {
	for i := range before {
		b := &before[i]
		if b.Manager == e.Manager && b.Operation == e.Operation && b.Subresource == e.Subresource && b.Time != nil && b.Time.Equal(e.Time) {
			return true
		}
	}
	return false
}

// sortEntries orders managedFields as kube-apiserver encodes them:
// operation, then time (seconds), manager, apiVersion, subresource.
func sortEntries(es []metav1.ManagedFieldsEntry) {
	sec := func(t *metav1.Time) int64 {
		if t == nil {
			return 0
		}
		return t.Unix()
	}
	sort.SliceStable(es, func(i, j int) bool {
		p, q := es[i], es[j]
		if p.Operation != q.Operation {
			return p.Operation < q.Operation
		}
		if a, b := sec(p.Time), sec(q.Time); a != b {
			return a < b
		}
		if p.Manager != q.Manager {
			return p.Manager < q.Manager
		}
		if p.APIVersion != q.APIVersion {
			return p.APIVersion < q.APIVersion
		}
		return p.Subresource < q.Subresource
	})
}

// convertor is the ObjectConvertor the managers need: kubesim keeps every
// kind in its one served version, so a typed object is already in the
// version asked for and is returned as it is (the managers only read it);
// an unstructured one (an applied configuration, a merge result) becomes
// the scheme's typed object, or stays unstructured when the kind is not
// the scheme's (a custom resource).
type convertor struct{ scheme *runtime.Scheme }

func (c convertor) Convert(in, out, context any) error { return c.scheme.Convert(in, out, context) }

func (c convertor) ConvertToVersion(in runtime.Object, gv runtime.GroupVersioner) (runtime.Object, error) {
	u, ok := in.(*unstructured.Unstructured)
	if !ok {
		return in, nil
	}
	gvk := u.GroupVersionKind()
	if !c.scheme.Recognizes(gvk) {
		// A custom resource's kind: its objects are unstructured.
		return u, nil
	}
	obj, err := c.scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		return nil, fmt.Errorf("converting to %s: %w", gvk, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return obj, nil
}

func (c convertor) ConvertFieldLabel(gvk schema.GroupVersionKind, label, value string) (string, string, error) {
	return c.scheme.ConvertFieldLabel(gvk, label, value)
}

// noDefaults is the managers' defaulter: the registry defaults every
// object it writes, an applied one included, after the managers ran.
type noDefaults struct{}

func (noDefaults) Default(runtime.Object) {}

// creater makes a kind's empty object with its TypeMeta set, as the
// managers expect of the objects they convert (kube-apiserver's
// conversion stamps it).
type creater struct{ scheme *runtime.Scheme }

func (c creater) New(gvk schema.GroupVersionKind) (runtime.Object, error) {
	if !c.scheme.Recognizes(gvk) {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetGroupVersionKind(gvk)
		return u, nil
	}
	obj, err := c.scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return obj, nil
}

var scaleKind = Kind{GVK: autoscalingv1.SchemeGroupVersion.WithKind("Scale"), Subresource: "scale"}

// Scale records manager's write of a parent's replicas through its scale
// subresource (old is the scale before, updated after) and returns the
// parent's new managedFields, as kube-apiserver's scale storages do with
// managedfields.ScaleHandler: the parent's entries that own spec.replicas
// are seen as the scale's, the scale's field manager records the write,
// and the result is mapped back (the writer's entry has subresource
// "scale"; a manager that lost spec.replicas loses it in the parent).
func (m *Managers) Scale(parentGV schema.GroupVersion, parentEntries []metav1.ManagedFieldsEntry, old, updated *autoscalingv1.Scale, manager string) ([]metav1.ManagedFieldsEntry, error) {
	h := managedfields.NewScaleHandler(parentEntries, parentGV, managedfields.ResourcePathMappings{
		parentGV.String(): fieldpath.MakePathOrDie("spec", "replicas"),
	})
	entries, err := h.ToSubresource()
	if err != nil {
		return nil, err
	}
	o, u := old.DeepCopy(), updated.DeepCopy()
	o.ManagedFields, u.ManagedFields = entries, nil
	o.SetGroupVersionKind(scaleKind.GVK)
	u.SetGroupVersionKind(scaleKind.GVK)
	out := m.Update(scaleKind, o, u, manager)
	return h.ToParent(out.(*autoscalingv1.Scale).ManagedFields)
}
