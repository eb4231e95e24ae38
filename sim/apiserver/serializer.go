package apiserver

import (
	"bytes"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"

	"kubesim/sim/registry"
)

// The wire serializers: request bodies in, responses out (content
// negotiation). The stored form is the registry's business.
var (
	jsonSerializer   = json.NewSerializerWithOptions(json.DefaultMetaFactory, registry.Scheme, registry.Scheme, json.SerializerOptions{})
	strictJSON       = json.NewSerializerWithOptions(json.DefaultMetaFactory, registry.Scheme, registry.Scheme, json.SerializerOptions{Strict: true})
	protoSerializer  = protobuf.NewSerializer(registry.Scheme, registry.Scheme)
	protobufMIMEType = "application/vnd.kubernetes.protobuf"
)

// encodeJSON writes obj as kube-apiserver does: compact JSON and a trailing newline.
func encodeJSON(obj runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	if err := jsonSerializer.Encode(obj, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
