package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestClusterUpgradeServed: the CKA upgrade on a started cluster's hosts,
// seen by the system kubectl. After kubeadm upgrade apply the API server
// reports v1.28.15, so kubectl's dispatcher picks its 1.28 client; the
// control plane's node shows v1.28.15 only once its kubelet restarted.
func TestClusterUpgradeServed(t *testing.T) {
	s := startServed(t, "v1.27.1")
	script := "sed -i 's#/v1.27/#/v1.28/#' /etc/apt/sources.list.d/kubernetes.list && apt-get update >/dev/null && " +
		"apt-mark unhold kubeadm kubelet kubectl >/dev/null && apt-get install -y kubeadm=1.28.15-1.1 >/dev/null && " +
		"kubeadm upgrade apply v1.28.15 -y | tail -3 && apt-get install -y kubelet=1.28.15-1.1 kubectl=1.28.15-1.1 >/dev/null"
	out, code := s.run(s.bin, "ssh", "m.example.com", "--", script)
	if code != 0 || !strings.Contains(out, `[upgrade/successful] SUCCESS! Your cluster was upgraded to "v1.28.15". Enjoy!`) {
		t.Fatalf("upgrade on m: exit %d\n%s", code, out)
	}
	out, code = s.run("kubectl", "version")
	want := "Client Version: v1.28.15\nKustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3\nServer Version: v1.28.15\n"
	if diff := cmp.Diff(want, out); diff != "" || code != 0 {
		t.Errorf("kubectl version after apply: exit %d (-want +got):\n%s", code, diff)
	}
	nodeVersion := func() string {
		out, _ := s.run("kubectl", "get", "node", "m.example.com", "-o", "jsonpath={.status.nodeInfo.kubeletVersion}")
		return out
	}
	if v := nodeVersion(); v != "v1.27.1" {
		t.Errorf("before the kubelet restart m shows %q, want v1.27.1", v)
	}
	if out, code := s.run(s.bin, "ssh", "m.example.com", "--", "systemctl restart kubelet"); code != 0 {
		t.Fatalf("restart: %s", out)
	}
	if v := nodeVersion(); v != "v1.28.15" {
		t.Errorf("after the kubelet restart m shows %q, want v1.28.15", v)
	}
}
