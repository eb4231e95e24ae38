package fieldmanager_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"

	"kubesim/sim/fieldmanager"
)

// TestCustomKind: a kind the scheme does not know (a custom resource,
// unstructured) gets managed fields once its types are registered: the
// create fast path agrees with upstream's chain, and apply conflicts.
func TestCustomKind(t *testing.T) {
	now := t0
	m := newManagers(t, "v1.33.0", &now)
	gvk := schema.GroupVersionKind{Group: "stable.example.com", Version: "v1", Kind: "CronTab"}
	m.Types().Register(gvk, managedfields.NewDeducedTypeConverter())
	defer m.Types().Register(gvk, nil)
	k := fieldmanager.Kind{GVK: gvk}
	obj := func() *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "stable.example.com/v1", "kind": "CronTab",
			"metadata": map[string]any{"name": "c", "namespace": "default", "labels": map[string]any{"a": "b"}},
			"spec":     map[string]any{"cronSpec": "* * * * */5", "replicas": int64(1)},
		}}
	}
	empty := func() *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetGroupVersionKind(gvk)
		return u
	}
	want := m.Update(k, empty(), obj(), "kubectl-create").(*unstructured.Unstructured).GetManagedFields()
	got := m.Create(k, func() runtime.Object { return empty() }, obj(), "kubectl-create").(*unstructured.Unstructured).GetManagedFields()
	if len(want) != 1 || len(got) != 1 || string(want[0].FieldsV1.Raw) != string(got[0].FieldsV1.Raw) {
		t.Fatalf("create: upstream %v, fast %v", fields(want), fields(got))
	}
	if n := fieldmanager.Fallbacks(m); n != 0 {
		t.Errorf("%d creates took the upstream way", n)
	}
	live := m.Create(k, func() runtime.Object { return empty() }, obj(), "kubectl-create")
	patch := obj()
	unstructured.SetNestedField(patch.Object, int64(3), "spec", "replicas")
	_, err := m.Apply(k, live, patch, "kubectl", false)
	if want := `Apply failed with 1 conflict: conflict with "kubectl-create" using stable.example.com/v1: .spec.replicas`; err == nil || err.Error() != want {
		t.Fatalf("apply: %v, want %s", err, want)
	}
	out, err := m.Apply(k, live, patch, "kubectl", true)
	if err != nil {
		t.Fatal(err)
	}
	u := out.(*unstructured.Unstructured)
	if r, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); r != 3 {
		t.Errorf("replicas %d after forced apply", r)
	}
	var ops []metav1.ManagedFieldsOperationType
	for _, e := range u.GetManagedFields() {
		ops = append(ops, e.Operation)
	}
	if len(ops) != 2 || ops[0] != metav1.ManagedFieldsOperationApply {
		t.Errorf("entries after forced apply: %v", fields(u.GetManagedFields()))
	}
}
