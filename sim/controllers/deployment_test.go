package controllers

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/loop"
)

func deployControllers(ctx Context) []func(Context) (loop.Component, error) {
	return []func(Context) (loop.Component, error){NewDeployment, NewReplicaSet, NewGarbageCollector}
}

func newDeploy(name string, replicas int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: image}}},
			},
		},
	}
}

// deployState summarises what kubectl get deploy/rs/pods would show.
type deployState struct {
	Ready, UpToDate, Available int32
	ReplicaSets                []string // name=spec/ready
	Pods                       int
	Conditions                 []string // Type=Status/Reason: Message
}

func (e *env) deployState(name string) deployState {
	d := getT[*appsv1.Deployment](e, "deployments", "default", name)
	var s deployState
	s.Ready, s.UpToDate, s.Available = d.Status.ReadyReplicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas
	for _, rs := range listT[*appsv1.ReplicaSet](e, "replicasets", "default") {
		s.ReplicaSets = append(s.ReplicaSets, fmt.Sprintf("%s=%d/%d", rs.Name, *rs.Spec.Replicas, rs.Status.ReadyReplicas))
	}
	for _, p := range listT[*corev1.Pod](e, "pods", "default") {
		if isPodActive(p) {
			s.Pods++
		}
	}
	for _, c := range d.Status.Conditions {
		s.Conditions = append(s.Conditions, fmt.Sprintf("%s=%s/%s: %s", c.Type, c.Status, c.Reason, c.Message))
	}
	return s
}

func TestDeploymentCreate(t *testing.T) {
	tests := []struct {
		name, version string
		replicas      int32
		wantEvent     string
	}{
		{"v1.27 wording", "v1.27.1", 3, "Normal ScalingReplicaSet Scaled up replica set nginx-%s to 3"},
		{"v1.32 wording", "v1.32.0", 2, "Normal ScalingReplicaSet Scaled up replica set nginx-%s from 0 to 2"},
		{"zero replicas", "v1.27.1", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.version, NewDeployment, NewReplicaSet, NewGarbageCollector)
			e.kubelet, e.scheduler = true, true
			e.addNode("w1")
			d := e.create("deployments", "default", newDeploy("nginx", tt.replicas, "nginx:1.25")).(*appsv1.Deployment)
			e.advance(time.Minute)
			hash := ComputeHash(&d.Spec.Template, nil)
			rsName := "nginx-" + hash
			want := deployState{Ready: tt.replicas, UpToDate: tt.replicas, Available: tt.replicas,
				ReplicaSets: []string{fmt.Sprintf("%s=%d/%d", rsName, tt.replicas, tt.replicas)}, Pods: int(tt.replicas),
				Conditions: []string{
					"Available=True/MinimumReplicasAvailable: Deployment has minimum availability.",
					fmt.Sprintf("Progressing=True/NewReplicaSetAvailable: ReplicaSet %q has successfully progressed.", rsName),
				}}
			if diff := cmp.Diff(want, e.deployState("nginx")); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			rs := getT[*appsv1.ReplicaSet](e, "replicasets", "default", rsName)
			wantAnn := map[string]string{revisionAnnotation: "1", desiredReplicasAnnotation: fmt.Sprint(tt.replicas),
				maxReplicasAnnotation: fmt.Sprint(tt.replicas + (tt.replicas+3)/4)}
			if diff := cmp.Diff(wantAnn, rs.Annotations); diff != "" {
				t.Errorf("rs annotations (-want +got):\n%s", diff)
			}
			if got := rs.Labels[podTemplateHashLabel]; got != hash {
				t.Errorf("rs label pod-template-hash = %q, want %q", got, hash)
			}
			if got := getT[*appsv1.Deployment](e, "deployments", "default", "nginx").Annotations[revisionAnnotation]; got != "1" {
				t.Errorf("deployment revision = %q, want 1", got)
			}
			podName := regexp.MustCompile("^" + rsName + "-[bcdfghjklmnpqrstvwxz2456789]{5}$")
			for _, p := range listT[*corev1.Pod](e, "pods", "default") {
				if !podName.MatchString(p.Name) {
					t.Errorf("pod name %q does not match %s", p.Name, podName)
				}
				ref := metav1.GetControllerOf(p)
				if ref == nil || ref.Name != rsName || ref.Kind != "ReplicaSet" || !*ref.BlockOwnerDeletion {
					t.Errorf("pod %s controller ref = %+v", p.Name, ref)
				}
			}
			var wantEvents []string
			if tt.wantEvent != "" {
				wantEvents = []string{fmt.Sprintf(tt.wantEvent, hash)}
			}
			if diff := cmp.Diff(wantEvents, e.eventsFor("Deployment", "nginx")); diff != "" {
				t.Errorf("deployment events (-want +got):\n%s", diff)
			}
			if got := len(e.eventsFor("ReplicaSet", rsName)); got != int(tt.replicas) {
				t.Errorf("replicaset has %d events, want %d Created pod events", got, tt.replicas)
			}
		})
	}
}

func TestDeploymentScaleAndRollout(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewDeployment, NewReplicaSet, NewGarbageCollector)
	e.kubelet, e.scheduler = true, true
	e.addNode("w1")
	d := e.create("deployments", "default", newDeploy("web", 4, "httpd:2.4")).(*appsv1.Deployment)
	e.advance(time.Minute)
	oldRS := "web-" + ComputeHash(&d.Spec.Template, nil)

	// Scale up and down.
	for _, n := range []int32{6, 2} {
		d = getT[*appsv1.Deployment](e, "deployments", "default", "web")
		d.Spec.Replicas = &n
		e.update("deployments", "default", d, "")
		e.advance(time.Minute)
		if s := e.deployState("web"); s.Pods != int(n) || s.Available != n {
			t.Fatalf("after scale to %d: %+v", n, s)
		}
	}
	// New image: a second ReplicaSet takes over.
	d = getT[*appsv1.Deployment](e, "deployments", "default", "web")
	d.Spec.Template.Spec.Containers[0].Image = "httpd:2.4.57"
	e.update("deployments", "default", d, "")
	e.advance(time.Minute)
	d = getT[*appsv1.Deployment](e, "deployments", "default", "web")
	newRS := "web-" + ComputeHash(&d.Spec.Template, nil)
	want := deployState{Ready: 2, UpToDate: 2, Available: 2,
		ReplicaSets: sortedStrings(oldRS+"=0/0", newRS+"=2/2"), Pods: 2,
		Conditions: []string{
			"Available=True/MinimumReplicasAvailable: Deployment has minimum availability.",
			fmt.Sprintf("Progressing=True/NewReplicaSetAvailable: ReplicaSet %q has successfully progressed.", newRS),
		}}
	if diff := cmp.Diff(want, e.deployState("web")); diff != "" {
		t.Errorf("after rollout (-want +got):\n%s", diff)
	}
	if got := d.Annotations[revisionAnnotation]; got != "2" {
		t.Errorf("deployment revision = %q, want 2", got)
	}
	wantEvents := []string{
		"Normal ScalingReplicaSet Scaled up replica set " + oldRS + " to 4",
		"Normal ScalingReplicaSet Scaled up replica set " + oldRS + " to 6 from 4",
		"Normal ScalingReplicaSet Scaled down replica set " + oldRS + " to 2 from 6",
		"Normal ScalingReplicaSet Scaled up replica set " + newRS + " to 1",
		"Normal ScalingReplicaSet Scaled down replica set " + oldRS + " to 1 from 2",
		"Normal ScalingReplicaSet Scaled up replica set " + newRS + " to 2 from 1",
		"Normal ScalingReplicaSet Scaled down replica set " + oldRS + " to 0 from 1",
	}
	if diff := cmp.Diff(wantEvents, e.eventsFor("Deployment", "web")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// Rollback to the first template reuses the old ReplicaSet with revision 3.
	d = getT[*appsv1.Deployment](e, "deployments", "default", "web")
	d.Spec.Template.Spec.Containers[0].Image = "httpd:2.4"
	e.update("deployments", "default", d, "")
	e.advance(time.Minute)
	rs := getT[*appsv1.ReplicaSet](e, "replicasets", "default", oldRS)
	if rs.Annotations[revisionAnnotation] != "3" || rs.Annotations[revisionHistoryAnnotation] != "1" || *rs.Spec.Replicas != 2 {
		t.Errorf("rolled-back rs: replicas %d annotations %v", *rs.Spec.Replicas, rs.Annotations)
	}

	// Deleting the deployment removes everything through the GC.
	if _, err := e.reg.Delete(res("deployments"), "default", "web", nil); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	if n := len(listT[*appsv1.ReplicaSet](e, "replicasets", "default")) + len(listT[*corev1.Pod](e, "pods", "default")); n != 0 {
		t.Errorf("%d replicasets and pods left after deleting the deployment", n)
	}
}

func sortedStrings(s ...string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestDeploymentRecreateAndPause(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewDeployment, NewReplicaSet, NewGarbageCollector)
	e.kubelet, e.scheduler = true, true
	e.addNode("w1")
	d := newDeploy("db", 2, "postgres:15")
	d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType
	e.create("deployments", "default", d)
	e.advance(time.Minute)
	d = getT[*appsv1.Deployment](e, "deployments", "default", "db")
	d.Spec.Template.Spec.Containers[0].Image = "postgres:16"
	e.update("deployments", "default", d, "")
	e.advance(time.Minute)
	if s := e.deployState("db"); s.UpToDate != 2 || s.Pods != 2 {
		t.Errorf("recreate: %+v", s)
	}
	// Pause, change, nothing rolls; the condition says paused.
	d = getT[*appsv1.Deployment](e, "deployments", "default", "db")
	d.Spec.Paused = true
	d.Spec.Template.Spec.Containers[0].Image = "postgres:17"
	e.update("deployments", "default", d, "")
	e.advance(time.Minute)
	s := e.deployState("db")
	if len(s.ReplicaSets) != 2 || !strings.Contains(strings.Join(s.Conditions, ";"), "Progressing=Unknown/DeploymentPaused: Deployment is paused") {
		t.Errorf("paused: %+v", s)
	}
}

func TestDeploymentProgressDeadline(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewDeployment, NewReplicaSet)
	// No kubelet: pods never become ready.
	d := newDeploy("stuck", 1, "nginx:bad")
	d.Spec.ProgressDeadlineSeconds = ptrTo(int32(30))
	e.create("deployments", "default", d)
	e.advance(time.Minute)
	e.advance(40 * time.Second)
	got := e.deployState("stuck").Conditions
	rs := listT[*appsv1.ReplicaSet](e, "replicasets", "default")[0].Name
	want := []string{
		"Available=False/MinimumReplicasUnavailable: Deployment does not have minimum availability.",
		fmt.Sprintf("Progressing=False/ProgressDeadlineExceeded: ReplicaSet %q has timed out progressing.", rs),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
}
