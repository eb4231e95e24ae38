package registry

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestEncodeStorage: the lazy encoder appends the protobuf encoding of the
// object as it is, keeps dst's prefix, and leaves the object alone.
func TestEncodeStorage(t *testing.T) {
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", ResourceVersion: "42", Labels: map[string]string{"app": "x"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m")}}}}},
	}
	var buf bytes.Buffer // the serializer's own path, independent of EncodeStorage
	if err := protoSerializer.Encode(pod.DeepCopy(), &buf); err != nil {
		t.Fatal(err)
	}
	want := buf.Bytes()
	for _, dst := range [][]byte{nil, []byte("header16bytes..."), make([]byte, 3, 4096)} {
		prefix := bytes.Clone(dst)
		got, err := EncodeStorage(dst, "/registry/pods/default/p", pod)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:len(prefix)], prefix) {
			t.Errorf("dst prefix %q not kept: %q", prefix, got[:len(prefix)])
		}
		if !bytes.Equal(got[len(prefix):], want) {
			t.Errorf("with a %d-byte dst: encoding differs from the eager path (%d vs %d bytes)", len(prefix), len(got)-len(prefix), len(want))
		}
	}
	if pod.ResourceVersion != "42" {
		t.Errorf("resourceVersion of the stored object changed to %q", pod.ResourceVersion)
	}
	obj, err := DecodeStorage("", want)
	if err != nil || obj.(*corev1.Pod).Spec.Containers[0].Image != "nginx" || obj.(*corev1.Pod).ResourceVersion != "42" {
		t.Errorf("decode = %v, %v", obj, err)
	}
}

// TestNewUID: UIDs are version-4 UUIDs, the same text fmt's %x of each
// group gives for the same random draws.
func TestNewUID(t *testing.T) {
	r := NewRegistry(nil, nil, rand.New(rand.NewPCG(7, 7)), "v1.32.0")
	ref := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 100; i++ {
		var b [16]byte
		for j := 0; j < 16; j += 8 {
			v := ref.Uint64()
			for k := 0; k < 8; k++ {
				b[j+k] = byte(v >> (8 * k))
			}
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		want := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
		if got := r.NewUID(); got != want {
			t.Fatalf("draw %d: NewUID() = %q, want %q", i, got, want)
		}
	}
}
