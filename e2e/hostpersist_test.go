package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServedHostsOutliveStop: kubesim stop and start keep what was done on
// the hosts: a file written in /root, an edited manifest, a disabled and
// stopped kubelet (the node stays NotReady), all in the state directory's
// hosts.tar.gz; the control plane's ca.crt is the cluster CA the user's
// kubeconfig trusts.
func TestServedHostsOutliveStop(t *testing.T) {
	s := startServed(t, "v1.27.1")
	ssh := func(node, script string) string {
		t.Helper()
		out, code := s.run(s.bin, "ssh", node, "--", script)
		if code != 0 {
			t.Fatalf("ssh %s %q: exit %d\n%s", node, script, code, out)
		}
		return out
	}
	ssh("m", "echo backup > /root/backup.db; sed -i 's/--leader-elect=true/--leader-elect=false/' /etc/kubernetes/manifests/kube-scheduler.yaml")
	ssh("w1", "systemctl disable --now kubelet")
	s.stop()
	if _, err := os.Stat(filepath.Join(s.dir, "state", "hosts.tar.gz")); err != nil {
		t.Fatalf("the hosts' state is not in the state directory: %v", err)
	}
	s.startOut()
	if got := ssh("m", "cat /root/backup.db; grep -c leader-elect=false /etc/kubernetes/manifests/kube-scheduler.yaml"); got != "backup\n1\n" {
		t.Errorf("m after start:\n%s", got)
	}
	out, _ := s.run(s.bin, "ssh", "w1", "--", "systemctl is-active kubelet; systemctl is-enabled kubelet")
	if out != "inactive\ndisabled\n" {
		t.Errorf("w1's kubelet after start:\n%s", out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.nodes(); !strings.Contains(got, "w1.example.com Unknown") {
		t.Errorf("w1 with its kubelet stopped across the stop:\n%s", got)
	}

	// The control plane's CA is the cluster's.
	kc, err := os.ReadFile(filepath.Join(s.dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`certificate-authority-data: (\S+)`).FindSubmatch(kc)
	if m == nil {
		t.Fatalf("no CA in the kubeconfig:\n%s", kc)
	}
	ca, _ := base64.StdEncoding.DecodeString(string(m[1]))
	if got := ssh("m", "cat /etc/kubernetes/pki/ca.crt"); got != string(ca) {
		t.Errorf("the control plane's ca.crt is not the CA the kubeconfig trusts:\n%s\nwant\n%s", got, ca)
	}
}
