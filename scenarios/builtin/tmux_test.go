package builtin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kubesim/scenarios/killercoda"
)

// The tmux test plays lecture-04 through a real terminal: tmux runs the
// player in a pane, send-keys types, and the pane's output stream (tmux
// pipe-pane into a FIFO) is read as it comes, so the test waits on a
// blocking read, never by sleeping or polling.
//
// By default the player is this test binary itself (TestTmuxHelper, with
// the kubectl/curl shims of testdata/fakebin). With KUBESIM_BINARY set, it
// is `$KUBESIM_BINARY scenario play lecture-04` against a real simulated
// cluster.

const helperEnv = "KUBESIM_TMUX_HELPER"

// TestTmuxHelper is the player when the test binary runs inside tmux.
func TestTmuxHelper(t *testing.T) {
	state := os.Getenv(helperEnv)
	if state == "" {
		t.Skip("runs only inside TestTmuxPlayLecture")
	}
	sc, err := Scenario("lecture-04")
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := filepath.Abs("testdata/fakebin")
	env := &shimEnv{state: state, bin: bin}
	if err := killercoda.Play(context.Background(), sc, env, os.Stdin, os.Stdout, killercoda.PlayConfig{WorkDir: filepath.Join(state, "work")}); err != nil {
		t.Fatal(err)
	}
}

var promptRE = regexp.MustCompile(`\[(\d+)/(\d+)\] \$ `)

// pane is the output of a tmux pane, read from a FIFO as it arrives.
type pane struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  bytes.Buffer
	eof  bool
}

func (p *pane) read(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		p.mu.Lock()
		p.buf.Write(b[:n])
		if err != nil {
			p.eof = true
		}
		p.cond.Broadcast()
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// waitFor blocks until the output from offset on matches re, and returns
// the end of the match. It fails when the stream ends first.
func (p *pane) waitFor(t *testing.T, from int, re *regexp.Regexp) int {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if loc := re.FindIndex(p.buf.Bytes()[from:]); loc != nil {
			return from + loc[1]
		}
		if p.eof {
			t.Fatalf("pane output ended before %q; output:\n%s", re, p.buf.String())
		}
		p.cond.Wait()
	}
}

func (p *pane) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

func TestTmuxPlayLecture(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	player := fmt.Sprintf("env %s=%s %q -test.run='^TestTmuxHelper$'", helperEnv, state, os.Args[0])
	if bin := os.Getenv("KUBESIM_BINARY"); bin != "" {
		player = fmt.Sprintf("%q scenario play lecture-04", bin)
	}
	// A real-time limit for the whole session: when it passes, the tmux
	// server is killed, the FIFO ends and waitFor fails.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", sock}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })

	fifo := filepath.Join(dir, "pane")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The pane waits for one line before starting the player, so that
	// pipe-pane is in place before the first byte.
	tmux("new-session", "-d", "-s", "play", "-x", "160", "-y", "50", "read _; exec "+player)
	tmux("pipe-pane", "-t", "play", "-o", "cat >> "+fifo)
	f, err := os.Open(fifo)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &pane{}
	p.cond = sync.NewCond(&p.mu)
	go p.read(f)
	go func() {
		<-ctx.Done()
		exec.Command("tmux", "-S", sock, "kill-server").Run()
	}()
	tmux("send-keys", "-t", "play", "Enter")

	pos := p.waitFor(t, 0, promptRE)
	typeLine := func(line string, want *regexp.Regexp) {
		t.Helper()
		tmux("send-keys", "-t", "play", "-l", line)
		tmux("send-keys", "-t", "play", "Enter")
		pos = p.waitFor(t, pos, want)
	}
	solved := regexp.MustCompile(`✔ Step \d solved|✗ Not yet[^\n]*\n[^\n]*\[\d/\d\] \$ `)
	check := func(step int) {
		t.Helper()
		for try := 0; try < 5; try++ {
			typeLine("check", solved)
			if strings.Contains(p.String()[:pos], fmt.Sprintf("✔ Step %d solved", step)) {
				pos = p.waitFor(t, pos, promptRE)
				return
			}
		}
		t.Fatalf("step %d not solved after 5 checks:\n%s", step, p.String())
	}
	typeLine("kubectl get nodes", promptRE)
	typeLine("exec 1", promptRE)
	typeLine("next", regexp.MustCompile(`\[2/3\] \$ `))
	typeLine("exec 1", promptRE)
	check(2)
	typeLine("exec 1", promptRE)
	typeLine("exec 2", promptRE)
	typeLine("check", regexp.MustCompile(`✔ Step 3 solved`))
	p.waitFor(t, pos, regexp.MustCompile(`Scenario complete: 3 of 3 steps done\.`))
	if out := p.String(); !strings.Contains(out, "It works!") {
		t.Errorf("the session never showed httpd's page:\n%s", out)
	}
}
