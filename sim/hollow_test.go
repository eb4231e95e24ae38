package sim

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
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

// TestHollowSchedulesMany runs enough pods through one scheduler Run that
// the binding pipeline and background commits are exercised (CI runs this
// package under -race): every pod is bound, with one Scheduled event each.
func TestHollowSchedulesMany(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), Hollow: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nodes, pods, events := c.res("", "nodes"), c.res("", "pods"), c.res("", "events")
	rl := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("64"), corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("500")}
	const numPods = 4000
	c.Do(func() {
		for i := 0; i < 10; i++ {
			if _, err := c.Registry.Create(nodes, "", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%d", i)},
				Status: corev1.NodeStatus{Allocatable: rl, Capacity: rl, Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	c.Do(func() {
		for i := 0; i < numPods; i++ {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i), Namespace: "default"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
			if _, err := c.Registry.Create(pods, "default", p, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	c.Locked(func() {
		objs, _, _ := c.Registry.List(pods, "default", registry.ListOptions{})
		bound := 0
		for _, o := range objs {
			if o.(*corev1.Pod).Spec.NodeName != "" {
				bound++
			}
		}
		evs, _, _ := c.Registry.List(events, "default", registry.ListOptions{})
		scheduled := 0
		for _, o := range evs {
			if o.(*corev1.Event).Reason == "Scheduled" {
				scheduled++
			}
		}
		if bound != numPods || scheduled != numPods {
			t.Errorf("%d pods bound, %d Scheduled events; want %d each", bound, scheduled, numPods)
		}
	})
	if err := c.Store.Check(); err != nil {
		t.Errorf("store check: %v", err)
	}
}

// TestHollowNodesStayReady: a hollow node has no kubelet posting its
// status, but its hollow kubelet is up: the node lifecycle does not mark it
// NotReady when the grace periods pass, nor taint it and evict its pods.
func TestHollowNodesStayReady(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), Hollow: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nodes := c.res("", "nodes")
	rl := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110")}
	c.Do(func() {
		if _, err := c.Registry.Create(nodes, "", &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
			Status: corev1.NodeStatus{Allocatable: rl, Capacity: rl, Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(10 * time.Minute)
	c.Locked(func() {
		o, err := c.Registry.Get(nodes, "", "n1")
		if err != nil {
			t.Fatal(err)
		}
		n := o.(*corev1.Node)
		if len(n.Status.Conditions) != 1 || n.Status.Conditions[0].Status != corev1.ConditionTrue || len(n.Spec.Taints) != 0 {
			t.Errorf("hollow node after 10 minutes: conditions %v, taints %v; want Ready and untainted", n.Status.Conditions, n.Spec.Taints)
		}
	})
}
