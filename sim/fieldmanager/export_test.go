package fieldmanager

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
)

// Fallbacks is how many creates m recorded the upstream way.
func Fallbacks(m *Managers) int { return m.fallbacks }

// ShapeHits is how many creates m recorded from the shapes' memo.
func ShapeHits(m *Managers) int { return m.shapeHits }

// ShapeKeys is obj's shape key as shapeKey writes it and as the reflect
// walker (shape_ref_test.go) writes it.
func ShapeKeys(k Kind, obj runtime.Object) (fast []byte, fastOK bool, ref []byte, refOK bool) {
	fast, fastOK = shapeKey(k, obj, nil, nil)
	ref, refOK = refShapeKey(k, obj)
	return
}

// ShapeKeyAllocs is how many allocations shapeKey makes for obj once its
// types are known and the buffer is large enough.
func ShapeKeyAllocs(k Kind, obj runtime.Object) float64 {
	types := shapeTypes{}
	buf, _ := shapeKey(k, obj, nil, types)
	return testing.AllocsPerRun(100, func() { buf, _ = shapeKey(k, obj, buf[:0], types) })
}
