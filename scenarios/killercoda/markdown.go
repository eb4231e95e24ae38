package killercoda

import (
	"regexp"
	"strings"
)

// Action is what killercoda does with a piece of code: the {{…}} written
// right after its closing backticks.
type Action int

const (
	// ActionNone: no marker. Inline code is copyable by default.
	ActionNone Action = iota
	// ActionExec: {{exec}} (Katacoda: {{execute}}), click to run.
	ActionExec
	// ActionCopy: {{copy}}.
	ActionCopy
	// ActionNoCopy: {{}}, plain code.
	ActionNoCopy
)

// Exec is one {{exec}} block: what `exec N` runs and what Test runs to solve
// a step.
type Exec struct {
	// N is the 1-based number of the block in its step, in document order
	// (blocks inside <details> count too).
	N int
	// Code is the block's text: one line for inline code, the fenced
	// block's lines (indentation of the fence removed) otherwise.
	Code string
	// Interrupt: {{exec interrupt}}, Ctrl+C is sent first.
	Interrupt bool
	// Fenced tells a ``` block from `inline` code.
	Fenced bool
}

// BlockKind is the kind of a markdown block.
type BlockKind int

// Block kinds.
const (
	BlockParagraph BlockKind = iota + 1
	BlockHeading
	BlockCode
	BlockDetails
)

// Block is a piece of step markdown, as far as a terminal needs it.
type Block struct {
	Kind BlockKind
	// Level is a heading's level (1–6).
	Level int
	// Inlines is a paragraph's or heading's text.
	Inlines []Inline

	// Lang, Code, Action, Interrupt and Exec describe a fenced code block;
	// Exec is its number when Action is ActionExec.
	Lang      string
	Code      string
	Action    Action
	Interrupt bool
	Exec      int

	// Summary is a <details> block's <summary>; Hint says it reads as a
	// hint (anything else is a solution); Children is its content.
	Summary  string
	Hint     bool
	Children []Block
}

// Inline is a run of paragraph text: plain markdown text, or a code span.
type Inline struct {
	Text      string
	Code      bool
	Action    Action
	Interrupt bool
	// Exec is the code span's {{exec}} number, 0 when it has none.
	Exec int
}

// Markdown is parsed step text.
type Markdown struct {
	// Source is the raw text.
	Source string
	Blocks []Block
	// Execs are all {{exec}} blocks in document order.
	Execs []Exec
}

// Details returns the <details> blocks (at any depth) whose Hint matches.
func (m *Markdown) Details(hint bool) []Block {
	var out []Block
	var walk func([]Block)
	walk = func(bs []Block) {
		for _, b := range bs {
			if b.Kind != BlockDetails {
				continue
			}
			if b.Hint == hint {
				out = append(out, b)
				continue
			}
			walk(b.Children)
		}
	}
	walk(m.Blocks)
	return out
}

// ParseMarkdown reads killercoda step markdown. A {{…}} is a marker only
// when it comes right after closing backticks and is one killercoda knows
// (exec, exec interrupt, copy, empty; Katacoda's execute variants); any
// other {{…}} — Helm and Go templates in YAML — stays text.
func ParseMarkdown(src string) *Markdown {
	p := &mdParser{lines: strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")}
	md := &Markdown{Source: src}
	md.Blocks = p.blocks(0, len(p.lines))
	md.Execs = p.execs
	return md
}

type mdParser struct {
	lines []string
	execs []Exec
}

func (p *mdParser) addExec(code string, interrupt, fenced bool) int {
	n := len(p.execs) + 1
	p.execs = append(p.execs, Exec{N: n, Code: code, Interrupt: interrupt, Fenced: fenced})
	return n
}

// parseAction reads the inside of {{…}}; ok is false for anything that is
// not a killercoda or Katacoda marker.
func parseAction(inner string) (a Action, interrupt, ok bool) {
	f := strings.Fields(inner)
	if len(f) == 0 {
		return ActionNoCopy, false, true
	}
	switch f[0] {
	case "exec", "execute":
		for _, opt := range f[1:] {
			if opt == "interrupt" {
				interrupt = true
			}
		}
		return ActionExec, interrupt, true
	case "copy":
		if len(f) == 1 {
			return ActionCopy, false, true
		}
	}
	return ActionNone, false, false
}

// markerAt reads a {{…}} marker at the start of s; n is its length in bytes
// (0 when there is no marker there).
func markerAt(s string) (a Action, interrupt bool, n int) {
	if !strings.HasPrefix(s, "{{") {
		return ActionNone, false, 0
	}
	end := strings.Index(s, "}}")
	if end < 0 || strings.Contains(s[:end], "\n") {
		return ActionNone, false, 0
	}
	a, interrupt, ok := parseAction(s[2:end])
	if !ok {
		return ActionNone, false, 0
	}
	return a, interrupt, end + 2
}

var headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$`)

// fenceOpen reports a fence opening line: its indentation, fence character,
// length and info string.
func fenceOpen(line string) (indent int, ch byte, n int, info string, ok bool) {
	t := strings.TrimLeft(line, " \t")
	indent = len(line) - len(t)
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0, 0, "", false
	}
	ch = t[0]
	for n < len(t) && t[n] == ch {
		n++
	}
	if n < 3 {
		return 0, 0, 0, "", false
	}
	info = strings.TrimSpace(t[n:])
	if ch == '`' && strings.Contains(info, "`") {
		return 0, 0, 0, "", false
	}
	return indent, ch, n, info, true
}

// fenceClose reports whether line closes a fence of ch×n, and the marker
// written right after it.
func fenceClose(line string, ch byte, n int) (a Action, interrupt, ok bool) {
	t := strings.TrimLeft(line, " \t")
	k := 0
	for k < len(t) && t[k] == ch {
		k++
	}
	if k < n {
		return ActionNone, false, false
	}
	rest := t[k:]
	if strings.TrimSpace(rest) == "" {
		return ActionNone, false, true
	}
	a, interrupt, m := markerAt(rest)
	if m == 0 || strings.TrimSpace(rest[m:]) != "" {
		return ActionNone, false, false
	}
	return a, interrupt, true
}

// isDetailsOpen reports whether line starts with a whole <details…> tag:
// the one details cuts out, so parsing what is left always moves on (a
// "<details" with no ">" is text).
func isDetailsOpen(line string) bool {
	loc := detailsOpenRE.FindStringIndex(strings.TrimSpace(line))
	return loc != nil && loc[0] == 0
}

func (p *mdParser) blocks(from, to int) []Block {
	var out []Block
	i := from
	for i < to {
		line := p.lines[i]
		if strings.TrimSpace(line) == "" {
			i++
			continue
		}
		if indent, ch, n, info, ok := fenceOpen(line); ok {
			j := i + 1
			var a Action
			var intr bool
			closed := false
			for ; j < to; j++ {
				if a, intr, closed = fenceClose(p.lines[j], ch, n); closed {
					break
				}
			}
			code := make([]string, 0, j-i-1)
			for _, l := range p.lines[i+1 : min(j, to)] {
				code = append(code, stripIndent(l, indent))
			}
			b := Block{Kind: BlockCode, Lang: info, Code: strings.Join(code, "\n"), Action: a, Interrupt: intr}
			if a == ActionExec {
				b.Exec = p.addExec(b.Code, intr, true)
			}
			out = append(out, b)
			i = j + 1
			continue
		}
		if isDetailsOpen(line) {
			b, next := p.details(i, to)
			out = append(out, b)
			i = next
			continue
		}
		if m := heading(line); m != nil {
			out = append(out, Block{Kind: BlockHeading, Level: len(m[1]), Inlines: p.inlines(m[2])})
			i++
			continue
		}
		j := i
		for j < to && strings.TrimSpace(p.lines[j]) != "" && (j == i || !p.startsBlock(p.lines[j])) {
			j++
		}
		out = append(out, Block{Kind: BlockParagraph, Inlines: p.inlines(strings.Join(p.lines[i:j], "\n"))})
		i = j
	}
	return out
}

func (p *mdParser) startsBlock(line string) bool {
	t := strings.TrimLeft(line, " \t")
	if t == "" || !strings.ContainsRune("#`~<", rune(t[0])) {
		return false
	}
	if _, _, _, _, ok := fenceOpen(line); ok {
		return true
	}
	return isDetailsOpen(line) || heading(line) != nil
}

// heading returns headingRE's submatches, skipping the regexp for lines
// that cannot be headings.
func heading(line string) []string {
	if !strings.HasPrefix(strings.TrimLeft(line, " "), "#") {
		return nil
	}
	return headingRE.FindStringSubmatch(line)
}

func stripIndent(line string, n int) string {
	for k := 0; k < n && len(line) > 0 && (line[0] == ' ' || line[0] == '\t'); k++ {
		line = line[1:]
	}
	return line
}

var (
	summaryRE      = regexp.MustCompile(`(?is)<summary[^>]*>(.*?)</summary>`)
	detailsOpenRE  = regexp.MustCompile(`(?i)<details[^>]*>`)
	detailsCloseRE = regexp.MustCompile(`(?i)</details\s*>`)
	tagRE          = regexp.MustCompile(`<[^>]+>`)
)

// details reads a <details> block starting at line i: up to the matching
// </details> (fenced code inside is skipped over when counting). It returns
// the block and the line after it.
func (p *mdParser) details(i, to int) (Block, int) {
	depth := 0
	end := to - 1
	inFence := false
	var fch byte
	var fn int
	for j := i; j < to; j++ {
		l := p.lines[j]
		if inFence {
			if _, _, ok := fenceClose(l, fch, fn); ok {
				inFence = false
			}
			continue
		}
		if _, ch, n, _, ok := fenceOpen(l); ok && j > i {
			inFence, fch, fn = true, ch, n
			continue
		}
		depth += len(detailsOpenRE.FindAllString(l, -1))
		depth -= len(detailsCloseRE.FindAllString(l, -1))
		if depth <= 0 {
			end = j
			break
		}
	}
	// Work on a copy of the lines: cut the outer <details>, <summary> and
	// </details> tags out and parse what is left in place.
	inner := make([]string, end-i+1)
	copy(inner, p.lines[i:end+1])
	inner[0] = detailsOpenRE.ReplaceAllString(inner[0], "")
	last := len(inner) - 1
	if loc := detailsCloseRE.FindAllStringIndex(inner[last], -1); len(loc) > 0 {
		k := loc[len(loc)-1]
		inner[last] = inner[last][:k[0]] + inner[last][k[1]:]
	}
	joined := strings.Join(inner, "\n")
	summary := ""
	if m := summaryRE.FindStringSubmatchIndex(joined); m != nil {
		summary = strings.TrimSpace(tagRE.ReplaceAllString(joined[m[2]:m[3]], ""))
		joined = joined[:m[0]] + joined[m[1]:]
	}
	sub := &mdParser{lines: strings.Split(joined, "\n"), execs: p.execs}
	children := sub.blocks(0, len(sub.lines))
	p.execs = sub.execs
	low := strings.ToLower(summary)
	return Block{
		Kind:     BlockDetails,
		Summary:  summary,
		Hint:     strings.Contains(low, "hint") || strings.Contains(summary, "힌트"),
		Children: children,
	}, end + 1
}

// inlines splits paragraph text into text and code spans (CommonMark: a run
// of N backticks closes at the next run of exactly N) and reads the marker
// right after each span's closing backticks.
func (p *mdParser) inlines(s string) []Inline {
	var out []Inline
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, Inline{Text: text.String()})
			text.Reset()
		}
	}
	i := 0
	for i < len(s) {
		if s[i] != '`' {
			text.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		closeAt := -1
		for k := i + n; k < len(s); {
			if s[k] != '`' {
				k++
				continue
			}
			m := 0
			for k+m < len(s) && s[k+m] == '`' {
				m++
			}
			if m == n {
				closeAt = k
				break
			}
			k += m
		}
		if closeAt < 0 {
			text.WriteString(s[i : i+n])
			i += n
			continue
		}
		code := strings.ReplaceAll(s[i+n:closeAt], "\n", " ")
		if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.TrimSpace(code) != "" {
			code = code[1 : len(code)-1]
		}
		i = closeAt + n
		a, intr, m := markerAt(s[i:])
		i += m
		flush()
		in := Inline{Text: code, Code: true, Action: a, Interrupt: intr}
		if a == ActionExec {
			in.Exec = p.addExec(code, intr, false)
		}
		out = append(out, in)
	}
	flush()
	return out
}
