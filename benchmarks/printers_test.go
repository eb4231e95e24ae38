package benchmarks

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/apiserver/printers"
)

// printerPods builds n running pods shaped like the lecture's: one container,
// a restart, an IP, a node, labels and managed fields.
func printerPods(n int, now time.Time) []runtime.Object {
	objs := make([]runtime.Object, n)
	for i := range objs {
		started := true
		objs[i] = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name: fmt.Sprintf("web-7d4b9c8f5-%05d", i), Namespace: "default",
				UID:               "4b1c9e43-5f0e-4a59-8f43-0c1b2f6d8a01",
				ResourceVersion:   fmt.Sprint(1000 + i),
				CreationTimestamp: metav1.NewTime(now.Add(-time.Duration(i) * time.Second)),
				Labels:            map[string]string{"app": "web", "pod-template-hash": "7d4b9c8f5"},
				ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1"}},
			},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("w%d.example.com", i%2+1), Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.25"}}},
			Status: corev1.PodStatus{
				Phase:      corev1.PodRunning,
				PodIPs:     []corev1.PodIP{{IP: fmt.Sprintf("10.244.%d.%d", i%2+1, i%250+2)}},
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "nginx", Ready: true, Started: &started, RestartCount: int32(i % 3),
					State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(now.Add(-time.Minute))}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: metav1.NewTime(now.Add(-2 * time.Minute))}},
				}},
			},
		}
	}
	return objs
}

// BenchmarkPrintersPodTable measures building the pods Table for `kubectl get
// pods` (includeObject=Metadata), alone and with the JSON encoding the API
// server does next.
func BenchmarkPrintersPodTable(b *testing.B) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	gr := schema.GroupResource{Resource: "pods"}
	opts := printers.Options{Now: now, Version: "v1.27.1"}
	for _, n := range []int{100, 1000, 10000} {
		objs := printerPods(n, now)
		lm := metav1.ListMeta{ResourceVersion: "99999"}
		b.Run(fmt.Sprintf("pods=%d/build", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := printers.Table(gr, objs, lm, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("pods=%d/build+encode", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tbl, err := printers.Table(gr, objs, lm, opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := json.NewEncoder(io.Discard).Encode(tbl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
