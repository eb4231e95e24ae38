package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
)

// servedPod starts a served cluster in a child process (as kubesim start
// runs it), creates a pod and waits (bounded) until it runs; it returns the
// client config.
func servedPod(b *testing.B, pod *corev1.Pod) (*rest.Config, *kubernetes.Clientset) {
	dir := filepath.Join(b.TempDir(), "state")
	os.MkdirAll(dir, 0o700)
	ch := startChild(b, dir)
	b.Cleanup(ch.kill)
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := &rest.Config{Host: "https://" + ch.addr, BearerToken: ch.token, TLSClientConfig: rest.TLSClientConfig{CAData: ca}}
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		p, err := cs.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{})
		if err == nil && p.Status.Phase == corev1.PodRunning {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("pod %s not running after 60s: %v", pod.Name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cfg, cs
}

// BenchmarkServedExecTrue: `kubectl exec sh1 -- true` as kubectl 1.30+
// sends it (client-go's WebSocket executor) to a started server over HTTPS
// on loopback, through the kubelet into the container's shell, and back;
// p50 and p90 of the round trips are reported. kubectl's own start-up is
// not included.
func BenchmarkServedExecTrue(b *testing.B) {
	benchServedExec(b, []string{"true"}, "")
}

// BenchmarkServedExecCat: `kubectl exec sh1 -- cat /etc/hostname` the same
// way (issue 12: the round trip under 5 ms): the applet reads a file of the
// container's filesystem, the kubelet-written hostname, and its bytes come
// back on stdout.
func BenchmarkServedExecCat(b *testing.B) {
	benchServedExec(b, []string{"cat", "/etc/hostname"}, "sh1\n")
}

// benchServedExec runs command in busybox pod sh1 of a started server, once
// to check its output is want, then b.N times, reporting p50 and p90.
func benchServedExec(b *testing.B, command []string, want string) {
	cfg, cs := servedPod(b, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "sh1"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sh1", Image: "busybox:1.28", Args: []string{"sleep", "3600"}}}}})
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace("default").Name("sh1").SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "sh1", Command: command, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	ctx := context.Background()
	run := func() string {
		ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
		if err != nil {
			b.Fatal(err)
		}
		var out, errOut bytes.Buffer
		if err := ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &out, Stderr: &errOut}); err != nil {
			b.Fatalf("exec: %v %s", err, errOut.String())
		}
		return out.String()
	}
	if got := run(); got != want {
		b.Fatalf("exec %q: stdout %q, want %q", command, got, want)
	}
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		run()
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "ms-p90")
}

// BenchmarkServedPortForward: bytes through kubectl port-forward's tunnel
// (client-go's SPDY port forwarder, the listener on loopback) to httpd in a
// pod of a started server: each op POSTs a 16 MiB body on one kept-alive
// connection and reads httpd's answer; MB/s is the body's rate.
func BenchmarkServedPortForward(b *testing.B) {
	cfg, cs := servedPod(b, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "httpd:2.4"}}}})
	u := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace("default").Name("web").SubResource("portforward").URL()
	tr, up, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		b.Fatal(err)
	}
	dialer := spdy.NewDialer(up, &http.Client{Transport: tr}, "POST", u)
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:80"}, stop, ready, io.Discard, os.Stderr)
	if err != nil {
		b.Fatal(err)
	}
	go fw.ForwardPorts()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		b.Fatal("port-forward not ready after 30s")
	}
	ports, err := fw.GetPorts()
	if err != nil {
		b.Fatal(err)
	}
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0].Local))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	const size = 16 << 20
	body := bytes.Repeat([]byte("x"), size)
	head := []byte(fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n", size))
	buf := make([]byte, 64<<10)
	b.SetBytes(size)
	for b.Loop() {
		conn.Write(head)
		conn.Write(body)
		// httpd answers the page with its length; read to its end.
		got := ""
		for !strings.Contains(got, "</html>") {
			n, err := conn.Read(buf)
			if err != nil {
				b.Fatalf("read: %v (after %q)", err, got)
			}
			got += string(buf[:n])
		}
	}
}
