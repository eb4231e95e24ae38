package quota

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var now = time.Date(2023, 4, 20, 10, 0, 0, 0, time.UTC)

func strs(l corev1.ResourceList) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		out[string(k)] = v.String()
	}
	return out
}

func TestUsage(t *testing.T) {
	grace := int64(30)
	gone := metav1.NewTime(now.Add(-time.Minute))
	pod := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "i", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("2")}}}},
		Containers: []corev1.Container{
			{Name: "a", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("500m"), "memory": resource.MustParse("64Mi")}, Limits: corev1.ResourceList{"memory": resource.MustParse("128Mi")}}},
			{Name: "b", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("250m")}}},
		}}}
	stuck := pod.DeepCopy()
	stuck.DeletionTimestamp, stuck.DeletionGracePeriodSeconds = &gone, &grace
	done := pod.DeepCopy()
	done.Status.Phase = corev1.PodSucceeded
	for _, tt := range []struct {
		name string
		gr   schema.GroupResource
		obj  runtime.Object
		want map[string]string
	}{
		// The init container's 2 cpu is the pod's request (max of init and sum).
		{"pod", podGR, pod, map[string]string{"count/pods": "1", "pods": "1", "cpu": "2", "requests.cpu": "2", "memory": "64Mi", "requests.memory": "64Mi", "limits.memory": "128Mi"}},
		{"past its grace period", podGR, stuck, map[string]string{"count/pods": "1"}},
		{"succeeded", podGR, done, map[string]string{"count/pods": "1"}},
		{"nodeport service", serviceGR, &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80}, {Port: 443}}}},
			map[string]string{"count/services": "1", "services": "1", "services.nodeports": "2", "services.loadbalancers": "0"}},
		{"configmap", schema.GroupResource{Resource: "configmaps"}, &corev1.ConfigMap{}, map[string]string{"count/configmaps": "1", "configmaps": "1"}},
		{"deployment", schema.GroupResource{Group: "apps", Resource: "deployments"}, &corev1.ConfigMap{}, map[string]string{"count/deployments.apps": "1"}},
	} {
		if diff := cmp.Diff(tt.want, strs(Usage(tt.gr, tt.obj, now))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestConstraintsAndScopes(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{
		{Name: "b", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"cpu": resource.MustParse("1")}}},
		{Name: "a"},
	}}}
	err := Constraints([]corev1.ResourceName{"requests.cpu", "limits.cpu", "pods", "requests.storage"}, pod)
	if want := "must specify limits.cpu for: a,b; requests.cpu for: a"; err == nil || err.Error() != want {
		t.Errorf("Constraints: %v, want %s", err, want)
	}
	hard := corev1.ResourceList{"pods": resource.MustParse("1")}
	be := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}}, Status: corev1.ResourceQuotaStatus{Hard: hard}}
	if Matches(be, podGR, pod) {
		t.Error("a pod with requests matched a BestEffort quota")
	}
	if !Matches(be, podGR, &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "x"}}}}) {
		t.Error("a best-effort pod did not match a BestEffort quota")
	}
	if Matches(be, serviceGR, &corev1.Service{}) {
		t.Error("a service matched a quota on pods")
	}
	if got := PrettyPrint(corev1.ResourceList{"pods": resource.MustParse("1"), "limits.cpu": resource.MustParse("2")}); got != "limits.cpu=2,pods=1" {
		t.Errorf("PrettyPrint: %s", got)
	}
}
