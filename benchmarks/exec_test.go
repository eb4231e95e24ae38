package benchmarks

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// BenchmarkExecRoundTrip: `kubectl exec sh1 -- cat /etc/hostname` as
// kubectl 1.30+ sends it (WebSocket v5 remote command, client-go's
// executor) to the API server over loopback HTTP, through the kubelet and
// the runtime into the container's shell and filesystem, and back. kubectl's
// own start-up is not included.
func BenchmarkExecRoundTrip(b *testing.B) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: filepath.Join(b.TempDir(), "state"), NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	h, err := apiserver.ForCluster(c)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	cfg := &rest.Config{Host: srv.URL}
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "sh1"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "sh1", Image: "busybox:1.28", Args: []string{"sleep", "3600"}}}}}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	c.Advance(time.Minute)
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace("default").Name("sh1").SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: "sh1", Command: []string{"cat", "/etc/hostname"}, Stdout: true, Stderr: true}, scheme.ParameterCodec)
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
	if got := run(); strings.TrimSpace(got) != "sh1" {
		b.Fatalf("cat /etc/hostname = %q", got)
	}
	for b.Loop() {
		run()
	}
}
