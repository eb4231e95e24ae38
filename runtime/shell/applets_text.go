package shell

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// breToRE2 turns a POSIX basic regular expression into Go syntax: \( \) \{
// \} \| \+ \? are the operators, their bare forms are literals.
func breToRE2(s string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case inClass:
			b.WriteByte(ch)
			if ch == ']' {
				inClass = false
			}
		case ch == '[':
			inClass = true
			b.WriteByte(ch)
			if i+1 < len(s) && s[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case ch == '\\' && i+1 < len(s):
			i++
			switch n := s[i]; n {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(n)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case strings.IndexByte("(){}|+?", ch) >= 0:
			b.WriteByte('\\')
			b.WriteByte(ch)
		case ch == '*' && (i == 0 || s[i-1] == '^' && i == 1):
			b.WriteString(`\*`)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

func compileRE(pat string, ere, icase, fixed bool) (*regexp.Regexp, error) {
	switch {
	case fixed:
		pat = regexp.QuoteMeta(pat)
	case !ere:
		pat = breToRE2(pat)
	}
	if icase {
		pat = "(?i)" + pat
	}
	return regexp.Compile(pat)
}

func grep(c *call) int {
	o := getopt(c.args[1:], "ivcqEFnlLhHwxe:f:sorRA:B:C:", map[string]byte{"ignore-case": 'i', "invert-match": 'v', "count": 'c', "quiet": 'q', "extended-regexp": 'E'})
	if o.bad != 0 || o.miss != 0 {
		c.badOption(o)
		return 2
	}
	pats := o.val['e']
	files := o.args
	if len(pats) == 0 {
		if len(files) == 0 {
			if c.gnu() {
				fmt.Fprintf(c.errw, "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
			} else {
				fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
			}
			return 2
		}
		pats, files = strings.Split(files[0], "\n"), files[1:]
	}
	var res []*regexp.Regexp
	for _, p := range pats {
		if o.has('w') {
			p = `\b(` + p + `)\b`
			if !o.has('E') {
				p = `\b\(` + pats[0] + `\)\b`
			}
		}
		if o.has('x') {
			if o.has('E') || o.has('F') {
				p = "^(" + p + ")$"
			} else {
				p = `^\(` + p + `\)$`
			}
		}
		re, err := compileRE(p, o.has('E'), o.has('i'), o.has('F') && !o.has('w') && !o.has('x'))
		if err != nil {
			c.errorf("bad regex '%s': %v", p, err)
			return 2
		}
		res = append(res, re)
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	showName := (len(files) > 1 || o.has('H')) && !o.has('h')
	// Context lines (-A, -B, -C): printed with '-' where a match has ':',
	// groups that do not touch parted by "--".
	after, before, withContext := 0, 0, false
	for _, f := range []byte{'C', 'A', 'B'} {
		v := o.val[f]
		if len(v) == 0 {
			continue
		}
		n, err := strconv.Atoi(v[len(v)-1])
		if err != nil || n < 0 {
			c.errorf("%s: invalid context length argument", v[len(v)-1])
			return 2
		}
		withContext = true
		switch f {
		case 'C':
			after, before = n, n
		case 'A':
			after = n
		case 'B':
			before = n
		}
	}
	if o.has('c') || o.has('l') || o.has('L') || o.has('q') {
		withContext = false
	}
	matched, code, groups := false, 0, 0
	for _, f := range files {
		b, err := c.readInput(f)
		if err != nil {
			if !o.has('s') {
				c.errorf("%s: %s", f, strerror(errnoOf(err)))
			}
			code = 2
			continue
		}
		name := f
		if f == "-" {
			name = "(standard input)"
		}
		lines := splitLines(b)
		text := func(i int) string { return strings.TrimSuffix(lines[i], "\n") }
		prefix := func(i int, sep string) string {
			p := ""
			if showName {
				p = name + sep
			}
			if o.has('n') {
				p += strconv.Itoa(i+1) + sep
			}
			return p
		}
		count, last, pendingAfter := 0, -1, 0
		for i := range lines {
			line := text(i)
			hit := false
			for _, re := range res {
				if re.MatchString(line) {
					hit = true
					break
				}
			}
			if hit == o.has('v') {
				if withContext && pendingAfter > 0 {
					fmt.Fprintln(c.out, prefix(i, "-")+line)
					last, pendingAfter = i, pendingAfter-1
				}
				continue
			}
			count++
			matched = true
			if o.has('q') {
				return 0
			}
			if o.has('c') || o.has('l') || o.has('L') {
				continue
			}
			if withContext {
				from := max(last+1, i-before)
				if groups > 0 && (last < 0 || from > last+1) {
					fmt.Fprintln(c.out, "--")
				}
				for j := from; j < i; j++ {
					fmt.Fprintln(c.out, prefix(j, "-")+text(j))
				}
				if last < 0 || from > last+1 {
					groups++
				}
				last, pendingAfter = i, after
			}
			if o.has('o') && !o.has('v') {
				for _, re := range res {
					for _, m := range re.FindAllString(line, -1) {
						fmt.Fprintln(c.out, prefix(i, ":")+m)
					}
				}
				continue
			}
			fmt.Fprintln(c.out, prefix(i, ":")+line)
		}
		switch {
		case o.has('l') && count > 0:
			fmt.Fprintln(c.out, name)
		case o.has('L') && count == 0:
			fmt.Fprintln(c.out, name)
		case o.has('c') && showName:
			fmt.Fprintf(c.out, "%s:%d\n", name, count)
		case o.has('c'):
			fmt.Fprintln(c.out, count)
		}
	}
	switch {
	case code != 0 && !(o.has('q') && matched):
		return code
	case matched:
		return 0
	}
	return 1
}

// sedCmd is one sed command with its address.
type sedCmd struct {
	a1, a2   sedAddr
	ranged   bool
	cmd      byte
	re       *regexp.Regexp
	repl     string
	global   bool
	nth      int
	print    bool
	text     string
	inRange  bool
	negate   bool
	writeOut string
}

type sedAddr struct {
	set  bool
	line int
	last bool
	re   *regexp.Regexp
}

func (a sedAddr) match(n int, last bool, line string) bool {
	switch {
	case a.re != nil:
		return a.re.MatchString(line)
	case a.last:
		return last
	}
	return n == a.line
}

func sed(c *call) int {
	o := getopt(c.args[1:], "ne:f:iErs", map[string]byte{"quiet": 'n', "expression": 'e', "in-place": 'i', "regexp-extended": 'E'})
	if o.bad != 0 || o.miss != 0 {
		return c.badOption(o)
	}
	scripts, files := o.val['e'], o.args
	if len(scripts) == 0 {
		if len(files) == 0 {
			fmt.Fprintf(c.errw, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n")
			return 1
		}
		scripts, files = files[:1], files[1:]
	}
	ere := o.has('E') || o.has('r')
	var cmds []*sedCmd
	for _, s := range scripts {
		cs, err := parseSed(s, ere)
		if err != "" {
			c.errorf("-e expression #1, char %d: %s", len(s), err)
			return 1
		}
		cmds = append(cmds, cs...)
	}
	run := func(in []byte, w io.Writer) bool {
		lines := splitLines(in)
		for i, raw := range lines {
			line := strings.TrimSuffix(raw, "\n")
			nl := strings.HasSuffix(raw, "\n")
			last := i == len(lines)-1
			deleted, quit := false, false
			var after []string
			for _, cm := range cmds {
				if !cm.applies(i+1, last, line) {
					continue
				}
				switch cm.cmd {
				case 's':
					n := 0
					done := false
					out := cm.re.ReplaceAllStringFunc(line, func(m string) string {
						n++
						if done || cm.nth > 0 && n != cm.nth {
							return m
						}
						if !cm.global {
							done = true
						}
						return expandRepl(cm.re, m, cm.repl)
					})
					if out != line || n > 0 && (done || cm.global || cm.nth > 0 && n >= cm.nth) {
						line = out
						if cm.print {
							fmt.Fprintln(w, line)
						}
					}
				case 'p':
					fmt.Fprintln(w, line)
				case 'd':
					deleted = true
				case 'q':
					quit = true
				case 'a':
					after = append(after, cm.text)
				case 'i':
					fmt.Fprintln(w, cm.text)
				case '=':
					fmt.Fprintln(w, i+1)
				}
				if deleted || quit {
					break
				}
			}
			if !deleted && !o.has('n') {
				io.WriteString(w, line)
				if nl || len(after) > 0 {
					io.WriteString(w, "\n")
				}
			}
			for _, a := range after {
				fmt.Fprintln(w, a)
			}
			if quit {
				return false
			}
		}
		return true
	}
	if len(files) == 0 {
		b, _ := io.ReadAll(c.in)
		run(b, c.out)
		return 0
	}
	code := 0
	for _, f := range files {
		b, err := c.readInput(f)
		if err != nil {
			c.errorf("can't read %s: %s", f, strerror(errnoOf(err)))
			code = 2
			continue
		}
		if o.has('i') {
			var buf bytes.Buffer
			run(b, &buf)
			if err := c.p.fs.WriteFile(c.abs(f), buf.Bytes(), 0o644); err != nil {
				c.errorf("can't create %s: %s", f, strerror(errnoOf(err)))
				code = 4
			}
			continue
		}
		if !run(b, c.out) {
			break
		}
	}
	return code
}

func (cm *sedCmd) applies(n int, last bool, line string) bool {
	ok := true
	switch {
	case !cm.a1.set:
	case !cm.ranged:
		ok = cm.a1.match(n, last, line)
	case cm.inRange:
		if cm.a2.re != nil && cm.a2.match(n, last, line) || cm.a2.re == nil && (cm.a2.last && last || !cm.a2.last && n >= cm.a2.line) {
			cm.inRange = false
		}
	default:
		ok = cm.a1.match(n, last, line)
		if ok && !(cm.a2.re == nil && !cm.a2.last && cm.a2.line <= n) {
			cm.inRange = true
		}
	}
	return ok != cm.negate
}

// expandRepl expands & and \1…\9 in a replacement.
func expandRepl(re *regexp.Regexp, m, repl string) string {
	sub := re.FindStringSubmatch(m)
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '&':
			b.WriteString(m)
		case ch == '\\' && i+1 < len(repl):
			i++
			n := repl[i]
			switch {
			case n >= '1' && n <= '9':
				if k := int(n - '0'); k < len(sub) {
					b.WriteString(sub[k])
				}
			case n == 'n':
				b.WriteByte('\n')
			case n == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(n)
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// parseSed parses a script: commands separated by ';' or newlines, each
// with an optional address or range.
func parseSed(s string, ere bool) ([]*sedCmd, string) {
	var out []*sedCmd
	i := 0
	readAddr := func() (sedAddr, string) {
		var a sedAddr
		switch {
		case i < len(s) && s[i] == '$':
			i++
			return sedAddr{set: true, last: true}, ""
		case i < len(s) && s[i] >= '0' && s[i] <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			a.line, _ = strconv.Atoi(s[i:j])
			a.set = true
			i = j
		case i < len(s) && s[i] == '/':
			j := i + 1
			for j < len(s) && s[j] != '/' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return a, "unterminated address regex"
			}
			re, err := compileRE(s[i+1:j], ere, false, false)
			if err != nil {
				return a, "invalid regex"
			}
			a = sedAddr{set: true, re: re}
			i = j + 1
		}
		return a, ""
	}
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ';' || s[i] == '\n' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		cm := &sedCmd{}
		var err string
		if cm.a1, err = readAddr(); err != "" {
			return nil, err
		}
		if i < len(s) && s[i] == ',' {
			i++
			if cm.a2, err = readAddr(); err != "" {
				return nil, err
			}
			cm.ranged = true
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == '!' {
			cm.negate = true
			i++
		}
		if i >= len(s) {
			return nil, "missing command"
		}
		cm.cmd = s[i]
		i++
		switch cm.cmd {
		case 'p', 'd', 'q', '=':
		case 'a', 'i':
			for i < len(s) && (s[i] == ' ' || s[i] == '\\') {
				i++
			}
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			cm.text = s[i : i+j]
			i += j
		case 's':
			if i >= len(s) {
				return nil, "unterminated `s' command"
			}
			delim := s[i]
			parts := []string{}
			j := i + 1
			var cur strings.Builder
			for j < len(s) && len(parts) < 2 {
				switch {
				case s[j] == '\\' && j+1 < len(s) && s[j+1] == delim:
					cur.WriteByte(delim)
					j += 2
				case s[j] == '\\' && j+1 < len(s):
					cur.WriteByte('\\')
					cur.WriteByte(s[j+1])
					j += 2
				case s[j] == delim:
					parts = append(parts, cur.String())
					cur.Reset()
					j++
				default:
					cur.WriteByte(s[j])
					j++
				}
			}
			if len(parts) < 2 {
				return nil, "unterminated `s' command"
			}
			icase := false
			for j < len(s) && s[j] != ';' && s[j] != '\n' && s[j] != '}' {
				switch f := s[j]; {
				case f == 'g':
					cm.global = true
				case f == 'p':
					cm.print = true
				case f == 'I' || f == 'i':
					icase = true
				case f >= '1' && f <= '9':
					cm.nth = int(f - '0')
				case f == ' ':
				default:
					return nil, "unknown option to `s'"
				}
				j++
			}
			re, err := compileRE(parts[0], ere, icase, false)
			if err != nil {
				return nil, "invalid regex"
			}
			cm.re, cm.repl = re, parts[1]
			i = j
		default:
			return nil, fmt.Sprintf("unknown command: `%c'", cm.cmd)
		}
		out = append(out, cm)
	}
	return out, ""
}
