package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// This file is what interactive sessions (kubectl exec -i/-t, attach) need
// of the shell: stdin fed while the process runs, a terminal size, and a
// shell that reads commands a line at a time and prompts.

// Input is a process's stdin fed while it runs. A read that finds it empty
// blocks the process until Write or Close, as a read on a pipe or a
// terminal does; meanwhile the process yields (Status.Input) and the driver
// calls Resume once Ready fires. Write and Close may be called from any
// goroutine; reads happen on the process's own.
type Input struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	lines  bool // a terminal in canonical mode: one line per read
	ready  chan struct{}
	p      *Process
}

// NewInput returns an empty Input. With lines set each read returns at most
// one line, as a terminal in canonical mode does.
func NewInput(lines bool) *Input {
	return &Input{lines: lines, ready: make(chan struct{}, 1)}
}

func (in *Input) bind(p *Process) { in.p = p }

// Ready fires after a Write or a Close.
func (in *Input) Ready() <-chan struct{} { return in.ready }

func (in *Input) signal() {
	select {
	case in.ready <- struct{}{}:
	default:
	}
}

// Write queues b for the process; it never blocks.
func (in *Input) Write(b []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return 0, io.ErrClosedPipe
	}
	in.buf = append(in.buf, b...)
	in.signal()
	return len(b), nil
}

// Close is the end of input (the client closed stdin, or ^D on a terminal):
// reads return io.EOF once what is buffered is read.
func (in *Input) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.closed = true
	in.signal()
	return nil
}

// EOF makes the next read that finds nothing buffered return io.EOF once,
// without closing the input (^D at the start of a terminal's line).
func (in *Input) EOF() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.buf = append(in.buf, eofMark)
	in.signal()
}

// eofMark stands for a terminal's end-of-file in the buffer (^D): a read
// that reaches it returns what precedes it, then 0 bytes and io.EOF.
const eofMark = 0x04

// pending: input is buffered or closed (a reader would not block).
func (in *Input) pending() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.buf) > 0 || in.closed
}

// Read reads buffered input, blocking the process (not the driver) while
// there is none.
func (in *Input) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		in.mu.Lock()
		if len(in.buf) > 0 {
			if in.lines && in.buf[0] == eofMark {
				in.buf = in.buf[1:]
				in.mu.Unlock()
				return 0, io.EOF
			}
			n := len(in.buf)
			if in.lines {
				for i, c := range in.buf {
					if c == '\n' || c == eofMark {
						n = i
						if c == '\n' {
							n++
						}
						break
					}
				}
			}
			n = copy(b, in.buf[:n])
			in.buf = in.buf[n:]
			in.mu.Unlock()
			return n, nil
		}
		closed := in.closed
		in.mu.Unlock()
		if closed || in.p == nil {
			return 0, io.EOF
		}
		if err := in.p.waitInput(); err != nil {
			return 0, err
		}
	}
}

// waitInput blocks the calling goroutine of the process until its Input
// has something (or it is killed).
func (p *Process) waitInput() error {
	p.mu.Lock()
	p.seq++
	w := &waiter{seq: p.seq, ch: make(chan bool, 1), input: true}
	p.mu.Unlock()
	p.events <- event{w: w}
	if <-w.ch {
		return errKilled
	}
	return nil
}

// readyInput is the index of a waiter blocked on input that can go on, or
// -1.
func (p *Process) readyInput() int {
	if p.in == nil || !p.in.pending() {
		return -1
	}
	for i, w := range p.waiters {
		if w.input {
			return i
		}
	}
	return -1
}

// Resume is Advance for a driver that feeds input: now is the driver's
// time, at which input that arrived since the last call is read (a process
// that waited for input goes on from there, not from when it began to
// wait).
func (p *Process) Resume(now, until time.Time) Status {
	p.mu.Lock()
	if now.After(p.inputNow) {
		p.inputNow = now
	}
	p.mu.Unlock()
	return p.Advance(until)
}

// ttyState is the terminal a process runs on (Config.TTY).
type ttyState struct {
	mu         sync.Mutex
	cols, rows int
}

// Resize sets the terminal's size (kubectl's resize channel); stty size
// reads it.
func (p *Process) Resize(cols, rows int) {
	if p.tty == nil {
		return
	}
	p.tty.mu.Lock()
	p.tty.cols, p.tty.rows = cols, rows
	p.tty.mu.Unlock()
}

func (p *Process) ttySize() (cols, rows int) {
	p.tty.mu.Lock()
	defer p.tty.mu.Unlock()
	return p.tty.cols, p.tty.rows
}

// interactive runs a shell that reads its commands from c.in a line at a
// time and prompts before each (sh with no script on a terminal, or -i):
// busybox ash's `/ # `, dash's `# `, Debian bash's `root@HOST:/# `. The
// prompt goes to stderr, which on a terminal is the same stream as stdout.
// Variables and the working directory last from one line to the next; a
// syntax error is reported and the shell goes on; exit or the end of input
// ends it with the last status.
func (p *Process) interactive(c *call, name string) int {
	ru := &runner{p: p, name: name}
	r, done, err := ru.newInterp(nil, c.environ(), c.dir, c.in, c.out, c.errw)
	if err != nil {
		fmt.Fprintf(c.errw, "%s: %v\n", name, err)
		return 2
	}
	defer done()
	in := c.in
	if ru.input != nil {
		in = ru.input
	}
	status := 0
	var src strings.Builder
	for {
		if src.Len() == 0 {
			io.WriteString(c.errw, p.prompt(r, name))
		} else {
			io.WriteString(c.errw, "> ")
		}
		line, err := readLine(in)
		if err != nil && line == "" {
			if p.killed.Load() {
				return 137
			}
			if errors.Is(err, io.EOF) && src.Len() == 0 {
				if p.tty != nil && name == "bash" {
					io.WriteString(c.errw, "exit\n")
				} else if p.tty != nil {
					io.WriteString(c.errw, "\n")
				}
				return status
			}
			if errors.Is(err, io.EOF) {
				fmt.Fprintf(c.errw, "%s: syntax error: unexpected end of file\n", name)
				return 2
			}
			return status
		}
		src.WriteString(line)
		file, perr := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src.String()), "")
		if perr != nil && syntax.IsIncomplete(perr) {
			continue
		}
		src.Reset()
		if perr == nil {
			perr = rejectUnsupported(file)
		}
		if perr != nil {
			fmt.Fprintf(c.errw, "%s: %ssyntax error: %s\n", name, ru.linePrefix(), syntaxText(perr))
			status = 2
			continue
		}
		ru.eligible = sleepsThatMayPark(file)
		err = r.Run(context.Background(), file)
		var st interp.ExitStatus
		switch {
		case p.killed.Load():
			return 137
		case err == nil:
			status = 0
		case errors.As(err, &st):
			status = int(st)
		default:
			fmt.Fprintf(c.errw, "%s: %v\n", name, err)
			status = 2
		}
		if r.Exited() {
			return status
		}
	}
}

// readLine reads up to and including a newline, a byte at a time so that
// what follows stays for the commands the line runs.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n > 0 {
			b.WriteByte(one[0])
			if one[0] == '\n' {
				return b.String(), nil
			}
			continue
		}
		if err != nil {
			return b.String(), err
		}
	}
}

// prompt expands PS1 as the shell would (\w, \W, \u, \h, \$): busybox ash
// built with the fancy prompt defaults to `\w \$ `, dash to `# ` for root,
// Debian's bash (its /etc/bash.bashrc) to `\u@\h:\w\$ `.
func (p *Process) prompt(r *interp.Runner, name string) string {
	ps1 := ""
	if v := r.Vars["PS1"]; v.IsSet() {
		ps1 = v.String()
	} else {
		switch {
		case p.cfg.Flavor == Busybox:
			ps1 = `\w \$ `
		case name == "bash":
			ps1 = `\u@\h:\w\$ `
		default:
			ps1 = `# `
		}
	}
	home := varOr(r.Vars, "HOME", "/root")
	dir := r.Dir
	w := dir
	if home != "/" && (dir == home || strings.HasPrefix(dir, home+"/")) {
		w = "~" + strings.TrimPrefix(dir, home)
	}
	host := p.cfg.Hostname
	if host == "" {
		b, _ := p.fs.ReadFile("/etc/hostname")
		host = strings.TrimSpace(string(b))
	}
	var out strings.Builder
	for i := 0; i < len(ps1); i++ {
		if ps1[i] != '\\' || i+1 == len(ps1) {
			out.WriteByte(ps1[i])
			continue
		}
		i++
		switch ps1[i] {
		case 'w':
			out.WriteString(w)
		case 'W':
			if w == "/" || w == "~" {
				out.WriteString(w)
			} else {
				out.WriteString(w[strings.LastIndexByte(w, '/')+1:])
			}
		case 'u':
			out.WriteString("root")
		case 'h':
			out.WriteString(strings.SplitN(host, ".", 2)[0])
		case 'H':
			out.WriteString(host)
		case '$':
			out.WriteByte('#')
		case '\\':
			out.WriteByte('\\')
		default:
			out.WriteByte('\\')
			out.WriteByte(ps1[i])
		}
	}
	return out.String()
}

func varOr(vars map[string]expand.Variable, k, def string) string {
	if v, ok := vars[k]; ok && v.IsSet() {
		return v.String()
	}
	return def
}

// stty: `stty size` prints the terminal's rows and columns; without a
// terminal stty fails as it does on a pipe.
func stty(c *call) int {
	if c.p.tty == nil {
		if c.gnu() {
			c.errorf("'standard input': Inappropriate ioctl for device")
		} else {
			c.errorf("standard input: Not a tty")
		}
		return 1
	}
	cols, rows := c.p.ttySize()
	if len(c.args) > 1 && c.args[1] == "size" {
		fmt.Fprintf(c.out, "%d %d\n", rows, cols)
		return 0
	}
	if len(c.args) == 1 {
		io.WriteString(c.out, "speed 38400 baud; line = 0;\n-brkint -imaxbel\n") // [guess]
		return 0
	}
	return 0
}

// tty prints the terminal's name: containerd allocates /dev/pts/0 for an
// exec or a container with tty: true.
func tty(c *call) int {
	if c.p.tty == nil {
		fmt.Fprintln(c.out, "not a tty")
		return 1
	}
	fmt.Fprintln(c.out, "/dev/pts/0")
	return 0
}

func init() {
	applets["stty"] = stty
	applets["tty"] = tty
}
