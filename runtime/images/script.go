package images

import (
	"fmt"
	"strings"
)

// A modest sh grammar: simple commands joined by ; && || & | and newlines,
// "while true; do …; done" and "for x in a b; do …; done". Anything else is
// a syntax error rather than a guess.

type node struct {
	op    string // connector before this command: "", "&&", "||"
	words []string
	loop  *loop
}

type loop struct {
	kind     string // while, for
	variable string
	items    []string
	body     []node
}

type token struct {
	text string
	op   bool
}

// pastParen scans s from the byte after an opening '(' and returns the index
// just past the ')' that closes it, and whether one does (else len(s)).
func pastParen(s string, from int) (end int, closed bool) {
	depth, j := 1, from
	for ; j < len(s) && depth > 0; j++ {
		if s[j] == '(' {
			depth++
		} else if s[j] == ')' {
			depth--
		}
	}
	return j, depth == 0
}

func tokenize(src string) ([]token, error) {
	var toks []token
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			toks = append(toks, token{text: cur.String()})
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted string")
			}
			cur.WriteString(src[i : i+j+2])
			inWord = true
			i += j + 1
		case c == '$' && i+1 < len(src) && src[i+1] == '(':
			j, closed := pastParen(src, i+2)
			if !closed {
				return nil, fmt.Errorf("missing )")
			}
			cur.WriteString(src[i:j])
			inWord = true
			i = j - 1
		case c == '\\' && i+1 < len(src):
			cur.WriteString(src[i : i+2])
			inWord = true
			i++
		case c == ' ' || c == '\t':
			flush()
		case c == ';' || c == '\n':
			flush()
			toks = append(toks, token{text: ";", op: true})
		case c == '&' && (strings.HasSuffix(cur.String(), ">") || i+1 < len(src) && src[i+1] == '>'):
			// part of a redirection: 2>&1, &>file
			cur.WriteByte(c)
			inWord = true
		case c == '&' || c == '|':
			flush()
			if i+1 < len(src) && src[i+1] == c {
				toks = append(toks, token{text: string([]byte{c, c}), op: true})
				i++
			} else {
				// Background and pipes run in sequence here.
				toks = append(toks, token{text: ";", op: true})
			}
		case c == '#' && !inWord:
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return toks, nil
}

type parser struct {
	toks []token
	i    int
}

func parseScript(src string) ([]node, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	nodes, err := p.list("")
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("%q unexpected", p.toks[p.i].text)
	}
	return nodes, nil
}

func (p *parser) list(stop string) ([]node, error) {
	var nodes []node
	op := ""
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.op {
			if t.text == "&&" || t.text == "||" {
				op = t.text
			}
			p.i++
			continue
		}
		if stop != "" && t.text == stop {
			return nodes, nil
		}
		switch t.text {
		case "while", "until":
			p.i++
			cond := p.simple()
			if len(cond) != 1 || (cond[0] != "true" && cond[0] != ":") || t.text == "until" {
				return nil, fmt.Errorf("only \"while true\" loops are simulated")
			}
			body, err := p.doDone()
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, node{op: op, loop: &loop{kind: "while", body: body}})
		case "for":
			p.i++
			words := p.simple()
			if len(words) < 2 || words[1] != "in" {
				return nil, fmt.Errorf("for: expected \"in\"")
			}
			body, err := p.doDone()
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, node{op: op, loop: &loop{kind: "for", variable: words[0], items: words[2:], body: body}})
		case "do", "done", "then", "fi", "if":
			return nil, fmt.Errorf("%q unexpected", t.text)
		default:
			nodes = append(nodes, node{op: op, words: p.simple()})
		}
		op = ""
	}
	if stop != "" {
		return nil, fmt.Errorf("expected %q", stop)
	}
	return nodes, nil
}

func (p *parser) simple() []string {
	var words []string
	for p.i < len(p.toks) && !p.toks[p.i].op {
		words = append(words, p.toks[p.i].text)
		p.i++
	}
	return words
}

func (p *parser) doDone() ([]node, error) {
	for p.i < len(p.toks) && p.toks[p.i].op {
		p.i++
	}
	if p.i >= len(p.toks) || p.toks[p.i].text != "do" {
		return nil, fmt.Errorf("expected \"do\"")
	}
	p.i++
	body, err := p.list("done")
	if err != nil {
		return nil, err
	}
	p.i++ // done
	return body, nil
}
