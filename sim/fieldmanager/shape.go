package fieldmanager

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// maxShapes bounds the shapes' memo; past it the memo starts again.
const maxShapes = 4096

// A create's field set depends on an object's shape, not all its values:
// which of its fields are set, the keys of its maps and the items of its
// lists. Objects of a kind with the same shape (the pods of one
// ReplicaSet, events) record the same fields, so the comparison that finds
// them is made once per shape.
//
// Exact by construction. Where the kind's empty object has a field (the
// fields outside lists and maps that are not omitted when empty), whether
// the new value differs from the empty one decides whether the field is
// recorded, and that is whether it is zero (nil for pointers, maps,
// slices); a leaf whose zero-ness does not decide its serialized value (a
// Quantity, an IntOrString: any JSON marshaler but the times) there has no
// key. Inside lists and maps, which the empty object has none of,
// everything is added whatever its value, except that list items are
// named by their values (k:{"name":...}, v:...) and map entries by their
// keys: so the shape has every value inside lists, as it is, every map key,
// and the values of maps but those of strings. An object with an interface or a map keyed by anything but strings
// has no key and is compared as it is. TestCreateMatchesUpdate checks
// every kind of a running cluster against upstream's managers.

var (
	timeType      = reflect.TypeOf(metav1.Time{})
	microTimeType = reflect.TypeOf(metav1.MicroTime{})
	marshalerType = reflect.TypeOf((*interface{ MarshalJSON() ([]byte, error) })(nil)).Elem()
)

// structShape is what shape needs of a struct type, found once per type:
// reflect's Field and Implements cost more than the walk itself.
type structShape struct {
	// time: metav1.Time or MicroTime; marshaler: another JSON marshaler.
	time, marshaler bool
	// exported are the indices of the exported fields.
	exported []int
}

// shapeTypes caches structShape by type.
type shapeTypes map[reflect.Type]*structShape

func (c shapeTypes) of(t reflect.Type) *structShape {
	if ss := c[t]; ss != nil {
		return ss
	}
	ss := &structShape{time: t == timeType || t == microTimeType}
	if !ss.time {
		ss.marshaler = t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			ss.exported = append(ss.exported, i)
		}
	}
	c[t] = ss
	return ss
}

// shapeKey appends obj's shape to buf, after its kind; false when obj has
// no key (see above) or is unstructured. types caches struct types' shapes
// (nil: none).
func shapeKey(k Kind, obj runtime.Object, buf []byte, types shapeTypes) (_ []byte, ok bool) {
	defer func() {
		// A shape is an optimisation: whatever goes wrong, compare.
		if recover() != nil {
			ok = false
		}
	}()
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return buf, false
	}
	buf = append(buf, k.GVK.String()...)
	buf = append(buf, 0)
	buf = append(buf, k.Subresource...)
	buf = append(buf, 0)
	if types == nil {
		types = shapeTypes{}
	}
	w := shapeWriter{buf: buf, types: types}
	ok = w.shape(v.Elem(), false)
	return w.buf, ok
}

// shapeWriter writes a shape: a byte per leaf's zero-ness or nil-ness
// where the empty object has the field (its value decides whether the
// field is modified), and the values themselves inside lists and the keys
// of maps (list keys and set members are values; the empty object has no
// items, so everything in them is added whatever its value).
type shapeWriter struct {
	buf   []byte
	types shapeTypes
}

func (w *shapeWriter) bit(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *shapeWriter) str(s string) {
	w.buf = strconv.AppendInt(w.buf, int64(len(s)), 10)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
}

// shape writes v's shape; inside is set within list items and map
// values. False when v has none.
func (w *shapeWriter) shape(v reflect.Value, inside bool) bool {
	t := v.Type()
	switch t.Kind() {
	case reflect.Struct:
		ss := w.types.of(t)
		if ss.time {
			w.bit(v.IsZero())
			return true
		}
		if ss.marshaler {
			if !inside {
				return false
			}
			w.bit(v.IsZero())
			p := reflect.New(t)
			p.Elem().Set(v)
			// The marshaler's own output, not json.Marshal's compacted
			// copy of it: the same output is the same JSON.
			m, ok := p.Interface().(interface{ MarshalJSON() ([]byte, error) })
			if !ok {
				return false
			}
			b, err := m.MarshalJSON()
			if err != nil {
				return false
			}
			w.str(string(b))
			return true
		}
		for _, i := range ss.exported {
			if !w.shape(v.Field(i), inside) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		w.bit(v.IsNil())
		if v.IsNil() {
			return true
		}
		return w.shape(v.Elem(), inside)
	case reflect.Slice:
		w.bit(v.IsNil())
		if t.Elem().Kind() == reflect.Uint8 {
			// []byte is a string (base64) to the schema.
			w.bit(v.Len() == 0)
			return true
		}
		w.buf = strconv.AppendInt(w.buf, int64(v.Len()), 10)
		w.buf = append(w.buf, '[')
		for i := 0; i < v.Len(); i++ {
			if !w.shape(v.Index(i), true) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
		return true
	case reflect.Map:
		w.bit(v.IsNil())
		if t.Key().Kind() != reflect.String {
			return false
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		w.buf = strconv.AppendInt(w.buf, int64(len(keys)), 10)
		w.buf = append(w.buf, '{')
		// A string value names nothing (items are named by their key
		// fields or, in sets, by scalar values, never by a map's values):
		// its entry is added whatever it is, so the key alone decides (the
		// labels and annotations of objects that differ only in their
		// values share a shape).
		scalar := t.Elem().Kind() == reflect.String
		for _, key := range keys {
			w.str(key.String())
			if scalar {
				continue
			}
			if !w.shape(v.MapIndex(key), true) {
				return false
			}
		}
		w.buf = append(w.buf, '}')
		return true
	case reflect.String:
		if inside {
			w.str(v.String())
		} else {
			w.bit(v.IsZero())
		}
		return true
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		if inside {
			w.str(fmt.Sprint(v.Interface()))
		} else {
			w.bit(v.IsZero())
		}
		return true
	}
	return false
}
