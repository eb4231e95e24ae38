package hosts

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
)

// TestCgroupDriverMismatch: a kubelet restarted with cgroupDriver:
// cgroupfs against containerd's systemd cgroups runs, but new pods on the
// node cannot get a sandbox (runc's error, as the kubelet's event carries
// it); back to systemd, they start.
func TestCgroupDriverMismatch(t *testing.T) {
	c, hs := newCluster(t)
	out, errs, code := run(t, hs, "w1", "sed -i 's#cgroupDriver: systemd#cgroupDriver: cgroupfs#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; systemctl is-active kubelet")
	if code != 0 || out != "active\n" {
		t.Fatalf("kubelet with cgroupfs: %d %q %q", code, out, errs)
	}
	pods, _ := lookupResource("pods")
	c.Do(func() {
		_, err := c.Registry.Create(pods, "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", UID: "u"},
			Spec: corev1.PodSpec{NodeName: "w1.example.com", Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}, false)
		if err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(30 * time.Second)
	p := podStatus(t, c, "default", "web")
	if p.Status.Phase != corev1.PodPending {
		t.Errorf("pod on a cgroupfs kubelet: %s", p.Status.Phase)
	}
	evs, _ := lookupResource("events")
	var msg string
	c.Locked(func() {
		objs, _, _ := c.Registry.List(evs, "default", registry.ListOptions{})
		for _, o := range objs {
			if e := o.(*corev1.Event); e.Reason == "FailedCreatePodSandBox" && e.InvolvedObject.Name == "web" {
				msg = e.Message
			}
		}
	})
	want := `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/kubepods/besteffort/pod` + string(p.UID) + `/`
	if !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, `" instead: unknown`) {
		t.Errorf("FailedCreatePodSandBox: %q\nwant %q…", msg, want)
	}
	run(t, hs, "w1", "sed -i 's#cgroupDriver: cgroupfs#cgroupDriver: systemd#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 20")
	if p := podStatus(t, c, "default", "web"); p.Status.Phase != corev1.PodRunning {
		t.Errorf("after the driver was set back: %s", p.Status.Phase)
	}
}
