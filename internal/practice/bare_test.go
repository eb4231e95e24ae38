package practice

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kubesim/sim"
)

// TestBareMachines builds the lecture's cluster from bare machines as the
// course does: kubectl refused and the kubelet failing before init,
// kubeadm init on m, join on w1 and w2 (nodes NotReady for want of a
// CNI), a second init and a wrong token refused, flannel applied from
// the catalog's URL, then every node Ready and CoreDNS Running.
func TestBareMachines(t *testing.T) {
	dir := t.TempDir()
	c, err := sim.New(sim.BareMachinesSpec(), sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	env, err := New(c, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	run := func(line string, wantCode int, wants ...string) string {
		t.Helper()
		var out strings.Builder
		code, err := env.Run(context.Background(), line, &out, &out)
		if err != nil {
			t.Fatal(err)
		}
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", line, code, wantCode, out.String())
		}
		for _, w := range wants {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", line, w, out.String())
			}
		}
		return out.String()
	}
	run("kubectl get nodes", 1, "was refused")
	c.Advance(25 * time.Second)
	run("ssh m.example.com kubectl get nodes", 1, "The connection to the server localhost:8080 was refused - did you specify the right host or port?")
	run("ssh w1.example.com journalctl -u kubelet", 0, "failed to load Kubelet config file /var/lib/kubelet/config.yaml")
	c.Advance(25 * time.Second)
	run("ssh w1.example.com journalctl -u kubelet", 0, "restart counter is at 2")
	run("ssh w1.example.com systemctl is-active kubelet", 3, "activating")
	out := run("ssh m.example.com kubeadm init --apiserver-advertise-address=192.168.56.10 --pod-network-cidr=10.244.0.0/16", 0,
		"[kubelet-start] Starting the kubelet\n", "Your Kubernetes control-plane has initialized successfully!", "kubeadm join 192.168.56.10:6443 --token ")
	var join string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "kubeadm join") {
			join = strings.TrimSuffix(l, " \\")
		}
		if strings.HasPrefix(l, "\t--discovery-token-ca-cert-hash") {
			join += " " + strings.TrimSpace(l)
		}
	}
	run("ssh m.example.com kubeadm init", 1, "[ERROR Port-6443]: Port 6443 is in use", "[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty")
	run("ssh m.example.com mkdir -p /root/.kube", 0)
	run("ssh m.example.com cp -i /etc/kubernetes/admin.conf /root/.kube/config", 0)
	run("ssh m.example.com kubectl get nodes", 0, "m.example.com   NotReady   control-plane")
	run("ssh w1.example.com "+join, 0, "This node has joined the cluster:")
	run("ssh w2.example.com kubeadm join 192.168.56.10:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:0000000000000000000000000000000000000000000000000000000000000000", 1,
		`couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"`)
	run("ssh w2.example.com "+strings.Replace(join, "sha256:", "sha256:0", 1)[:len(join)], 1, "none of the public keys")
	run("ssh w2.example.com "+join, 0, "This node has joined the cluster:")
	c.Advance(10 * time.Second)
	run("kubectl get nodes", 0, "w1.example.com   NotReady   <none>", "w2.example.com   NotReady   <none>")
	run("kubectl get pods -n kube-system -l k8s-app=kube-dns", 0, "Pending")
	run("ssh m.example.com kubectl apply -f https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml", 0, "daemonset.apps/kube-flannel-ds created")
	c.Advance(30 * time.Second)
	out = run("kubectl get nodes", 0)
	if strings.Count(out, " Ready ") != 3 {
		t.Errorf("after flannel, want three Ready nodes:\n%s", out)
	}
	out = run("kubectl get pods -n kube-system -l k8s-app=kube-dns", 0)
	if strings.Count(out, "Running") != 2 {
		t.Errorf("after flannel, want both CoreDNS pods Running:\n%s", out)
	}
	run("ssh w1.example.com cat /run/flannel/subnet.env", 0, "FLANNEL_SUBNET=10.244.1.1/24")
	// At the prompt too, the catalog serves the URL (here: unchanged).
	run("kubectl apply -f https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml", 0, "daemonset.apps/kube-flannel-ds unchanged")
	run("ssh w2.example.com kubeadm reset -f", 0, "[reset] Deleting files: [/etc/kubernetes/admin.conf")
	run("ssh w2.example.com systemctl is-active kubelet", 3)
	// The node stays until deleted, NotReady once its lease runs out.
	c.Advance(time.Minute)
	run("kubectl get nodes", 0, "w2.example.com   NotReady   <none>")
	run("kubectl delete node w2.example.com", 0, `node "w2.example.com" deleted`)
}
