package shell

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"kubesim/runtime/containerfs"
)

// Flavor chooses the shell and the message texts of an image's userland.
type Flavor int

const (
	// Busybox: ash and busybox applets (busybox, alpine).
	Busybox Flavor = iota
	// Debian: dash as sh, bash, GNU coreutils (nginx, httpd, redis, …).
	Debian
)

// ProcInfo is one process of the container, for ps.
type ProcInfo struct {
	PID  int
	User string
	Argv []string
}

// Config is what a process runs with.
type Config struct {
	FS       *containerfs.FS
	Flavor   Flavor
	Version  string   // the busybox version ("1.28.4"): nslookup's output format
	Env      []string // KEY=value; PATH and HOME default
	Dir      string   // working directory; "" is /
	Hostname string
	IP       string    // the pod's IP (hostname -i, the client address wget sends)
	PID      int       // the process's PID (ps)
	Start    time.Time // virtual time the process starts
	Stdin    io.Reader // nil: at EOF; an *Input: fed while the process runs
	Stdout   io.Writer // nil: discarded
	Stderr   io.Writer
	Net      Network // nil: no network (wget: bad address)
	// TTY: stdin and stdout are a terminal of Cols×Rows (kubectl exec -t):
	// a shell with no script is interactive and prompts, stty and tty
	// answer for it.
	TTY        bool
	Cols, Rows int
	// Fallback runs a program found in the image that is not an applet
	// (a server binary); ok false means it does not know it either.
	Fallback func(argv []string, stdout, stderr io.Writer) (code int, ok bool)
	// Procs lists the container's processes (ps); nil: this one only.
	Procs func() []ProcInfo
	// Kill signals a process of the container (kill); nil: none exist.
	Kill func(pid int, signal string) error
	// Commands are programs of the machine beyond the applets (a node's
	// systemctl, crictl, kubectl), by base name; like an applet, one runs
	// when PATH finds an executable of that name.
	Commands map[string]Command
	// MemoryLimit is the container's memory limit in bytes (0: none);
	// MemoryBase what it uses before its programs allocate (applets_stress.go).
	MemoryLimit, MemoryBase int64
}

// Status is where a process stands after Advance.
type Status struct {
	Exited bool
	Code   int
	// Wake is when the process wants to run next; zero when it exited or is
	// parked.
	Wake time.Time
	// Parked: the process polls without effect and waits for the
	// filesystem to change (see the package documentation).
	Parked bool
	// Input: the process waits to read its stdin (an Input with nothing
	// buffered); it runs again on Resume after Input.Write or Close.
	Input bool
	// OOMKilled: the process exited (137) because the container went past
	// its memory limit.
	OOMKilled bool
}

// Process is a shell or applet running on the virtual clock.
type Process struct {
	cfg    Config
	argv   []string
	events chan event

	mu      sync.Mutex
	now     time.Time
	until   time.Time
	waiters []*waiter
	seq     uint64

	started, done bool
	status        Status
	killed        atomic.Bool
	oom           atomic.Bool
	mem           atomic.Int64 // bytes its programs allocated
	// busy counts commands since the process last yielded (see busyCommands).
	busy atomic.Int64
	// spinning: the process runs commands without sleeping (a busy loop);
	// cpuWorkers: CPU hogs its programs run (stress --cpu). CPUWorkers.
	spinning   atomic.Bool
	cpuWorkers atomic.Int64

	// Steady-state detection (parking) and its counters.
	out    int64 // bytes written to stdout/stderr
	impure atomic.Uint64
	snaps  map[snapKey]snap

	// Interactive input (see Input) and the time the driver last said it
	// is (Resume): a process woken by input runs from then on.
	in       *Input
	inputNow time.Time
	tty      *ttyState

	fs      *lockedFS
	ioMu    sync.Mutex
	paths   map[[3]string]lookup
	pathGen uint64
}

type event struct {
	w    *waiter
	exit bool
	code int
}

type waiter struct {
	wake  time.Time
	seq   uint64
	ch    chan bool // true: killed
	park  *park
	input bool // blocked reading the process's Input
}

type park struct {
	gen    uint64
	period time.Duration
}

var errKilled = errors.New("killed")

// A script that runs commands without sleeping would hold the simulation
// for as long as it runs. Every busyCommands commands without a yield cost
// busyCost of virtual time (a sleep), so a busy loop advances the clock and
// yields like any other [guess: about a millisecond a command, what forking
// a busybox applet costs].
const (
	busyCommands = 1000
	busyCost     = time.Second
)

// Start prepares argv to run in cfg; it runs on the first Advance.
func Start(cfg Config, argv []string) *Process {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Dir == "" {
		cfg.Dir = "/"
	}
	if cfg.FS == nil {
		start := cfg.Start
		cfg.FS = containerfs.New(nil, func() time.Time { return start })
	}
	p := &Process{cfg: cfg, argv: argv, events: make(chan event), now: cfg.Start, snaps: map[snapKey]snap{}, fs: &lockedFS{fs: cfg.FS}}
	if in, ok := cfg.Stdin.(*Input); ok {
		in.bind(p)
		p.in = in
	}
	if cfg.TTY {
		p.tty = &ttyState{cols: cfg.Cols, rows: cfg.Rows}
	}
	p.cfg.Stdout = &countWriter{w: cfg.Stdout, n: &p.out, mu: &p.ioMu}
	p.cfg.Stderr = &countWriter{w: cfg.Stderr, n: &p.out, mu: &p.ioMu}
	return p
}

// Run runs argv to completion within budget of virtual time (sleeps are
// free) and returns its exit code; a process still running after budget is
// killed (137).
func Run(cfg Config, argv []string, budget time.Duration) int {
	p := Start(cfg, argv)
	st := p.Advance(cfg.Start.Add(budget))
	if !st.Exited {
		p.Kill()
		return 137
	}
	return st.Code
}

// Now is the process's virtual time: when it last woke (or exited).
func (p *Process) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// Advance runs the process until it exits or waits past until.
func (p *Process) Advance(until time.Time) Status {
	if p.done {
		return p.status
	}
	p.mu.Lock()
	p.until = until
	p.mu.Unlock()
	if !p.started {
		p.started = true
		go p.main()
	} else if !p.resumeDue(until) {
		return p.blocked()
	}
	for {
		ev := <-p.events
		if ev.exit {
			p.done = true
			p.status = Status{Exited: true, Code: ev.code, OOMKilled: p.oom.Load()}
			return p.status
		}
		p.waiters = append(p.waiters, ev.w)
		if !p.resumeDue(until) {
			return p.blocked()
		}
	}
}

// Kill ends a blocked process (SIGKILL); its exit code is 137.
func (p *Process) Kill() {
	if p.done || !p.started {
		p.done = true
		p.status = Status{Exited: true, Code: 137}
		return
	}
	p.killed.Store(true)
	for _, w := range p.waiters {
		w.ch <- true
	}
	p.waiters = nil
	for {
		ev := <-p.events
		if ev.exit {
			break
		}
		ev.w.ch <- true
	}
	p.done = true
	p.status = Status{Exited: true, Code: 137}
}

func (p *Process) sortWaiters() {
	sort.SliceStable(p.waiters, func(i, j int) bool {
		a, b := p.waiters[i], p.waiters[j]
		if a.input != b.input {
			return b.input
		}
		if (a.park == nil) != (b.park == nil) {
			return a.park == nil
		}
		if !a.wake.Equal(b.wake) {
			return a.wake.Before(b.wake)
		}
		return a.seq < b.seq
	})
}

// resumeDue wakes the earliest waiter if it is due by until and reports
// whether it did.
func (p *Process) resumeDue(until time.Time) bool {
	if len(p.waiters) == 0 {
		return false
	}
	p.unpark()
	p.sortWaiters()
	w := p.waiters[0]
	timed := !w.input && w.park == nil
	if in := p.readyInput(); in >= 0 && (!timed || w.wake.After(p.inputNow) || w.wake.After(until)) {
		// Input arrived before the next timed wake: the reader runs at the
		// time the driver gave (Resume), or where the process already is.
		w = p.waiters[in]
		p.waiters = append(p.waiters[:in], p.waiters[in+1:]...)
		p.mu.Lock()
		if p.inputNow.After(p.now) {
			p.now = p.inputNow
		}
		p.mu.Unlock()
		w.ch <- false
		return true
	}
	if !timed || w.wake.After(until) {
		return false
	}
	p.waiters = p.waiters[1:]
	p.mu.Lock()
	p.now = w.wake
	p.mu.Unlock()
	w.ch <- false
	return true
}

// unpark turns parked waiters whose filesystem changed into timed ones, due
// at the first period boundary at or after the change.
func (p *Process) unpark() {
	for _, w := range p.waiters {
		if w.park == nil || p.fs.Generation() == w.park.gen {
			continue
		}
		if t := p.fs.ChangedAt(); t.After(w.wake) {
			n := (t.Sub(w.wake) + w.park.period - 1) / w.park.period
			w.wake = w.wake.Add(n * w.park.period)
		}
		w.park = nil
	}
}

func (p *Process) blocked() Status {
	p.sortWaiters()
	var st Status
	for _, w := range p.waiters {
		switch {
		case w.input:
			st.Input = true
		case w.park != nil:
			st.Parked = st.Wake.IsZero()
		case st.Wake.IsZero():
			st.Wake = w.wake
		}
	}
	return st
}

// sleep blocks the calling goroutine of the process for d of virtual time.
func (p *Process) sleep(d time.Duration, pk *park) error {
	// A yield forced by busyCommands is a busy loop's: until the process
	// sleeps for real it spins a CPU (CPUWorkers).
	p.spinning.Store(pk == nil && d == busyCost && p.busy.Load() >= busyCommands)
	p.busy.Store(0)
	p.mu.Lock()
	wake := p.now.Add(d)
	if len(p.waiters) == 0 && pk == nil && !wake.After(p.until) {
		p.now = wake // due before the horizon: no need to yield
		p.mu.Unlock()
		return nil
	}
	p.seq++
	w := &waiter{wake: wake, seq: p.seq, ch: make(chan bool, 1), park: pk}
	p.mu.Unlock()
	p.events <- event{w: w}
	if <-w.ch {
		return errKilled
	}
	return nil
}

func (p *Process) main() {
	code := p.runArgv(context.Background(), p.argv, p.cfg.Env, p.cfg.Dir, p.cfg.Stdin, p.cfg.Stdout, p.cfg.Stderr)
	if p.killed.Load() {
		code = 137
	}
	p.events <- event{exit: true, code: code}
}

// countWriter counts what the process writes and serialises the writes of
// its goroutines (pipeline stages share stderr).
type countWriter struct {
	w  io.Writer
	n  *int64
	mu *sync.Mutex
}

func (c *countWriter) Write(b []byte) (int, error) {
	atomic.AddInt64(c.n, int64(len(b)))
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(b)
}
