package fieldmanager

import (
	"reflect"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// maxShapes bounds the shapes' memo; past it the memo starts again.
const maxShapes = 4096

// A create's field set depends on an object's shape, not its values: which
// fields are set (zero or not, nil or not), the keys of its maps and the
// items of its lists. Objects without maps or lists that hold anything
// (events: most of a busy cluster's creates, one per scheduled pod) are
// fully described by which of their fields are zero, so objects of a kind
// with the same zero fields record the same fields, and the comparison
// that finds them is made once per shape.
//
// Exact by construction: every leaf of the object contributes whether it is
// zero (and every pointer, map and slice whether it is nil), which decides
// whether the field is present and whether it equals the empty object's.
// An object with a non-empty map or slice, an interface, or a leaf whose
// zero-ness does not decide its serialized value (a Quantity, an
// IntOrString, a RawExtension: any JSON marshaler but the times) has no
// key and is compared as it is. TestCreateMatchesUpdate checks every kind.

var (
	timeType      = reflect.TypeOf(metav1.Time{})
	microTimeType = reflect.TypeOf(metav1.MicroTime{})
	marshalerType = reflect.TypeOf((*interface{ MarshalJSON() ([]byte, error) })(nil)).Elem()
)

// shapeKey appends obj's shape to buf, after its kind; false when obj has
// no key (see above) or is unstructured.
func shapeKey(k Kind, obj runtime.Object, buf []byte) ([]byte, bool) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return buf, false
	}
	buf = append(buf, k.GVK.String()...)
	buf = append(buf, 0)
	buf = append(buf, k.Subresource...)
	buf = append(buf, 0)
	var bits uint8
	var n uint
	emit := func(b bool) {
		if b {
			bits |= 1 << n
		}
		n++
		if n == 8 {
			buf = append(buf, bits)
			bits, n = 0, 0
		}
	}
	ok := shapeOf(v.Elem(), emit)
	buf = append(buf, bits, byte(n))
	return buf, ok
}

// shapeOf reports v's shape through emit; false when v has none.
func shapeOf(v reflect.Value, emit func(bool)) bool {
	t := v.Type()
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType || t == microTimeType {
			emit(v.IsZero())
			return true
		}
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
			return false
		}
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			if !shapeOf(v.Field(i), emit) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		emit(v.IsNil())
		if v.IsNil() {
			return true
		}
		return shapeOf(v.Elem(), emit)
	case reflect.Map, reflect.Slice:
		if v.Len() > 0 {
			return false
		}
		emit(v.IsNil())
		return true
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		emit(v.IsZero())
		return true
	}
	return false
}
