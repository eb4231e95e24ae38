package registry

import (
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
)

var (
	// Codecs decodes every format kubectl sends (JSON, YAML, protobuf) into
	// the types of Scheme.
	Codecs = serializer.NewCodecFactory(Scheme)

	protoSerializer = protobuf.NewSerializer(Scheme, Scheme)
	storageDecoder  = Codecs.UniversalDeserializer()
)

// SetGVK stamps kind and apiVersion on a typed object from the scheme.
func SetGVK(obj runtime.Object) {
	gvks, _, err := Scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return
	}
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
}

// encodeStorage returns the bytes kept in the store: protobuf, as
// kube-apiserver keeps in etcd (the eager path; see EncodeStorage).
func encodeStorage(obj runtime.Object) ([]byte, error) { return EncodeStorage(nil, "", obj) }

// EncodeStorage appends obj's stored form to dst (store.Options.Encode),
// written straight into dst's spare capacity. It runs on the store's
// committing goroutine, so it only reads obj. Unlike the eager path it keeps
// the resourceVersion (clearing it would need a copy of the object, half
// the cost of encoding it); Open overwrites it from the key's revision
// anyway (RestoreResourceVersions), so what clients see is the same.
func EncodeStorage(dst []byte, _ string, obj any) ([]byte, error) {
	o, ok := obj.(runtime.Object)
	if !ok {
		return dst, fmt.Errorf("encode %T for storage: not a runtime.Object", obj)
	}
	if u, ok := o.(*unstructured.Unstructured); ok {
		return encodeCustom(dst, u)
	}
	// The serializer takes the allocator as an interface, so it would be
	// allocated per encode: one is kept.
	a := appenders.Get().(*appendAlloc)
	a.b = dst
	err := protoSerializer.EncodeWithAllocator(o, a, a)
	b := a.b
	a.b = nil
	appenders.Put(a)
	if err != nil {
		return dst, fmt.Errorf("encode %T for storage: %w", obj, err)
	}
	return b, nil
}

var appenders = sync.Pool{New: func() any { return new(appendAlloc) }}

// appendAlloc is the serializer's allocator and writer at once: it hands
// out the spare capacity after b, and a Write of exactly that memory only
// extends b, so the encoding lands in place.
type appendAlloc struct{ b []byte }

func (a *appendAlloc) Allocate(n uint64) []byte {
	if uint64(cap(a.b)-len(a.b)) < n {
		nb := make([]byte, len(a.b), 2*cap(a.b)+int(n))
		copy(nb, a.b)
		a.b = nb
	}
	return a.b[len(a.b) : len(a.b)+int(n)]
}

func (a *appendAlloc) Write(p []byte) (int, error) {
	spare := a.b[len(a.b):cap(a.b)]
	if len(p) > 0 && len(p) <= len(spare) && &p[0] == &spare[0] {
		a.b = a.b[:len(a.b)+len(p)]
	} else {
		a.b = append(a.b, p...)
	}
	return len(p), nil
}

// DecodeStorage turns stored bytes back into a typed object (store.Options.Decode).
func DecodeStorage(_ string, value []byte) (any, error) {
	obj, _, err := storageDecoder.Decode(value, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) {
			return decodeCustom(value)
		}
		return nil, err
	}
	// A value whose type fields only half matched (JSON's "ApiVersion"
	// finds the kind, case-insensitively, but leaves apiVersion empty)
	// would be written back as protobuf without its apiVersion, which no
	// later Open could read (found by FuzzStorageDecode).
	if gvk := obj.GetObjectKind().GroupVersionKind(); gvk.Version == "" || gvk.Kind == "" {
		SetGVK(obj)
	}
	return obj, nil
}

// ObjectMeta returns the metadata of a typed object.
func ObjectMeta(obj runtime.Object) metav1.Object {
	m, ok := obj.(metav1.ObjectMetaAccessor)
	if !ok {
		// Custom resources (*unstructured.Unstructured) are their own
		// accessor.
		if mo, ok := obj.(metav1.Object); ok {
			return mo
		}
		return nil
	}
	return m.GetObjectMeta()
}
