package shell

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// call is one command being run by an applet.
type call struct {
	p    *Process
	ru   *runner // the shell running it; nil when the runtime runs it directly
	args []string
	path string         // where PATH found it
	env  []string       // exported variables; see environ
	vars expand.Environ // the shell's variables, when a shell runs it
	dir  string
	in   io.Reader
	out  io.Writer
	errw io.Writer
	pos  syntax.Pos
	ctx  context.Context
}

type applet func(c *call) int

// applets by name. Filled in init to break the initialisation cycle
// (sh runs applets).
var applets map[string]applet

func (c *call) name() string { return path.Base(c.args[0]) }

func (c *call) gnu() bool { return c.p.cfg.Flavor == Debian }

func (c *call) abs(p string) string { return abs(c.dir, p) }

func (c *call) getenv(k string) string {
	if c.vars != nil {
		if v := c.vars.Get(k); v.Exported {
			return v.String()
		}
		return ""
	}
	for i := len(c.env) - 1; i >= 0; i-- {
		if kk, v, ok := strings.Cut(c.env[i], "="); ok && kk == k {
			return v
		}
	}
	return ""
}

// environ returns the exported variables (computed on first use).
func (c *call) environ() []string {
	if c.env == nil && c.vars != nil {
		c.env = environ(c.vars)
	}
	return c.env
}

// errorf prints "name: message".
func (c *call) errorf(format string, a ...any) {
	fmt.Fprintf(c.errw, c.name()+": "+format+"\n", a...)
}

// shellMsg prints a message as the shell running the command does.
func (c *call) shellMsg(msg string) {
	if c.ru == nil {
		fmt.Fprintln(c.errw, msg)
		return
	}
	fmt.Fprintf(c.errw, "%s: %s%s\n", c.ru.name, c.ru.linePrefix(), msg)
}

func (c *call) notFound() {
	name := c.args[0]
	switch {
	case c.ru == nil:
		fmt.Fprintf(c.errw, "exec: %q: executable file not found in $PATH\n", name)
	case c.ru.name == "bash":
		c.shellMsg(name + ": command not found")
	default:
		c.shellMsg(name + ": not found")
	}
}

// opts is the result of getopt.
type opts struct {
	set  map[byte]bool
	val  map[byte][]string
	args []string
	bad  byte // an unknown option
	miss byte // an option missing its argument
}

func (o opts) has(b byte) bool { return o.set[b] }
func (o opts) last(b byte) string {
	v := o.val[b]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// getopt parses short options as getopt(3) with permutation: spec lists the
// letters, a ':' after one means it takes an argument; "--" ends options; a
// lone "-" is an operand. long maps long options to letters.
func getopt(args []string, spec string, long map[string]byte) opts {
	o := opts{set: map[byte]bool{}, val: map[byte][]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.args = append(o.args, args[i+1:]...)
			return o
		case strings.HasPrefix(a, "--") && long != nil:
			name, val, hasVal := strings.Cut(a[2:], "=")
			b, ok := long[name]
			if !ok {
				o.bad = '-'
				continue
			}
			o.set[b] = true
			if k := strings.IndexByte(spec, b); k >= 0 && k+1 < len(spec) && spec[k+1] == ':' {
				if !hasVal && i+1 < len(args) {
					i++
					val = args[i]
				}
				o.val[b] = append(o.val[b], val)
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				b := a[j]
				k := strings.IndexByte(spec, b)
				if k < 0 || b == ':' {
					if o.bad == 0 {
						o.bad = b
					}
					continue
				}
				o.set[b] = true
				if k+1 < len(spec) && spec[k+1] == ':' {
					val := a[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							o.miss = b
							break
						}
						i++
						val = args[i]
					}
					o.val[b] = append(o.val[b], val)
					break
				}
			}
		default:
			o.args = append(o.args, a)
		}
	}
	return o
}

// badOption prints busybox's or GNU's complaint about an option.
func (c *call) badOption(o opts) int {
	if o.miss != 0 {
		if c.gnu() {
			c.errorf("option requires an argument -- '%c'", o.miss)
		} else {
			c.errorf("option requires an argument -- '%c'", o.miss)
		}
	} else if c.gnu() {
		c.errorf("invalid option -- '%c'", o.bad)
		fmt.Fprintf(c.errw, "Try '%s --help' for more information.\n", c.name())
	} else {
		c.errorf("invalid option -- '%c'", o.bad)
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
	}
	if c.gnu() && c.name() == "ls" {
		return 2
	}
	return 1
}

func (p *Process) busyboxVersion() string {
	if p.cfg.Version == "" {
		return "1.36.1"
	}
	return p.cfg.Version
}

// readInput opens an operand ("-" or none: stdin) for reading.
func (c *call) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(c.in)
	}
	return c.p.fs.ReadFile(c.abs(name))
}
