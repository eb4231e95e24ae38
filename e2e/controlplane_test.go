package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBrokenAPIServerServed: a wrong etcd port in kube-apiserver.yaml on
// the control plane takes the API away from the system kubectl (refused,
// as by a machine whose API server is down; a watch in progress ends) and
// from kubectl on the host, while kubesim's own verbs keep working; crictl
// shows the API server's own error; fixing the file brings the API back.
func TestBrokenAPIServerServed(t *testing.T) {
	s := startServed(t, "v1.27.1")
	ssh := func(node, script string) (string, int) {
		t.Helper()
		return s.run(s.bin, "ssh", node, "--", script)
	}
	// A watch in progress.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	watch := exec.CommandContext(ctx, "kubectl", "get", "pods", "-A", "-w")
	var wout bytes.Buffer
	watch.Env, watch.Stdout, watch.Stderr = s.env, &wout, &wout
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { watch.Wait(); close(ended) }()
	out, _ := s.run("kubectl", "get", "pods", "-A")
	if !strings.Contains(out, "kube-apiserver-m.example.com") {
		t.Fatalf("before the edit:\n%s", out)
	}

	if out, code := ssh("m", "sed -i 's#--etcd-servers=https://127.0.0.1:2379#--etcd-servers=https://127.0.0.1:2380#' /etc/kubernetes/manifests/kube-apiserver.yaml; sleep 45"); code != 0 {
		t.Fatalf("edit: exit %d\n%s", code, out)
	}
	select {
	case <-ended:
	case <-time.After(20 * time.Second): // a bound, not a timing
		t.Errorf("kubectl get -w still running after the API went down:\n%s", wout.String())
	}
	out, code := s.run("kubectl", "get", "nodes")
	if code != 1 || !strings.Contains(out, "The connection to the server 127.0.0.1:") || !strings.HasSuffix(out, " was refused - did you specify the right host or port?\n") {
		t.Errorf("system kubectl while the API is down: exit %d\n%s", code, out)
	}
	out, code = ssh("m", "kubectl get nodes")
	if code != 1 || !strings.HasSuffix(out, "The connection to the server 192.168.56.10:6443 was refused - did you specify the right host or port?\n") {
		t.Errorf("kubectl on the control plane while the API is down: exit %d\n%s", code, out)
	}
	out, _ = ssh("m", "crictl ps -a --name kube-apiserver; crictl logs $(crictl ps -a --name kube-apiserver -q | head -n 1) 2>&1 | tail -n 2")
	for _, want := range []string{"Exited", `grpc: addrConn.createTransport failed to connect to {Addr: "127.0.0.1:2380", ServerName: "127.0.0.1:2380", }. Err: connection error: desc = "transport: Error while dialing dial tcp 127.0.0.1:2380: connect: connection refused"`,
		"instance.go:290] Error creating leases: error creating storage factory: context deadline exceeded"} {
		if !strings.Contains(out, want) {
			t.Errorf("crictl on the control plane lacks %q:\n%s", want, out)
		}
	}
	// kubesim's own verbs do not go through the API.
	if out, code := s.run(s.bin, "status"); code != 4 || !strings.Contains(out, "apiserver: Stopped\n") {
		t.Errorf("kubesim status while the API is down: exit %d\n%s", code, out)
	}
	if out, code := s.run(s.bin, "advance", "10s"); code != 0 {
		t.Errorf("kubesim advance while the API is down: exit %d\n%s", code, out)
	}

	if out, code := ssh("m", "sed -i 's#127.0.0.1:2380#127.0.0.1:2379#' /etc/kubernetes/manifests/kube-apiserver.yaml; sleep 5"); code != 0 {
		t.Fatalf("fix: exit %d\n%s", code, out)
	}
	if out, code := s.run("kubectl", "get", "nodes"); code != 0 || !strings.Contains(out, "m.example.com") {
		t.Errorf("system kubectl after the fix: exit %d\n%s", code, out)
	}
	if out, code := s.run(s.bin, "status"); code != 0 || !strings.Contains(out, "apiserver: Running\n") {
		t.Errorf("kubesim status after the fix: exit %d\n%s", code, out)
	}
}

// TestNodeServicesServed: the node's services as a learner breaks them on
// a served cluster: a stopped containerd makes the node NotReady with the
// kubelet's reason and crictl fail (started again, the node is Ready); a
// wrong client CA in the kubelet's config fails the unit and the node goes
// NotReady until it is fixed; cgroupDriver: cgroupfs leaves new pods
// without a sandbox; a staticPodPath that does not exist takes the control
// plane, and the API, away.
func TestNodeServicesServed(t *testing.T) {
	s := startServed(t, "v1.27.1")
	ssh := func(node, script string) (string, int) {
		t.Helper()
		return s.run(s.bin, "ssh", node, "--", script)
	}
	if out, code := ssh("w1", "systemctl stop containerd; sleep 45"); code != 0 {
		t.Fatalf("stop containerd: exit %d\n%s", code, out)
	}
	if out, _ := s.run("kubectl", "get", "node", "w1.example.com", "--no-headers"); !strings.Contains(out, " NotReady ") {
		t.Errorf("45 s after containerd stopped:\n%s", out)
	}
	if out, _ := s.run("kubectl", "get", "node", "w1.example.com", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].message}`); out != "container runtime is down" {
		t.Errorf("Ready condition's message: %q", out)
	}
	if out, code := ssh("w1", "crictl ps"); code != 1 || !strings.Contains(out, "FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint \"unix:///var/run/containerd/containerd.sock\": rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial unix /var/run/containerd/containerd.sock: connect: no such file or directory\"") {
		t.Errorf("crictl with containerd stopped: exit %d\n%s", code, out)
	}
	ssh("w1", "systemctl start containerd")
	if out, _ := s.run("kubectl", "get", "node", "w1.example.com", "--no-headers"); !strings.Contains(out, " Ready ") {
		t.Errorf("after containerd started:\n%s", out)
	}

	// A wrong client CA in the kubelet's config fails the unit.
	out, _ := ssh("w2", "sed -i 's#clientCAFile: /etc/kubernetes/pki/ca.crt#clientCAFile: /etc/kubernetes/pki/WRONG-CA-FILE.crt#' /var/lib/kubelet/config.yaml; systemctl restart kubelet; sleep 50; systemctl status kubelet; journalctl -u kubelet | grep 'command failed' | tail -n 1")
	for _, want := range []string{"     Active: activating (auto-restart) (Result: exit-code) since ",
		`"command failed" err="failed to construct kubelet dependencies: unable to load client CA file /etc/kubernetes/pki/WRONG-CA-FILE.crt: open /etc/kubernetes/pki/WRONG-CA-FILE.crt: no such file or directory"`} {
		if !strings.Contains(out, want) {
			t.Errorf("kubelet with a wrong client CA lacks %q:\n%s", want, out)
		}
	}
	if out, _ := s.run("kubectl", "get", "node", "w2.example.com", "--no-headers"); !strings.Contains(out, " NotReady ") {
		t.Errorf("50 s with a failing kubelet:\n%s", out)
	}
	ssh("w2", "sed -i 's#WRONG-CA-FILE#ca#' /var/lib/kubelet/config.yaml; sleep 10")
	if out, _ := s.run("kubectl", "get", "node", "w2.example.com", "--no-headers"); !strings.Contains(out, " Ready ") {
		t.Errorf("after fixing the kubelet's config:\n%s", out)
	}

	// cgroupDriver: cgroupfs against containerd's systemd cgroups: the
	// kubelet runs, new pods on the node get no sandbox.
	ssh("w1", "sed -i 's#cgroupDriver: systemd#cgroupDriver: cgroupfs#' /var/lib/kubelet/config.yaml && systemctl restart kubelet")
	s.run("kubectl", "run", "pinned", "--image=nginx", `--overrides={"spec":{"nodeName":"w1.example.com"}}`)
	ssh("w1", "sleep 20")
	if out, _ := s.run("kubectl", "get", "events", "--field-selector", "involvedObject.name=pinned,reason=FailedCreatePodSandBox", "-o", "jsonpath={.items[0].message}"); !strings.Contains(out, `OCI runtime create failed: runc create failed: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "/kubepods/besteffort/pod`) {
		t.Errorf("a pod on a cgroupfs kubelet: %q", out)
	}
	ssh("w1", "sed -i 's#cgroupDriver: cgroupfs#cgroupDriver: systemd#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 20")
	if out, _ := s.run("kubectl", "get", "pod", "pinned", "--no-headers"); !strings.Contains(out, "Running") {
		t.Errorf("after the kubelet's driver was set back:\n%s", out)
	}

	// A staticPodPath that does not exist takes the control plane away.
	ssh("m", "sed -i 's#staticPodPath: /etc/kubernetes/manifests#staticPodPath: /etc/kubernetes/manifest#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 5")
	if out, code := s.run("kubectl", "get", "nodes"); code != 1 || !strings.Contains(out, " was refused - did you specify the right host or port?") {
		t.Errorf("kubectl with the control plane's static pods gone: exit %d\n%s", code, out)
	}
	ssh("m", "sed -i 's#staticPodPath: /etc/kubernetes/manifest$#staticPodPath: /etc/kubernetes/manifests#' /var/lib/kubelet/config.yaml && systemctl restart kubelet; sleep 5")
	if out, code := s.run("kubectl", "get", "pods", "-n", "kube-system"); code != 0 || !strings.Contains(out, "kube-apiserver-m.example.com") {
		t.Errorf("after the staticPodPath was set back: exit %d\n%s", code, out)
	}
}
