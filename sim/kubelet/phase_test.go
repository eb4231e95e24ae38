package kubelet

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestPodPhase checks podPhase against upstream getPhase's rules.
func TestPodPhase(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	yes, no := true, false
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	waiting := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	crashLoop := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	exited := func(code int32) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
	}
	st := func(name string, s corev1.ContainerState, last *corev1.ContainerStateTerminated, started *bool) corev1.ContainerStatus {
		cs := corev1.ContainerStatus{Name: name, State: s, Started: started}
		if last != nil {
			cs.LastTerminationState.Terminated = last
		}
		return cs
	}
	failedBefore := &corev1.ContainerStateTerminated{ExitCode: 3}
	app := []corev1.Container{{Name: "app"}}
	tests := []struct {
		name   string
		policy corev1.RestartPolicy
		inits  []corev1.Container
		is, cs []corev1.ContainerStatus
		want   corev1.PodPhase
	}{
		{"creating", corev1.RestartPolicyAlways, nil, nil, []corev1.ContainerStatus{st("app", waiting, nil, nil)}, corev1.PodPending},
		{"running", corev1.RestartPolicyAlways, nil, nil, []corev1.ContainerStatus{st("app", running, nil, nil)}, corev1.PodRunning},
		{"crash loop stays Running", corev1.RestartPolicyAlways, nil, nil, []corev1.ContainerStatus{st("app", crashLoop, failedBefore, nil)}, corev1.PodRunning},
		{"OnFailure restarting", corev1.RestartPolicyOnFailure, nil, nil, []corev1.ContainerStatus{st("app", crashLoop, failedBefore, nil)}, corev1.PodRunning},
		{"Never failed", corev1.RestartPolicyNever, nil, nil, []corev1.ContainerStatus{st("app", exited(1), nil, nil)}, corev1.PodFailed},
		{"Never succeeded", corev1.RestartPolicyNever, nil, nil, []corev1.ContainerStatus{st("app", exited(0), nil, nil)}, corev1.PodSucceeded},
		{"init running", corev1.RestartPolicyAlways, []corev1.Container{{Name: "i"}}, []corev1.ContainerStatus{st("i", running, nil, nil)}, []corev1.ContainerStatus{st("app", waiting, nil, nil)}, corev1.PodPending},
		{"init failed Never", corev1.RestartPolicyNever, []corev1.Container{{Name: "i"}}, []corev1.ContainerStatus{st("i", exited(1), nil, nil)}, []corev1.ContainerStatus{st("app", waiting, nil, nil)}, corev1.PodFailed},
		{"sidecar starting", corev1.RestartPolicyAlways, []corev1.Container{{Name: "s", RestartPolicy: &always}}, []corev1.ContainerStatus{st("s", running, nil, &no)}, []corev1.ContainerStatus{st("app", waiting, nil, nil)}, corev1.PodPending},
		{"sidecar and app running", corev1.RestartPolicyAlways, []corev1.Container{{Name: "s", RestartPolicy: &always}}, []corev1.ContainerStatus{st("s", running, nil, &yes)}, []corev1.ContainerStatus{st("app", running, nil, nil)}, corev1.PodRunning},
		{"app done, sidecar stopped", corev1.RestartPolicyNever, []corev1.Container{{Name: "s", RestartPolicy: &always}}, []corev1.ContainerStatus{st("s", exited(137), nil, &no)}, []corev1.ContainerStatus{st("app", exited(0), nil, nil)}, corev1.PodSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &corev1.PodSpec{RestartPolicy: tt.policy, InitContainers: tt.inits, Containers: app}
			if got := podPhase(spec, tt.is, tt.cs, false); got != tt.want {
				t.Errorf("phase %s, want %s", got, tt.want)
			}
		})
	}
}
