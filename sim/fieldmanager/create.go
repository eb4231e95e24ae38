package fieldmanager

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/typed"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// stripSet are the fields no manager owns (upstream's stripMetaManager).
var stripSet = fieldpath.NewSet(
	fieldpath.MakePathOrDie("apiVersion"),
	fieldpath.MakePathOrDie("kind"),
	fieldpath.MakePathOrDie("metadata"),
	fieldpath.MakePathOrDie("metadata", "name"),
	fieldpath.MakePathOrDie("metadata", "namespace"),
	fieldpath.MakePathOrDie("metadata", "creationTimestamp"),
	fieldpath.MakePathOrDie("metadata", "selfLink"),
	fieldpath.MakePathOrDie("metadata", "uid"),
	fieldpath.MakePathOrDie("metadata", "clusterName"),
	fieldpath.MakePathOrDie("metadata", "generation"),
	fieldpath.MakePathOrDie("metadata", "managedFields"),
	fieldpath.MakePathOrDie("metadata", "resourceVersion"),
)

// Create records manager's creation of obj, exactly what Update from the
// kind's empty object (empty) records, computed directly when obj carries
// no managedFields of its own: upstream's chain then compares the two
// objects and gives the manager one entry owning what the comparison finds
// added or modified, less the fields no manager owns and the reset ones.
// Here the comparison is made once, on obj unvalidated against the empty
// object's type (it is a typed object of that very kind, so valid), which
// halves a create's cost: creates are most of a busy cluster's writes (a
// pod and its Scheduled event each). Anything unusual (fields the
// release's schema lacks) goes the upstream way. TestCreateMatchesUpdate
// checks the two agree on every kind of a running cluster. empty makes the
// kind's empty object, called only when the comparison is made.
//
// Objects created in the same second by the same manager with the same
// shape get the very same managedFields (one slice, its time and its
// fieldsV1 shared): stored objects are never modified, and the slice's
// capacity is its length, so an append copies it.
func (m *Managers) Create(k Kind, empty func() runtime.Object, obj runtime.Object, manager string) runtime.Object {
	a, err := meta.Accessor(obj)
	if err != nil || len(a.GetManagedFields()) > 0 {
		return m.createUpstream(k, empty(), obj, manager)
	}
	raw, ok := m.createdFields(k, empty, obj)
	if !ok {
		return m.createUpstream(k, empty(), obj, manager)
	}
	if raw == nil {
		a.SetManagedFields(nil)
		return obj
	}
	a.SetManagedFields(m.createdEntries(k, raw, manager))
	return obj
}

// createdEntries returns the one-entry managedFields of a create, shared
// with the previous create's when it is the same (createdMemo).
func (m *Managers) createdEntries(k Kind, raw []byte, manager string) []metav1.ManagedFieldsEntry {
	sec := m.now().Unix()
	c := &m.created
	if c.entries != nil && c.sec == sec && c.manager == manager && c.kind == k && len(c.raw) == len(raw) && &c.raw[0] == &raw[0] {
		return c.entries
	}
	now := metav1.NewTime(time.Unix(sec, 0).UTC())
	entries := []metav1.ManagedFieldsEntry{{
		Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: k.GVK.GroupVersion().String(), Time: &now,
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: raw}, Subresource: k.Subresource,
	}}
	*c = createdMemo{kind: k, manager: manager, sec: sec, raw: raw, entries: entries[:1:1]}
	return c.entries
}

// createdMemo is the last create's managedFields and what they depend on
// (the kind, the manager, the second and the shape's field set, the very
// bytes the shapes' memo holds).
type createdMemo struct {
	kind    Kind
	manager string
	sec     int64
	raw     []byte
	entries []metav1.ManagedFieldsEntry
}

// emptyTyped is the kind's empty object as a typed value, made once.
func (m *Managers) emptyTyped(k Kind, empty func() runtime.Object) (*typed.TypedValue, error) {
	if tv := m.empties[k.GVK]; tv != nil {
		return tv, nil
	}
	tv, err := m.types.ObjectToTyped(empty(), typed.AllowDuplicates)
	if err != nil {
		return nil, err
	}
	m.empties[k.GVK] = tv
	return tv, nil
}

// createUpstream is Create the upstream way, counted (fallbacks) so the
// tests see the fast path is taken.
func (m *Managers) createUpstream(k Kind, empty, obj runtime.Object, manager string) runtime.Object {
	m.fallbacks++
	return m.Update(k, empty, obj, manager)
}

// createdFields returns the encoded field set a create of obj records (nil
// when empty), from the shapes' memo or by comparing obj with the kind's
// empty object; false when that cannot be done here.
func (m *Managers) createdFields(k Kind, empty func() runtime.Object, obj runtime.Object) ([]byte, bool) {
	if m.shapeTypes == nil {
		m.shapeTypes = shapeTypes{}
	}
	key, memo := shapeKey(k, obj, m.shapeBuf[:0], m.shapeTypes)
	m.shapeBuf = key[:0]
	if memo {
		if raw, ok := m.shapes[string(key)]; ok {
			m.shapeHits++
			return raw, true
		}
	}
	base, err := m.emptyTyped(k, empty)
	if err != nil {
		return nil, false
	}
	var v value.Value
	if u, ok := obj.(runtime.Unstructured); ok {
		v = value.NewValueInterface(u.UnstructuredContent())
	} else if v, err = value.NewValueReflect(obj); err != nil {
		return nil, false
	}
	cmp, err := base.Compare(typed.AsTypedUnvalidated(v, base.Schema(), base.TypeRef()))
	if err != nil {
		return nil, false
	}
	set := cmp.Modified.Union(cmp.Added)
	gv := fieldpath.APIVersion(k.GVK.GroupVersion().String())
	if f := m.resetFilter(k)[gv]; f != nil {
		set = f.Filter(set)
	}
	set = set.Difference(stripSet)
	var raw []byte
	if !set.Empty() {
		if raw, err = set.ToJSON(); err != nil {
			return nil, false
		}
	}
	if memo {
		if len(m.shapes) >= maxShapes {
			clear(m.shapes)
		}
		m.shapes[string(key)] = raw
	}
	return raw, true
}
