package hosts

import (
	"strings"
	"testing"
)

// TestStaticPodPath: a kubelet restarted with a staticPodPath that does
// not exist logs upstream's line and stops the static pods, and with them
// the API; set back and restarted, the control plane returns.
func TestStaticPodPath(t *testing.T) {
	c, hs := newCluster(t)
	serving := func() bool {
		var up bool
		c.Locked(func() { up = c.APIServing() })
		return up
	}
	out, errs, code := run(t, hs, "m", "sed -i 's#staticPodPath: /etc/kubernetes/manifests#staticPodPath: /etc/kubernetes/manifest#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 5; systemctl is-active kubelet; journalctl -u kubelet | grep file_linux; crictl ps --name kube-apiserver -q | wc -l")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "active\n") || !strings.Contains(out, ` file_linux.go:61] "Unable to read config path" err="path does not exist, ignoring" path="/etc/kubernetes/manifest"`+"\n0\n") {
		t.Errorf("kubelet with a missing staticPodPath:\n%s", out)
	}
	if serving() {
		t.Error("API serving without its static pod")
	}
	if p := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com"); p != nil {
		t.Errorf("the scheduler's mirror pod is still there: %s", p.Status.Phase)
	}
	run(t, hs, "m", "sed -i 's#staticPodPath: /etc/kubernetes/manifest$#staticPodPath: /etc/kubernetes/manifests#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 5")
	if !serving() {
		t.Error("API not serving after the path was set back")
	}
	if p := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com"); p == nil {
		t.Error("no scheduler pod after the path was set back")
	}
}
