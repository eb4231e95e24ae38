package hosts

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim"
)

func newCluster(t *testing.T) (*sim.Cluster, *Hosts) {
	t.Helper()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Advance(time.Minute)
	return c, For(c)
}

func run(t *testing.T, hs *Hosts, host, script string) (string, string, int) {
	t.Helper()
	var out, errb strings.Builder
	code, err := hs.Run(context.Background(), host, script, RunOptions{Stdout: &out, Stderr: &errb})
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func nodeReady(t *testing.T, c *sim.Cluster, name string) corev1.ConditionStatus {
	t.Helper()
	res, _ := lookupResource("nodes")
	var st corev1.ConditionStatus
	c.Locked(func() {
		obj, err := c.Registry.Get(res, "", name)
		if err != nil {
			t.Fatal(err)
		}
		for _, cond := range obj.(*corev1.Node).Status.Conditions {
			if cond.Type == corev1.NodeReady {
				st = cond.Status
			}
		}
	})
	return st
}

func TestFilesAndStatus(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m.example.com", "ls /etc/kubernetes /etc/kubernetes/manifests; cat /run/flannel/subnet.env; grep w1 /etc/hosts; systemctl status kubelet")
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, errs)
	}
	for _, want := range []string{"admin.conf\n", "kube-scheduler.yaml\n", "FLANNEL_SUBNET=10.244.0.1/24\n", "192.168.56.11 w1.example.com w1\n",
		"● kubelet.service - kubelet: The Kubernetes Node Agent\n     Loaded: loaded (/lib/systemd/system/kubelet.service; enabled; vendor preset: enabled)\n    Drop-In: /usr/lib/systemd/system/kubelet.service.d\n             └─10-kubeadm.conf\n     Active: active (running) since Wed 2023-04-19 13:00:00 UTC; 1min 0s ago\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// A worker has no admin.conf and no manifests.
	if _, _, code := run(t, hs, "w1", "test -f /etc/kubernetes/admin.conf"); code == 0 {
		t.Error("w1 has /etc/kubernetes/admin.conf")
	}
}

func TestStopKubelet(t *testing.T) {
	c, hs := newCluster(t)
	if _, errs, code := run(t, hs, "w1", "systemctl stop kubelet; systemctl is-active kubelet; sleep 30"); code != 0 {
		t.Fatalf("stop: %d %s", code, errs)
	}
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionTrue {
		t.Fatalf("30s after stop: Ready=%s, want True (grace 40s)", got)
	}
	run(t, hs, "w1", "sleep 15")
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionUnknown {
		t.Fatalf("45s after stop: Ready=%s, want Unknown", got)
	}
	out, _, code := run(t, hs, "w1.example.com", "systemctl status kubelet")
	if code != 3 || !strings.Contains(out, "○ kubelet.service") || !strings.Contains(out, "Active: inactive (dead) since") {
		t.Fatalf("status of a stopped kubelet: code %d\n%s", code, out)
	}
	run(t, hs, "w1", "systemctl start kubelet")
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionTrue {
		t.Fatalf("after start: Ready=%s, want True", got)
	}
	out, _, _ = run(t, hs, "w1", "journalctl -u kubelet --no-pager | tail -n 6")
	for _, want := range []string{"systemd[1]: Stopped kubelet: The Kubernetes Node Agent.", "systemd[1]: Started kubelet: The Kubernetes Node Agent."} {
		if !strings.Contains(out, want) {
			t.Errorf("journal lacks %q:\n%s", want, out)
		}
	}
}

func TestSessionDir(t *testing.T) {
	_, hs := newCluster(t)
	var out strings.Builder
	hs.Run(context.Background(), "m", "cd /etc/kubernetes/manifests", RunOptions{Stdout: &out, Stderr: &out, Session: true})
	if p := hs.Prompt("m"); p != "root@m:/etc/kubernetes/manifests# " {
		t.Fatalf("prompt %q (%s)", p, out.String())
	}
	hs.Run(context.Background(), "m", "ls", RunOptions{Stdout: &out, Stderr: &out, Session: true})
	if !strings.Contains(out.String(), "etcd.yaml") {
		t.Fatalf("ls in the session's directory: %q", out.String())
	}
}

func podStatus(t *testing.T, c *sim.Cluster, ns, name string) *corev1.Pod {
	t.Helper()
	res, _ := lookupResource("pods")
	var p *corev1.Pod
	c.Locked(func() {
		if obj, err := c.Registry.Get(res, ns, name); err == nil {
			p = obj.(*corev1.Pod)
		}
	})
	return p
}

func TestCrictlStopRestarts(t *testing.T) {
	c, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", "crictl ps --name kube-scheduler -q")
	if code != 0 || out == "" {
		t.Fatalf("crictl ps: %d %q %q", code, out, errs)
	}
	id := strings.TrimSpace(out)[:13]
	if out, errs, code := run(t, hs, "m", "crictl stop "+id); code != 0 || out != id+"\n" {
		t.Fatalf("crictl stop: %d %q %q", code, out, errs)
	}
	c.Advance(time.Minute)
	p := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com")
	if p == nil || p.Status.ContainerStatuses[0].RestartCount != 1 || p.Status.ContainerStatuses[0].State.Running == nil {
		t.Fatalf("after crictl stop: %+v", p.Status.ContainerStatuses)
	}
}

func TestManifestEdit(t *testing.T) {
	c, hs := newCluster(t)
	if _, errs, code := run(t, hs, "m", "sed -i 's#image: registry.k8s.io/kube-scheduler:v1.27.1#image: registry.k8s.io/kube-scheduler:v1.27.1-broken#' /etc/kubernetes/manifests/kube-scheduler.yaml; sleep 60"); code != 0 {
		t.Fatalf("sed: %d %s", code, errs)
	}
	p := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com")
	if p == nil || p.Spec.Containers[0].Image != "registry.k8s.io/kube-scheduler:v1.27.1-broken" {
		t.Fatalf("mirror pod not replaced: %+v", p)
	}
	if w := p.Status.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ImagePullBackOff" {
		t.Fatalf("scheduler with a bad tag: %+v", p.Status.ContainerStatuses[0].State)
	}
	// New pods stay Pending while the scheduler is down.
	res, _ := lookupResource("pods")
	c.Do(func() {
		if _, err := c.Registry.Create(res, "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(30 * time.Second)
	if p := podStatus(t, c, "default", "web"); p.Spec.NodeName != "" {
		t.Fatalf("scheduled on %s while the scheduler is down", p.Spec.NodeName)
	}
	run(t, hs, "m", "sed -i 's#kube-scheduler:v1.27.1-broken#kube-scheduler:v1.27.1#' /etc/kubernetes/manifests/kube-scheduler.yaml; sleep 30")
	if p := podStatus(t, c, "default", "web"); p.Spec.NodeName == "" {
		t.Fatal("still Pending after the manifest was fixed")
	}
}

func TestEtcdSnapshotRestore(t *testing.T) {
	c, hs := newCluster(t)
	res, _ := lookupResource("configmaps")
	mk := func(name string) {
		c.Do(func() {
			if _, err := c.Registry.Create(res, "default", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": name}}, false); err != nil {
				t.Fatal(err)
			}
		})
	}
	exists := func(name string) bool {
		var err error
		c.Locked(func() { _, err = c.Registry.Get(res, "default", name) })
		return err == nil
	}
	mk("before")
	certs := "--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key"
	out, errs, code := run(t, hs, "m", "mkdir -p /opt/backup && ETCDCTL_API=3 etcdctl "+certs+" snapshot save /opt/backup/snap.db")
	if code != 0 || out != "Snapshot saved at /opt/backup/snap.db\n" || !strings.Contains(errs, `"msg":"fetching snapshot","endpoint":"https://127.0.0.1:2379"`) {
		t.Fatalf("snapshot save: %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code := run(t, hs, "m", "etcdctl snapshot save /opt/x.db"); code == 0 || !strings.Contains(errs, "Error: context deadline exceeded") {
		t.Fatalf("snapshot save without certificates: %d %s", code, errs)
	}
	out, _, code = run(t, hs, "m", "etcdutl snapshot status /opt/backup/snap.db -w table")
	if code != 0 || !strings.Contains(out, "|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |") {
		t.Fatalf("snapshot status:\n%s", out)
	}
	// After the snapshot: one object deleted, one created.
	c.Do(func() { c.Registry.Delete(res, "default", "before", nil) })
	mk("after")
	if _, errs, code := run(t, hs, "m", "etcdutl snapshot restore /opt/backup/snap.db --data-dir /var/lib/etcd-restore && sed -i 's#path: /var/lib/etcd$#path: /var/lib/etcd-restore#' /etc/kubernetes/manifests/etcd.yaml && grep etcd-restore /etc/kubernetes/manifests/etcd.yaml"); code != 0 {
		t.Fatalf("restore: %d %s", code, errs)
	}
	if !exists("before") || exists("after") {
		t.Fatalf("after the restore: before %v (want true), after %v (want false)", exists("before"), exists("after"))
	}
}

func TestKubeletBadConfig(t *testing.T) {
	c, hs := newCluster(t)
	out, _, code := run(t, hs, "w2", "sed -i 's#clientCAFile: /etc/kubernetes/pki/ca.crt#clientCAFile: /etc/kubernetes/pki/WRONG-CA-FILE.crt#' /var/lib/kubelet/config.yaml; systemctl restart kubelet; systemctl is-active kubelet; sleep 50; systemctl status kubelet")
	if code != 3 {
		t.Errorf("status of a failing kubelet: exit %d, want 3", code)
	}
	for _, want := range []string{"activating\n", "     Active: activating (auto-restart) (Result: exit-code) since ",
		`run.go:74] "command failed" err="failed to construct kubelet dependencies: unable to load client CA file /etc/kubernetes/pki/WRONG-CA-FILE.crt: open /etc/kubernetes/pki/WRONG-CA-FILE.crt: no such file or directory"`,
		"systemd[1]: kubelet.service: Scheduled restart job, restart counter is at 5.",
		"   Main PID: ", "(code=exited, status=1/FAILURE)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if got := nodeReady(t, c, "w2.example.com"); got != corev1.ConditionUnknown {
		t.Errorf("50 s with a failing kubelet: Ready=%s, want Unknown", got)
	}
	// Fixed: systemd's next restart brings it back.
	out, _, _ = run(t, hs, "w2", "sed -i 's#WRONG-CA-FILE#ca#' /var/lib/kubelet/config.yaml; sleep 10; systemctl is-active kubelet")
	if out != "active\n" {
		t.Errorf("after fixing the file: %q", out)
	}
	if got := nodeReady(t, c, "w2.example.com"); got != corev1.ConditionTrue {
		t.Errorf("after fixing the file: Ready=%s, want True", got)
	}
}

func TestKubeadm(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", "kubeadm token create --print-join-command; kubeadm token list; kubeadm certs check-expiration")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"kubeadm join 192.168.56.10:6443 --token ", " --discovery-token-ca-cert-hash sha256:",
		"TOKEN                     TTL       EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS\n",
		"   23h       2023-04-20T13:01:00Z   authentication,signing   <none>        system:bootstrappers:kubeadm:default-node-token\n",
		"CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED\n",
		// Leaves last 365 days from kubeadm init (CertificateValidity),
		// across 2024's leap day; CAs 3650 days.
		"admin.conf                 Apr 18, 2024 13:00 UTC   364d            ca                      no\n",
		"ca                      Apr 16, 2033 13:00 UTC   9y              no\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPodLogFiles(t *testing.T) {
	c, hs := newCluster(t)
	res, _ := lookupResource("pods")
	c.Do(func() {
		if _, err := c.Registry.Create(res, "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(time.Minute)
	p := podStatus(t, c, "default", "web")
	out, errs, code := run(t, hs, p.Spec.NodeName, "ls /var/log/containers | grep -c ^web_default_web-; cat /var/log/pods/default_web_*/web/0.log")
	if code != 0 || !strings.HasPrefix(out, "1\n2023-04-19T13:01:") || !strings.Contains(out, "Z stdout F ") {
		t.Fatalf("pod log files: %d %q %q", code, out, errs)
	}
}
