package fieldmanager

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"reflect"
	"sort"
	"strconv"
)

// refShapeWriter is the shape walker as it was written first, on
// reflect.Values (shape.go's walks memory by the types' field offsets);
// TestShapeMatchesReflect checks the two write the same keys.
// refShapeWriter writes a shape: a byte per leaf's zero-ness or nil-ness
// where the empty object has the field (its value decides whether the
// field is modified), and the values themselves inside lists and the keys
// of maps (list keys and set members are values; the empty object has no
// items, so everything in them is added whatever its value).
type refShapeWriter struct {
	buf   []byte
	types shapeTypes
}

func (w *refShapeWriter) bit(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *refShapeWriter) str(s string) {
	w.buf = strconv.AppendInt(w.buf, int64(len(s)), 10)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
}

// shape writes v's shape; inside is set within list items and map
// values. False when v has none.
func (w *refShapeWriter) shape(v reflect.Value, inside bool) bool {
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
		for i := 0; i < t.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
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

// refShapeKey is shapeKey through refShapeWriter.
func refShapeKey(k Kind, obj runtime.Object) (_ []byte, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	buf := append([]byte(k.GVK.String()), 0)
	buf = append(buf, k.Subresource...)
	buf = append(buf, 0)
	w := refShapeWriter{types: shapeTypes{}}
	w.buf = buf
	ok = w.shape(v.Elem(), false)
	return w.buf, ok
}
