package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestDeleteGCFinalizers: a delete leaves the object with the finalizers of
// its propagation policy (and its deletionTimestamp), or removes it at once.
func TestDeleteGCFinalizers(t *testing.T) {
	policy := func(p metav1.DeletionPropagation) *metav1.DeleteOptions {
		return &metav1.DeleteOptions{PropagationPolicy: &p}
	}
	yes := true
	tests := []struct {
		name     string
		group    string
		resource string
		obj      runtime.Object
		opts     *metav1.DeleteOptions
		want     []string // nil: removed at once
	}{
		{"default", "apps", "replicasets", &appsv1.ReplicaSet{}, nil, nil},
		{"background", "apps", "replicasets", &appsv1.ReplicaSet{}, policy(metav1.DeletePropagationBackground), nil},
		{"orphan", "apps", "replicasets", &appsv1.ReplicaSet{}, policy(metav1.DeletePropagationOrphan), []string{metav1.FinalizerOrphanDependents}},
		{"orphanDependents", "apps", "replicasets", &appsv1.ReplicaSet{}, &metav1.DeleteOptions{OrphanDependents: &yes}, []string{metav1.FinalizerOrphanDependents}},
		{"foreground", "apps", "replicasets", &appsv1.ReplicaSet{}, policy(metav1.DeletePropagationForeground), []string{metav1.FinalizerDeleteDependents}},
		{"job default orphans", "batch", "jobs", &batchv1.Job{}, nil, []string{metav1.FinalizerOrphanDependents}},
		{"job background", "batch", "jobs", &batchv1.Job{}, policy(metav1.DeletePropagationBackground), nil},
		{"kept finalizer", "apps", "replicasets", &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Finalizers: []string{"example.com/x"}}}, policy(metav1.DeletePropagationOrphan), []string{"example.com/x", metav1.FinalizerOrphanDependents}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, _ := newTestRegistry(t)
			res, ok := Lookup(schema.GroupResource{Group: tt.group, Resource: tt.resource})
			if !ok {
				t.Fatalf("no resource %s", tt.resource)
			}
			ObjectMeta(tt.obj).SetName("x")
			if j, ok := tt.obj.(*batchv1.Job); ok {
				j.Spec.Template.Spec.RestartPolicy = "Never"
				j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "busybox"}}
			}
			if rs, ok := tt.obj.(*appsv1.ReplicaSet); ok {
				rs.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}}
				rs.Spec.Template.Labels = map[string]string{"a": "b"}
				rs.Spec.Template.Spec.Containers = []corev1.Container{{Name: "c", Image: "busybox"}}
			}
			if _, err := r.Create(res, "default", tt.obj, false); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Delete(res, "default", "x", tt.opts); err != nil {
				t.Fatal(err)
			}
			obj, err := r.Get(res, "default", "x")
			if tt.want == nil {
				if err == nil {
					t.Fatalf("kept with finalizers %v", ObjectMeta(obj).GetFinalizers())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := ObjectMeta(obj)
			if diff := cmp.Diff(tt.want, m.GetFinalizers()); diff != "" {
				t.Errorf("finalizers (-want +got):\n%s", diff)
			}
			if m.GetDeletionTimestamp() == nil {
				t.Error("no deletionTimestamp")
			}
		})
	}
}

// TestSidecarFieldByVersion: before 1.29 (SidecarContainers off by
// default) an init container's restartPolicy is dropped on create.
func TestSidecarFieldByVersion(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	for _, tt := range []struct {
		version string
		kept    bool
	}{{"v1.28.0", false}, {"v1.29.0", true}} {
		r, _, _ := newTestRegistry(t)
		r.version = tt.version
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "s", Image: "busybox", RestartPolicy: &always}},
			Containers:     []corev1.Container{{Name: "c", Image: "busybox"}}}}
		out, err := r.Create(mustRes(t, "", "pods"), "default", p, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.(*corev1.Pod).Spec.InitContainers[0].RestartPolicy != nil; got != tt.kept {
			t.Errorf("%s: restartPolicy kept = %v, want %v", tt.version, got, tt.kept)
		}
	}
}
