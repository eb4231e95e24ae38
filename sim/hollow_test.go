package sim

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestHollowRemovesDeletedPods: on a hollow cluster a bound pod deleted
// gracefully is gone once the cluster settles (no kubelet would confirm
// it), while a pending pod and an undeleted bound pod stay.
func TestHollowRemovesDeletedPods(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), Hollow: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nodes, pods := c.res("", "nodes"), c.res("", "pods")
	rl := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
	pod := func(name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	}
	c.Do(func() {
		if _, err := c.Registry.Create(nodes, "", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
			Status: corev1.NodeStatus{Allocatable: rl, Capacity: rl, Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}, false); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"kept", "deleted"} {
			if _, err := c.Registry.Create(pods, "default", pod(n), false); err != nil {
				t.Fatal(err)
			}
		}
	})
	c.Do(func() {
		if _, err := c.Registry.Delete(pods, "default", "deleted", nil); err != nil {
			t.Fatal(err)
		}
	})
	c.Locked(func() {
		o, err := c.Registry.Get(pods, "default", "kept")
		if err != nil || o.(*corev1.Pod).Spec.NodeName != "n1" {
			t.Errorf("kept: %v, %v; want it bound to n1", o, err)
		}
		if _, err := c.Registry.Get(pods, "default", "deleted"); !apierrors.IsNotFound(err) {
			t.Errorf("deleted: Get error %v, want NotFound", err)
		}
	})
	if err := c.Store.Check(); err != nil {
		t.Errorf("store check: %v", err)
	}
}
