package controllers

import (
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func newRS(name string, replicas int32, minReady int32) *appsv1.ReplicaSet {
	labels := map[string]string{"app": name}
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &replicas, MinReadySeconds: minReady,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
		},
	}
}

func TestReplicaSetStatus(t *testing.T) {
	tests := []struct {
		name      string
		replicas  int32
		minReady  int32
		after     time.Duration
		wantReady int32
		wantAvail int32
	}{
		{"ready and available", 3, 0, 10 * time.Second, 3, 3},
		{"minReadySeconds not yet", 2, 30, 10 * time.Second, 2, 0},
		{"minReadySeconds passed", 2, 30, 40 * time.Second, 2, 2},
		{"scale to zero", 0, 0, 10 * time.Second, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "v1.27.1", NewReplicaSet)
			e.kubelet, e.scheduler = true, true
			e.addNode("w1")
			e.create("replicasets", "default", newRS("rs", tt.replicas, tt.minReady))
			e.advance(tt.after)
			rs := getT[*appsv1.ReplicaSet](e, "replicasets", "default", "rs")
			got := []int32{rs.Status.Replicas, rs.Status.FullyLabeledReplicas, rs.Status.ReadyReplicas, rs.Status.AvailableReplicas, int32(rs.Status.ObservedGeneration)}
			want := []int32{tt.replicas, tt.replicas, tt.wantReady, tt.wantAvail, 1}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("replicas/fullyLabeled/ready/available/observedGeneration (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplicaSetAdoptRelease(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewReplicaSet)
	// An orphan matching the selector is adopted and counts.
	e.create("pods", "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "orphan", Labels: map[string]string{"app": "rs"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}})
	e.create("replicasets", "default", newRS("rs", 2, 0))
	e.settle()
	p := getT[*corev1.Pod](e, "pods", "default", "orphan")
	if ref := metav1.GetControllerOf(p); ref == nil || ref.Name != "rs" {
		t.Fatalf("orphan not adopted: %+v", p.OwnerReferences)
	}
	if n := len(listT[*corev1.Pod](e, "pods", "default")); n != 2 {
		t.Fatalf("%d pods, want 2 (adopted orphan + 1 created)", n)
	}
	// Relabelled, it is released and replaced.
	p.Labels = map[string]string{"app": "other"}
	e.update("pods", "default", p, "")
	e.settle()
	p = getT[*corev1.Pod](e, "pods", "default", "orphan")
	if len(p.OwnerReferences) != 0 {
		t.Errorf("released pod keeps owner references %+v", p.OwnerReferences)
	}
	if n := len(listT[*corev1.Pod](e, "pods", "default")); n != 3 {
		t.Errorf("%d pods, want 3 (released + 2 owned)", n)
	}
}

// TestScaleDownRanking checks which pods a scale-down removes first.
func TestScaleDownRanking(t *testing.T) {
	now := testStart.Add(time.Hour)
	ready := func(since time.Duration) []corev1.PodCondition {
		return []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-since))}}
	}
	mk := func(name, node string, phase corev1.PodPhase, conds []corev1.PodCondition, restarts int32, created time.Duration) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(name), CreationTimestamp: metav1.NewTime(now.Add(-created))},
			Spec:       corev1.PodSpec{NodeName: node},
			Status:     corev1.PodStatus{Phase: phase, Conditions: conds, ContainerStatuses: []corev1.ContainerStatus{{RestartCount: restarts}}},
		}
	}
	pods := []*corev1.Pod{
		mk("running-old", "n1", corev1.PodRunning, ready(10*time.Hour), 0, 10*time.Hour),
		mk("unscheduled", "", corev1.PodPending, nil, 0, time.Hour),
		mk("pending", "n1", corev1.PodPending, nil, 0, time.Hour),
		mk("running-new", "n2", corev1.PodRunning, ready(10*time.Second), 0, 10*time.Second),
		mk("not-ready", "n2", corev1.PodRunning, nil, 0, time.Hour),
		mk("restarts", "n2", corev1.PodRunning, ready(10*time.Hour), 5, 10*time.Hour),
	}
	s := rankedPods{pods: pods, rank: make([]int, len(pods)), now: now}
	sort.Sort(s)
	var got []string
	for _, p := range s.pods {
		got = append(got, p.Name)
	}
	want := []string{"unscheduled", "pending", "not-ready", "running-new", "restarts", "running-old"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deletion order (-want +got):\n%s", diff)
	}
}

func TestReplicaSetScaleDownEvents(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewReplicaSet)
	e.kubelet, e.scheduler = true, true
	e.addNode("w1")
	e.create("replicasets", "default", newRS("rs", 3, 0))
	e.advance(10 * time.Second)
	rs := getT[*appsv1.ReplicaSet](e, "replicasets", "default", "rs")
	rs.Spec.Replicas = ptrTo(int32(1))
	e.update("replicasets", "default", rs, "")
	e.advance(10 * time.Second)
	var deleted int
	for _, ev := range e.eventsFor("ReplicaSet", "rs") {
		if len(ev) > 30 && ev[:30] == "Normal SuccessfulDelete Delete" {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("events %q: want 2 SuccessfulDelete", e.eventsFor("ReplicaSet", "rs"))
	}
	if n := len(listT[*corev1.Pod](e, "pods", "default")); n != 1 {
		t.Errorf("%d pods left, want 1", n)
	}
}
