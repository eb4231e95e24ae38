package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidatePodEphemeralContainersUpdate(t *testing.T) {
	dbg := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger-abcde", Image: "busybox:1.28"}}
	old := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "sh1", Namespace: "default", ResourceVersion: "5"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sh1", Image: "busybox:1.28"}}, EphemeralContainers: []corev1.EphemeralContainer{dbg}}}
	with := func(f func(p *corev1.Pod)) *corev1.Pod {
		p := old.DeepCopy()
		f(p)
		return p
	}
	add := func(c corev1.EphemeralContainer) func(p *corev1.Pod) {
		return func(p *corev1.Pod) { p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, c) }
	}
	ec := func(name, target string) corev1.EphemeralContainer {
		return corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: name, Image: "busybox:1.28"}, TargetContainerName: target}
	}
	withPorts := ec("p", "")
	withPorts.Ports = []corev1.ContainerPort{{ContainerPort: 80}}
	for _, tt := range []struct {
		name string
		pod  *corev1.Pod
		want string
	}{
		{"add one", with(add(ec("debugger-fghij", "sh1"))), ""},
		{"removed", with(func(p *corev1.Pod) { p.Spec.EphemeralContainers = nil }), "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger-abcde\" may not be removed\n"},
		{"changed", with(func(p *corev1.Pod) { p.Spec.EphemeralContainers[0].Image = "busybox:1.36" }), "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger-abcde\" may not be changed\n"},
		{"name of a container", with(add(ec("sh1", ""))), "spec.ephemeralContainers[1].name: Duplicate value: \"sh1\""},
		{"ports", with(add(withPorts)), "spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container"},
		{"no target", with(add(ec("x", "nope"))), "spec.ephemeralContainers[1].targetContainerName: Not found: \"nope\""},
	} {
		errs := ValidatePodEphemeralContainersUpdate(tt.pod, old)
		got := ""
		if len(errs) > 0 {
			got = errs.ToAggregate().Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
