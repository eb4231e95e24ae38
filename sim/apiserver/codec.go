package apiserver

import (
	"bytes"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
)

var (
	// Codecs decodes request bodies in every format kubectl sends (JSON, YAML, protobuf).
	Codecs = serializer.NewCodecFactory(Scheme)

	jsonSerializer   = json.NewSerializerWithOptions(json.DefaultMetaFactory, Scheme, Scheme, json.SerializerOptions{})
	strictJSON       = json.NewSerializerWithOptions(json.DefaultMetaFactory, Scheme, Scheme, json.SerializerOptions{Strict: true})
	protoSerializer  = protobuf.NewSerializer(Scheme, Scheme)
	storageDecoder   = Codecs.UniversalDeserializer()
	protobufMIMEType = "application/vnd.kubernetes.protobuf"
)

// setGVK stamps kind and apiVersion on a typed object from the scheme.
func setGVK(obj runtime.Object) {
	gvks, _, err := Scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return
	}
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
}

// encodeStorage returns the bytes kept in the store: protobuf, as kube-apiserver keeps in etcd.
func encodeStorage(obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	if err := protoSerializer.Encode(obj, &buf); err != nil {
		return nil, fmt.Errorf("encode %T for storage: %w", obj, err)
	}
	return buf.Bytes(), nil
}

// DecodeStorage turns stored bytes back into a typed object (store.Options.Decode).
func DecodeStorage(_ string, value []byte) (any, error) {
	obj, _, err := storageDecoder.Decode(value, nil, nil)
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// encodeJSON writes obj as kube-apiserver does: compact JSON and a trailing newline.
func encodeJSON(obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonSerializer.Encode(obj, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// objectMeta returns the metadata of a typed object.
func objectMeta(obj runtime.Object) metav1.Object {
	m, ok := obj.(metav1.ObjectMetaAccessor)
	if !ok {
		return nil
	}
	return m.GetObjectMeta()
}
