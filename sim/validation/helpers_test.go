package validation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// invalid formats errs as kube-apiserver answers them: "" when there are none.
func invalid(gk schema.GroupKind, name string, errs field.ErrorList) string {
	if len(errs) == 0 {
		return ""
	}
	return apierrors.NewInvalid(gk, name, errs).Error()
}

// check compares the formatted error of one table row.
func check(t *testing.T, want, got string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error text (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

// podSpec is a pod spec as the registry leaves it after defaulting.
func podSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "web", Image: "nginx",
			TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			ImagePullPolicy: corev1.PullAlways,
		}},
		RestartPolicy: corev1.RestartPolicyAlways, DNSPolicy: corev1.DNSClusterFirst,
		TerminationGracePeriodSeconds: ptr(int64(30)), SchedulerName: "default-scheduler",
	}
}

func objMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", UID: "u1", ResourceVersion: "5"}
}

func qty(s string) resource.Quantity { return resource.MustParse(s) }
