package chain

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func execIn(t *testing.T, c *Chain, id string, cmd ...string) []any {
	t.Helper()
	var out, errOut strings.Builder
	code, err := c.Exec(id, cmd, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("Exec %q: %v", cmd, err)
	}
	return []any{out.String(), errOut.String(), code}
}

// TestExecFilesystem: exec writes and reads files in the container's own
// layer; a second container of the pod shares an emptyDir mount but not the
// layer; a new container (a restart) starts from the image again.
func TestExecFilesystem(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			ctx := context.Background()
			rs := c.Runtime()
			sbc := sandboxConfig("sh1")
			sbc.DnsConfig = &runtimeapi.DNSConfig{Servers: []string{"10.96.0.10"}, Searches: []string{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"}, Options: []string{"ndots:5"}}
			sb, err := rs.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
			if err != nil {
				t.Fatal(err)
			}
			c.Images().PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
			data := "/var/lib/kubelet/pods/uid-sh1/volumes/kubernetes.io~empty-dir/data"
			c.WriteHostFile("/var/lib/kubelet/pods/uid-sh1/etc-hosts", []byte("# Kubernetes-managed hosts file.\n"))
			start := func(name string) string {
				cc := containerConfig(name, "busybox", []string{"sleep", "3600"}, nil, nil)
				cc.Mounts = []*runtimeapi.Mount{
					{ContainerPath: "/data", HostPath: data},
					{ContainerPath: "/etc/hosts", HostPath: "/var/lib/kubelet/pods/uid-sh1/etc-hosts"},
					{ContainerPath: "/config", HostPath: "/var/lib/kubelet/pods/uid-sh1/volumes/kubernetes.io~configmap/cfg", Readonly: true},
				}
				ct, err := rs.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, Config: cc, SandboxConfig: sbc})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := rs.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId}); err != nil {
					t.Fatal(err)
				}
				return ct.ContainerId
			}
			a, b := start("a"), start("b")
			want := [][]any{
				{"a\n", "", 0},
				{"", "cat: can't open '/tmp/y': No such file or directory\n", 1},
				{"shared\n", "", 0},
				{"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\nsh1\n# Kubernetes-managed hosts file.\n", "", 0},
				{"", "sh: can't create /config/x: Read-only file system\n", 1},
			}
			got := [][]any{
				execIn(t, c, a, "sh", "-c", "echo a > /tmp/y; cat /tmp/y; echo shared > /data/f"),
				execIn(t, c, b, "cat", "/tmp/y"),
				execIn(t, c, b, "cat", "/data/f"),
				execIn(t, c, b, "sh", "-c", "cat /etc/resolv.conf /etc/hostname /etc/hosts"),
				execIn(t, c, b, "sh", "-c", "echo > /config/x"),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Restart a: a new container, a fresh layer, the same emptyDir.
			rs.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: a, Timeout: 0})
			rs.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: a})
			if c.FS(a) != nil {
				t.Errorf("removed container keeps its filesystem")
			}
			a2 := start("a")
			if diff := cmp.Diff([]any{"shared\n", "", 0}, execIn(t, c, a2, "sh", "-c", "cat /tmp/y 2>/dev/null || cat /data/f")); diff != "" {
				t.Errorf("after restart (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkExec: one exec of `cat /etc/hostname` in a busybox container,
// the runtime's share of a kubectl exec round trip.
func BenchmarkExec(b *testing.B) {
	c, _ := newTestChain(b, Containerd)
	_, id := podRun(b, c, "sh1", "busybox", []string{"sleep", "3600"}, nil)
	var out, errOut strings.Builder
	for b.Loop() {
		out.Reset()
		if code, err := c.Exec(id, []string{"cat", "/etc/hostname"}, nil, &out, &errOut); err != nil || code != 0 {
			b.Fatalf("%d %v %s", code, err, errOut.String())
		}
	}
	if out.String() != "sh1\n" {
		b.Fatalf("out %q", out.String())
	}
}
