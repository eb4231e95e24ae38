package hosts

import (
	"context"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestBrokenControlPlane: a broken kube-apiserver or etcd manifest makes
// the API refuse kubectl on the host until the file is fixed; crictl shows
// the API server exiting with its own error; the scheduler stops with the
// API.
func TestBrokenControlPlane(t *testing.T) {
	const api, etcd = "/etc/kubernetes/manifests/kube-apiserver.yaml", "/etc/kubernetes/manifests/etcd.yaml"
	cases := []struct {
		name, file, from, to string
		ctr                  string   // the container that fails
		logs                 []string // its crictl logs
	}{
		{"etcd port", api, "--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://127.0.0.1:2380", "kube-apiserver", []string{
			` 1 logging.go:59] [core] [Channel #1 SubChannel #2] grpc: addrConn.createTransport failed to connect to {Addr: "127.0.0.1:2380", ServerName: "127.0.0.1:2380", }. Err: connection error: desc = "transport: Error while dialing dial tcp 127.0.0.1:2380: connect: connection refused"`,
			" 1 instance.go:290] Error creating leases: error creating storage factory: context deadline exceeded\n",
		}},
		{"client CA", api, "--client-ca-file=/etc/kubernetes/pki/ca.crt", "--client-ca-file=/etc/kubernetes/pki/ca-bad.crt", "kube-apiserver", []string{
			`run.go:74] "command failed" err="unable to load client CA provider: open /etc/kubernetes/pki/ca-bad.crt: no such file or directory"`,
		}},
		{"unknown flag", api, "--allow-privileged=true", "--allow-privileged=true\n    - --this-is-wrong=1", "kube-apiserver", []string{"Error: unknown flag: --this-is-wrong\n"}},
		{"etcd listen address", etcd, "https://192.168.56.10:2379$", "https://192.168.56.99:2379", "etcd", []string{
			`"caller":"etcdmain/etcd.go:204","msg":"discovery failed","error":"listen tcp 192.168.56.99:2379: bind: cannot assign requested address"}`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, hs := newCluster(t)
			kubectlRan := 0
			kubectl := func(args []string, stdin io.Reader, stdout, stderr io.Writer) int { kubectlRan++; return 0 }
			sh := func(script string) (string, string, int) {
				var out, errb strings.Builder
				code, err := hs.Run(context.Background(), "m", script, RunOptions{Stdout: &out, Stderr: &errb, Kubectl: kubectl})
				if err != nil {
					t.Fatal(err)
				}
				return out.String(), errb.String(), code
			}
			serving := func() bool {
				var up bool
				c.Locked(func() { up = c.APIServing() })
				return up
			}
			if !serving() {
				t.Fatal("API not serving before the edit")
			}
			if _, errs, code := sh("sed -i 's#" + tc.from + "#" + strings.ReplaceAll(tc.to, "\n", `\n`) + "#' " + tc.file + " && grep -c -- '" + strings.Split(tc.to, "\n")[len(strings.Split(tc.to, "\n"))-1] + "' " + tc.file + "; sleep 45"); code != 0 {
				t.Fatalf("edit: %d %s", code, errs)
			}
			if serving() {
				t.Fatal("API still serving 45 s after the edit")
			}
			_, errs, code := sh("kubectl get nodes")
			wantErr := strings.Repeat(`memcache.go:265] couldn't get current server API group list: Get "https://192.168.56.10:6443/api?timeout=32s": dial tcp 192.168.56.10:6443: connect: connection refused`+"\n", 1) +
				"The connection to the server 192.168.56.10:6443 was refused - did you specify the right host or port?\n"
			if code != 1 || !strings.HasSuffix(errs, wantErr) || strings.Count(errs, "memcache.go:265]") != 5 || kubectlRan != 0 {
				t.Errorf("kubectl while the API is down: exit %d\n%s", code, errs)
			}
			// Between its exit and the kubelet's restart after back-off.
			out, _, _ := sh("crictl ps -a --name " + tc.ctr)
			if !strings.Contains(out, "Exited") {
				t.Errorf("crictl ps -a lacks an exited %s:\n%s", tc.ctr, out)
			}
			_, logs, _ := sh("crictl logs $(crictl ps -a --name " + tc.ctr + " -q | head -n 1)")
			for _, want := range tc.logs {
				if !strings.Contains(logs, want) {
					t.Errorf("crictl logs lacks %q:\n%s", want, logs)
				}
			}
			// Every node's kubelet fails to reach the API meanwhile.
			var jb strings.Builder
			hs.Run(context.Background(), "w1", "journalctl -u kubelet | grep -E 'node status|lease' | tail -n 7", RunOptions{Stdout: &jb, Stderr: &jb})
			for _, want := range []string{
				` kubelet_node_status.go:540] "Error updating node status, will retry" err="error getting node \"w1.example.com\": Get \"https://192.168.56.10:6443/api/v1/nodes/w1.example.com?resourceVersion=0&timeout=10s\": dial tcp 192.168.56.10:6443: connect: connection refused"` + "\n",
				` kubelet_node_status.go:527] "Unable to update node status" err="update node status exceeds retry count"` + "\n",
				` controller.go:146] "Failed to ensure lease exists, will retry" err="Get \"https://192.168.56.10:6443/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/w1.example.com?timeout=10s\": dial tcp 192.168.56.10:6443: connect: connection refused" interval="7s"` + "\n",
			} {
				if !strings.Contains(jb.String(), want) {
					t.Errorf("w1's kubelet journal lacks %q:\n%s", want, jb.String())
				}
			}
			// The scheduler reaches nothing while the API is down.
			res, _ := lookupResource("pods")
			c.Do(func() {
				c.Registry.Create(res, "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}, false)
			})
			sh("sleep 20")
			if p := podStatus(t, c, "default", "web"); p.Spec.NodeName != "" {
				t.Errorf("scheduled while the API is down")
			}
			// Fixed: the kubelet runs the manifest's pod again.
			if _, errs, code := sh("sed -i '/this-is-wrong/d; s#" + strings.Split(tc.to, "\n")[0] + "#" + strings.TrimSuffix(tc.from, "$") + "#' " + tc.file + "; sleep 5"); code != 0 {
				t.Fatalf("fix: %d %s", code, errs)
			}
			if !serving() {
				t.Fatal("API not serving after the fix")
			}
			if _, errs, code := sh("kubectl get nodes"); code != 0 || kubectlRan != 1 {
				t.Errorf("kubectl after the fix: exit %d %s", code, errs)
			}
			sh("sleep 10")
			if p := podStatus(t, c, "default", "web"); p.Spec.NodeName == "" {
				t.Errorf("still Pending after the API came back")
			}
		})
	}
}
