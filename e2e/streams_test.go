package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyCmd is a command run on a pseudo-terminal, as a learner's kubectl -it
// runs in theirs.
type ptyCmd struct {
	t    *testing.T
	cmd  *exec.Cmd
	f    *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	more chan struct{}
	done chan struct{}
	err  error
}

func (s *served) startPTY(args ...string) *ptyCmd {
	s.t.Helper()
	cmd := exec.Command("kubectl", args...)
	cmd.Env = s.env
	return startOnPTY(s.t, cmd)
}

// startOnPTY starts cmd on a new pseudo-terminal of 24x80, its
// controlling terminal.
func startOnPTY(t *testing.T, cmd *exec.Cmd) *ptyCmd {
	t.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyCmd{t: t, cmd: cmd, f: f, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
			if err != nil {
				break
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		f.Close()
	})
	return p
}

// expect waits (bounded) until the output so far contains want, and
// consumes it up to there.
func (p *ptyCmd) expect(want string) string {
	p.t.Helper()
	bound := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		got := p.out.String()
		if i := strings.Index(got, want); i >= 0 {
			p.out.Next(i + len(want))
			p.mu.Unlock()
			return got[:i+len(want)]
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-bound:
			p.t.Fatalf("no %q in the terminal after 30s; got %q", want, got)
		}
	}
}

func (p *ptyCmd) send(s string) {
	p.t.Helper()
	if _, err := p.f.WriteString(s); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits (bounded) for the command to end and returns its exit code
// and the rest of its output.
func (p *ptyCmd) wait() (int, string) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("still running after 30s; output %q", p.out.String())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode(), p.out.String()
	}
	return 0, p.out.String()
}

// TestInteractiveExec: kubectl exec -it gives busybox's prompt, the shell
// answers line by line on the terminal kubectl allocates (echo, size),
// and exit codes propagate; stdin without a terminal streams too; kubectl
// cp round-trips a file. 1.27 speaks SPDY, 1.33 WebSocket.
func TestInteractiveExec(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			s := startServed(t, v)
			if out, code := s.run("kubectl", "run", "sh1", "--image=busybox:1.28", "--", "sleep", "3600"); code != 0 {
				t.Fatalf("run: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			p := s.startPTY("exec", "-it", "sh1", "--", "sh")
			p.expect("/ # ")
			p.send("hostname\r")
			if got := p.expect("/ # "); got != "hostname\r\nsh1\r\n/ # " {
				t.Errorf("hostname: %q", got)
			}
			p.send("cd /tmp; stty size\r")
			if got := p.expect("/tmp # "); got != "cd /tmp; stty size\r\n24 80\r\n/tmp # " {
				t.Errorf("stty size: %q", got)
			}
			p.send("exit 3\r")
			code, rest := p.wait()
			if code != 3 || rest != "exit 3\r\ncommand terminated with exit code 3\r\n" {
				t.Errorf("exit 3: exit %d, output %q", code, rest)
			}

			if out, code := s.run("kubectl", "exec", "sh1", "--", "sh", "-c", "exit 3"); code != 3 || out != "command terminated with exit code 3\n" {
				t.Errorf("exec sh -c 'exit 3': exit %d %q", code, out)
			}
			if out, code := s.runStdin("a\nb\n", "kubectl", "exec", "-i", "sh1", "--", "wc", "-l"); code != 0 || out != "2\n" {
				t.Errorf("exec -i wc -l: exit %d %q", code, out)
			}

			src := filepath.Join(s.dir, "f.txt")
			os.WriteFile(src, []byte("round trip\n"), 0o644)
			if out, code := s.run("kubectl", "cp", src, "sh1:/tmp/f"); code != 0 {
				t.Fatalf("cp to the pod: exit %d %s", code, out)
			}
			back := filepath.Join(s.dir, "back.txt")
			if out, code := s.run("kubectl", "cp", "sh1:/tmp/f", back); code != 0 {
				t.Fatalf("cp from the pod: exit %d %s", code, out)
			}
			if b, err := os.ReadFile(back); err != nil || string(b) != "round trip\n" {
				t.Errorf("cp round trip: %q %v", b, err)
			}

			// kubectl debug adds an ephemeral container through
			// pods/ephemeralcontainers; describe lists it.
			out, code := s.run("kubectl", "debug", "sh1", "--image=busybox:1.28", "--target=sh1", "--", "sleep", "3600")
			if code != 0 || !strings.Contains(out, "Targeting container \"sh1\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n") ||
				!strings.Contains(out, "Defaulting debug container name to debugger-") {
				t.Errorf("debug: exit %d %q", code, out)
			}
			desc, _ := s.run("kubectl", "describe", "pod", "sh1")
			if !strings.Contains(desc, "Ephemeral Containers:\n  debugger-") || !regexp.MustCompile(`(?m)^    Image: +busybox:1\.28$`).MatchString(desc[strings.Index(desc, "Ephemeral Containers:")+1:]) {
				t.Errorf("describe has no ephemeral container:\n%s", desc)
			}
		})
	}
}

// background is a long-running kubectl (port-forward) whose output is
// watched as it comes.
func (s *served) background(args ...string) *ptyCmd {
	s.t.Helper()
	cmd := exec.Command("kubectl", args...)
	cmd.Env = s.env
	pr, pw, err := os.Pipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	pw.Close()
	p := &ptyCmd{t: s.t, cmd: cmd, f: pr, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := pr.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
			if err != nil {
				break
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	s.t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		pr.Close()
	})
	return p
}

// localPort reads kubectl port-forward's "Forwarding from 127.0.0.1:PORT"
// line.
func (p *ptyCmd) localPort() string {
	p.t.Helper()
	p.expect("Forwarding from 127.0.0.1:")
	return strings.TrimSpace(strings.SplitN(p.expect(" ->"), " ", 2)[0])
}

// TestPortForward: kubectl port-forward to a pod and to a Service carries a
// host HTTP client's request to httpd in the pod (SPDY with 1.27, SPDY over
// WebSocket with 1.33); a port nothing listens on gives containerd's error.
func TestPortForward(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			s := startServed(t, v)
			if out, code := s.run("kubectl", "run", "web", "--image=httpd:2.4", "--port=80", "--expose"); code != 0 {
				t.Fatalf("run: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			client := &http.Client{Timeout: 30 * time.Second}
			for _, target := range []string{"pod/web", "svc/web"} {
				pf := s.background("port-forward", target, ":80")
				port := pf.localPort()
				resp, err := client.Get("http://127.0.0.1:" + port + "/")
				if err != nil {
					t.Fatalf("%s: %v", target, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(body) != "<html><body><h1>It works!</h1></body></html>\n" {
					t.Errorf("%s: %d %q", target, resp.StatusCode, body)
				}
				pf.expect("Handling connection for " + port)
			}
			pf := s.background("port-forward", "pod/web", ":81")
			port := pf.localPort()
			if resp, err := client.Get("http://127.0.0.1:" + port + "/"); err == nil {
				resp.Body.Close()
				t.Errorf("port 81 answered %d", resp.StatusCode)
			}
			// 1.33 logs the error quoted (klog's structured "Unhandled
			// Error"), so its inner quotes come escaped.
			got := strings.ReplaceAll(pf.expect("IPv6 dial tcp6 [::1]:81: connect: connection refused "), `\"`, `"`)
			for _, want := range []string{
				"an error occurred forwarding " + port + " -> 81: error forwarding port 81 to pod ",
				`, uid : failed to execute portforward in network namespace "/var/run/netns/cni-`,
				`": failed to connect to localhost:81 inside namespace "`,
				`", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused `,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("port 81: no %q in %q", want, got)
				}
			}
		})
	}
}

// TestRunInteractive: kubectl run -it --rm attaches to the container's
// shell (stdin, tty), prints kubectl's prompt hint, carries the session,
// and on exit deletes the pod and exits with the shell's code; kubectl
// attach reaches a running shell again.
func TestRunInteractive(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			s := startServed(t, v)
			p := s.startPTY("run", "-it", "--rm", "--restart=Never", "bb", "--image=busybox:1.28", "--", "sh")
			p.expect("If you don't see a command prompt, try pressing enter.\r\n")
			p.send("\r")
			p.expect("/ # ")
			p.send("hostname\r")
			if got := p.expect("/ # "); got != "hostname\r\nbb\r\n/ # " {
				t.Errorf("hostname: %q", got)
			}
			p.send("exit 3\r")
			code, rest := p.wait()
			if code != 3 || rest != "exit 3\r\npod \"bb\" deleted\r\npod default/bb terminated (Error)\r\n" {
				t.Errorf("exit 3: exit %d, output %q", code, rest)
			}
			if out, _ := s.run("kubectl", "get", "pod", "bb"); out != "Error from server (NotFound): pods \"bb\" not found\n" {
				t.Errorf("after --rm: %q", out)
			}

			if out, code := s.run("kubectl", "run", "att", "-i", "-t", "--attach=false", "--image=busybox:1.28", "--", "sh"); code != 0 {
				t.Fatalf("run att: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			a := s.startPTY("attach", "-it", "att")
			a.expect("If you don't see a command prompt, try pressing enter.\r\n")
			a.send("\r")
			a.expect("/ # ")
			a.send("exit\r")
			if code, rest := a.wait(); code != 0 || rest != "exit\r\nSession ended, resume using 'kubectl attach att -c att -i -t' command when the pod is running\r\n" {
				t.Errorf("attach: exit %d, output %q", code, rest)
			}
		})
	}
}

// TestLogsFollow: kubectl logs -f against a live cluster prints lines as the
// container writes them and ends when it exits.
func TestLogsFollow(t *testing.T) {
	s := startServed(t, "v1.33.0")
	if out, code := s.run("kubectl", "run", "ticker", "--restart=Never", "--image=busybox:1.28", "--", "sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 1; done"); code != 0 {
		t.Fatalf("run: %s", out)
	}
	if out, code := s.run("kubectl", "wait", "--for=condition=Ready", "pod/ticker", "--timeout=30s"); code != 0 {
		t.Fatalf("wait: %s", out)
	}
	if out, code := s.run("kubectl", "logs", "-f", "ticker"); code != 0 || out != "tick 1\ntick 2\ntick 3\n" {
		t.Errorf("logs -f: exit %d %q", code, out)
	}
}
