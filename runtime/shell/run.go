package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// runner is one interpreter: the top-level shell or a nested sh -c.
type runner struct {
	p        *Process
	name     string // $0 as messages print it: sh, bash
	eligible map[syntax.Pos]bool
	line     atomic.Int64
	// stdin stands for input (an Input read on the virtual clock) in the
	// interpreter, which wants an *os.File: commands that read it read
	// input instead (see newInterp).
	stdin *os.File
	input io.Reader
}

// newInterp builds the interpreter for ru. An *Input as stdin is not handed
// to the interpreter (it would copy it into an OS pipe from a goroutine of
// its own, outside the virtual clock): the interpreter gets an empty pipe
// and commands that would read it read the Input directly. done releases
// the pipe.
func (ru *runner) newInterp(params, env []string, dir string, stdin io.Reader, stdout, stderr io.Writer) (*interp.Runner, func(), error) {
	done := func() {}
	if sr, ok := stdin.(*strings.Reader); ok && sr.Len() == 0 {
		stdin = nil // at EOF: spare the interpreter an OS pipe for it
	}
	if in, ok := stdin.(*Input); ok {
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil, nil, err
		}
		pw.Close()
		ru.stdin, ru.input, stdin = pr, in, pr
		done = func() { pr.Close() }
	}
	r, err := interp.New(
		interp.Env(expand.ListEnviron(withDefaults(env)...)),
		interp.StdIO(stdin, stdout, stderr),
		interp.OpenHandler(ru.open),
		interp.StatHandler(ru.stat),
		interp.ReadDirHandler2(ru.readDir),
		interp.AccessHandler(ru.access),
		interp.CallHandler(ru.call),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return ru.exec }),
		interp.Params(append([]string{"--"}, params...)...),
	)
	if err != nil {
		done()
		return nil, nil, err
	}
	r.Dir = dir
	return r, done, nil
}

// failCmd is what the call handler turns a failing builtin into, so that
// the exec handler prints the shell's own message and sets its status.
const failCmd = "\x00fail"

// runScript parses and runs src as `name -c src params…`.
func (p *Process) runScript(ctx context.Context, name, src string, params, env []string, dir string, stdin io.Reader, stdout, stderr io.Writer) int {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err == nil {
		err = rejectUnsupported(file)
	}
	if err != nil {
		ru := &runner{p: p, name: name}
		fmt.Fprintf(stderr, "%s: %ssyntax error: %s\n", name, ru.linePrefix(), syntaxText(err))
		return 2
	}
	ru := &runner{p: p, name: name}
	ru.eligible = sleepsThatMayPark(file)
	r, done, err := ru.newInterp(params, env, dir, stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	defer done()
	r.Dir = dir
	err = r.Run(ctx, file)
	var st interp.ExitStatus
	switch {
	case p.killed.Load():
		return 137
	case err == nil:
		return 0
	case errors.As(err, &st):
		return int(st)
	}
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return 2
}

func syntaxText(err error) string {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return pe.Text
	}
	return err.Error()
}

// rejectUnsupported refuses what would reach the host: process
// substitution makes FIFOs in the host's temporary directory.
func rejectUnsupported(f *syntax.File) error {
	var err error
	syntax.Walk(f, func(n syntax.Node) bool {
		if ps, ok := n.(*syntax.ProcSubst); ok && err == nil {
			err = fmt.Errorf("unexpected \"(\" at %s", ps.Pos())
		}
		return err == nil
	})
	return err
}

func withDefaults(env []string) []string {
	has := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		has[k] = true
	}
	out := append([]string(nil), env...)
	for _, kv := range []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TMPDIR=/tmp"} {
		if k, _, _ := strings.Cut(kv, "="); !has[k] {
			out = append(out, kv)
		}
	}
	return out
}

// linePrefix is dash's "1: " before its messages; ash and busybox print none.
func (ru *runner) linePrefix() string {
	if ru.p.cfg.Flavor == Debian && ru.name != "bash" {
		return fmt.Sprintf("%d: ", max(ru.line.Load(), 1))
	}
	if ru.name == "bash" {
		return fmt.Sprintf("line %d: ", max(ru.line.Load(), 1))
	}
	return ""
}

func abs(dir, p string) string {
	if p == "" {
		return dir
	}
	if !strings.HasPrefix(p, "/") {
		p = dir + "/" + p
	}
	return path.Clean(p)
}

// ---- handlers ----

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error                  { return nil }
func (nopCloser) Read([]byte) (int, error)      { return 0, io.EOF }
func (n nopCloser) Write(b []byte) (int, error) { return n.Writer.Write(b) }

func (ru *runner) open(ctx context.Context, name string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	p := abs(hc.Dir, name)
	switch p {
	case "/dev/null":
		return nopCloser{io.Discard}, nil
	case "/dev/stdout":
		return nopCloser{hc.Stdout}, nil
	case "/dev/stderr":
		return nopCloser{hc.Stderr}, nil
	}
	f, err := ru.p.fs.OpenFile(p, flag, perm)
	if err == nil {
		if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
			if st, _ := f.Stat(); st != nil && st.IsDir() && ru.p.cfg.Flavor == Busybox {
				return nil, ru.redirErr("can't open", name, syscall.EISDIR)
			}
		}
		return f, nil
	}
	e := errnoOf(err)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, ru.redirErr("create", name, e)
	}
	return nil, ru.redirErr("open", name, e)
}

// redirErr is the shell's message for a failed redirection, as an
// *fs.PathError so the interpreter prints it and sets status 1.
func (ru *runner) redirErr(what, name string, e syscall.Errno) error {
	var text string
	if ru.p.cfg.Flavor == Busybox {
		// ash: "can't create %s: %s", ENOENT as "nonexistent directory";
		// "can't open %s: %s", ENOENT as "no such file".
		text = strerror(e)
		if e == syscall.ENOENT {
			text = map[string]string{"create": "nonexistent directory", "open": "no such file"}[what]
		}
		if what == "create" || what == "open" {
			what = "can't " + what
		}
		return &fs.PathError{Op: ru.name + ": " + what, Path: name, Err: errors.New(text)}
	}
	text = strerror(e)
	if e == syscall.ENOENT {
		text = map[string]string{"create": "Directory nonexistent", "open": "No such file"}[what]
	}
	return &fs.PathError{Op: ru.name + ": " + ru.linePrefix() + "cannot " + what, Path: name, Err: errors.New(text)}
}

func (ru *runner) stat(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	p := abs(interp.HandlerCtx(ctx).Dir, name)
	if follow {
		return ru.p.fs.Stat(p)
	}
	return ru.p.fs.Lstat(p)
}

func (ru *runner) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	return ru.p.fs.ReadDir(abs(interp.HandlerCtx(ctx).Dir, name))
}

func (ru *runner) access(ctx context.Context, name string, mode interp.AccessMode) error {
	st, err := ru.p.fs.Stat(name)
	if err != nil {
		return err
	}
	if mode&interp.AccessExec != 0 && !st.IsDir() && st.Mode()&0o111 == 0 {
		return &fs.PathError{Op: "access", Path: name, Err: syscall.EACCES}
	}
	return nil
}

// call sees every simple command before it runs: it keeps the line number
// for messages and replaces builtins whose texts or host lookups differ.
func (ru *runner) call(ctx context.Context, args []string) ([]string, error) {
	p := ru.p
	if p.killed.Load() {
		return nil, errKilled
	}
	if p.busy.Add(1) >= busyCommands {
		if err := p.sleep(busyCost, nil); err != nil {
			return nil, err
		}
	}
	hc := interp.HandlerCtx(ctx)
	ru.line.Store(int64(hc.Pos.Line()))
	switch args[0] {
	case "cd":
		dir := ""
		switch {
		case len(args) == 1:
			return args, nil
		case args[1] == "-":
			return args, nil
		default:
			dir = args[1]
		}
		st, err := ru.p.fs.Stat(abs(hc.Dir, dir))
		switch {
		case err != nil && ru.p.cfg.Flavor == Busybox:
			return []string{failCmd, "2", fmt.Sprintf("%s: cd: can't cd to %s: %s", ru.name, dir, strerror(errnoOf(err)))}, nil
		case err != nil && ru.name == "bash":
			return []string{failCmd, "1", fmt.Sprintf("bash: %scd: %s: %s", ru.linePrefix(), dir, strerror(errnoOf(err)))}, nil
		case err != nil:
			return []string{failCmd, "2", fmt.Sprintf("%s: %scd: can't cd to %s", ru.name, ru.linePrefix(), dir)}, nil
		case !st.IsDir() && ru.p.cfg.Flavor == Busybox:
			return []string{failCmd, "2", fmt.Sprintf("%s: cd: can't cd to %s: Not a directory", ru.name, dir)}, nil
		case !st.IsDir():
			return []string{failCmd, "2", fmt.Sprintf("%s: %scd: can't cd to %s", ru.name, ru.linePrefix(), dir)}, nil
		}
	case "type", "command", "pwd":
		// type and command -v search the host's PATH; pwd -P reads host
		// symlinks: run ours instead.
		if args[0] != "command" || len(args) > 1 && (args[1] == "-v" || args[1] == "-V") {
			return append([]string{"\x00" + args[0]}, args[1:]...), nil
		}
	}
	return args, nil
}

func (ru *runner) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	if args[0] == failCmd {
		fmt.Fprintln(hc.Stderr, args[2])
		return interp.NewExitStatus(uint8(args[1][0] - '0'))
	}
	c := &call{p: ru.p, ru: ru, args: args, vars: hc.Env, dir: hc.Dir, in: hc.Stdin, out: hc.Stdout, errw: hc.Stderr, pos: hc.Pos, ctx: ctx}
	if c.in == nil {
		c.in = strings.NewReader("")
	}
	if ru.stdin != nil && c.in == io.Reader(ru.stdin) {
		c.in = ru.input
	}
	code := ru.p.execCall(c)
	if ru.p.killed.Load() {
		return errKilled
	}
	if code == 0 {
		return nil
	}
	return interp.NewExitStatus(uint8(code))
}

// environ lists the exported variables, sorted.
func environ(env expand.Environ) []string {
	var out []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() {
			out = append(out, name+"="+vr.String())
		}
		return true
	})
	sort.Strings(out)
	return out
}

// runArgv runs a process's argv (what the runtime executes): it must name
// an executable of the image.
func (p *Process) runArgv(ctx context.Context, argv []string, env []string, dir string, in io.Reader, out, errw io.Writer) int {
	if in == nil {
		in = strings.NewReader("")
	}
	c := &call{p: p, args: argv, env: withDefaults(env), dir: dir, in: in, out: out, errw: errw, ctx: ctx}
	return p.execCall(c)
}

// execCall finds the command in PATH and runs its applet.
func (p *Process) execCall(c *call) int {
	name := c.args[0]
	if name == "" {
		c.notFound()
		return 127
	}
	if strings.HasPrefix(name, "\x00") {
		c.args[0] = name[1:]
		return builtinOverride(c)
	}
	full, err := p.lookPath(c.getenv("PATH"), c.dir, name)
	if err != nil {
		if errors.Is(err, syscall.EACCES) {
			c.shellMsg(name + ": Permission denied")
			return 126
		}
		c.notFound()
		return 127
	}
	c.path = full
	base := path.Base(name)
	if cmd := p.cfg.Commands[base]; cmd != nil {
		return p.runCommand(cmd, c)
	}
	if a := applets[base]; a != nil {
		return a(c)
	}
	if p.cfg.Fallback != nil {
		p.impure.Add(1)
		if code, ok := p.cfg.Fallback(c.args, c.out, c.errw); ok {
			return code
		}
	}
	c.notFound()
	return 127
}

// lookPath is LookPath with a cache that holds while the filesystem does
// not change.
func (p *Process) lookPath(pathEnv, dir, name string) (string, error) {
	gen := p.fs.Generation()
	p.mu.Lock()
	if p.pathGen != gen || p.paths == nil {
		p.paths, p.pathGen = map[[3]string]lookup{}, gen
	}
	k := [3]string{pathEnv, dir, name}
	r, ok := p.paths[k]
	p.mu.Unlock()
	if ok {
		return r.path, r.err
	}
	full, err := LookPath(p.fs, pathEnv, dir, name)
	p.mu.Lock()
	p.paths[k] = lookup{full, err}
	p.mu.Unlock()
	return full, err
}

type lookup struct {
	path string
	err  error
}

// LookPath finds name as execvp does: a path with a slash as is, else each
// PATH directory; the file must exist, not be a directory and be executable.
func LookPath(fsys interface {
	Stat(string) (fs.FileInfo, error)
}, pathEnv, dir, name string) (string, error) {
	check := func(p string) error {
		st, err := fsys.Stat(p)
		switch {
		case err != nil:
			return err
		case st.IsDir() || st.Mode()&0o111 == 0:
			return &fs.PathError{Op: "exec", Path: p, Err: syscall.EACCES}
		}
		return nil
	}
	if strings.Contains(name, "/") {
		p := abs(dir, name)
		return p, check(p)
	}
	for _, d := range strings.Split(pathEnv, ":") {
		if d == "" {
			d = dir
		}
		p := abs(dir, d+"/"+name)
		if check(p) == nil {
			return p, nil
		}
	}
	return "", &fs.PathError{Op: "exec", Path: name, Err: syscall.ENOENT}
}

// errnoOf extracts the errno of a filesystem error.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return syscall.EIO
}

// strerror is the C library's text for an errno (glibc and musl agree on
// these, except where noted).
func strerror(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.EEXIST:
		return "File exists"
	case syscall.EISDIR:
		return "Is a directory"
	case syscall.ENOTDIR:
		return "Not a directory"
	case syscall.EROFS:
		return "Read-only file system"
	case syscall.ENOTEMPTY:
		return "Directory not empty"
	case syscall.EINVAL:
		return "Invalid argument"
	case syscall.ELOOP:
		return "Too many levels of symbolic links" // glibc; musl: Symbolic link loop
	case syscall.EXDEV:
		return "Invalid cross-device link" // glibc; musl: Cross-device link
	case syscall.EBUSY:
		return "Device or resource busy" // glibc; musl: Resource busy
	case syscall.EACCES:
		return "Permission denied"
	case syscall.EBADF:
		return "Bad file descriptor"
	case syscall.ESRCH:
		return "No such process"
	}
	return "I/O error"
}
