package killercoda

import (
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"strings"
)

// HTMLOptions control how step markdown is drawn in a web page.
type HTMLOptions struct {
	// Files is the URL prefix under which the scenario's own files are
	// served ("files/"): a relative image or link target becomes
	// Files+target. Targets that climb out of the scenario ("../x") are
	// dropped.
	Files string
}

var (
	// The inline patterns, applied to text already HTML-escaped: the
	// brackets, parentheses and stars they match survive escaping.
	htmlImageRE  = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]*)[^)]*\)`)
	htmlLinkRE   = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)[^)]*\)`)
	htmlStrongRE = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	htmlBrRE     = regexp.MustCompile(`(?i)&lt;br\s*/?&gt;`)
	// Simple formatting tags without attributes are kept as tags.
	htmlSimpleRE = regexp.MustCompile(`(?i)&lt;(/?)(b|i|em|strong|p|kbd|sup|sub)&gt;`)
	// Any other tag, escaped, is dropped as the terminal rendering drops it.
	htmlTagRE = regexp.MustCompile(`(?i)&lt;/?(span|div|center|p|b|i|em|strong|kbd|sup|sub)(\s.*?)?&gt;`)
)

// RenderHTML writes md as an HTML fragment: headings, paragraphs with
// their images and links, code blocks (an {{exec}} block says which `exec
// N` runs it), <details> as <details>. All text is escaped; only http(s)
// and scenario-relative targets become links or images, so step text
// cannot script the page that shows it.
func RenderHTML(w io.Writer, md *Markdown, opts HTMLOptions) {
	if md == nil {
		return
	}
	htmlBlocks(w, md.Blocks, opts)
}

func htmlBlocks(w io.Writer, blocks []Block, opts HTMLOptions) {
	for _, b := range blocks {
		switch b.Kind {
		case BlockHeading:
			l := min(max(b.Level, 1), 6)
			fmt.Fprintf(w, "<h%d>%s</h%d>\n", l, htmlInlines(b.Inlines, opts), l)
		case BlockParagraph:
			fmt.Fprintf(w, "<p>%s</p>\n", htmlInlines(b.Inlines, opts))
		case BlockCode:
			label := ""
			switch {
			case b.Action == ActionExec && b.Interrupt:
				label = fmt.Sprintf("exec %d (stops the running command first)", b.Exec)
			case b.Action == ActionExec:
				label = fmt.Sprintf("exec %d", b.Exec)
			case b.Lang != "":
				label = b.Lang
			}
			if label != "" {
				fmt.Fprintf(w, "<pre data-label=\"%s\"><code>%s</code></pre>\n", html.EscapeString(label), html.EscapeString(b.Code))
			} else {
				fmt.Fprintf(w, "<pre><code>%s</code></pre>\n", html.EscapeString(b.Code))
			}
		case BlockDetails:
			title := b.Summary
			if title == "" {
				title = "Details"
			}
			fmt.Fprintf(w, "<details><summary>%s</summary>\n", html.EscapeString(title))
			htmlBlocks(w, b.Children, opts)
			fmt.Fprintln(w, "</details>")
		}
	}
}

func htmlInlines(in []Inline, opts HTMLOptions) string {
	var b strings.Builder
	for _, i := range in {
		if i.Code {
			b.WriteString("<code>" + html.EscapeString(i.Text) + "</code>")
			if i.Action == ActionExec {
				fmt.Fprintf(&b, ` <span class="exec">exec %d</span>`, i.Exec)
			}
			continue
		}
		b.WriteString(htmlText(i.Text, opts))
	}
	return b.String()
}

// htmlText turns running markdown text into HTML.
func htmlText(s string, opts HTMLOptions) string {
	s = html.EscapeString(s)
	s = htmlBrRE.ReplaceAllString(s, "<br>")
	s = htmlSimpleRE.ReplaceAllString(s, "<$1$2>")
	s = htmlTagRE.ReplaceAllString(s, "")
	s = htmlImageRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := htmlImageRE.FindStringSubmatch(m)
		src, ok := target(sub[2], opts)
		if !ok {
			return "[image: " + sub[1] + "]"
		}
		return `<img src="` + src + `" alt="` + sub[1] + `">`
	})
	s = htmlLinkRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := htmlLinkRE.FindStringSubmatch(m)
		href, ok := target(sub[2], opts)
		if !ok {
			return sub[1]
		}
		return `<a href="` + href + `" target="_blank" rel="noopener">` + sub[1] + `</a>`
	})
	s = htmlStrongRE.ReplaceAllString(s, "<strong>$1$2</strong>")
	return s
}

// target resolves an image or link target (already escaped): absolute
// http(s) addresses stay, paths inside the scenario go under opts.Files,
// anything else (other schemes, paths climbing out) is refused.
func target(t string, opts HTMLOptions) (string, bool) {
	raw := html.UnescapeString(t)
	low := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(low, "https://"), strings.HasPrefix(low, "http://"):
		return t, true
	case strings.HasPrefix(raw, "#"):
		return t, true
	case strings.Contains(raw, ":"), strings.HasPrefix(raw, "//"):
		return "", false
	}
	p := path.Clean("/" + raw)
	if p == "/" || strings.Contains(raw, "..") {
		return "", false
	}
	return html.EscapeString(opts.Files + strings.TrimPrefix(p, "/")), true
}

// PageHTML draws page i of sc for a web view: -1 the intro, len(Steps) the
// finish, anything else a step. It returns the page's title and its HTML;
// relative targets go under files (see HTMLOptions).
func (sc *Scenario) PageHTML(i int, files string) (title, body string) {
	var pg Page
	switch {
	case i < 0:
		pg, title = sc.Intro, sc.Title
	case i >= len(sc.Steps):
		pg, title = sc.Finish, sc.Title
	default:
		pg = sc.Steps[i].Page
		title = pg.Title
	}
	var b strings.Builder
	RenderHTML(&b, pg.Text, HTMLOptions{Files: files})
	return title, b.String()
}
