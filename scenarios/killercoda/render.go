package killercoda

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// RenderOptions control how markdown is shown in a terminal.
type RenderOptions struct {
	// ShowDetails expands <details> blocks; otherwise each shows as one
	// line naming the command (hint or solution) that opens it.
	ShowDetails bool
	// Lang is the language of that line ("ko" or English).
	Lang string
}

var (
	imageRE  = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]*)[^)]*\)`)
	linkRE   = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)[^)]*\)`)
	strongRE = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	brRE     = regexp.MustCompile(`(?i)<br\s*/?>[ \t]*`)
	simpleRE = regexp.MustCompile(`(?i)</?(b|i|em|strong|p|kbd|span|div|center|sup|sub)(\s[^>]*)?>`)
)

// Render writes md for a terminal: headings underlined, code blocks in a
// frame, {{exec}} code numbered as "exec N" (what the `exec N` command
// runs), <details> folded unless opts.ShowDetails.
func Render(w io.Writer, md *Markdown, opts RenderOptions) {
	if md == nil {
		return
	}
	renderBlocks(w, md.Blocks, opts, "")
}

func renderBlocks(w io.Writer, blocks []Block, opts RenderOptions, indent string) {
	for i, b := range blocks {
		if i > 0 {
			fmt.Fprintln(w)
		}
		switch b.Kind {
		case BlockHeading:
			t := renderInlines(b.Inlines)
			fmt.Fprintf(w, "%s%s\n", indent, t)
			u := "-"
			if b.Level == 1 {
				u = "="
			}
			fmt.Fprintf(w, "%s%s\n", indent, strings.Repeat(u, max(3, displayWidth(t))))
		case BlockParagraph:
			for _, l := range strings.Split(renderInlines(b.Inlines), "\n") {
				fmt.Fprintf(w, "%s%s\n", indent, strings.TrimRight(l, " "))
			}
		case BlockCode:
			head := "┌─"
			switch {
			case b.Action == ActionExec && b.Interrupt:
				head += fmt.Sprintf(" exec %d (stops the running command first)", b.Exec)
			case b.Action == ActionExec:
				head += fmt.Sprintf(" exec %d", b.Exec)
			case b.Lang != "":
				head += " " + b.Lang
			}
			fmt.Fprintf(w, "%s  %s\n", indent, head)
			for _, l := range strings.Split(b.Code, "\n") {
				fmt.Fprintf(w, "%s  │ %s\n", indent, l)
			}
			fmt.Fprintf(w, "%s  └─\n", indent)
		case BlockDetails:
			cmd := "solution"
			if b.Hint {
				cmd = "hint"
			}
			title := b.Summary
			if title == "" {
				title = "Details"
			}
			if !opts.ShowDetails {
				fmt.Fprintf(w, "%s▸ %s "+messagesFor(opts.Lang).fold+"\n", indent, title, cmd)
				continue
			}
			fmt.Fprintf(w, "%s▾ %s\n", indent, title)
			renderBlocks(w, b.Children, opts, indent+"  ")
		}
	}
}

func renderInlines(in []Inline) string {
	var b strings.Builder
	for _, i := range in {
		if !i.Code {
			// Bold may span code spans ("**Add `x`**"): drop its markers here.
			b.WriteString(strings.ReplaceAll(renderText(i.Text), "**", ""))
			continue
		}
		b.WriteString("`" + i.Text + "`")
		if i.Action == ActionExec {
			fmt.Fprintf(&b, " [exec %d]", i.Exec)
		}
	}
	return b.String()
}

// renderText turns the markdown and HTML that steps use in running text into
// plain terminal text.
func renderText(s string) string {
	s = brRE.ReplaceAllString(s, "\n")
	s = simpleRE.ReplaceAllString(s, "")
	s = imageRE.ReplaceAllString(s, "[image: $1]")
	s = linkRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := linkRE.FindStringSubmatch(m)
		if sub[1] == sub[2] {
			return sub[2]
		}
		return sub[1] + " <" + sub[2] + ">"
	})
	s = strongRE.ReplaceAllString(s, "$1$2")
	return s
}

// displayWidth counts terminal columns: East Asian wide characters (Hangul,
// CJK, full-width forms) and most emoji take two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r < 0x300:
			w++
		case r <= 0x36F, r >= 0x200B && r <= 0x200F, r >= 0x20D0 && r <= 0x20FF, r >= 0xFE00 && r <= 0xFE0F:
			// combining marks, zero-width spaces, variation selectors
		case r < 0x1100:
			w++
		case r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
			r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF:
			w += 2
		case r == utf8.RuneError:
		default:
			w++
		}
	}
	return w
}
