package controllers

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/dump"
)

// ComputeHash returns the pod-template-hash of a template, as upstream's
// controller.ComputeHash: FNV-32a over the spew dump of the template value
// (k8s.io/utils/dump.ForHash, the printer configuration
// pkg/util/hash.DeepHashObject uses), then the collision count as 8
// little-endian bytes when set, the decimal sum encoded with
// rand.SafeEncodeString.
//
// The template is first passed through its protobuf encoding, so it has the
// shape kube-controller-manager sees after reading it from the API server
// (empty maps and slices become nil). The dump covers every field of the
// k8s.io/api structs kubesim is built with, so hashes equal those of a
// kube-controller-manager built with the same k8s.io/api version; a new
// field in a later API version changes every hash, as it does upstream.
func ComputeHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	t := normalizeTemplate(template)
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(*t))
	if collisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*collisionCount))
		h.Write(b)
	}
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

// normalizeTemplate round-trips t through protobuf.
func normalizeTemplate(t *corev1.PodTemplateSpec) *corev1.PodTemplateSpec {
	data, err := t.Marshal()
	if err != nil {
		return t
	}
	out := &corev1.PodTemplateSpec{}
	if err := out.Unmarshal(data); err != nil {
		return t
	}
	return out
}
