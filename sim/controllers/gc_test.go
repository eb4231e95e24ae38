package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
