package shell

import (
	"strings"
	"testing"
	"time"

	"kubesim/runtime/containerfs"
)

// session drives an interactive process as a live driver would: input is
// written, then the process resumes at the driver's time.
type session struct {
	t   *testing.T
	p   *Process
	in  *Input
	out *strings.Builder
	now time.Time
}

func newSession(t *testing.T, f Flavor, tty bool, argv ...string) *session {
	fsys := containerfs.New(layerFor(f), func() time.Time { return t0 })
	s := &session{t: t, in: NewInput(tty), out: &strings.Builder{}, now: t0}
	s.p = Start(Config{FS: fsys, Flavor: f, Start: t0, Stdin: s.in, Stdout: s.out, Stderr: s.out, TTY: tty, Cols: 80, Rows: 24, Hostname: "sh1"}, argv)
	return s
}

// send writes input and runs the process until it blocks at the driver's
// time; it returns the output since the last call.
func (s *session) send(input string) (string, Status) {
	if input != "" {
		s.in.Write([]byte(input))
	}
	st := s.p.Resume(s.now, s.now)
	out := s.out.String()
	s.out.Reset()
	return out, st
}

func TestInteractiveBusyboxShell(t *testing.T) {
	s := newSession(t, Busybox, true, "sh")
	steps := []struct {
		in, out string
	}{
		{"", "/ # "},
		{"hostname\n", "sh1\n/ # "},
		{"cd /tmp\n", "/tmp # "},
		{"cd\n", "~ # "},
		{"X=1\n", "~ # "},
		{"echo $X; stty size\n", "1\n24 80\n~ # "},
		{"for i in 1 2\n", "> "},
		{"do echo $i; done\n", "1\n2\n~ # "},
		{"if then\n", "sh: syntax error: `if` must be followed by a statement list\n~ # "}, // the shell goes on
		{"cat\n", ""},
		{"hello\n", "hello\n"},
	}
	for _, step := range steps {
		out, st := s.send(step.in)
		if out != step.out || st.Exited || !st.Input {
			t.Fatalf("after %q: got %q %+v, want %q", step.in, out, st, step.out)
		}
	}
	s.in.EOF() // ^D ends cat, not the shell
	if out, st := s.send(""); out != "~ # " || !st.Input {
		t.Fatalf("after ^D: %q %+v", out, st)
	}
	s.p.Resize(100, 30)
	if out, _ := s.send("stty size; tty\n"); out != "30 100\n/dev/pts/0\n~ # " {
		t.Fatalf("after resize: %q", out)
	}
	if out, st := s.send("exit 3\n"); out != "" || !st.Exited || st.Code != 3 {
		t.Fatalf("exit 3: %q %+v", out, st)
	}
}

// TestInteractiveSleepFollowsDriver: a sleep in an interactive session
// yields until the driver's clock reaches its end (live); the prompt comes
// back then.
func TestInteractiveSleepFollowsDriver(t *testing.T) {
	s := newSession(t, Busybox, true, "sh")
	s.send("")
	out, st := s.send("sleep 2; date +%T\n")
	if out != "" || st.Input || !st.Wake.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("sleeping: %q %+v", out, st)
	}
	s.now = t0.Add(time.Second)
	if out, st = s.send(""); out != "" || !st.Wake.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("at 1s: %q %+v", out, st)
	}
	s.now = t0.Add(2 * time.Second)
	if out, st = s.send(""); out != "10:00:02\n/ # " || !st.Input {
		t.Fatalf("at 2s: %q %+v", out, st)
	}
	// Input typed later runs at the driver's time, not the prompt's.
	s.now = t0.Add(time.Minute)
	if out, _ = s.send("date +%T\n"); out != "10:01:00\n/ # " {
		t.Fatalf("a minute later: %q", out)
	}
	s.in.Close()
	if out, st = s.send(""); out != "\n" || !st.Exited || st.Code != 0 {
		t.Fatalf("end of input: %q %+v", out, st)
	}
}

func TestInteractivePrompts(t *testing.T) {
	for _, tt := range []struct {
		f    Flavor
		argv []string
		want string
	}{
		{Busybox, []string{"sh"}, "/ # "},
		{Debian, []string{"sh"}, "# "},
		{Debian, []string{"bash"}, "root@sh1:/# "},
	} {
		s := newSession(t, tt.f, true, tt.argv...)
		if out, _ := s.send(""); out != tt.want {
			t.Errorf("%v %v: prompt %q, want %q", tt.f, tt.argv, out, tt.want)
		}
		s.p.Kill()
	}
}

// TestNonInteractiveStdin: without a terminal, sh reads its script from
// stdin to the end, and cat copies input as it comes.
func TestNonInteractiveStdin(t *testing.T) {
	s := newSession(t, Busybox, false, "sh")
	if out, st := s.send("echo a\n"); out != "" || !st.Input {
		t.Fatalf("%q %+v", out, st)
	}
	s.in.Close()
	if out, st := s.send(""); out != "a\n" || !st.Exited {
		t.Fatalf("%q %+v", out, st)
	}
	s = newSession(t, Busybox, false, "cat")
	if out, st := s.send("x\ny"); out != "x\ny" || !st.Input {
		t.Fatalf("cat: %q %+v", out, st)
	}
	s.in.Close()
	if _, st := s.send(""); !st.Exited || st.Code != 0 {
		t.Fatalf("cat at EOF: %+v", st)
	}
	s = newSession(t, Busybox, false, "sh", "-c", "cat > /tmp/f; wc -c < /tmp/f")
	s.send("12345")
	s.in.Close()
	if out, st := s.send(""); out != "5\n" || !st.Exited {
		t.Fatalf("sh -c cat: %q %+v", out, st)
	}
}
