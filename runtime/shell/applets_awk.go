package shell

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// awk is the subset of awk (mawk on the hosts, BusyBox's in images) that
// one-liners use: -F, -v, BEGIN/END, /regex/ and expression patterns,
// print/printf, variables and assignments (=, +=, ++), if/else, next,
// exit, $N and $NF, NR, NF, FS, OFS, length, substr, tolower, toupper,
// index, int. Anything else is a syntax error, as an unknown construct is
// to awk.
func awk(c *call) int {
	args := c.args[1:]
	a := &awkRun{c: c, vars: map[string]awkVal{"FS": awkStr(" "), "OFS": awkStr(" "), "ORS": awkStr("\n")}}
	var prog string
	var progSet bool
	for len(args) > 0 && !progSet {
		arg := args[0]
		switch {
		case arg == "--":
			args = args[1:]
			if len(args) == 0 {
				break
			}
			prog, progSet, args = args[0], true, args[1:]
		case strings.HasPrefix(arg, "-F"):
			fs := arg[2:]
			if fs == "" {
				if len(args) < 2 {
					return a.usage()
				}
				fs, args = args[1], args[1:]
			}
			if fs == "t" {
				fs = "\t"
			}
			a.vars["FS"] = awkStr(awkUnescape(fs))
			args = args[1:]
		case arg == "-v" || strings.HasPrefix(arg, "-v"):
			as := arg[2:]
			if as == "" {
				if len(args) < 2 {
					return a.usage()
				}
				as, args = args[1], args[1:]
			}
			name, val, ok := strings.Cut(as, "=")
			if !ok {
				c.errorf("improper assignment: -v %s", as)
				return 2
			}
			a.vars[name] = awkStrNum(awkUnescape(val))
			args = args[1:]
		case arg == "-f":
			if len(args) < 2 {
				return a.usage()
			}
			b, err := c.p.fs.ReadFile(c.abs(args[1]))
			if err != nil {
				c.errorf("couldn't open file %s", args[1])
				return 2
			}
			prog, progSet, args = string(b), true, args[2:]
		case len(arg) > 1 && arg[0] == '-':
			c.errorf("not an option: %s", arg)
			return 2
		default:
			prog, progSet, args = arg, true, args[1:]
		}
	}
	if !progSet {
		return a.usage()
	}
	p := &awkParser{src: prog, line: 1}
	if err := p.program(a); err != nil {
		c.errorf("line %d: syntax error at or near %s", p.line, err.Error())
		return 2
	}
	return a.run(args)
}

type awkRun struct {
	c             *call
	vars          map[string]awkVal
	begin, end    []awkStmt
	rules         []awkRule
	line          string
	fields        []string
	nr            int
	exiting, next bool
	code          int
	out           bytes.Buffer
}

type awkRule struct {
	pat  awkExpr // nil: every line
	body []awkStmt
}

func (a *awkRun) usage() int {
	fmt.Fprintf(a.c.errw, "usage: %s [-F value] [-v var=value] [--] 'program text' [file ...]\n", a.c.name())
	return 2
}

func (a *awkRun) run(files []string) int {
	defer func() { a.c.out.Write(a.out.Bytes()) }()
	a.exec(a.begin)
	if !a.exiting && (len(a.rules) > 0 || len(a.end) > 0) {
		var inputs []string
		for _, f := range files {
			if name, val, ok := strings.Cut(f, "="); ok && awkIsName(name) {
				a.vars[name] = awkStrNum(val)
				continue
			}
			inputs = append(inputs, f)
		}
		if len(inputs) == 0 {
			inputs = []string{"-"}
		}
		for _, f := range inputs {
			b, err := a.c.readInput(f)
			if err != nil {
				a.c.errorf("cannot open %s (No such file or directory)", f)
				return 2
			}
			text := string(b)
			text = strings.TrimSuffix(text, "\n")
			if len(b) == 0 {
				continue
			}
			for _, l := range strings.Split(text, "\n") {
				a.nr++
				a.setLine(l)
				a.next = false
				for _, r := range a.rules {
					if r.pat == nil || r.pat(a).truth() {
						a.exec(r.body)
					}
					if a.next || a.exiting {
						break
					}
				}
				if a.exiting {
					break
				}
			}
			if a.exiting {
				break
			}
		}
	}
	if a.exiting && a.end == nil {
		return a.code
	}
	a.exiting = false
	a.exec(a.end)
	return a.code
}

func (a *awkRun) setLine(l string) {
	a.line = l
	fs := a.vars["FS"].str()
	switch {
	case fs == " ":
		a.fields = strings.Fields(l)
	case l == "":
		a.fields = nil
	case len(fs) == 1 && fs != "\\":
		a.fields = strings.Split(l, fs)
	default:
		re, err := regexp.Compile(fs)
		if err != nil {
			a.fields = strings.Split(l, fs)
		} else {
			a.fields = re.Split(l, -1)
		}
	}
}

func (a *awkRun) field(i int) string {
	switch {
	case i == 0:
		return a.line
	case i > 0 && i <= len(a.fields):
		return a.fields[i-1]
	}
	return ""
}

func (a *awkRun) setField(i int, v string) {
	if i < 0 || i > 1<<16 {
		return
	}
	if i == 0 {
		a.setLine(v)
		return
	}
	for len(a.fields) < i {
		a.fields = append(a.fields, "")
	}
	a.fields[i-1] = v
	a.line = strings.Join(a.fields, a.vars["OFS"].str())
}

func (a *awkRun) exec(body []awkStmt) {
	for _, s := range body {
		if a.next || a.exiting {
			return
		}
		s(a)
	}
}

// awkVal is a string, a number, or input that looks like a number
// (compared as one).
type awkVal struct {
	s     string
	n     float64
	isNum bool
	isStr bool
}

func awkNum(n float64) awkVal { return awkVal{n: n, isNum: true} }
func awkStr(s string) awkVal  { return awkVal{s: s, isStr: true} }

// awkStrNum is a field or -v value: a number if it looks like one.
func awkStrNum(s string) awkVal {
	if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && strings.TrimSpace(s) != "" && !strings.ContainsAny(s, "xXnNiI") {
		return awkVal{s: s, n: n, isNum: true, isStr: true}
	}
	return awkStr(s)
}

func (v awkVal) str() string {
	if v.isStr {
		return v.s
	}
	return awkFormatNum(v.n)
}

func awkFormatNum(n float64) string {
	switch {
	case math.IsInf(n, 1):
		return "inf"
	case math.IsInf(n, -1):
		return "-inf"
	case math.IsNaN(n):
		return "nan"
	}
	if n == math.Trunc(n) && math.Abs(n) < 1e16 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'g', 6, 64)
}

func (v awkVal) num() float64 {
	if v.isNum {
		return v.n
	}
	s := strings.TrimSpace(v.s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && (s[end] == '-' || s[end] == '+')) ||
		(end > 0 && (s[end] == 'e' || s[end] == 'E'))) {
		end++
	}
	for end > 0 {
		if n, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return n
		}
		end--
	}
	return 0
}

func (v awkVal) truth() bool {
	if v.isNum {
		return v.n != 0
	}
	return v.s != ""
}

func awkBool(b bool) awkVal {
	if b {
		return awkNum(1)
	}
	return awkNum(0)
}

func awkIsName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// awkUnescape resolves the escapes of a string literal or -v value.
func awkUnescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		case '"':
			b.WriteByte('"')
		case '/':
			b.WriteByte('/')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// awkSprintf formats printf's arguments as C's printf does.
func awkSprintf(format string, args []awkVal) string {
	var b strings.Builder
	next := func() awkVal {
		if len(args) == 0 {
			return awkStr("")
		}
		v := args[0]
		args = args[1:]
		return v
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		if j == len(format) {
			b.WriteString(format[i:])
			break
		}
		spec := format[i:j]
		switch verb := format[j]; verb {
		case '%':
			b.WriteByte('%')
		case 'd', 'i':
			fmt.Fprintf(&b, spec+"d", int64(next().num()))
		case 'o', 'x', 'X':
			fmt.Fprintf(&b, spec+string(verb), int64(next().num()))
		case 'u':
			fmt.Fprintf(&b, spec+"d", uint64(next().num()))
		case 'e', 'E', 'f', 'F', 'g', 'G':
			fmt.Fprintf(&b, spec+string(verb), next().num())
		case 'c':
			v := next()
			s := v.str()
			if v.isNum && !v.isStr {
				s = string(rune(int(v.n)))
			} else if len(s) > 0 {
				s = s[:1]
			}
			fmt.Fprintf(&b, spec+"s", s)
		case 's':
			fmt.Fprintf(&b, spec+"s", next().str())
		default:
			b.WriteString(format[i : j+1])
		}
		i = j
	}
	return b.String()
}
