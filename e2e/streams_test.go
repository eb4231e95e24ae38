package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		s.t.Fatal(err)
	}
	p := &ptyCmd{t: s.t, cmd: cmd, f: f, more: make(chan struct{}, 1), done: make(chan struct{})}
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
	s.t.Cleanup(func() {
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
		})
	}
}
