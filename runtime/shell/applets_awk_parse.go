package shell

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
)

type (
	awkExpr func(a *awkRun) awkVal
	awkStmt func(a *awkRun)
)

// awkParser is a recursive-descent parser straight to closures. Errors
// name the token they stopped at, as awk's "syntax error at or near".
type awkParser struct {
	src  string
	pos  int
	line int
}

func (p *awkParser) fail() error {
	p.skipBlank(false)
	if p.pos >= len(p.src) {
		return errors.New("end of file")
	}
	r := p.src[p.pos:]
	if i := strings.IndexAny(r, " \t\n;{}()"); i > 0 {
		r = r[:i]
	} else if i == 0 {
		r = r[:1]
	}
	return errors.New(r)
}

// skipBlank skips blanks, comments and, with newlines, newlines.
func (p *awkParser) skipBlank(newlines bool) {
	for p.pos < len(p.src) {
		switch ch := p.src[p.pos]; {
		case ch == ' ' || ch == '\t' || ch == '\r':
			p.pos++
		case ch == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '\n':
			p.pos += 2
			p.line++
		case ch == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case ch == '\n' && newlines:
			p.pos++
			p.line++
		default:
			return
		}
	}
}

// peek reports whether the next token is s (an operator or keyword).
func (p *awkParser) peek(s string) bool {
	p.skipBlank(false)
	if !strings.HasPrefix(p.src[p.pos:], s) {
		return false
	}
	if awkIsName(s) {
		end := p.pos + len(s)
		return end == len(p.src) || !awkIsName(p.src[end:end+1]) && (p.src[end] < '0' || p.src[end] > '9')
	}
	return true
}

func (p *awkParser) accept(s string) bool {
	if p.peek(s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *awkParser) name() string {
	p.skipBlank(false)
	end := p.pos
	for end < len(p.src) && awkIsName(p.src[p.pos:end+1]) {
		end++
	}
	n := p.src[p.pos:end]
	p.pos = end
	return n
}

func (p *awkParser) program(a *awkRun) error {
	for {
		p.skipBlank(true)
		for p.accept(";") {
			p.skipBlank(true)
		}
		if p.pos >= len(p.src) {
			return nil
		}
		switch {
		case p.accept("BEGIN"):
			body, err := p.block()
			if err != nil {
				return err
			}
			a.begin = append(a.begin, body...)
		case p.accept("END"):
			body, err := p.block()
			if err != nil {
				return err
			}
			a.end = append(a.end, body...)
		default:
			var r awkRule
			if !p.peek("{") {
				pat, err := p.expr(false)
				if err != nil {
					return err
				}
				r.pat = pat
			}
			if p.peek("{") {
				body, err := p.block()
				if err != nil {
					return err
				}
				r.body = body
			} else {
				r.body = []awkStmt{func(a *awkRun) { a.out.WriteString(a.line + a.vars["ORS"].str()) }}
			}
			a.rules = append(a.rules, r)
		}
	}
}

func (p *awkParser) block() ([]awkStmt, error) {
	if !p.accept("{") {
		return nil, p.fail()
	}
	var body []awkStmt
	for {
		p.skipBlank(true)
		if p.accept(";") {
			continue
		}
		if p.accept("}") {
			return body, nil
		}
		if p.pos >= len(p.src) {
			return nil, p.fail()
		}
		s, err := p.stmt()
		if err != nil {
			return nil, err
		}
		body = append(body, s)
	}
}

// stmt parses one statement and its terminator (; newline or a closing }).
func (p *awkParser) stmt() (awkStmt, error) {
	var s awkStmt
	var err error
	switch {
	case p.peek("{"):
		body, err := p.block()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) { a.exec(body) }, nil
	case p.accept("if"):
		if !p.accept("(") {
			return nil, p.fail()
		}
		cond, err := p.expr(false)
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.fail()
		}
		p.skipBlank(true)
		then, err := p.stmt()
		if err != nil {
			return nil, err
		}
		save, saveLine := p.pos, p.line
		p.skipBlank(true)
		p.accept(";")
		p.skipBlank(true)
		var els awkStmt
		if p.accept("else") {
			p.skipBlank(true)
			if els, err = p.stmt(); err != nil {
				return nil, err
			}
		} else {
			p.pos, p.line = save, saveLine
		}
		return func(a *awkRun) {
			if cond(a).truth() {
				then(a)
			} else if els != nil {
				els(a)
			}
		}, nil
	case p.accept("next"):
		s = func(a *awkRun) { a.next = true }
	case p.accept("exit"):
		var code awkExpr
		if !p.atEnd() {
			if code, err = p.expr(false); err != nil {
				return nil, err
			}
		}
		s = func(a *awkRun) {
			if code != nil {
				a.code = int(code(a).num())
			}
			a.exiting = true
		}
	case p.accept("printf"):
		args, err := p.exprList()
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, p.fail()
		}
		s = func(a *awkRun) {
			vals := make([]awkVal, len(args))
			for i, e := range args {
				vals[i] = e(a)
			}
			a.out.WriteString(awkSprintf(vals[0].str(), vals[1:]))
		}
	case p.accept("print"):
		args, err := p.exprList()
		if err != nil {
			return nil, err
		}
		s = func(a *awkRun) {
			if len(args) == 0 {
				a.out.WriteString(a.line + a.vars["ORS"].str())
				return
			}
			parts := make([]string, len(args))
			for i, e := range args {
				parts[i] = e(a).str()
			}
			a.out.WriteString(strings.Join(parts, a.vars["OFS"].str()) + a.vars["ORS"].str())
		}
	default:
		e, err := p.expr(false)
		if err != nil {
			return nil, err
		}
		s = func(a *awkRun) { e(a) }
	}
	if !p.atEnd() {
		return nil, p.fail()
	}
	return s, nil
}

// atEnd: the statement ends here (; newline } or the end of the text).
func (p *awkParser) atEnd() bool {
	p.skipBlank(false)
	return p.pos >= len(p.src) || strings.IndexByte(";\n}", p.src[p.pos]) >= 0
}

// exprList is print's arguments: expressions separated by commas,
// optionally in parentheses; an unparenthesised > is a redirection, which
// the hosts do not model.
func (p *awkParser) exprList() ([]awkExpr, error) {
	var list []awkExpr
	if p.atEnd() {
		return nil, nil
	}
	for {
		e, err := p.expr(true)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.accept(",") {
			break
		}
		p.skipBlank(true)
	}
	if p.peek(">") || p.peek("|") {
		return nil, p.fail()
	}
	return list, nil
}

// expr: assignment, then || && ~ comparisons, concatenation, + - * / %,
// unary, ++/--, $ and primaries. noGT: in print's arguments.
func (p *awkParser) expr(noGT bool) (awkExpr, error) {
	save, saveLine := p.pos, p.line
	if lv, ok := p.lvalue(); ok {
		for _, op := range []string{"+=", "-=", "*=", "/=", "%=", "="} {
			if op == "=" && p.peek("==") {
				break
			}
			if p.accept(op) {
				p.skipBlank(true)
				rhs, err := p.expr(noGT)
				if err != nil {
					return nil, err
				}
				return func(a *awkRun) awkVal {
					v := rhs(a)
					if op != "=" {
						v = awkNum(awkArith(op[:1], lv.get(a).num(), v.num()))
					}
					lv.set(a, v)
					return v
				}, nil
			}
		}
	}
	p.pos, p.line = save, saveLine
	return p.or(noGT)
}

type awkLvalue struct {
	get func(a *awkRun) awkVal
	set func(a *awkRun, v awkVal)
}

// lvalue parses a variable or $expr, if that is what comes next.
func (p *awkParser) lvalue() (awkLvalue, bool) {
	p.skipBlank(false)
	if p.accept("$") {
		idx, err := p.primary()
		if err != nil {
			return awkLvalue{}, false
		}
		return awkLvalue{
			get: func(a *awkRun) awkVal { return awkStrNum(a.field(int(idx(a).num()))) },
			set: func(a *awkRun, v awkVal) { a.setField(int(idx(a).num()), v.str()) },
		}, true
	}
	if p.pos < len(p.src) && awkIsName(p.src[p.pos:p.pos+1]) {
		n := p.name()
		if awkKeyword(n) || p.peek("(") {
			return awkLvalue{}, false
		}
		return awkLvalue{
			get: func(a *awkRun) awkVal { return a.getVar(n) },
			set: func(a *awkRun, v awkVal) { a.setVar(n, v) },
		}, true
	}
	return awkLvalue{}, false
}

func awkKeyword(n string) bool {
	switch n {
	case "BEGIN", "END", "if", "else", "next", "exit", "print", "printf", "in", "getline", "function", "for", "while", "do", "delete", "return":
		return true
	}
	return false
}

func (a *awkRun) getVar(n string) awkVal {
	switch n {
	case "NR", "FNR":
		return awkNum(float64(a.nr))
	case "NF":
		return awkNum(float64(len(a.fields)))
	}
	return a.vars[n]
}

func (a *awkRun) setVar(n string, v awkVal) {
	switch n {
	case "NR", "FNR":
		a.nr = int(v.num())
		return
	case "NF":
		nf := int(v.num())
		for len(a.fields) < nf {
			a.fields = append(a.fields, "")
		}
		a.fields = a.fields[:max(nf, 0)]
		a.line = strings.Join(a.fields, a.vars["OFS"].str())
		return
	}
	a.vars[n] = v
}

func (p *awkParser) or(noGT bool) (awkExpr, error) {
	l, err := p.and(noGT)
	for err == nil && p.accept("||") {
		p.skipBlank(true)
		var r awkExpr
		if r, err = p.and(noGT); err == nil {
			l0 := l
			l = func(a *awkRun) awkVal { return awkBool(l0(a).truth() || r(a).truth()) }
		}
	}
	return l, err
}

func (p *awkParser) and(noGT bool) (awkExpr, error) {
	l, err := p.match(noGT)
	for err == nil && p.accept("&&") {
		p.skipBlank(true)
		var r awkExpr
		if r, err = p.match(noGT); err == nil {
			l0 := l
			l = func(a *awkRun) awkVal { return awkBool(l0(a).truth() && r(a).truth()) }
		}
	}
	return l, err
}

func (p *awkParser) match(noGT bool) (awkExpr, error) {
	l, err := p.compare(noGT)
	for err == nil && (p.peek("~") || p.peek("!~")) {
		neg := p.accept("!~")
		if !neg {
			p.accept("~")
		}
		p.skipBlank(false)
		l0 := l
		if p.pos < len(p.src) && p.src[p.pos] == '/' {
			var re *regexp.Regexp
			if re, err = p.regex(); err == nil {
				l = func(a *awkRun) awkVal { return awkBool(re.MatchString(l0(a).str()) != neg) }
			}
			continue
		}
		var r awkExpr
		if r, err = p.compare(noGT); err == nil {
			l = func(a *awkRun) awkVal {
				re, err := regexp.Compile(r(a).str())
				return awkBool(err == nil && re.MatchString(l0(a).str()) != neg)
			}
		}
	}
	return l, err
}

func (p *awkParser) compare(noGT bool) (awkExpr, error) {
	l, err := p.concat(noGT)
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if op[0] == '>' && noGT || op == "<" && p.peek("<=") || op == ">" && p.peek(">=") {
			continue
		}
		if p.accept(op) {
			r, err := p.concat(noGT)
			if err != nil {
				return nil, err
			}
			return func(a *awkRun) awkVal { return awkBool(awkCompare(op, l(a), r(a))) }, nil
		}
	}
	return l, nil
}

// awkCompare compares as numbers when both sides are numbers (or input
// that looks like one), else as strings.
func awkCompare(op string, x, y awkVal) bool {
	c := 0
	if x.isNum && y.isNum {
		switch {
		case x.n < y.n:
			c = -1
		case x.n > y.n:
			c = 1
		}
	} else {
		c = strings.Compare(x.str(), y.str())
	}
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// concat: operands side by side join as strings.
func (p *awkParser) concat(noGT bool) (awkExpr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	for p.startsOperand() {
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		l0 := l
		l = func(a *awkRun) awkVal { return awkStr(l0(a).str() + r(a).str()) }
	}
	return l, nil
}

func (p *awkParser) startsOperand() bool {
	p.skipBlank(false)
	if p.pos >= len(p.src) {
		return false
	}
	ch := p.src[p.pos]
	switch {
	case ch == '$' || ch == '"' || ch == '(' || ch == '!' && !p.peek("!=") && !p.peek("!~") || ch >= '0' && ch <= '9' || ch == '.':
		return true
	case ch == '-' && !p.peek("-=") || ch == '+' && !p.peek("+="):
		return false // binary, as awk reads `a -1`
	case awkIsName(string(ch)):
		save := p.pos
		n := p.name()
		p.pos = save
		return n != "in" && n != "getline"
	}
	return false
}

func (p *awkParser) additive() (awkExpr, error) {
	l, err := p.multiplicative()
	for err == nil {
		var op string
		switch {
		case p.peek("+") && !p.peek("++") && !p.peek("+="):
			op = "+"
		case p.peek("-") && !p.peek("--") && !p.peek("-="):
			op = "-"
		default:
			return l, nil
		}
		p.pos++
		var r awkExpr
		if r, err = p.multiplicative(); err == nil {
			l0 := l
			l = func(a *awkRun) awkVal { return awkNum(awkArith(op, l0(a).num(), r(a).num())) }
		}
	}
	return l, err
}

func (p *awkParser) multiplicative() (awkExpr, error) {
	l, err := p.unary()
	for err == nil {
		var op string
		switch {
		case p.peek("*") && !p.peek("*="):
			op = "*"
		case p.peek("/") && !p.peek("/="):
			op = "/"
		case p.peek("%") && !p.peek("%="):
			op = "%"
		default:
			return l, nil
		}
		p.pos++
		var r awkExpr
		if r, err = p.unary(); err == nil {
			l0 := l
			l = func(a *awkRun) awkVal { return awkNum(awkArith(op, l0(a).num(), r(a).num())) }
		}
	}
	return l, err
}

func awkArith(op string, x, y float64) float64 {
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "/":
		return x / y
	}
	return math.Mod(x, y)
}

func (p *awkParser) unary() (awkExpr, error) {
	switch {
	case p.accept("!"):
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) awkVal { return awkBool(!e(a).truth()) }, nil
	case p.peek("-") && !p.peek("--"):
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) awkVal { return awkNum(-e(a).num()) }, nil
	case p.peek("+") && !p.peek("++"):
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) awkVal { return awkNum(e(a).num()) }, nil
	case p.peek("++") || p.peek("--"):
		d := 1.0
		if p.accept("--") {
			d = -1
		} else {
			p.accept("++")
		}
		lv, ok := p.lvalue()
		if !ok {
			return nil, p.fail()
		}
		return func(a *awkRun) awkVal { v := awkNum(lv.get(a).num() + d); lv.set(a, v); return v }, nil
	}
	save, saveLine := p.pos, p.line
	if lv, ok := p.lvalue(); ok && (p.peek("++") || p.peek("--")) {
		d := 1.0
		if p.accept("--") {
			d = -1
		} else {
			p.accept("++")
		}
		return func(a *awkRun) awkVal { v := lv.get(a).num(); lv.set(a, awkNum(v+d)); return awkNum(v) }, nil
	}
	p.pos, p.line = save, saveLine
	x, err := p.primary()
	if err != nil || !p.peek("^") {
		return x, err
	}
	p.pos++
	y, err := p.unary() // right-associative
	if err != nil {
		return nil, err
	}
	return func(a *awkRun) awkVal { return awkNum(math.Pow(x(a).num(), y(a).num())) }, nil
}

func (p *awkParser) primary() (awkExpr, error) {
	p.skipBlank(false)
	if p.pos >= len(p.src) {
		return nil, p.fail()
	}
	switch ch := p.src[p.pos]; {
	case ch == '$':
		p.pos++
		idx, err := p.primary()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) awkVal { return awkStrNum(a.field(int(idx(a).num()))) }, nil
	case ch == '(':
		p.pos++
		e, err := p.expr(false)
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.fail()
		}
		return e, nil
	case ch == '"':
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '"' {
			if p.src[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(p.src) {
			return nil, p.fail()
		}
		s := awkUnescape(p.src[p.pos+1 : end])
		p.pos = end + 1
		return func(*awkRun) awkVal { return awkStr(s) }, nil
	case ch == '/':
		re, err := p.regex()
		if err != nil {
			return nil, err
		}
		return func(a *awkRun) awkVal { return awkBool(re.MatchString(a.line)) }, nil
	case ch >= '0' && ch <= '9' || ch == '.':
		end := p.pos
		for end < len(p.src) && (p.src[end] >= '0' && p.src[end] <= '9' || p.src[end] == '.') {
			end++
		}
		n, err := strconv.ParseFloat(p.src[p.pos:end], 64)
		if err != nil {
			return nil, p.fail()
		}
		p.pos = end
		return func(*awkRun) awkVal { return awkNum(n) }, nil
	case awkIsName(string(ch)):
		save := p.pos
		n := p.name()
		if awkKeyword(n) {
			p.pos = save
			return nil, p.fail()
		}
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			return p.call(n, save)
		}
		if n == "length" {
			return func(a *awkRun) awkVal { return awkNum(float64(len([]rune(a.line)))) }, nil
		}
		return func(a *awkRun) awkVal { return a.getVar(n) }, nil
	}
	return nil, p.fail()
}

// regex parses a /regular expression/ literal.
func (p *awkParser) regex() (*regexp.Regexp, error) {
	end := p.pos + 1
	for end < len(p.src) && p.src[end] != '/' && p.src[end] != '\n' {
		if p.src[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(p.src) || p.src[end] != '/' {
		return nil, p.fail()
	}
	re, err := regexp.Compile(strings.ReplaceAll(p.src[p.pos+1:end], `\/`, "/"))
	if err != nil {
		return nil, p.fail()
	}
	p.pos = end + 1
	return re, nil
}

// call parses a builtin function's arguments.
func (p *awkParser) call(n string, at int) (awkExpr, error) {
	p.pos++ // (
	var args []awkExpr
	p.skipBlank(false)
	if !p.accept(")") {
		for {
			e, err := p.expr(false)
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			if p.accept(")") {
				break
			}
			if !p.accept(",") {
				return nil, p.fail()
			}
		}
	}
	arg := func(a *awkRun, i int) awkVal {
		if i < len(args) {
			return args[i](a)
		}
		return awkStr("")
	}
	switch n {
	case "length":
		return func(a *awkRun) awkVal {
			if len(args) == 0 {
				return awkNum(float64(len([]rune(a.line))))
			}
			return awkNum(float64(len([]rune(arg(a, 0).str()))))
		}, nil
	case "tolower":
		return func(a *awkRun) awkVal { return awkStr(strings.ToLower(arg(a, 0).str())) }, nil
	case "toupper":
		return func(a *awkRun) awkVal { return awkStr(strings.ToUpper(arg(a, 0).str())) }, nil
	case "int":
		return func(a *awkRun) awkVal { return awkNum(math.Trunc(arg(a, 0).num())) }, nil
	case "index":
		return func(a *awkRun) awkVal {
			return awkNum(float64(strings.Index(arg(a, 0).str(), arg(a, 1).str()) + 1))
		}, nil
	case "sprintf":
		return func(a *awkRun) awkVal {
			vals := make([]awkVal, len(args))
			for i, e := range args {
				vals[i] = e(a)
			}
			if len(vals) == 0 {
				return awkStr("")
			}
			return awkStr(awkSprintf(vals[0].str(), vals[1:]))
		}, nil
	case "substr":
		return func(a *awkRun) awkVal {
			s := []rune(arg(a, 0).str())
			start := int(math.Round(arg(a, 1).num()))
			end := len(s) + 1
			if len(args) > 2 {
				end = start + int(math.Round(arg(a, 2).num()))
			}
			start, end = max(start, 1), min(end, len(s)+1)
			if start >= end {
				return awkStr("")
			}
			return awkStr(string(s[start-1 : end-1]))
		}, nil
	}
	p.pos = at
	return nil, p.fail()
}
