package cri

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
)

const crictlVersion = "v1.37.0"

// crictl returns a crictl binary, built once from the Go module proxy and
// cached under os.TempDir() by version; the test is skipped when it cannot be
// built (offline, -short).
func crictl(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "kubesim-crictl-"+crictlVersion)
	bin := filepath.Join(dir, "crictl")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if testing.Short() {
		t.Skip("crictl not cached and -short set: skipping the build of sigs.k8s.io/cri-tools/cmd/crictl@" + crictlVersion)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Skipf("cannot create %s: %v", dir, err)
	}
	cmd := exec.Command("go", "install", "sigs.k8s.io/cri-tools/cmd/crictl@"+crictlVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build crictl %s (go install failed: %v):\n%s", crictlVersion, err, out)
	}
	return bin
}

// node boots a chain with one running pod, as the kubelet would leave it.
func node(t *testing.T, kind chain.Kind) (*chain.Chain, string, string) {
	t.Helper()
	version := "v1.27.1"
	if kind == chain.Docker {
		version = "v1.23.17"
	}
	now := time.Date(2023, 5, 2, 10, 0, 0, 0, time.UTC)
	c, err := chain.New(chain.Config{Kind: kind, KubernetesVersion: version, Node: "w2", Seed: 7, Now: func() time.Time { return now },
		CNI: chain.CNIFuncs{AddFunc: func(string, string, string, string) (string, error) { return "10.244.2.2", nil }}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sbc := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "myapache", Namespace: "default", Uid: "0b7c"},
		Hostname: "myapache",
		Labels:   map[string]string{"io.kubernetes.pod.name": "myapache", "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.uid": "0b7c"},
	}
	sb, err := c.Runtime().RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Images().PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "httpd:2.4"}}); err != nil {
		t.Fatal(err)
	}
	ct, err := c.Runtime().CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, SandboxConfig: sbc, Config: &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "myapache"},
		Image:    &runtimeapi.ImageSpec{Image: "httpd:2.4"},
		Labels:   map[string]string{"io.kubernetes.container.name": "myapache", "io.kubernetes.pod.name": "myapache", "io.kubernetes.pod.namespace": "default"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Runtime().StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId}); err != nil {
		t.Fatal(err)
	}
	return c, sb.PodSandboxId, ct.ContainerId
}

func TestCrictl(t *testing.T) {
	bin := crictl(t)
	for _, kind := range chain.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, sbID, ctID := node(t, kind)
			dir, err := os.MkdirTemp("", "kcri")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			sock := filepath.Join(dir, "cri.sock")
			stop, err := Serve(sock, c)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			conf := filepath.Join(dir, "crictl.yaml")
			yaml := "runtime-endpoint: unix://" + sock + "\nimage-endpoint: unix://" + sock + "\ntimeout: 10\n"
			if err := os.WriteFile(conf, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) string {
				t.Helper()
				full := append([]string{"--config", conf}, args...)
				var out, errb bytes.Buffer
				cmd := exec.Command(bin, full...)
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					t.Fatalf("crictl %s: %v\n%s", strings.Join(args, " "), err, errb.String())
				}
				return out.String()
			}
			version := map[chain.Kind]string{chain.Docker: "20.10.21", chain.Containerd: "v1.6.20", chain.CRIO: "1.27.1", chain.CRIDockerd: "24.0.7"}[kind]
			checks := []struct {
				args []string
				want []string
			}{
				{[]string{"version"}, []string{"RuntimeVersion:  " + version}},
				{[]string{"pods"}, []string{sbID[:13], "myapache", "Ready", "default"}},
				{[]string{"ps", "-a"}, []string{"myapache", "Running", sbID[:13]}},
				{[]string{"images"}, []string{"docker.io/library/httpd", "2.4", "registry.k8s.io/pause"}},
				{[]string{"inspectp", sbID}, []string{`"ip": "10.244.2.2"`, `"state": "SANDBOX_READY"`}},
				{[]string{"inspect", ctID}, []string{`"state": "CONTAINER_RUNNING"`, `"image": "docker.io/library/httpd:2.4"`, `"httpd-foreground"`}},
				{[]string{"exec", "-s", ctID, "cat", "/usr/local/apache2/htdocs/index.html"}, []string{"<html><body><h1>It works!</h1></body></html>"}},
			}
			for _, ch := range checks {
				out := run(ch.args...)
				for _, w := range ch.want {
					if !strings.Contains(out, w) {
						t.Errorf("crictl %s: output lacks %q:\n%s", strings.Join(ch.args, " "), w, out)
					}
				}
			}
			if testing.Verbose() {
				fmt.Print(run("pods"), run("ps", "-a"))
			}
		})
	}
}

func TestServeStop(t *testing.T) {
	c, _, _ := node(t, chain.Containerd)
	dir, err := os.MkdirTemp("", "kcri")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "cri.sock")
	stop, err := Serve(sock, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket still present after stop: %v", err)
	}
}

// TestServeSocketMode: the socket is owner-only whatever the umask (a
// permissive umask would let other users call StopContainer).
func TestServeSocketMode(t *testing.T) {
	c, _, _ := node(t, chain.Containerd)
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	sock := filepath.Join(t.TempDir(), "w2.sock")
	stop, err := Serve(sock, c)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("socket mode %#o with umask 0, want 0600", got)
	}
}
