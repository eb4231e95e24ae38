package fieldmanager_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/yaml"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/registry"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func newManagers(t testing.TB, version string, now *time.Time) *fieldmanager.Managers {
	t.Helper()
	types, err := fieldmanager.NewTypes(openapi.NearestDataFile(version), func() (map[string]*spec.Schema, error) {
		return openapi.Models(version, registry.Scheme)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fieldmanager.New(types, registry.Scheme, func() time.Time { return *now })
}

func deployKind() fieldmanager.Kind {
	return fieldmanager.Kind{GVK: appsv1.SchemeGroupVersion.WithKind("Deployment"), HasStatus: true}
}

func applied(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

const web = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
`

func emptyDeployment() runtime.Object {
	d := &appsv1.Deployment{}
	registry.SetGVK(d)
	return d
}

// TestApplyConflict: an Update of spec.replicas by another manager makes the
// next apply of a different value a conflict with upstream's message; force
// takes the field over.
func TestApplyConflict(t *testing.T) {
	now := t0
	m := newManagers(t, "v1.27.1", &now)
	obj, err := m.Apply(deployKind(), emptyDeployment(), applied(t, web), "kubectl", false)
	if err != nil {
		t.Fatal(err)
	}
	d := obj.(*appsv1.Deployment)
	if len(d.ManagedFields) != 1 || d.ManagedFields[0].Manager != "kubectl" || d.ManagedFields[0].Operation != metav1.ManagedFieldsOperationApply || !d.ManagedFields[0].Time.Time.Equal(t0) {
		t.Fatalf("after apply: %+v", d.ManagedFields)
	}
	now = t0.Add(time.Minute)
	scaled := d.DeepCopy()
	five := int32(5)
	scaled.Spec.Replicas = &five
	obj = m.Update(deployKind(), d, scaled, "kubectl-edit")
	d = obj.(*appsv1.Deployment)
	if len(d.ManagedFields) != 2 {
		t.Fatalf("after update: %+v", d.ManagedFields)
	}
	now = t0.Add(2 * time.Minute)
	_, err = m.Apply(deployKind(), d, applied(t, web), "kubectl", false)
	want := `Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas`
	if err == nil || err.Error() != want {
		t.Fatalf("apply: %v, want %s", err, want)
	}
	obj, err = m.Apply(deployKind(), d, applied(t, web), "kubectl", true)
	if err != nil {
		t.Fatal(err)
	}
	d = obj.(*appsv1.Deployment)
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas %d after forced apply", *d.Spec.Replicas)
	}
	for _, e := range d.ManagedFields {
		if e.Manager == "kubectl-edit" {
			t.Errorf("kubectl-edit still manages %s", e.FieldsV1.Raw)
		}
	}
}

// TestCreateFields: a create's entry owns every field set, as upstream
// records it (a pod's containers keyed by name, "." for the item itself),
// at the cluster's time.
func TestCreateFields(t *testing.T) {
	now := t0
	m := newManagers(t, "v1.33.0", &now)
	live := &corev1.Pod{}
	registry.SetGVK(live)
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", Labels: map[string]string{"run": "p"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}, RestartPolicy: corev1.RestartPolicyAlways}}
	registry.SetGVK(p)
	out := m.Update(fieldmanager.Kind{GVK: corev1.SchemeGroupVersion.WithKind("Pod"), HasStatus: true}, live, p, "kubectl-run").(*corev1.Pod)
	if len(out.ManagedFields) != 1 {
		t.Fatalf("entries: %+v", out.ManagedFields)
	}
	e := out.ManagedFields[0]
	got := string(e.FieldsV1.Raw)
	want := `{"f:metadata":{"f:labels":{".":{},"f:run":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{}}},"f:restartPolicy":{}}}`
	if got != want || e.Manager != "kubectl-run" || e.Operation != "Update" || e.APIVersion != "v1" || !e.Time.Time.Equal(t0) || e.FieldsType != "FieldsV1" {
		t.Errorf("entry %+v\nfields %s\nwant   %s", e, got, want)
	}
	if !strings.Contains(got, "k:") {
		t.Error("no keyed list item")
	}
}

// BenchmarkCreatePod is the managed fields of one pod create (the
// benchmarks' pod: one container with requests).
func BenchmarkCreatePod(b *testing.B) {
	now := t0
	m := newManagers(b, "v1.27.1", &now)
	k := fieldmanager.Kind{GVK: corev1.SchemeGroupVersion.WithKind("Pod"), HasStatus: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		live := &corev1.Pod{}
		registry.SetGVK(live)
		p := benchPod()
		m.Update(k, live, p, "kubectl-create")
	}
}

func benchPod() *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "pod-1", Namespace: "default"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.9",
			TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: "File", ImagePullPolicy: "IfNotPresent",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("10Mi")}}}},
			RestartPolicy: "Always", DNSPolicy: "ClusterFirst", SchedulerName: "default-scheduler", SecurityContext: &corev1.PodSecurityContext{}}}
	registry.SetGVK(p)
	return p
}

// BenchmarkCreatePodFast is BenchmarkCreatePod through Managers.Create.
func BenchmarkCreatePodFast(b *testing.B) {
	now := t0
	m := newManagers(b, "v1.27.1", &now)
	k := fieldmanager.Kind{GVK: corev1.SchemeGroupVersion.WithKind("Pod"), HasStatus: true}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.Create(k, func() runtime.Object { live := &corev1.Pod{}; registry.SetGVK(live); return live }, benchPod(), "kubectl-create")
	}
}

// BenchmarkNewTypes is what the first write of a process pays once: the
// release's definitions as kube-openapi schemas and their conversion to
// structured-merge-diff types (the decoded data is cached by openapi).
func BenchmarkNewTypes(b *testing.B) {
	if _, err := openapi.Models("v1.27.1", registry.Scheme); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		_, err := fieldmanager.NewTypes(fmt.Sprintf("bench-%d-%d", b.N, i), func() (map[string]*spec.Schema, error) {
			return openapi.Models("v1.27.1", registry.Scheme)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
