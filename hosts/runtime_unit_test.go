package hosts

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestStopContainerd: a stopped containerd takes the node's runtime away
// from the kubelet (NotReady, "container runtime is down") and from
// crictl; started again, the node is Ready.
func TestStopContainerd(t *testing.T) {
	c, hs := newCluster(t)
	readyCond := func() corev1.NodeCondition {
		res, _ := lookupResource("nodes")
		var out corev1.NodeCondition
		c.Locked(func() {
			obj, err := c.Registry.Get(res, "", "w1.example.com")
			if err != nil {
				t.Fatal(err)
			}
			for _, cond := range obj.(*corev1.Node).Status.Conditions {
				if cond.Type == corev1.NodeReady {
					out = cond
				}
			}
		})
		return out
	}
	out, _, code := run(t, hs, "w1", "systemctl stop containerd; systemctl is-active containerd")
	if code != 3 || out != "inactive\n" {
		t.Fatalf("is-active after stop: %d %q", code, out)
	}
	_, errs, code := run(t, hs, "w1", "crictl ps")
	want := `FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint "unix:///var/run/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial unix /var/run/containerd/containerd.sock: connect: no such file or directory"` + " \n"
	if code != 1 || errs != want {
		t.Errorf("crictl with containerd stopped: exit %d\n%q\nwant\n%q", code, errs, want)
	}
	run(t, hs, "w1", "sleep 30")
	if got := readyCond(); got.Status != corev1.ConditionTrue {
		t.Errorf("30 s after the stop: Ready=%s, want True still", got.Status)
	}
	run(t, hs, "w1", "sleep 15")
	if got := readyCond(); got.Status != corev1.ConditionFalse || got.Reason != "KubeletNotReady" || got.Message != "container runtime is down" {
		t.Errorf("45 s after the stop: %+v", got)
	}
	// A kubelet restarted meanwhile cannot reach the runtime either.
	out, _, _ = run(t, hs, "w1", "systemctl restart kubelet; systemctl is-active kubelet; journalctl -u kubelet | grep 'command failed'")
	if !strings.HasPrefix(out, "activating\n") || !strings.Contains(out, `"command failed" err="failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint \"unix:///var/run/containerd/containerd.sock\": rpc error: code = Unavailable`) {
		t.Errorf("kubelet restarted without a runtime:\n%s", out)
	}
	out, errs, code = run(t, hs, "w1", "systemctl start containerd; sleep 10; systemctl is-active kubelet; crictl ps | head -n 1")
	if code != 0 || !strings.HasPrefix(out, "active\nCONTAINER ") {
		t.Errorf("after starting containerd: %d %q %q", code, out, errs)
	}
	if got := readyCond(); got.Status != corev1.ConditionTrue {
		t.Errorf("after starting containerd: %+v", got)
	}
}
