package images

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// shellBuiltins are the commands an image with a shell offers (busybox applets
// or Debian coreutils). Behaviour: (*shell).command.
var shellBuiltins = map[string]struct{}{
	"sh": {}, "bash": {}, "ash": {}, "echo": {}, "sleep": {}, "true": {}, "false": {}, "exit": {},
	"cat": {}, "ls": {}, "hostname": {}, "env": {}, "printenv": {}, "pwd": {}, "cd": {}, "date": {},
	"whoami": {}, "tail": {}, "wget": {}, "nslookup": {}, "cp": {}, "mkdir": {}, "touch": {}, "rm": {}, ":": {},
}

// shell runs argv or a sh -c script, either as the container's main process
// (timeline: output lines at offsets, sleep advances time) or for exec
// (output collected, sleep returns at once).
type shell struct {
	p       *Process
	exec    bool
	t       time.Duration
	status  int
	exited  bool
	forever bool
	lines   []LogLine
	vars    map[string]string
	// server is set when the script ends by running a server binary in the
	// foreground (`… && nginx -g 'daemon off;'`): the process becomes it.
	server *serverSpec
}

// runShell sets the process's timeline for a shell-ish argv.
func (p *Process) runShell(argv []string, at time.Duration) {
	sh := &shell{p: p, t: at}
	sh.runArgv(argv)
	p.Logs = append(p.Logs, sh.lines...)
	switch {
	case sh.server != nil:
		p.runServer(sh.server, sh.t)
	case sh.forever:
		// sleep infinity, tail -f, a while-true loop: run until killed; PID 1
		// without a handler ignores SIGTERM (images.md §1).
	default:
		p.Exit = &Exit{After: sh.t, Code: sh.status}
	}
}

// Exec runs cmd in the container, as kubectl exec / crictl exec would, and
// returns its output and exit code. A command missing from the image gives
// runc's error and 126 (images.md §1).
func (p *Process) Exec(cmd []string) (stdout, stderr string, exitCode int) {
	if len(cmd) == 0 {
		return "", "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\": executable file not found in $PATH: unknown", 126
	}
	if _, ok := p.img.spec.lookupBinary(cmd[0]); !ok {
		return "", ExecNotFound(cmd[0]), 126
	}
	sh := &shell{p: p, exec: true}
	sh.runArgv(cmd)
	var o, e strings.Builder
	for _, l := range sh.lines {
		if l.Stream == Stderr {
			e.WriteString(l.Text + "\n")
		} else {
			o.WriteString(l.Text + "\n")
		}
	}
	return o.String(), e.String(), sh.status
}

func (s *shell) print(stream Stream, text string) {
	s.lines = append(s.lines, LogLine{Offset: s.t, Stream: stream, Text: text})
}

func (s *shell) notFound(name string) {
	if s.p.img.spec.Shell == "dash" {
		s.print(Stderr, "sh: 1: "+name+": not found")
	} else {
		s.print(Stderr, "sh: "+name+": not found")
	}
	s.status = 127
}

func (s *shell) runArgv(argv []string) {
	base := argv[0]
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	switch base {
	case "sh", "bash", "ash":
		if len(argv) >= 3 && argv[1] == "-c" {
			s.script(argv[2])
			return
		}
		if len(argv) >= 2 && !strings.HasPrefix(argv[1], "-") {
			s.print(Stderr, fmt.Sprintf("%s: 0: cannot open %s: No such file", base, argv[1]))
			s.status = 2
			return
		}
		// Without -i stdin is at EOF and the shell exits 0 at once; with
		// stdin open it waits for input.
		s.status = 0
		s.forever = s.p.stdin && !s.exec
	case "python3", "python":
		s.status = 0
		s.forever = s.p.stdin && !s.exec
	default:
		s.command(argv)
	}
}

// script runs a sh -c script.
func (s *shell) script(src string) {
	nodes, err := parseScript(src)
	if err != nil {
		s.print(Stderr, "sh: syntax error: "+err.Error())
		s.status = 2
		return
	}
	s.runNodes(nodes)
}

func (s *shell) runNodes(nodes []node) {
	for _, n := range nodes {
		if s.exited || s.forever {
			return
		}
		if n.op == "&&" && s.status != 0 || n.op == "||" && s.status == 0 {
			continue
		}
		switch {
		case n.loop != nil:
			s.runLoop(n.loop)
		default:
			if len(n.words) == 1 && isAssignment(n.words[0]) {
				name, val, _ := strings.Cut(n.words[0], "=")
				if s.vars == nil {
					s.vars = map[string]string{}
				}
				s.vars[name] = s.expand(val)
				s.status = 0
				continue
			}
			words := make([]string, 0, len(n.words))
			for _, w := range n.words {
				words = append(words, s.expand(w))
			}
			words, drop := redirections(words)
			if len(words) > 0 {
				before := len(s.lines)
				s.command(words)
				if len(drop) > 0 {
					kept := s.lines[:before]
					for _, l := range s.lines[before:] {
						if !drop[l.Stream] {
							kept = append(kept, l)
						}
					}
					s.lines = kept
				}
			}
		}
	}
}

func (s *shell) runLoop(l *loop) {
	if l.kind == "for" {
		for _, item := range l.items {
			if s.vars == nil {
				s.vars = map[string]string{}
			}
			s.vars[l.variable] = s.expand(item)
			s.runNodes(l.body)
			if s.exited || s.forever {
				return
			}
		}
		return
	}
	// while true / while : — run one round to learn its output and period;
	// later rounds are produced on demand by a copy of the shell that keeps
	// its variables (counters) and the clock (date).
	before, start := len(s.lines), s.t
	gen := &shell{p: s.p, t: s.t, status: s.status, vars: copyVars(s.vars)}
	s.runNodes(l.body)
	if s.exited || s.forever || s.exec {
		return
	}
	period := s.t - start
	round := append([]LogLine(nil), s.lines[before:]...)
	s.lines = s.lines[:before]
	for i := range round {
		round[i].Offset -= start
	}
	if period > 0 && len(round) > 0 {
		s.p.Loop = &Loop{Start: start, Period: period, Lines: round, gen: gen, body: l.body}
	}
	s.t = start
	s.forever = true
}

func copyVars(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// rounds returns the loop's lines up to offset d (since process start),
// running the body round after round and caching what it printed.
func (l *Loop) rounds(d time.Duration) []LogLine {
	if l.gen == nil {
		var out []LogLine
		for round := l.Start; round <= d; round += l.Period {
			for _, ln := range l.Lines {
				if off := round + ln.Offset; off <= d {
					out = append(out, LogLine{Offset: off, Stream: ln.Stream, Text: ln.Text})
				}
			}
		}
		return out
	}
	const maxCached = 1 << 20 // lines; beyond, later rounds are not produced
	for l.gen.t <= d && len(l.cache) < maxCached && !l.gen.exited {
		roundStart := l.gen.t
		l.gen.lines = l.gen.lines[:0]
		l.gen.runNodes(l.body)
		l.cache = append(l.cache, l.gen.lines...)
		if l.gen.t == roundStart {
			break // a round without sleep: nothing more to learn
		}
	}
	var out []LogLine
	for _, ln := range l.cache {
		if ln.Offset <= d {
			out = append(out, ln)
		}
	}
	return out
}

func (s *shell) lookupVar(name string) string {
	if v, ok := s.vars[name]; ok {
		return v
	}
	if name == "?" {
		return strconv.Itoa(s.status)
	}
	return s.p.Env[name]
}

// expand performs $VAR, ${VAR} and $(cmd) expansion and removes quotes.
func (s *shell) expand(w string) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case c == '\'' && quote == 0:
			quote = '\''
		case c == '"':
			if quote == '"' {
				quote = 0
			} else {
				quote = '"'
			}
		case c == '\\' && i+1 < len(w):
			i++
			b.WriteByte(w[i])
		case c == '$' && i+1 < len(w):
			switch {
			case strings.HasPrefix(w[i:], "$(("):
				end := strings.Index(w[i:], "))")
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				b.WriteString(strconv.Itoa(s.arith(w[i+3 : i+end])))
				i += end + 1
			case w[i+1] == '(':
				j, _ := pastParen(w, i+2)
				b.WriteString(s.substitute(w[i+2 : j-1]))
				i = j - 1
			case w[i+1] == '{':
				end := strings.IndexByte(w[i:], '}')
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				b.WriteString(s.lookupVar(w[i+2 : i+end]))
				i += end
			default:
				j := i + 1
				if w[j] == '?' {
					j++
				} else {
					for j < len(w) && (w[j] == '_' || w[j] >= 'A' && w[j] <= 'Z' || w[j] >= 'a' && w[j] <= 'z' || w[j] >= '0' && w[j] <= '9') {
						j++
					}
				}
				if j == i+1 {
					b.WriteByte(c)
					continue
				}
				b.WriteString(s.lookupVar(w[i+1 : j]))
				i = j - 1
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// arith evaluates $(( )) over integers: + - * / % and variables, with the
// usual precedence, no parentheses.
func (s *shell) arith(expr string) int {
	var terms []int
	var ops []byte
	val := func(tok string) int {
		tok = strings.TrimPrefix(strings.TrimSpace(tok), "$")
		if n, err := strconv.Atoi(tok); err == nil {
			return n
		}
		n, _ := strconv.Atoi(s.lookupVar(tok))
		return n
	}
	start := 0
	for i := 0; i <= len(expr); i++ {
		if i == len(expr) || strings.IndexByte("+-*/%", expr[i]) >= 0 && strings.TrimSpace(expr[start:i]) != "" {
			terms = append(terms, val(expr[start:i]))
			if i < len(expr) {
				ops = append(ops, expr[i])
			}
			start = i + 1
		}
	}
	// * / % first, then + -.
	vals, adds := []int{terms[0]}, []byte{}
	for k, op := range ops {
		x := terms[k+1]
		switch op {
		case '*':
			vals[len(vals)-1] *= x
		case '/', '%':
			if x == 0 {
				return 0
			}
			if op == '/' {
				vals[len(vals)-1] /= x
			} else {
				vals[len(vals)-1] %= x
			}
		default:
			vals, adds = append(vals, x), append(adds, op)
		}
	}
	total := vals[0]
	for k, op := range adds {
		if op == '+' {
			total += vals[k+1]
		} else {
			total -= vals[k+1]
		}
	}
	return total
}

// substitute runs $(cmd) and returns its stdout without trailing newlines.
func (s *shell) substitute(src string) string {
	sub := &shell{p: s.p, exec: s.exec, t: s.t, vars: s.vars}
	sub.script(src)
	var out []string
	for _, l := range sub.lines {
		if l.Stream == Stdout {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

func (s *shell) now() time.Time {
	if s.exec {
		return s.p.now().Add(s.t)
	}
	return s.p.start.Add(s.t)
}

// command runs one simple command.
func (s *shell) command(argv []string) {
	name := argv[0]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if _, ok := s.p.img.spec.lookupBinary(argv[0]); !ok {
		s.notFound(argv[0])
		return
	}
	s.status = 0
	args := argv[1:]
	switch name {
	case "sh", "bash", "ash", "python3", "python":
		s.runArgv(argv)
	case "echo":
		newline := true
		if len(args) > 0 && args[0] == "-n" {
			newline, args = false, args[1:]
		}
		text := strings.Join(args, " ")
		if newline || text != "" {
			s.print(Stdout, text)
		}
	case "sleep":
		if len(args) == 0 {
			s.print(Stderr, "sleep: missing operand")
			s.status = 1
			return
		}
		if args[0] == "infinity" {
			if !s.exec {
				s.forever = true
			}
			return
		}
		d, err := parseSleep(args[0])
		if err != nil {
			s.print(Stderr, "sleep: invalid number '"+args[0]+"'")
			s.status = 1
			return
		}
		if d >= maxSleep {
			s.forever = !s.exec
			return
		}
		if !s.exec {
			s.t += d
		}
	case "true", ":", "cp", "mkdir", "touch", "rm":
	case "false":
		s.status = 1
	case "exit":
		s.status = 0
		if len(args) > 0 {
			s.status, _ = strconv.Atoi(args[0])
		}
		s.exited = true
	case "cat":
		for _, f := range args {
			content, ok := s.p.img.spec.Files[s.p.abs(f)]
			if !ok {
				if s.p.img.spec.Shell == "busybox" {
					s.print(Stderr, "cat: can't open '"+f+"': No such file or directory")
				} else {
					s.print(Stderr, "cat: "+f+": No such file or directory")
				}
				s.status = 1
				continue
			}
			for _, l := range strings.Split(strings.TrimSuffix(s.p.expand(content, s.t), "\n"), "\n") {
				s.print(Stdout, l)
			}
		}
	case "ls":
		dir := s.p.workdir()
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				dir = s.p.abs(a)
			}
		}
		entries, ok := s.p.img.spec.listDir(dir)
		if !ok {
			if s.p.img.spec.Shell == "busybox" {
				s.print(Stderr, "ls: "+dir+": No such file or directory")
			} else {
				s.print(Stderr, "ls: cannot access '"+dir+"': No such file or directory")
			}
			s.status = map[bool]int{true: 1, false: 2}[s.p.img.spec.Shell == "busybox"]
			return
		}
		for _, e := range entries {
			s.print(Stdout, e)
		}
	case "cd":
		dir := "/root"
		if len(args) > 0 {
			dir = s.p.abs(args[0])
		}
		if _, ok := s.p.img.spec.listDir(dir); !ok && dir != "/root" {
			if s.p.img.spec.Shell == "busybox" {
				s.print(Stderr, "sh: cd: can't cd to "+args[0]+": No such file or directory")
			} else {
				s.print(Stderr, "sh: 1: cd: can't cd to "+args[0])
			}
			s.status = 2
			return
		}
		s.p.cwd = dir
	case "hostname":
		s.print(Stdout, s.p.hostname)
	case "env", "printenv":
		if name == "printenv" && len(args) > 0 {
			v, ok := s.p.Env[args[0]]
			if !ok {
				s.status = 1
				return
			}
			s.print(Stdout, v)
			return
		}
		keys := make([]string, 0, len(s.p.Env))
		for k := range s.p.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.print(Stdout, k+"="+s.p.Env[k])
		}
	case "pwd":
		s.print(Stdout, s.p.workdir())
	case "whoami":
		s.print(Stdout, "root")
	case "date":
		s.print(Stdout, s.now().UTC().Format("Mon Jan _2 15:04:05 UTC 2006"))
	case "wget":
		s.wget(args)
	case "nslookup":
		s.nslookup(args)
	case "tail":
		if contains(args, "-f") && !s.exec {
			s.forever = true
		}
	default:
		if prog, ok := s.p.img.spec.lookupBinary(argv[0]); ok && prog.Kind == progServer && !s.exec {
			s.server = prog.Server
			s.exited = true
			return
		}
		s.notFound(argv[0])
	}
}

// redirections removes ">f", "> f", ">>f", "2>f", "2>&1", "&>f" from words
// and says which streams no longer reach the log: output sent to a file (or
// /dev/null) is not shown. 2>&1 keeps stderr with stdout.
func redirections(words []string) ([]string, map[Stream]bool) {
	var out []string
	var drop map[Stream]bool
	mark := func(st Stream) {
		if drop == nil {
			drop = map[Stream]bool{}
		}
		drop[st] = true
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		var st Stream
		var target string
		switch {
		case w == "2>&1":
			if drop[Stdout] {
				mark(Stderr)
			}
			continue
		case strings.HasPrefix(w, "&>"):
			st, target = "both", w[2:]
		case strings.HasPrefix(w, "2>>"), strings.HasPrefix(w, "2>"):
			st, target = Stderr, strings.TrimLeft(w[1:], ">")
		case strings.HasPrefix(w, ">>"), strings.HasPrefix(w, ">"), strings.HasPrefix(w, "1>"):
			st, target = Stdout, strings.TrimLeft(strings.TrimPrefix(w, "1"), ">")
		default:
			out = append(out, w)
			continue
		}
		if target == "" && i+1 < len(words) {
			i++
		}
		if st == "both" {
			mark(Stdout)
			mark(Stderr)
		} else {
			mark(st)
		}
	}
	return out, drop
}

// maxSleep caps sleep: longer is "forever" for any simulation (100 years).
const maxSleep = 100 * 365 * 24 * time.Hour

func parseSleep(a string) (time.Duration, error) {
	unit := time.Second
	switch {
	case strings.HasSuffix(a, "s"):
		a = a[:len(a)-1]
	case strings.HasSuffix(a, "m"):
		a, unit = a[:len(a)-1], time.Minute
	case strings.HasSuffix(a, "h"):
		a, unit = a[:len(a)-1], time.Hour
	case strings.HasSuffix(a, "d"):
		a, unit = a[:len(a)-1], 24*time.Hour
	}
	f, err := strconv.ParseFloat(a, 64)
	if math.IsInf(f, 1) {
		return maxSleep, nil
	}
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0, fmt.Errorf("invalid number %q", a)
	}
	if f*float64(unit) > float64(maxSleep) {
		return maxSleep, nil
	}
	return time.Duration(f * float64(unit)), nil
}
