package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/loop"
)

func TestGarbageCollector(t *testing.T) {
	tests := []struct {
		name string
		// finalizers put on the ReplicaSet before it is deleted (what the
		// apiserver adds for propagationPolicy Orphan / Foreground).
		finalizers []string
		wantPods   int
		wantOwned  int // pods still pointing at the ReplicaSet
		wantRS     bool
	}{
		{"background", nil, 0, 0, false},
		{"orphan", []string{metav1.FinalizerOrphanDependents}, 2, 0, false},
		{"foreground", []string{metav1.FinalizerDeleteDependents}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "v1.27.1", NewReplicaSet, NewGarbageCollector)
			e.kubelet, e.scheduler = true, true
			e.addNode("w1")
			e.create("replicasets", "default", newRS("rs", 2, 0))
			e.advance(5 * time.Second)
			if tt.finalizers != nil {
				rs := getT[*appsv1.ReplicaSet](e, "replicasets", "default", "rs")
				rs.Finalizers = tt.finalizers
				e.update("replicasets", "default", rs, "")
			}
			if _, err := e.reg.Delete(res("replicasets"), "default", "rs", nil); err != nil {
				t.Fatal(err)
			}
			e.advance(5 * time.Second)
			pods := listT[*corev1.Pod](e, "pods", "default")
			owned := 0
			for _, p := range pods {
				if len(p.OwnerReferences) > 0 {
					owned++
				}
			}
			got := []int{len(pods), owned}
			if diff := cmp.Diff([]int{tt.wantPods, tt.wantOwned}, got); diff != "" {
				t.Errorf("pods, owned pods (-want +got):\n%s", diff)
			}
			if e.exists("replicasets", "default", "rs") != tt.wantRS {
				t.Errorf("replicaset exists = %v, want %v", !tt.wantRS, tt.wantRS)
			}
		})
	}
}

func TestGarbageCollectorDanglingAndShared(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewGarbageCollector)
	cm := func(name string, owners ...metav1.OwnerReference) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: owners}}
	}
	a := e.create("configmaps", "default", cm("a")).(*corev1.ConfigMap)
	b := e.create("configmaps", "default", cm("b")).(*corev1.ConfigMap)
	ref := func(o *corev1.ConfigMap) metav1.OwnerReference {
		return metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: o.Name, UID: o.UID}
	}
	e.create("configmaps", "default", cm("shared", ref(a), ref(b)))
	e.create("configmaps", "default", cm("dangling", metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "ghost", UID: "no-such-uid"}))
	e.settle()
	if e.exists("configmaps", "default", "dangling") {
		t.Error("an object whose only owner never existed was kept")
	}
	if _, err := e.reg.Delete(res("configmaps"), "default", "a", nil); err != nil {
		t.Fatal(err)
	}
	e.settle()
	shared := getT[*corev1.ConfigMap](e, "configmaps", "default", "shared")
	if diff := cmp.Diff([]metav1.OwnerReference{ref(b)}, shared.OwnerReferences); diff != "" {
		t.Errorf("shared keeps its live owner only (-want +got):\n%s", diff)
	}
	if _, err := e.reg.Delete(res("configmaps"), "default", "b", nil); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if e.exists("configmaps", "default", "shared") {
		t.Error("shared survived the deletion of its last owner")
	}
}

// TestGarbageCollectorOwnerLookup: an owner is found as upstream's
// isDangling finds it, by its reference's kind and name (a cluster-scoped
// kind outside the dependent's namespace) with its uid checked: a Node
// owns an object in a namespace (as it owns its mirror pods), a custom
// object owns a ConfigMap, and a reference whose name no longer matches
// its uid's object is dangling.
func TestGarbageCollectorOwnerLookup(t *testing.T) {
	newCRDController := func(ctx Context) (loop.Component, error) { return build(ctx, newCRD) }
	e := newEnv(t, "v1.30.0", newCRDController, NewGarbageCollector)
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "fruits.example.org"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.org", Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "fruits", Singular: "fruit", Kind: "Fruit"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: ptrTo(true)}}}},
		},
	}
	e.create("customresourcedefinitions", "", crd)
	e.settle()
	fruits, ok := e.reg.LookupKind(schema.GroupKind{Group: "example.org", Kind: "Fruit"})
	if !ok {
		t.Fatal("the Fruit CRD is not served")
	}
	apple := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.org/v1", "kind": "Fruit", "metadata": map[string]any{"name": "apple"}}}
	out, err := e.reg.Create(fruits, "default", apple, false)
	if err != nil {
		t.Fatal(err)
	}
	appleUID := metaOf(out.(runtime.Object)).GetUID()
	node := e.addNode("w1")
	cm := func(name string, owner metav1.OwnerReference) {
		e.create("configmaps", "default", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, OwnerReferences: []metav1.OwnerReference{owner}}})
	}
	cm("of-node", metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: "w1", UID: node.UID})
	cm("of-apple", metav1.OwnerReference{APIVersion: "example.org/v1", Kind: "Fruit", Name: "apple", UID: appleUID})
	cm("misnamed", metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: "w2", UID: node.UID})
	cm("unknown-kind", metav1.OwnerReference{APIVersion: "example.org/v1", Kind: "Vegetable", Name: "leek", UID: "leek-uid"})
	e.settle()
	exist := func() map[string]bool {
		out := map[string]bool{}
		for _, n := range []string{"of-node", "of-apple", "misnamed", "unknown-kind"} {
			out[n] = e.exists("configmaps", "default", n)
		}
		return out
	}
	want := map[string]bool{"of-node": true, "of-apple": true, "misnamed": false, "unknown-kind": true}
	if d := cmp.Diff(want, exist()); d != "" {
		t.Errorf("with the owners present (-want +got):\n%s", d)
	}
	if _, err := e.reg.Delete(res("nodes"), "", "w1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Delete(fruits, "default", "apple", nil); err != nil {
		t.Fatal(err)
	}
	e.settle()
	want["of-node"], want["of-apple"] = false, false
	if d := cmp.Diff(want, exist()); d != "" {
		t.Errorf("with the owners deleted (-want +got):\n%s", d)
	}
}
