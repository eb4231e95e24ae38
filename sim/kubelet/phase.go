package kubelet

import corev1 "k8s.io/api/core/v1"

// isSidecar reports whether an init container is a restartable one (a
// native sidecar: restartPolicy Always, beta and on by default from 1.29).
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podPhase is the kubelet's getPhase (pkg/kubelet/kubelet_pods.go): the
// phase follows from the spec and the container statuses. A container
// waiting to restart after it ran counts as stopped, not waiting, so a
// crash-looping container leaves a restartPolicy Always pod Running.
func podPhase(spec *corev1.PodSpec, inits, ctrs []corev1.ContainerStatus, terminal bool) corev1.PodPhase {
	pendingInit, failedInit := 0, 0
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if isSidecar(c) {
			continue
		}
		s := statusOf(inits, c.Name)
		switch {
		case s == nil:
			pendingInit++
		case s.State.Running != nil:
			pendingInit++
		case s.State.Terminated != nil:
			if s.State.Terminated.ExitCode != 0 {
				failedInit++
			}
		case s.State.Waiting != nil:
			if t := s.LastTerminationState.Terminated; t != nil {
				if t.ExitCode != 0 {
					failedInit++
				}
			} else {
				pendingInit++
			}
		default:
			pendingInit++
		}
	}
	unknown, running, waiting, stopped, succeeded := 0, 0, 0, 0, 0
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		if !isSidecar(c) {
			continue
		}
		s := statusOf(inits, c.Name)
		switch {
		case s == nil:
			unknown++
		case s.State.Running != nil:
			if s.Started == nil || !*s.Started {
				pendingInit++
			}
			running++
		case s.State.Terminated != nil:
			// A stopped sidecar counts neither way.
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated == nil {
				pendingInit++
				waiting++
			}
		default:
			pendingInit++
			unknown++
		}
	}
	anyStarted := false
	for i := range spec.Containers {
		s := statusOf(ctrs, spec.Containers[i].Name)
		switch {
		case s == nil:
			unknown++
		case s.State.Running != nil:
			running++
			anyStarted = true
		case s.State.Terminated != nil:
			stopped++
			anyStarted = true
			if s.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case s.State.Waiting != nil:
			if s.LastTerminationState.Terminated != nil {
				stopped++
			} else {
				waiting++
			}
		default:
			unknown++
		}
	}
	if failedInit > 0 && spec.RestartPolicy == corev1.RestartPolicyNever {
		return corev1.PodFailed
	}
	switch {
	case (pendingInit > 0 && !anyStarted) || waiting > 0:
		return corev1.PodPending
	case running > 0 && unknown == 0:
		return corev1.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if terminal {
			if stopped == succeeded {
				return corev1.PodSucceeded
			}
			return corev1.PodFailed
		}
		if spec.RestartPolicy == corev1.RestartPolicyAlways {
			return corev1.PodRunning // every container is restarting
		}
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
		if spec.RestartPolicy == corev1.RestartPolicyNever {
			return corev1.PodFailed
		}
		return corev1.PodRunning // OnFailure, restarting the failed ones
	}
	return corev1.PodPending
}
