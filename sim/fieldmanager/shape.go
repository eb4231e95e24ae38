package fieldmanager

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
	// fields are the exported fields: offset and type.
	fields []shapeField
}

// shapeField is an exported field of a struct.
type shapeField struct {
	off uintptr
	t   reflect.Type
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
		if f := t.Field(i); f.IsExported() {
			ss.fields = append(ss.fields, shapeField{off: f.Offset, t: f.Type})
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
	buf = appendGVK(buf, k.GVK) // k.GVK.String(), without its allocation
	buf = append(buf, 0)
	buf = append(buf, k.Subresource...)
	buf = append(buf, 0)
	if types == nil {
		types = shapeTypes{}
	}
	sc := shapeScratch.Get().(*mapScratch)
	clear(sc.entries)
	sc.entries = sc.entries[:0]
	w := shapeWriter{buf: buf, types: types, scratch: sc}
	ok = w.shape(v.UnsafePointer(), v.Elem().Type(), false)
	shapeScratch.Put(sc)
	return w.buf, ok
}

// appendGVK appends gvk.String() to buf.
func appendGVK(buf []byte, gvk schema.GroupVersionKind) []byte {
	buf = append(buf, gvk.Group...)
	buf = append(buf, '/')
	buf = append(buf, gvk.Version...)
	buf = append(buf, ", Kind="...)
	return append(buf, gvk.Kind...)
}

// shapeWriter writes a shape: a byte per leaf's zero-ness or nil-ness
// where the empty object has the field (its value decides whether the
// field is modified), and the values themselves inside lists and the keys
// of maps (list keys and set members are values; the empty object has no
// items, so everything in them is added whatever its value).
//
// It walks the object's memory by its types' field offsets (a create's
// shape was ~45 % of a pod's create through reflect.Value.Field): p points
// at a value of type t. Maps and marshalers go through reflect.
type shapeWriter struct {
	buf     []byte
	types   shapeTypes
	scratch *mapScratch
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

// num writes a number inside a list or map as str writes its text: the
// digits are appended, then moved behind their length.
func (w *shapeWriter) num(appendNum func([]byte) []byte) {
	start := len(w.buf)
	w.buf = appendNum(w.buf)
	digits := string(w.buf[start:])
	w.buf = w.buf[:start]
	w.str(digits)
}

// sliceHeader is a slice's memory.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// shape writes the shape of the value of type t at p; inside is set within
// list items and map values. False when it has none.
func (w *shapeWriter) shape(p unsafe.Pointer, t reflect.Type, inside bool) bool {
	switch t.Kind() {
	case reflect.Struct:
		ss := w.types.of(t)
		if ss.time {
			w.bit(reflect.NewAt(t, p).Elem().IsZero())
			return true
		}
		if ss.marshaler {
			if !inside {
				return false
			}
			w.bit(reflect.NewAt(t, p).Elem().IsZero())
			// The marshaler's own output, not json.Marshal's compacted
			// copy of it: the same output is the same JSON.
			m, ok := reflect.NewAt(t, p).Interface().(interface{ MarshalJSON() ([]byte, error) })
			if !ok {
				return false
			}
			b, err := m.MarshalJSON()
			if err != nil {
				return false
			}
			w.buf = strconv.AppendInt(w.buf, int64(len(b)), 10)
			w.buf = append(w.buf, ':')
			w.buf = append(w.buf, b...)
			return true
		}
		for _, f := range ss.fields {
			if !w.shape(unsafe.Add(p, f.off), f.t, inside) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		q := *(*unsafe.Pointer)(p)
		w.bit(q == nil)
		if q == nil {
			return true
		}
		return w.shape(q, t.Elem(), inside)
	case reflect.Slice:
		s := (*sliceHeader)(p)
		w.bit(s.data == nil)
		et := t.Elem()
		if et.Kind() == reflect.Uint8 {
			// []byte is a string (base64) to the schema.
			w.bit(s.len == 0)
			return true
		}
		w.buf = strconv.AppendInt(w.buf, int64(s.len), 10)
		w.buf = append(w.buf, '[')
		size := et.Size()
		for i := 0; i < s.len; i++ {
			if !w.shape(unsafe.Add(s.data, uintptr(i)*size), et, true) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
		return true
	case reflect.Map:
		return w.shapeMap(reflect.NewAt(t, p).Elem())
	case reflect.String:
		s := *(*string)(p)
		if inside {
			w.str(s)
		} else {
			w.bit(s == "")
		}
		return true
	case reflect.Bool:
		b := *(*bool)(p)
		if inside {
			w.str(strconv.FormatBool(b))
		} else {
			w.bit(!b)
		}
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch t.Kind() {
		case reflect.Int:
			n = int64(*(*int)(p))
		case reflect.Int8:
			n = int64(*(*int8)(p))
		case reflect.Int16:
			n = int64(*(*int16)(p))
		case reflect.Int32:
			n = int64(*(*int32)(p))
		default:
			n = *(*int64)(p)
		}
		if inside {
			w.num(func(b []byte) []byte { return strconv.AppendInt(b, n, 10) })
		} else {
			w.bit(n == 0)
		}
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var n uint64
		switch t.Kind() {
		case reflect.Uint:
			n = uint64(*(*uint)(p))
		case reflect.Uint8:
			n = uint64(*(*uint8)(p))
		case reflect.Uint16:
			n = uint64(*(*uint16)(p))
		case reflect.Uint32:
			n = uint64(*(*uint32)(p))
		default:
			n = *(*uint64)(p)
		}
		if inside {
			w.num(func(b []byte) []byte { return strconv.AppendUint(b, n, 10) })
		} else {
			w.bit(n == 0)
		}
		return true
	case reflect.Float32:
		f := *(*float32)(p)
		if inside {
			w.num(func(b []byte) []byte { return strconv.AppendFloat(b, float64(f), 'g', -1, 32) })
		} else {
			w.bit(math.Float32bits(f) == 0)
		}
		return true
	case reflect.Float64:
		f := *(*float64)(p)
		if inside {
			w.num(func(b []byte) []byte { return strconv.AppendFloat(b, f, 'g', -1, 64) })
		} else {
			w.bit(math.Float64bits(f) == 0)
		}
		return true
	}
	return false
}

// shapeMap writes a map's shape: nil-ness, its keys in order and, unless
// its values are strings, their shapes.
func (w *shapeWriter) shapeMap(v reflect.Value) bool {
	t := v.Type()
	w.bit(v.IsNil())
	if t.Key().Kind() != reflect.String {
		return false
	}
	n := v.Len()
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '{')
	if n == 0 {
		w.buf = append(w.buf, '}')
		return true
	}
	// A string value names nothing (items are named by their key fields
	// or, in sets, by scalar values, never by a map's values): its entry
	// is added whatever it is, so the key alone decides (the labels and
	// annotations of objects that differ only in their values share a
	// shape).
	scalar := t.Elem().Kind() == reflect.String
	sc := w.scratch
	var vals reflect.Value
	if !scalar {
		vals = sc.takeVals(t, n)
	}
	key := sc.key(t.Key())
	start := len(sc.entries)
	var it reflect.MapIter
	it.Reset(v)
	for i := 0; it.Next(); i++ {
		key.SetIterKey(&it)
		sc.entries = append(sc.entries, mapEntry{key.String(), i})
		if !scalar {
			vals.Index(i).SetIterValue(&it)
		}
	}
	slices.SortFunc(sc.entries[start:], func(a, b mapEntry) int { return strings.Compare(a.key, b.key) })
	for j := range n {
		e := sc.entries[start+j] // a map inside may have grown entries
		w.str(e.key)
		if scalar {
			continue
		}
		if !w.shape(vals.Index(e.i).Addr().UnsafePointer(), t.Elem(), true) {
			return false
		}
	}
	clear(sc.entries[start:])
	sc.entries = sc.entries[:start]
	if !scalar {
		sc.putVals(t, vals, n)
	}
	w.buf = append(w.buf, '}')
	return true
}

// mapScratch is where shapeMap sorts a map's keys and copies its values,
// kept between shapes (shapeScratch): a pod's and a node's resource lists
// are maps of structs, and allocating the copies cost ~0.5 KB an object.
type mapScratch struct {
	entries []mapEntry
	// vals holds, by map type, slices of its value type not in use (as
	// many as maps of that type were walked nested in one another); keys
	// a settable key of each key type.
	vals map[reflect.Type][]reflect.Value
	keys map[reflect.Type]reflect.Value
}

// mapEntry is a map's key and the index of its value in the copies.
type mapEntry struct {
	key string
	i   int
}

var shapeScratch = sync.Pool{New: func() any {
	return &mapScratch{vals: map[reflect.Type][]reflect.Value{}, keys: map[reflect.Type]reflect.Value{}}
}}

// takeVals returns a slice of at least n values of map type t's values.
func (sc *mapScratch) takeVals(t reflect.Type, n int) reflect.Value {
	if free := sc.vals[t]; len(free) > 0 && free[len(free)-1].Len() >= n {
		v := free[len(free)-1]
		free[len(free)-1] = reflect.Value{}
		sc.vals[t] = free[:len(free)-1]
		return v
	}
	n = max(n, 4)
	return reflect.MakeSlice(reflect.SliceOf(t.Elem()), n, n)
}

// putVals zeroes the first n values (the scratch keeps no object alive)
// and keeps vals for the next map of type t.
func (sc *mapScratch) putVals(t reflect.Type, vals reflect.Value, n int) {
	for i := range n {
		vals.Index(i).SetZero() // Slice(0, n).Clear() would allocate a header
	}
	if free := sc.vals[t]; len(free) < maxNestedScratch {
		sc.vals[t] = append(free, vals)
	}
}

// maxNestedScratch bounds the slices kept per map type.
const maxNestedScratch = 8

// key returns a settable value of type t: shapeMap reads each key out of
// it before the next.
func (sc *mapScratch) key(t reflect.Type) reflect.Value {
	k, ok := sc.keys[t]
	if !ok {
		k = reflect.New(t).Elem()
		sc.keys[t] = k
	}
	return k
}
