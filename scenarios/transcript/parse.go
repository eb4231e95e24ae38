package transcript

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"kubesim/sim/clock"
)

// Kind tells a command from a directive.
type Kind int

const (
	// KindCommand is a "$ …" line with its expected output.
	KindCommand Kind = iota + 1
	// KindDirective is a "# kubesim: …" line.
	KindDirective
)

// Item is one command or one directive of a transcript, in file order.
type Item struct {
	Kind Kind
	// Line is the 1-based line of the "$" or "# kubesim:" line.
	Line int

	// Command is the command line without the leading "$ " (backslash
	// continuations already joined, as the shell joins them).
	Command string
	// Want holds the expected output lines (stdout and stderr together, as
	// a terminal shows them), trailing blank lines removed, "\" escapes
	// resolved. Patterns are still in their {{…}} spelling.
	Want []string
	// Exit is the expected exit code (0 unless a "# kubesim: exit N"
	// directive follows the output).
	Exit int

	// Directive is the directive's name (advance, halt, start,
	// restart-node, seed, cluster); Args its arguments.
	Directive string
	Args      []string
	// Advance is the parsed duration of an "advance" directive.
	Advance time.Duration

	matchers []lineMatcher
	// outStart is the 0-based source line of the first output line;
	// exitLine the 1-based line of the "exit" directive (0: none).
	outStart int
	exitLine int
}

// Transcript is a parsed transcript file.
type Transcript struct {
	// Name is the file name used in messages ("lecture-04.txt").
	Name string
	// Seed is the cluster seed from "# kubesim: seed N"; HasSeed says
	// whether the transcript set one. The caller builds the cluster with
	// it before calling Replay; Replay itself skips the directive.
	Seed    int64
	HasSeed bool
	// Cluster is the built-in cluster spec from "# kubesim: cluster
	// NAME" ("": the lecture's); like Seed, the caller builds the cluster
	// with it and Replay skips the directive.
	Cluster string
	Items   []Item
}

// Commands returns the number of commands in the transcript.
func (t *Transcript) Commands() int {
	n := 0
	for _, it := range t.Items {
		if it.Kind == KindCommand {
			n++
		}
	}
	return n
}

// ParseError is a transcript that cannot be read; it names file and line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

const (
	directivePrefix = "# kubesim:"
	commandPrefix   = "$ "
)

// directives maps each directive the parser accepts to its argument count.
// "seed", "advance" and "exit" are handled by this package; the rest go to
// scenarios.Env.Directive.
var directives = map[string]int{
	"seed":         1,
	"cluster":      1,
	"advance":      1,
	"exit":         1,
	"halt":         1,
	"start":        1,
	"restart-node": 1,
}

func knownDirectives() string {
	names := slices.Sorted(maps.Keys(directives))
	return strings.Join(names, ", ")
}

// ParseFile reads and parses the transcript at path; messages name the file
// by its base name.
func ParseFile(path string) (*Transcript, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("transcript: %w", err)
	}
	defer f.Close()
	return Parse(filepath.Base(path), f)
}

// Parse reads a transcript from r. name is used in error messages.
func Parse(name string, r io.Reader) (*Transcript, error) {
	p := &parser{t: &Transcript{Name: name}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 16*1024*1024)
	sc.Split(scanLines)
	for sc.Scan() {
		p.lineNo++
		if err := p.line(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.cont != nil {
		return nil, p.errf("command ends with a line continuation (\\) and no next line")
	}
	p.closeOutput()
	return p.t, nil
}

type parser struct {
	t      *Transcript
	lineNo int
	// out is the command whose output is being read, nil outside output.
	out *Item
	// cont is a command whose last line ended in "\".
	cont *Item
	// exitOK says an "exit" directive may attach to the last command.
	exitOK bool
}

func (p *parser) errf(format string, args ...any) error {
	return &ParseError{File: p.t.Name, Line: p.lineNo, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) line(s string) error {
	if p.cont != nil {
		return p.continuation(s)
	}
	switch {
	case strings.HasPrefix(s, directivePrefix):
		p.closeOutput()
		return p.directive(strings.TrimPrefix(s, directivePrefix))
	case strings.HasPrefix(s, "# kubesim ") || s == "# kubesim":
		return p.errf("malformed directive %q: want \"# kubesim: NAME ARGS\"", s)
	case s == "$" || strings.HasPrefix(s, commandPrefix):
		p.closeOutput()
		return p.command(strings.TrimPrefix(strings.TrimPrefix(s, "$"), " "))
	case p.out != nil:
		if strings.HasPrefix(s, `\`) {
			s = s[1:]
		}
		p.out.Want = append(p.out.Want, s)
		return nil
	case strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#"):
		return nil
	default:
		return p.errf("malformed line %q: expected \"$ command\", \"# kubesim: directive\" or a \"#\" comment (output belongs after a command)", s)
	}
}

func (p *parser) command(cmd string) error {
	if strings.TrimSpace(cmd) == "" {
		return p.errf("empty command after \"$\"")
	}
	p.t.Items = append(p.t.Items, Item{Kind: KindCommand, Line: p.lineNo})
	it := &p.t.Items[len(p.t.Items)-1]
	if strings.HasSuffix(cmd, `\`) {
		it.Command = strings.TrimSuffix(cmd, `\`)
		p.cont = it
		return nil
	}
	it.Command = cmd
	p.out = it
	it.outStart = p.lineNo
	return nil
}

func (p *parser) continuation(s string) error {
	it := p.cont
	if strings.HasSuffix(s, `\`) {
		it.Command += strings.TrimSuffix(s, `\`)
		return nil
	}
	it.Command += s
	p.cont = nil
	p.out = it
	it.outStart = p.lineNo
	return nil
}

// closeOutput ends the output block being read, if any: trailing blank lines
// go, and each line gets its matcher.
func (p *parser) closeOutput() {
	it := p.out
	if it == nil {
		return
	}
	p.out = nil
	p.exitOK = true
	for len(it.Want) > 0 && strings.TrimSpace(it.Want[len(it.Want)-1]) == "" {
		it.Want = it.Want[:len(it.Want)-1]
	}
	it.matchers = make([]lineMatcher, len(it.Want))
	for i, w := range it.Want {
		it.matchers[i] = compileLine(w)
	}
}

func (p *parser) directive(rest string) error {
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return p.errf("directive without a name (known: %s)", knownDirectives())
	}
	name, args := fields[0], fields[1:]
	want, ok := directives[name]
	if !ok {
		return p.errf("unknown directive %q (known: %s)", name, knownDirectives())
	}
	if len(args) != want {
		return p.errf("directive %q takes %d argument(s), got %d", name, want, len(args))
	}
	exitOK := p.exitOK
	p.exitOK = false
	switch name {
	case "seed":
		if p.t.Commands() > 0 {
			return p.errf("directive \"seed\" must come before the first command")
		}
		if p.t.HasSeed {
			return p.errf("directive \"seed\" given twice")
		}
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return p.errf("seed %q is not an integer", args[0])
		}
		p.t.Seed, p.t.HasSeed = n, true
	case "cluster":
		if p.t.Commands() > 0 {
			return p.errf("directive \"cluster\" must come before the first command")
		}
		if p.t.Cluster != "" {
			return p.errf("directive \"cluster\" given twice")
		}
		p.t.Cluster = args[0]
	case "exit":
		if !exitOK {
			return p.errf("directive \"exit\" must directly follow a command's output")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 || n > 255 {
			return p.errf("exit code %q is not a number from 0 to 255", args[0])
		}
		p.t.Items[len(p.t.Items)-1].Exit = n
		p.t.Items[len(p.t.Items)-1].exitLine = p.lineNo
		return nil
	}
	it := Item{Kind: KindDirective, Line: p.lineNo, Directive: name, Args: args}
	if name == "advance" {
		d, err := clock.ParseDuration(args[0])
		if err != nil {
			return p.errf("advance: %v", err)
		}
		it.Advance = d
	}
	p.t.Items = append(p.t.Items, it)
	return nil
}

// scanLines splits at "\n" only: a "\r" before it is part of the line, as
// it is part of what a command printed (nginx's error pages end their lines
// in CRLF).
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
