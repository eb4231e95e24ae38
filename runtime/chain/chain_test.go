package chain

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// lifecycle runs one pod through the CRI calls the kubelet makes and returns
// the trace of each call.
func lifecycle(t *testing.T, c *Chain) (ops []string, traces map[string][]HopRecord, sbID, ctID string) {
	t.Helper()
	ctx := context.Background()
	rs, is := c.Runtime(), c.Images()
	traces = map[string][]HopRecord{}
	step := func(name string, f func() error) {
		t.Helper()
		c.ResetTrace()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ops = append(ops, name)
		traces[name] = c.Trace()
	}
	sbc := sandboxConfig("myapache")
	step("RunPodSandbox", func() error {
		r, err := rs.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
		if err == nil {
			sbID = r.PodSandboxId
		}
		return err
	})
	step("PullImage", func() error {
		_, err := is.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "httpd:2.4"}, SandboxConfig: sbc})
		return err
	})
	step("CreateContainer", func() error {
		r, err := rs.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sbID, SandboxConfig: sbc,
			Config: containerConfig("app", "httpd:2.4", nil, []string{"httpd-foreground"}, map[string]string{"GREETING": "hello"})})
		if err == nil {
			ctID = r.ContainerId
		}
		return err
	})
	step("StartContainer", func() error {
		_, err := rs.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctID})
		return err
	})
	step("ExecSync", func() error {
		_, err := rs.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: ctID, Cmd: []string{"hostname"}})
		return err
	})
	step("StopContainer", func() error {
		_, err := rs.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: ctID, Timeout: 30})
		return err
	})
	step("RemoveContainer", func() error {
		_, err := rs.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: ctID})
		return err
	})
	step("StopPodSandbox", func() error {
		_, err := rs.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sbID})
		return err
	})
	step("RemovePodSandbox", func() error {
		_, err := rs.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sbID})
		return err
	})
	return ops, traces, sbID, ctID
}

// TestHopsInOrder: every CRI call enters at the chain's first hop, and the
// calls that reach a process (sandbox and container start) pass every hop of
// the chain in order. The full trace per call is golden (testdata/).
func TestHopsInOrder(t *testing.T) {
	wantStart := map[Kind][]string{
		Docker:     {"dockershim", "dockerd", "containerd", "containerd-shim-runc-v2", "runc"},
		Containerd: {"containerd", "containerd-shim-runc-v2", "runc"},
		CRIO:       {"crio", "runc"}, // runc start is crio's own call; conmon ran runc create at CreateContainer
		CRIDockerd: {"cri-dockerd", "dockerd", "containerd", "containerd-shim-runc-v2", "runc"},
	}
	wantCreate := map[Kind][]string{
		Docker:     {"dockershim", "dockerd"}, // dockerd creates the containerd container only at start
		Containerd: {"containerd"},
		CRIO:       {"crio", "conmon", "runc"},
		CRIDockerd: {"cri-dockerd", "dockerd"},
	}
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			ops, traces, _, _ := lifecycle(t, c)
			var golden strings.Builder
			for _, op := range ops {
				recs := traces[op]
				if len(recs) == 0 || recs[0].From != "kubelet" || recs[0].Hop != c.Hops()[0] || recs[0].Op != op {
					t.Errorf("%s: first record = %+v, want kubelet → %s %s", op, recs[0], c.Hops()[0], op)
				}
				fmt.Fprintf(&golden, "## %s\n%s\n", op, formatTrace(recs))
			}
			// The sandbox start passes every hop of the chain, in order.
			if diff := cmp.Diff(c.Hops(), firstSeen(traces["RunPodSandbox"])); diff != "" {
				t.Errorf("RunPodSandbox hops (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantStart[kind], firstSeen(traces["StartContainer"])); diff != "" {
				t.Errorf("StartContainer path (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantCreate[kind], firstSeen(traces["CreateContainer"])); diff != "" {
				t.Errorf("CreateContainer path (-want +got):\n%s", diff)
			}
			checkGolden(t, filepath.Join("testdata", "trace_"+string(kind)+".txt"), golden.String())
		})
	}
}

func firstSeen(recs []HopRecord) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range recs {
		if !seen[r.Hop] {
			seen[r.Hop] = true
			out = append(out, r.Hop)
		}
	}
	return out
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func findRecord(t *testing.T, recs []HopRecord, hop, op string, nth int) HopRecord {
	t.Helper()
	for _, r := range recs {
		if r.Hop == hop && r.Op == op {
			if nth == 0 {
				return r
			}
			nth--
		}
	}
	t.Fatalf("no %s %s record in trace:\n%s", hop, op, formatTrace(recs))
	return HopRecord{}
}

// TestDockerEngineRequests: what dockerd receives is the Engine API request
// the Docker client sends for dockershim/cri-dockerd's CreateContainer.
func TestDockerEngineRequests(t *testing.T) {
	for _, kind := range []Kind{Docker, CRIDockerd} {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			_, traces, sbID, _ := lifecycle(t, c)
			r := findRecord(t, traces["CreateContainer"], "dockerd", "POST /containers/create", 0)
			req := r.Request.(*DockerRequest)
			api := map[Kind]string{Docker: "/v1.41", CRIDockerd: "/v1.43"}[kind]
			if req.Method != "POST" || req.Path != api+"/containers/create" {
				t.Errorf("request line = %s %s, want POST %s/containers/create", req.Method, req.Path, api)
			}
			q, _ := url.ParseQuery(req.Query)
			if got, want := q.Get("name"), "k8s_app_myapache_default_uid-myapache_0"; got != want {
				t.Errorf("name = %q, want %q", got, want)
			}
			var body map[string]any
			if err := json.Unmarshal(req.Body, &body); err != nil {
				t.Fatal(err)
			}
			hc := body["HostConfig"].(map[string]any)
			labels := body["Labels"].(map[string]any)
			got := map[string]any{
				"Entrypoint": body["Entrypoint"], "Cmd": body["Cmd"], "Env": body["Env"], "Image": body["Image"],
				"NetworkMode": hc["NetworkMode"], "IpcMode": hc["IpcMode"], "CgroupParent": hc["CgroupParent"],
				"type": labels["io.kubernetes.docker.type"], "sandbox": labels["io.kubernetes.sandbox.id"],
				"container.name": labels["io.kubernetes.container.name"],
			}
			want := map[string]any{
				"Entrypoint": nil, "Cmd": []any{"httpd-foreground"}, "Env": []any{"GREETING=hello"}, "Image": "docker.io/library/httpd:2.4",
				"NetworkMode": "container:" + sbID, "IpcMode": "container:" + sbID, "CgroupParent": "/kubepods/besteffort/poduid-myapache",
				"type": "container", "sandbox": sbID, "container.name": "app",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("create body (-want +got):\n%s", diff)
			}
			stop := findRecord(t, traces["StopContainer"], "dockerd", "POST /containers/{id}/stop", 0).Request.(*DockerRequest)
			if stop.Query != "t=30" {
				t.Errorf("stop query = %q, want t=30", stop.Query)
			}
			rm := findRecord(t, traces["RemoveContainer"], "dockerd", "DELETE /containers/{id}", 0).Request.(*DockerRequest)
			if rm.Query != "force=1&v=1" {
				t.Errorf("remove query = %q, want force=1&v=1", rm.Query)
			}
			// dockerd → containerd: namespace moby, runc v2 runtime, one shim per container.
			cc := findRecord(t, traces["StartContainer"], "containerd", "Containers.Create", 0).Request.(*ContainerdRequest)
			if cc.Namespace != "moby" || cc.Container.Runtime != "io.containerd.runc.v2" {
				t.Errorf("containerd request namespace/runtime = %s/%s, want moby/io.containerd.runc.v2", cc.Namespace, cc.Container.Runtime)
			}
			findRecord(t, traces["StartContainer"], "containerd-shim-runc-v2", "start", 0)
		})
	}
}

// TestOCIConfig: runc receives a config.json whose process is the image's
// entrypoint with the pod's args, the image env plus the pod's, and which
// joins the sandbox's network namespace.
func TestOCIConfig(t *testing.T) {
	createIn := map[Kind]string{Docker: "StartContainer", Containerd: "StartContainer", CRIO: "CreateContainer", CRIDockerd: "StartContainer"}
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			_, traces, _, ctID := lifecycle(t, c)
			r := findRecord(t, traces[createIn[kind]], "runc", "create", 0)
			call := r.Request.(*RuncCall)
			if call.Args[len(call.Args)-1] != ctID {
				t.Errorf("runc create id = %s, want %s", call.Args[len(call.Args)-1], ctID)
			}
			spec := call.Config
			if diff := cmp.Diff([]string{"httpd-foreground"}, spec.Process.Args); diff != "" {
				t.Errorf("process.args (-want +got):\n%s", diff)
			}
			env := strings.Join(spec.Process.Env, "\n")
			for _, want := range []string{"GREETING=hello", "HTTPD_VERSION=2.4.57", "HTTPD_PREFIX=/usr/local/apache2"} {
				if !strings.Contains(env, want) {
					t.Errorf("process.env lacks %s:\n%s", want, env)
				}
			}
			if spec.Process.Cwd != "/usr/local/apache2" || spec.Hostname != "myapache" {
				t.Errorf("cwd, hostname = %q, %q; want /usr/local/apache2, myapache", spec.Process.Cwd, spec.Hostname)
			}
			var netns string
			for _, ns := range spec.Linux.Namespaces {
				if ns.Type == "network" {
					netns = ns.Path
				}
			}
			if netns == "" {
				t.Errorf("container does not join a network namespace: %+v", spec.Linux.Namespaces)
			}
			// httpd logs the pod IP it finds in the network namespace it joined.
			c2, _ := newTestChain(t, kind)
			_, id := podRun(t, c2, "web", "httpd:2.4", nil, nil)
			if p := c2.Process(id); p == nil || !strings.Contains(p.Logs[0].Text, "using 10.244.2.2.") {
				t.Errorf("httpd's first log line does not name the pod IP: %+v", p)
			}
		})
	}
}

func TestDockershimRefused(t *testing.T) {
	tests := []struct {
		version, want string
	}{
		{"v1.24.0", `failed to validate kubelet flags: unsupported CRI runtime: "docker", only "remote" is currently supported`},
		{"v1.26.3", `failed to validate kubelet flags: unsupported CRI runtime: "docker", only "remote" is currently supported`},
		{"v1.27.1", "failed to parse kubelet flag: unknown flag: --container-runtime"},
		{"v1.33.0", "failed to parse kubelet flag: unknown flag: --container-runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			_, err := New(Config{Kind: Docker, KubernetesVersion: tt.version})
			if !errors.Is(err, ErrDockershimRemoved) || !strings.HasPrefix(err.Error(), tt.want+":") {
				t.Errorf("New(docker, %s) = %v, want %q wrapping ErrDockershimRemoved", tt.version, err, tt.want)
			}
			if got := RefusalText(tt.version); got != tt.want {
				t.Errorf("RefusalText(%s) = %q, want %q", tt.version, got, tt.want)
			}
		})
	}
	if _, err := New(Config{Kind: Docker, KubernetesVersion: "v1.23.17"}); err != nil {
		t.Errorf("docker on v1.23.17: %v", err)
	}
	if _, err := New(Config{Kind: "rkt", KubernetesVersion: "v1.27.1"}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("unknown kind: err = %v, want ErrUnknownKind", err)
	}
}

func TestRuntimeVersion(t *testing.T) {
	tests := []struct {
		kind    Kind
		version string
		want    string
	}{
		{Containerd, "v1.27.1", "containerd://1.6.20"},
		{Docker, "v1.23.17", "docker://20.10.21"},
		{CRIO, "v1.27.1", "cri-o://1.27.1"},
		{CRIDockerd, "v1.27.1", "docker://24.0.7"},
		{Containerd, "v1.29.0", "containerd://1.7.2"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.version, func(t *testing.T) {
			c, err := New(Config{Kind: tt.kind, KubernetesVersion: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.RuntimeVersion(); got != tt.want {
				t.Errorf("RuntimeVersion() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 300 * time.Second, 300 * time.Second, 300 * time.Second}
	var got []time.Duration
	for n := -1; n < len(want)-1; n++ {
		got = append(got, Backoff(n))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Backoff(-1..7) (-want +got):\n%s", diff)
	}
}

// TestDeterministic: same seed, same calls → same IDs, trace and cost.
func TestDeterministic(t *testing.T) {
	for _, kind := range Kinds {
		run := func() (string, time.Duration) {
			c, _ := newTestChain(t, kind)
			_, traces, _, _ := lifecycle(t, c)
			var b strings.Builder
			for _, op := range []string{"RunPodSandbox", "StartContainer", "StopContainer"} {
				b.WriteString(formatTrace(traces[op]))
			}
			return b.String(), c.TakeCost()
		}
		t1, c1 := run()
		t2, c2 := run()
		if t1 != t2 || c1 != c2 {
			t.Errorf("%s: two runs differ: cost %v vs %v", kind, c1, c2)
		}
	}
}

// TestCatalogDate: the default catalog follows the cluster's date, never
// earlier than its Kubernetes release.
func TestCatalogDate(t *testing.T) {
	tests := []struct {
		version string
		now     time.Time
		want    string // nginx:latest's version
	}{
		{"v1.27.1", time.Date(2023, 4, 19, 13, 0, 0, 0, time.UTC), "1.23.4"},
		{"v1.33.0", time.Date(2023, 4, 19, 13, 0, 0, 0, time.UTC), "1.27.4"},
		{"v1.27.1", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), "1.31.5"},
	}
	for _, tt := range tests {
		c, err := New(Config{Kind: Containerd, KubernetesVersion: tt.version, Now: func() time.Time { return tt.now }})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Catalog().MustResolve("nginx").Version; got != tt.want {
			t.Errorf("%s at %s: nginx = %s, want %s", tt.version, tt.now.Format(time.DateOnly), got, tt.want)
		}
	}
}

// TestRuntimeSpecifics: what the layers below a CRI server receive that is
// particular to it: containerd's CRI annotations and one shim per pod,
// CRI-O's conmon command line.
func TestRuntimeSpecifics(t *testing.T) {
	t.Run("containerd", func(t *testing.T) {
		c, _ := newTestChain(t, Containerd)
		_, traces, sbID, ctID := lifecycle(t, c)
		cc := findRecord(t, traces["CreateContainer"], "containerd", "Containers.Create", 0).Request.(*ContainerdRequest)
		got := map[string]string{"ns": cc.Namespace, "snapshotter": cc.Container.Snapshotter}
		for _, k := range []string{"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri.container-name", "io.kubernetes.cri.image-name"} {
			got[k] = cc.Container.Spec.Annotations[k]
		}
		want := map[string]string{"ns": "k8s.io", "snapshotter": "overlayfs",
			"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
			"io.kubernetes.cri.container-name": "app", "io.kubernetes.cri.image-name": "docker.io/library/httpd:2.4"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// The container's task goes to the sandbox's shim: no new shim at start.
		for _, r := range traces["StartContainer"] {
			if r.Hop == "containerd-shim-runc-v2" && r.Op == "start" {
				t.Errorf("a shim was started for container %s", ctID)
			}
		}
	})
	t.Run("cri-o", func(t *testing.T) {
		c, _ := newTestChain(t, CRIO)
		_, traces, _, ctID := lifecycle(t, c)
		args := findRecord(t, traces["CreateContainer"], "conmon", "create", 0).Request.(*ConmonCall).Args
		flags := map[string]string{}
		for i := 1; i+1 < len(args); i++ {
			if strings.HasPrefix(args[i], "-") && !strings.HasPrefix(args[i+1], "-") {
				flags[args[i]] = args[i+1]
			}
		}
		got := map[string]string{"-c": flags["-c"], "-n": flags["-n"], "-r": flags["-r"], "-l": flags["-l"], "-b": flags["-b"]}
		want := map[string]string{"-c": ctID, "-n": "k8s_app_myapache_default_uid-myapache_0", "-r": "/usr/bin/runc",
			"-l": "/var/log/pods/default_myapache_uid-myapache/app/0.log", "-b": "/run/containers/storage/overlay-containers/" + ctID + "/userdata"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("conmon flags (-want +got):\n%s", diff)
		}
	})
}
