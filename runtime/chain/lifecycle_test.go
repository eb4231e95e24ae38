package chain

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
)

func containerStatus(t *testing.T, c *Chain, id string) *runtimeapi.ContainerStatus {
	t.Helper()
	r, err := c.Runtime().ContainerStatus(context.Background(), &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		t.Fatalf("ContainerStatus: %v", err)
	}
	return r.Status
}

type exitState struct {
	State    runtimeapi.ContainerState
	ExitCode int32
	Reason   string
	Ran      time.Duration
}

func stateOf(st *runtimeapi.ContainerStatus) exitState {
	e := exitState{State: st.State, ExitCode: st.ExitCode, Reason: st.Reason}
	if st.FinishedAt != 0 {
		e.Ran = time.Duration(st.FinishedAt - st.StartedAt)
	}
	return e
}

// TestContainerExits: a process that ends on its own is EXITED once the
// virtual clock passes its end, with its exit code and containerd's reason.
func TestContainerExits(t *testing.T) {
	tests := []struct {
		name      string
		image     string
		cmd, args []string
		advance   time.Duration
		want      exitState
		logs      []string
	}{
		{"echo then exit 3", "busybox", []string{"sh", "-c", "echo hi; exit 3"}, nil, time.Second,
			exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 3, "Error", 0}, []string{"hi"}},
		{"sleep 10 still running at 9s", "busybox", nil, []string{"sleep", "10"}, 9 * time.Second,
			exitState{State: runtimeapi.ContainerState_CONTAINER_RUNNING}, nil},
		{"sleep 10 completes", "busybox", nil, []string{"sleep", "10"}, 10 * time.Second,
			exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 0, "Completed", 10 * time.Second}, nil},
		{"false", "busybox", []string{"false"}, nil, time.Second,
			exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 1, "Error", 0}, nil},
		{"bare busybox sh reads EOF", "busybox", nil, nil, time.Second,
			exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 0, "Completed", 0}, nil},
		{"postgres without password", "postgres:15", nil, nil, time.Second,
			exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 1, "Error", 0},
			[]string{"Error: Database is uninitialized and superuser password is not specified."}},
		{"nginx runs", "nginx", nil, nil, time.Hour,
			exitState{State: runtimeapi.ContainerState_CONTAINER_RUNNING}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, clk := newTestChain(t, Containerd)
			_, id := podRun(t, c, "p", tt.image, tt.cmd, tt.args)
			start := clk.Now()
			at, exits := c.ExitAt(id)
			clk.Advance(tt.advance)
			if driveAll(c, clk.Now()) {
				at, exits = c.ExitAt(id)
				if st := containerStatus(t, c, id); st.State == runtimeapi.ContainerState_CONTAINER_EXITED {
					at, exits = time.Unix(0, st.FinishedAt), true
				}
			}
			got := stateOf(containerStatus(t, c, id))
			if got != tt.want {
				t.Errorf("status = %+v, want %+v", got, tt.want)
			}
			if got.State == runtimeapi.ContainerState_CONTAINER_EXITED && (!exits || at.Sub(start) != got.Ran) {
				t.Errorf("ExitAt = %v, %v; want start+%v", at, exits, got.Ran)
			}
			var logs []string
			for i, l := range c.Process(id).Logs {
				if i < len(tt.logs) {
					logs = append(logs, l.Text)
				}
			}
			if diff := cmp.Diff(tt.logs, logs); diff != "" {
				t.Errorf("logs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStopContainer: a server handles its stop signal and exits 0 quickly;
// sleep as PID 1 ignores SIGTERM and is killed (137) after the grace period,
// which the cost charges.
func TestStopContainer(t *testing.T) {
	tests := []struct {
		name    string
		image   string
		args    []string
		want    exitState
		minCost time.Duration
		signals []int
	}{
		{"httpd SIGWINCH", "httpd:2.4", nil, exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 0, "Completed", time.Second}, time.Second, []int{28}},
		{"nginx SIGQUIT", "nginx", nil, exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 0, "Completed", 0}, 0, []int{3}},
		{"sleep ignores SIGTERM", "busybox", []string{"sleep", "3600"}, exitState{runtimeapi.ContainerState_CONTAINER_EXITED, 137, "Error", 30 * time.Second}, 30 * time.Second, []int{15, 9}},
	}
	for _, kind := range Kinds {
		for _, tt := range tests {
			t.Run(string(kind)+"/"+tt.name, func(t *testing.T) {
				c, _ := newTestChain(t, kind)
				_, id := podRun(t, c, "p", tt.image, nil, tt.args)
				c.TakeCost()
				c.ResetTrace()
				if _, err := c.Runtime().StopContainer(context.Background(), &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: 30}); err != nil {
					t.Fatal(err)
				}
				if got := stateOf(containerStatus(t, c, id)); got != tt.want {
					t.Errorf("status = %+v, want %+v", got, tt.want)
				}
				if got := c.TakeCost(); got < tt.minCost {
					t.Errorf("cost = %v, want ≥ %v", got, tt.minCost)
				}
				var sigs []int
				for _, r := range c.Trace() {
					if r.Hop == "runc" && r.Op == "kill" {
						args := r.Request.(*RuncCall).Args
						var n int
						for _, ch := range args[len(args)-1] {
							n = n*10 + int(ch-'0')
						}
						sigs = append(sigs, n)
					}
				}
				if diff := cmp.Diff(tt.signals, sigs); diff != "" {
					t.Errorf("signals runc delivered (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestPullErrors: each runtime words a failed pull its own way; containerd's
// is the text real clusters show (events-and-messages.md §2.3).
func TestPullErrors(t *testing.T) {
	tests := []struct {
		kind Kind
		ref  string
		want string
	}{
		{Containerd, "nginx:1.28", `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.28": failed to resolve reference "docker.io/library/nginx:1.28": docker.io/library/nginx:1.28: not found`},
		{Containerd, "myapp:v2.0", `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/myapp:v2.0": pull access denied, repository does not exist or may require docker login`},
		{Docker, "nginx:1.28", `rpc error: code = Unknown desc = Error response from daemon: manifest for nginx:1.28 not found: manifest unknown: manifest unknown`},
		{CRIDockerd, "myapp:v2.0", `rpc error: code = Unknown desc = Error response from daemon: pull access denied for myapp, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.ref, func(t *testing.T) {
			c, _ := newTestChain(t, tt.kind)
			_, err := c.Images().PullImage(context.Background(), &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: tt.ref}})
			if err == nil || err.Error() != tt.want {
				t.Errorf("PullImage(%s) error =\n  %v\nwant\n  %s", tt.ref, err, tt.want)
			}
			if _, ok := status.FromError(err); !ok {
				t.Errorf("error is not a gRPC status: %T", err)
			}
		})
	}
}

func TestExecSync(t *testing.T) {
	tests := []struct {
		name   string
		image  string
		cmd    []string
		stdout string
		stderr string
		code   int32
	}{
		{"cat index", "httpd:2.4", []string{"cat", "/usr/local/apache2/htdocs/index.html"}, "<html><body><h1>It works!</h1></body></html>\n", "", 0},
		{"hostname", "nginx", []string{"hostname"}, "p\n", "", 0},
		{"sh -c", "busybox", []string{"sh", "-c", "echo $GREETING; exit 4"}, "hello\n", "", 4},
		{"no such binary", "registry.k8s.io/pause:3.9", []string{"sh"}, "", `OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown` + "\n", 126},
	}
	for _, kind := range Kinds {
		for _, tt := range tests {
			t.Run(string(kind)+"/"+tt.name, func(t *testing.T) {
				c, _ := newTestChain(t, kind)
				_, id := podRun(t, c, "p", tt.image, nil, []string{})
				if tt.image == "busybox" {
					_, id = podRun(t, c, "q", tt.image, nil, []string{"sleep", "3600"})
				}
				r, err := c.Runtime().ExecSync(context.Background(), &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: tt.cmd})
				if err != nil {
					t.Fatal(err)
				}
				got := []any{string(r.Stdout), string(r.Stderr), r.ExitCode}
				if diff := cmp.Diff([]any{tt.stdout, tt.stderr, tt.code}, got); diff != "" {
					t.Errorf("ExecSync %v (-want +got):\n%s", tt.cmd, diff)
				}
			})
		}
	}
}

// TestListsAndStatus: what crictl pods / ps / inspectp read.
func TestListsAndStatus(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			ctx := context.Background()
			sb1, _ := podRun(t, c, "a", "nginx", nil, nil)
			podRun(t, c, "b", "busybox", nil, []string{"sleep", "3600"})
			pods, err := c.Runtime().ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
			if err != nil {
				t.Fatal(err)
			}
			ctrs, err := c.Runtime().ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{PodSandboxId: sb1}})
			if err != nil {
				t.Fatal(err)
			}
			st, err := c.Runtime().PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sb1, Verbose: true})
			if err != nil {
				t.Fatal(err)
			}
			imgs, err := c.Images().ListImages(ctx, &runtimeapi.ListImagesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var tags []string
			for _, i := range imgs.Images {
				tags = append(tags, i.RepoTags...)
			}
			got := map[string]any{
				"pods": len(pods.Items), "ctrs in a": len(ctrs.Containers), "ip": st.Status.GetNetwork().GetIp(),
				"state": st.Status.State.String(), "info": strings.Contains(st.Info["info"], `"pid":`), "images": strings.Join(tags, ","),
			}
			sbImage := map[Kind]string{Docker: "registry.k8s.io/pause:3.6"}[kind]
			if sbImage == "" {
				sbImage = "registry.k8s.io/pause:3.9"
			}
			want := map[string]any{"pods": 2, "ctrs in a": 1, "ip": "10.244.2.2", "state": "SANDBOX_READY", "info": true,
				"images": strings.Join(sortedTags(sbImage, "docker.io/library/nginx:latest", "docker.io/library/busybox:latest", c), ",")}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// sortedTags orders refs as ListImages does: by image ID.
func sortedTags(a, b, d string, c *Chain) []string {
	byID := map[string]string{}
	for _, ref := range []string{a, b, d} {
		img := c.cat.MustResolve(ref)
		byID[img.ID] = img.Ref
	}
	var out []string
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		out = append(out, byID[id])
	}
	return out
}

func TestHTTPAndLogs(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, clk := newTestChain(t, kind)
			_, web := podRun(t, c, "myapache", "httpd:2.4", nil, nil)
			_, job := podRun(t, c, "job", "busybox", []string{"sh", "-c", "echo one; sleep 5; echo two; exit 2"}, nil)
			h, ok := c.HTTP("10.244.2.2", 80)
			if !ok {
				t.Fatal("nothing listens on 10.244.2.2:80")
			}
			if status, _, body := h("GET", "/", nil); status != 200 || string(body) != "<html><body><h1>It works!</h1></body></html>\n" {
				t.Errorf("GET / = %d %q", status, body)
			}
			if _, ok := c.HTTP("10.244.2.2", 8080); ok {
				t.Error("something listens on :8080")
			}
			if _, ok := c.HTTP("10.244.2.3", 80); ok {
				t.Error("busybox listens on :80")
			}
			texts := func(id string) []string {
				driveAll(c, clk.Now())
				_, lines, err := c.ContainerLogs(id)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, l := range lines {
					out = append(out, l.Text)
				}
				return out
			}
			if diff := cmp.Diff([]string{"one"}, texts(job)); diff != "" {
				t.Errorf("logs at 0s (-want +got):\n%s", diff)
			}
			clk.Advance(time.Minute)
			if diff := cmp.Diff([]string{"one", "two"}, texts(job)); diff != "" {
				t.Errorf("logs at 1m (-want +got):\n%s", diff)
			}
			if _, err := c.Runtime().StopContainer(context.Background(), &runtimeapi.StopContainerRequest{ContainerId: web, Timeout: 30}); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			got := texts(web)
			want := []string{
				`127.0.0.1 - - [02/May/2023:10:00:00 +0000] "GET / HTTP/1.1" 200 45`,
				"[Tue May 02 10:01:00.000000 2023] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, shutting down gracefully",
			}
			if len(got) != 6 || got[1] != want[0] || got[5] != want[1] {
				t.Errorf("httpd logs after stop: %q\nwant second %q and last %q", got, want[0], want[1])
			}
			if _, ok := c.HTTP("10.244.2.2", 80); ok {
				t.Error("stopped httpd still serves")
			}
		})
	}
}

// TestHostNetwork: a host-network sandbox gets no CNI address: the plugin
// is not called and the node address from the annotation is reported.
func TestHostNetwork(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			allocs, releases := 0, 0
			c, err := New(Config{Kind: kind, KubernetesVersion: versionFor(kind), Node: "m",
				CNI: CNIFuncs{AddFunc: func(string, string, string, string) (string, error) { allocs++; return "10.244.0.2", nil },
					DelFunc: func(string, string, string, string) { releases++ }}})
			if err != nil {
				t.Fatal(err)
			}
			cfg := sandboxConfig("etcd-m")
			cfg.Annotations = map[string]string{PodIPAnnotation: "192.168.1.10"}
			cfg.Linux.SecurityContext = &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_NODE}}
			ctx := context.Background()
			sb, err := c.Runtime().RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			st, err := c.Runtime().PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sb.PodSandboxId})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Runtime().StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.PodSandboxId}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Runtime().RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.PodSandboxId}); err != nil {
				t.Fatal(err)
			}
			if got := []any{st.Status.GetNetwork().GetIp(), allocs, releases}; !cmp.Equal(got, []any{"192.168.1.10", 0, 0}) {
				t.Errorf("ip, allocations, releases = %v, want [192.168.1.10 0 0]", got)
			}
		})
	}
}

// TestShimsPerPod: the CRI plugin runs one shim per pod; under dockerd every
// container (sandboxes included) gets its own; CRI-O runs one conmon per
// container.
func TestShimsPerPod(t *testing.T) {
	want := map[Kind][2]int{Docker: {4, 0}, Containerd: {2, 0}, CRIO: {0, 4}, CRIDockerd: {4, 0}}
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			c, _ := newTestChain(t, kind)
			podRun(t, c, "a", "nginx", nil, nil)
			podRun(t, c, "b", "nginx", nil, nil)
			var shims, conmons int
			for _, r := range c.Trace() {
				switch {
				case r.Hop == "containerd-shim-runc-v2" && r.Op == "start":
					shims++
				case r.Hop == "conmon" && r.Op == "create":
					conmons++
				}
			}
			if got := [2]int{shims, conmons}; got != want[kind] {
				t.Errorf("shims, conmons = %v, want %v", got, want[kind])
			}
		})
	}
}

// TestMissingExecutable: each runtime reports a missing executable with its
// layers' wrapping, at the call where runc create runs.
func TestMissingExecutable(t *testing.T) {
	const runcMsg = `runc create failed: unable to start container process: exec: "sh": executable file not found in $PATH`
	tests := []struct {
		kind    Kind
		atStart bool
		want    string
	}{
		{Containerd, true, `rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: ` + runcMsg + `: unknown`},
		{Docker, true, `rpc error: code = Unknown desc = failed to start container "ID": Error response from daemon: failed to create shim task: OCI runtime create failed: ` + runcMsg + `: unknown`},
		{CRIO, false, `rpc error: code = Unknown desc = container create failed: ` + runcMsg},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			c, _ := newTestChain(t, tt.kind)
			ctx := context.Background()
			sbc := sandboxConfig("p")
			sb, err := c.Runtime().RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
			if err != nil {
				t.Fatal(err)
			}
			cc := containerConfig("c", c.sandboxImg.Ref, []string{"sh"}, nil, nil)
			ct, err := c.Runtime().CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, Config: cc, SandboxConfig: sbc})
			if !tt.atStart {
				if err == nil || err.Error() != tt.want {
					t.Errorf("CreateContainer error =\n  %v\nwant\n  %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Runtime().StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId})
			want := strings.ReplaceAll(tt.want, `"ID"`, `"`+ct.ContainerId+`"`)
			if err == nil || err.Error() != want {
				t.Errorf("StartContainer error =\n  %v\nwant\n  %s", err, want)
			}
			st := containerStatus(t, c, ct.ContainerId)
			if st.State != runtimeapi.ContainerState_CONTAINER_EXITED || st.Reason != "StartError" || st.ExitCode != 128 {
				t.Errorf("status after failed start = %v %s %d, want EXITED StartError 128", st.State, st.Reason, st.ExitCode)
			}
		})
	}
}

// TestStdin: kubectl run -i keeps stdin open, so a bare busybox sh keeps
// running instead of exiting 0.
func TestStdin(t *testing.T) {
	for _, kind := range Kinds {
		for _, stdin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stdin=%v", kind, stdin), func(t *testing.T) {
				c, _ := newTestChain(t, kind)
				ctx := context.Background()
				sbc := sandboxConfig("p")
				sb, err := c.Runtime().RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sbc})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Images().PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}}); err != nil {
					t.Fatal(err)
				}
				cc := containerConfig("c", "busybox", nil, nil, nil)
				cc.Stdin, cc.Tty = stdin, stdin
				ct, err := c.Runtime().CreateContainer(ctx, &runtimeapi.CreateContainerRequest{PodSandboxId: sb.PodSandboxId, Config: cc, SandboxConfig: sbc})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Runtime().StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ct.ContainerId}); err != nil {
					t.Fatal(err)
				}
				driveAll(c, time.Date(2023, 5, 2, 10, 0, 0, 0, time.UTC))
				want := runtimeapi.ContainerState_CONTAINER_EXITED
				if stdin {
					want = runtimeapi.ContainerState_CONTAINER_RUNNING
				}
				if got := containerStatus(t, c, ct.ContainerId).State; got != want {
					t.Errorf("state = %v, want %v", got, want)
				}
			})
		}
	}
}

// TestCNIFailure: a failing CNI ADD fails RunPodSandbox with the runtime's
// wrapping of the plugin's error; nothing is left behind.
func TestCNIFailure(t *testing.T) {
	const cniErr = `plugin type="flannel" failed (add): loadFlannelSubnetEnv failed: open /run/flannel/subnet.env: no such file or directory`
	tests := []struct {
		kind   Kind
		prefix string
	}{
		{Containerd, `rpc error: code = Unknown desc = failed to setup network for sandbox "`},
		{Docker, `rpc error: code = Unknown desc = failed to set up sandbox container "`},
		{CRIO, `rpc error: code = Unknown desc = error creating pod sandbox with name "k8s_POD_p_default_uid-p_0"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			c, err := New(Config{Kind: tt.kind, KubernetesVersion: versionFor(tt.kind),
				CNI: CNIFuncs{AddFunc: func(string, string, string, string) (string, error) { return "", errors.New(cniErr) }}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Runtime().RunPodSandbox(context.Background(), &runtimeapi.RunPodSandboxRequest{Config: sandboxConfig("p")})
			if err == nil || !strings.HasPrefix(err.Error(), tt.prefix) || !strings.HasSuffix(err.Error(), cniErr) {
				t.Errorf("RunPodSandbox error =\n  %v\nwant prefix %q and the plugin's error", err, tt.prefix)
			}
			pods, _ := c.Runtime().ListPodSandbox(context.Background(), &runtimeapi.ListPodSandboxRequest{})
			if len(pods.Items) != 0 {
				t.Errorf("%d sandboxes left after the failure", len(pods.Items))
			}
		})
	}
}

// TestImageTags: two tags of one image are one image with two RepoTags; the
// second pull only resolves the manifest.
func TestImageTags(t *testing.T) {
	c, _ := newTestChain(t, Containerd)
	ctx := context.Background()
	pull := func(ref string) time.Duration {
		if _, err := c.Images().PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: ref}}); err != nil {
			t.Fatal(err)
		}
		return c.TakeCost()
	}
	first, second := pull("nginx"), pull("nginx:1.23")
	if !(first > 2*time.Second && second < time.Second) {
		t.Errorf("pull costs = %v then %v, want a full pull then a manifest check", first, second)
	}
	st, err := c.Images().ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: "nginx:1.23"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"docker.io/library/nginx:1.23", "docker.io/library/nginx:latest"}, st.Image.RepoTags); diff != "" {
		t.Errorf("RepoTags (-want +got):\n%s", diff)
	}
	if pull("nginx:1.23-alpine") < 2*time.Second {
		t.Error("the alpine variant is a different image and needs a full pull")
	}
}

// echoNet answers every request with the client's address.
type echoNet struct{ from string }

func (e echoNet) Resolve(host string) (string, error) { return "10.96.0.20", nil }
func (e echoNet) HTTP(ip string, port int32, method, path string, h map[string]string) (int, map[string]string, []byte, error) {
	return 200, nil, []byte("hello " + e.from + " from " + h[images.RemoteAddrHeader] + "\n"), nil
}

// TestNetworkHook: Config.Network gives a container's main process the
// network, seen from its pod IP.
func TestNetworkHook(t *testing.T) {
	c, err := New(Config{Kind: Containerd, KubernetesVersion: "v1.27.1",
		CNI:     CNIFuncs{AddFunc: func(string, string, string, string) (string, error) { return "10.244.1.9", nil }},
		Network: func(podIP, _ string) images.Network { return echoNet{from: podIP} }})
	if err != nil {
		t.Fatal(err)
	}
	_, id := podRun(t, c, "tmp", "busybox", nil, []string{"wget", "-qO-", "http://web"})
	driveAll(c, time.Time{})
	_, lines, err := c.ContainerLogs(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Text != "hello 10.244.1.9 from 10.244.1.9" {
		t.Errorf("logs = %+v", lines)
	}
	if st := containerStatus(t, c, id); st.State != runtimeapi.ContainerState_CONTAINER_EXITED || st.ExitCode != 0 {
		t.Errorf("state = %v (%d), want EXITED (0)", st.State, st.ExitCode)
	}
}
