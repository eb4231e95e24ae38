package registry

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestFind: Find finds what Get finds and reports a miss as false, for
// a missing name and a missing namespace alike.
func TestFind(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	cms := mustRes(t, "", "configmaps")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Data: map[string]string{"k": "v"}}
	if _, err := r.Create(cms, "default", cm, false); err != nil {
		t.Fatal(err)
	}
	o, ok := r.Find(cms, "default", "c")
	got, _ := o.(*corev1.ConfigMap)
	want, err := r.Get(cms, "default", "c")
	if !ok || err != nil || got == nil || got != want || got.Data["k"] != "v" {
		t.Errorf("Find(c) = %v, %v; want the object Get returns (%v)", o, ok, err)
	}
	for _, ns := range []string{"default", "nowhere"} {
		if o, ok := r.Find(cms, ns, "missing"); ok || o != nil {
			t.Errorf("Find(%s/missing) = %v, %v; want nil, false", ns, o, ok)
		}
	}
}
