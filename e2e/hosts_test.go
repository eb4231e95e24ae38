package e2e

import (
	"strings"
	"testing"
)

// TestHosts: the nodes as machines through `kubesim ssh` against a served
// cluster: systemd's status block, a stopped kubelet's node NotReady after
// the 40 s grace period and Ready after start, crictl stop counted as a
// restart, and a broken kube-scheduler manifest (ImagePullBackOff, new pods
// Pending) fixed by editing it back.
func TestHosts(t *testing.T) {
	s := startServed(t, "v1.27.1")
	ssh := func(node, script string) string {
		t.Helper()
		out, code := s.run(s.bin, "ssh", node, "--", script)
		if code != 0 {
			t.Fatalf("ssh %s -- %s: exit %d\n%s", node, script, code, out)
		}
		return out
	}
	kubectl := func(args ...string) string {
		t.Helper()
		out, _ := s.run("kubectl", args...)
		return out
	}

	out := ssh("m.example.com", "systemctl status kubelet")
	for _, want := range []string{
		"● kubelet.service - kubelet: The Kubernetes Node Agent\n",
		"     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)\n",
		"    Drop-In: /usr/lib/systemd/system/kubelet.service.d\n             └─10-kubeadm.conf\n",
		"     Active: active (running) since ",
		"     CGroup: /system.slice/kubelet.service\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("systemctl status kubelet lacks %q:\n%s", want, out)
		}
	}
	if out, code := s.run(s.bin, "ssh", "nosuch", "--", "true"); code != 255 || !strings.Contains(out, "Could not resolve hostname nosuch") {
		t.Errorf("ssh to an unknown host: exit %d\n%s", code, out)
	}

	// The kubelet service on w1.
	ssh("w1", "systemctl stop kubelet; sleep 45")
	if out := kubectl("get", "node", "w1.example.com"); !strings.Contains(out, "NotReady") {
		t.Errorf("45 s after systemctl stop kubelet:\n%s", out)
	}
	ssh("w1", "systemctl start kubelet")
	if out := kubectl("get", "node", "w1.example.com", "--no-headers"); !strings.Contains(out, " Ready ") {
		t.Errorf("after systemctl start kubelet:\n%s", out)
	}

	// crictl stop: the kubelet restarts the container and counts it.
	id := strings.TrimSpace(ssh("m", "crictl ps --name kube-controller-manager -q"))
	ssh("m", "crictl stop "+id+" >/dev/null; sleep 5")
	if out := kubectl("-n", "kube-system", "get", "pod", "kube-controller-manager-m.example.com", "--no-headers"); !strings.Contains(out, "Running   1 ") {
		t.Errorf("after crictl stop:\n%s", out)
	}

	// A bad image tag in kube-scheduler.yaml.
	ssh("m", "sed -i 's#kube-scheduler:v1.27.1#kube-scheduler:v1.27.1-broken#' /etc/kubernetes/manifests/kube-scheduler.yaml; sleep 40")
	if out := kubectl("-n", "kube-system", "get", "pod", "kube-scheduler-m.example.com", "--no-headers"); !strings.Contains(out, "ImagePullBackOff") && !strings.Contains(out, "ErrImagePull") {
		t.Errorf("scheduler with a bad tag:\n%s", out)
	}
	kubectl("run", "web", "--image=nginx")
	ssh("m", "sleep 20")
	if out := kubectl("get", "pod", "web", "--no-headers"); !strings.Contains(out, "Pending") {
		t.Errorf("a new pod while the scheduler is down:\n%s", out)
	}
	ssh("m", "sed -i 's#-broken##' /etc/kubernetes/manifests/kube-scheduler.yaml; sleep 30")
	if out := kubectl("get", "pod", "web", "--no-headers"); !strings.Contains(out, "Running") {
		t.Errorf("after fixing the manifest:\n%s", out)
	}

	// etcd: a snapshot saved, an object deleted, the snapshot restored
	// into a new data directory and the manifest pointed at it.
	kubectl("create", "configmap", "keep", "--from-literal=k=v")
	certs := "--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key"
	if out := ssh("m", "ETCDCTL_API=3 etcdctl "+certs+" snapshot save /opt/snap.db 2>/dev/null"); out != "Snapshot saved at /opt/snap.db\n" {
		t.Errorf("snapshot save: %q", out)
	}
	kubectl("delete", "configmap", "keep")
	if out := kubectl("get", "configmap", "keep"); !strings.Contains(out, "NotFound") {
		t.Fatalf("deleted configmap:\n%s", out)
	}
	ssh("m", "etcdutl snapshot restore /opt/snap.db --data-dir /var/lib/etcd-backup 2>/dev/null && sed -i 's#path: /var/lib/etcd$#path: /var/lib/etcd-backup#' /etc/kubernetes/manifests/etcd.yaml")
	if out := kubectl("get", "configmap", "keep", "-o", "jsonpath={.data.k}"); out != "v" {
		t.Errorf("after the restore: %q", out)
	}
}
