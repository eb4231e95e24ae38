package sim

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
)

// TestEphemeralContainer: a container added through
// pods/ephemeralcontainers is pulled, created and started by the kubelet
// (events under spec.ephemeralContainers{dbg}), reported running and not
// ready in ephemeralContainerStatuses, and stays terminated when it exits
// although the pod restarts its containers Always.
func TestEphemeralContainer(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pods := c.res("", "pods")
	c.Do(func() {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}
		if _, err := c.Registry.Create(pods, "default", p, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(time.Minute)
	c.Do(func() {
		o, _ := c.Registry.Get(pods, "default", "web")
		p := o.(*corev1.Pod).DeepCopy()
		p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, corev1.EphemeralContainer{TargetContainerName: "web",
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "dbg", Image: "busybox:1.28", Command: []string{"sh", "-c", "sleep 30"},
				TerminationMessagePolicy: corev1.TerminationMessageReadFile, ImagePullPolicy: corev1.PullIfNotPresent}})
		if _, err := c.Registry.Update(pods, "default", p, "ephemeralcontainers"); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(5 * time.Second)
	status := func() corev1.ContainerStatus {
		var st []corev1.ContainerStatus
		c.Do(func() {
			o, _ := c.Registry.Get(pods, "default", "web")
			st = o.(*corev1.Pod).Status.EphemeralContainerStatuses
		})
		if len(st) != 1 {
			t.Fatalf("ephemeralContainerStatuses = %v, want one", st)
		}
		return st[0]
	}
	if st := status(); st.Name != "dbg" || st.State.Running == nil || st.Ready {
		t.Errorf("after start: %+v, want dbg running, not ready", st)
	}
	var started bool
	c.Do(func() {
		evs, _, _ := c.Registry.List(c.res("", "events"), "default", registry.ListOptions{})
		for _, o := range evs {
			e := o.(*corev1.Event)
			started = started || e.Reason == "Started" && e.InvolvedObject.FieldPath == "spec.ephemeralContainers{dbg}" && e.Message == "Started container dbg"
		}
	})
	if !started {
		t.Error("no Started event for spec.ephemeralContainers{dbg}")
	}
	c.Advance(2 * time.Minute)
	if st := status(); st.State.Terminated == nil || st.State.Terminated.ExitCode != 0 || st.RestartCount != 0 {
		t.Errorf("after exit: %+v, want terminated with 0, no restart", st)
	}
}
