package chain

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// fakeClock is a settable virtual clock.
type fakeClock struct{ t time.Time }

func (f *fakeClock) Now() time.Time          { return f.t }
func (f *fakeClock) Advance(d time.Duration) { f.t = f.t.Add(d) }

func versionFor(kind Kind) string {
	if kind == Docker {
		return "v1.23.17"
	}
	return "v1.27.1"
}

func newTestChain(t testing.TB, kind Kind) (*Chain, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2023, 5, 2, 10, 0, 0, 0, time.UTC)}
	ips := 1
	c, err := New(Config{
		Kind: kind, KubernetesVersion: versionFor(kind), Node: "w2", Seed: 42, Now: clk.Now,
		CNI: CNIFuncs{AddFunc: func(ns, name, uid, sandboxID string) (string, error) {
			ips++
			return fmt.Sprintf("10.244.2.%d", ips), nil
		}},
	})
	if err != nil {
		t.Fatalf("New(%s): %v", kind, err)
	}
	return c, clk
}

func sandboxConfig(name string) *runtimeapi.PodSandboxConfig {
	return &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "default", Uid: "uid-" + name},
		Hostname:     name,
		LogDirectory: "/var/log/pods/default_" + name + "_uid-" + name,
		Labels:       map[string]string{"io.kubernetes.pod.name": name, "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.uid": "uid-" + name, "run": name},
		Linux:        &runtimeapi.LinuxPodSandboxConfig{CgroupParent: "/kubepods/besteffort/poduid-" + name},
	}
}

func containerConfig(name, image string, cmd, args []string, env map[string]string) *runtimeapi.ContainerConfig {
	cc := &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: name},
		Image:    &runtimeapi.ImageSpec{Image: image},
		Command:  cmd, Args: args,
		LogPath: name + "/0.log",
		Labels:  map[string]string{"io.kubernetes.container.name": name},
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cc.Envs = append(cc.Envs, &runtimeapi.KeyValue{Key: k, Value: []byte(env[k])})
	}
	return cc
}

// podRun starts one pod with one container, as the kubelet does, and returns
// the sandbox and container IDs.
func podRun(t testing.TB, c *Chain, pod, image string, cmd, args []string) (string, string) {
	t.Helper()
	ctx := context.Background()
	rs, is := c.Runtime(), c.Images()
	sbc := sandboxConfig(pod)
	sb, err := rs.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
	if err != nil {
		t.Fatalf("RunPodSandbox: %v", err)
	}
	if _, err := is.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: image}, SandboxConfig: sbc}); err != nil {
		t.Fatalf("PullImage: %v", err)
	}
	ct, err := rs.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, Config: containerConfig("app", image, cmd, args, map[string]string{"GREETING": "hello"}), SandboxConfig: sbc})
	if err != nil {
		t.Fatalf("CreateContainer: %v", err)
	}
	if _, err := rs.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId}); err != nil {
		t.Fatalf("StartContainer: %v", err)
	}
	return sb.PodSandboxId, ct.ContainerId
}

// formatTrace prints records one per line: "from → hop  op  summary".
func formatTrace(recs []HopRecord) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s → %s  %s%s\n", r.From, r.Hop, r.Op, summary(r.Request))
	}
	return b.String()
}

func summary(req any) string {
	switch r := req.(type) {
	case *DockerRequest:
		s := "  " + r.Method + " " + r.Path
		if r.Query != "" {
			s += "?" + r.Query
		}
		return s
	case *RuncCall:
		return "  " + strings.Join(r.Args, " ")
	case *ConmonCall:
		return "  " + strings.Join(r.Args[:3], " ") + " …"
	case *ShimRequest:
		if r.Method == "start" {
			return "  " + strings.Join(r.Args, " ")
		}
		return ""
	}
	return ""
}
