package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/scenarios/builtin"
	"kubesim/scenarios/transcript"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// kubesimBinary builds cmd/kubesim once per test run.
func kubesimBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kubesim-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kubesim")
		out, err := exec.Command("go", "build", "-o", binPath, "kubesim/cmd/kubesim").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// served is a `kubesim start`ed cluster with its own state dir and kubeconfig.
type served struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func startServed(t *testing.T, version string) *served {
	t.Helper()
	return startServedWith(t, version)
}

// startServedWith is startServed with more `kubesim start` flags.
func startServedWith(t *testing.T, version string, flags ...string) *served {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl is not on PATH: skipping the tests that run the system kubectl against kubesim start")
	}
	s := &served{t: t, bin: kubesimBinary(t), dir: t.TempDir()}
	shims := filepath.Join(s.dir, "bin")
	os.MkdirAll(shims, 0o755)
	for _, name := range []string{"curl", "vagrant"} {
		os.WriteFile(filepath.Join(shims, name), []byte(fmt.Sprintf("#!/bin/sh\nexec %q %s \"$@\"\n", s.bin, name)), 0o755)
	}
	s.env = append(os.Environ(),
		"KUBESIM_STATE="+filepath.Join(s.dir, "state"),
		"KUBECONFIG="+filepath.Join(s.dir, "kubeconfig"),
		"HOME="+s.dir,
		"PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	if out, code := s.run(s.bin, append([]string{"start", "--kubernetes-version", version}, flags...)...); code != 0 {
		t.Fatalf("kubesim start: exit %d\n%s", code, out)
	}
	t.Cleanup(func() {
		if out, code := s.run(s.bin, "delete"); code != 0 {
			t.Errorf("kubesim delete: exit %d\n%s", code, out)
		}
	})
	return s
}

func (s *served) run(name string, args ...string) (string, int) {
	var out bytes.Buffer
	code := s.runTo(&out, &out, name, args...)
	return out.String(), code
}

func (s *served) runStdin(stdin, name string, args ...string) (string, int) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = s.env, strings.NewReader(stdin), &out, &out
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), ee.ExitCode()
		}
		s.t.Fatalf("%s %v: %v", name, args, err)
	}
	return out.String(), 0
}

func (s *served) runTo(stdout, stderr io.Writer, name string, args ...string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		s.t.Fatalf("%s %v: %v", name, args, err)
	}
	return 0
}

// Env implementation for transcript.Replay: commands run in bash with the
// system kubectl; time moves with `kubesim advance`.
func (s *served) Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	return s.runTo(stdout, stderr, "/bin/bash", "-c", line), nil
}

func (s *served) Advance(d time.Duration) error {
	if out, code := s.run(s.bin, "advance", d.String()); code != 0 {
		return fmt.Errorf("kubesim advance %s: %s", d, out)
	}
	return nil
}

func (s *served) Directive(name string, args []string) error {
	action := map[string]string{"halt": "halt", "start": "start", "restart-node": "restart"}[name]
	if action == "" || len(args) != 1 {
		return fmt.Errorf("unknown directive %s %v", name, args)
	}
	if out, code := s.run(s.bin, "node", action, args[0]); code != 0 {
		return fmt.Errorf("kubesim node %s: %s", action, out)
	}
	return nil
}

func (s *served) ScriptEnv() []string { return s.env }

// TestSystemKubectlLecture replays the lecture with the machine's kubectl
// (which picks kubectl 1.27 for this server) against kubesim start.
func TestSystemKubectlLecture(t *testing.T) {
	s := startServed(t, "v1.27.1")
	// A transcript's ages are the sum of its advances: hold the clock.
	if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
		t.Fatalf("kubesim clock freeze: %s", out)
	}
	tr, err := builtin.Transcript("lecture-04")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := transcript.Replay(context.Background(), tr, s, &out); err != nil {
		t.Fatalf("lecture through the system kubectl:\n%v", err)
	}
}

// TestSystemKubectl132 checks a second real kubectl release (1.32) and the
// token requirement.
func TestSystemKubectl132(t *testing.T) {
	s := startServed(t, "v1.32.0")
	if err := s.Advance(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	out, code := s.run("kubectl", "get", "nodes")
	want := "" +
		"NAME             STATUS   ROLES           AGE   VERSION\n" +
		"m.example.com    Ready    control-plane   3h    v1.32.0\n" +
		"w1.example.com   Ready    <none>          3h    v1.32.0\n" +
		"w2.example.com   Ready    <none>          3h    v1.32.0\n"
	if diff := cmp.Diff(want, out); diff != "" || code != 0 {
		t.Errorf("kubectl get nodes: exit %d (-want +got):\n%s", code, diff)
	}
	out, code = s.run("kubectl", "version", "-o", "json")
	if code != 0 || !strings.Contains(out, `"gitVersion": "v1.32.`) {
		t.Errorf("system kubectl did not pick its 1.32 client: %s", out)
	}
	out, code = s.run("kubectl", "--token=wrong", "get", "pods")
	if diff := cmp.Diff("error: You must be logged in to the server (Unauthorized)\n", out); diff != "" || code != 1 {
		t.Errorf("wrong token: exit %d (-want +got):\n%s", code, diff)
	}
	out, code = s.run("kubectl", "get", "pods")
	if diff := cmp.Diff("No resources found in default namespace.\n", out); diff != "" || code != 0 {
		t.Errorf("kubectl get pods: exit %d (-want +got):\n%s", code, diff)
	}
	testExec(t, s)
}

// testExec runs kubectl exec (WebSocket from kubectl 1.30, SPDY before).
func testExec(t *testing.T, s *served) {
	t.Helper()
	if out, code := s.run("kubectl", "run", "web", "--image", "httpd:2.4"); code != 0 {
		t.Fatalf("run: %s", out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		out  string
		code int
	}{
		{[]string{"exec", "web", "--", "echo", "hello"}, "hello\n", 0},
		{[]string{"exec", "web", "--", "sh", "-c", "exit 3"}, "command terminated with exit code 3\n", 3},
		{[]string{"exec", "web", "--", "nosuch"}, "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown\ncommand terminated with exit code 126\n", 126},
	} {
		out, code := s.run("kubectl", tc.args...)
		if diff := cmp.Diff(tc.out, out); diff != "" || code != tc.code {
			t.Errorf("kubectl %v: exit %d, want %d (-want +got):\n%s", tc.args, code, tc.code, diff)
		}
	}
}

// TestKillDashNine: an acknowledged create survives kill -9 of the server.
func TestKillDashNine(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.run("kubectl", "create", "configmap", "survivor", "--from-literal=a=b"); code != 0 {
		t.Fatalf("create: %s", out)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "state", "kubesim.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if out, code := s.run(s.bin, "start"); code != 0 {
		t.Fatalf("restart after kill -9: %s", out)
	}
	out, code := s.run("kubectl", "get", "configmap", "survivor", "-o", "jsonpath={.data.a}")
	if code != 0 || out != "b" {
		t.Errorf("after kill -9 and start: exit %d, %q; want the configmap back", code, out)
	}
	testExec(t, s) // kubectl 1.27: SPDY

}
