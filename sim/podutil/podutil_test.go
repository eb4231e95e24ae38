package podutil

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestUpdatePodCondition(t *testing.T) {
	t0 := metav1.NewTime(time.Date(2023, 4, 20, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	st := &corev1.PodStatus{}
	if !UpdatePodCondition(st, &corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: t0}) {
		t.Fatal("adding a condition reported no change")
	}
	// Same status: the transition time stays, a new reason is a change.
	if !UpdatePodCondition(st, &corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "R", LastTransitionTime: t1}) {
		t.Error("new reason reported no change")
	}
	if UpdatePodCondition(st, &corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "R", LastTransitionTime: t1}) {
		t.Error("identical condition reported a change")
	}
	want := []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "R", LastTransitionTime: t0}}
	if diff := cmp.Diff(want, st.Conditions); diff != "" {
		t.Errorf("same status (-want +got):\n%s", diff)
	}
	// A new status moves the transition time.
	UpdatePodCondition(st, &corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: t1})
	if !IsPodReady(&corev1.Pod{Status: *st}) || !st.Conditions[0].LastTransitionTime.Equal(&t1) || len(st.Conditions) != 1 {
		t.Errorf("after status change: %+v", st.Conditions)
	}
	if i, c := GetPodCondition(st, corev1.PodScheduled); i != -1 || c != nil {
		t.Errorf("GetPodCondition of a missing type = %d, %v", i, c)
	}
}

func TestGetNodeCondition(t *testing.T) {
	st := &corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeMemoryPressure}, {Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}
	i, c := GetNodeCondition(st, corev1.NodeReady)
	if i != 1 || c != &st.Conditions[1] {
		t.Errorf("GetNodeCondition(Ready) = %d, %p; want 1, %p", i, c, &st.Conditions[1])
	}
	if i, c := GetNodeCondition(st, corev1.NodePIDPressure); i != -1 || c != nil {
		t.Errorf("GetNodeCondition of a missing type = %d, %v", i, c)
	}
}
