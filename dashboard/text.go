package dashboard

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// PhaseColor is the ANSI SGR code each phase is drawn in.
var PhaseColor = map[string]string{
	"Running":   "32", // green
	"Pending":   "33", // yellow
	"Succeeded": "34", // blue
	"Failed":    "31", // red
	"Unknown":   "35", // magenta
}

// Render writes m as one box per node (then a box of unscheduled pods),
// each pod on a line: STATUS, namespace/name, IP. With color the status
// word is drawn in its phase's colour and a NotReady node's title in red;
// without, the output is plain text and depends only on m.
func Render(w io.Writer, m Map, color bool) error {
	var b strings.Builder
	if len(m.Nodes) == 0 && len(m.Unscheduled) == 0 {
		b.WriteString("No nodes.\n")
	}
	for _, n := range m.Nodes {
		title := n.Name + "  " + n.Status
		if n.Roles != "" {
			title += "  " + n.Roles
		}
		if n.IP != "" {
			title += "  " + n.IP
		}
		sub := "podCIDR " + orNone(n.PodCIDR)
		box(&b, title, sub, n.Pods, color, color && !strings.HasPrefix(n.Status, "Ready"))
	}
	if len(m.Unscheduled) > 0 {
		box(&b, "(not scheduled)", "", m.Unscheduled, color, false)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func box(b *strings.Builder, title, sub string, pods []Pod, color, alarm bool) {
	sw, nw := len("STATUS"), 0
	for _, p := range pods {
		sw = max(sw, width(p.Status))
		nw = max(nw, width(p.Namespace+"/"+p.Name))
	}
	lines := make([]string, 0, len(pods))
	plain := make([]int, 0, len(pods))
	for _, p := range pods {
		name := p.Namespace + "/" + p.Name
		st := p.Status + strings.Repeat(" ", sw-width(p.Status))
		if color {
			st = "\x1b[" + PhaseColor[phaseOr(p.Phase)] + "m" + p.Status + "\x1b[0m" + strings.Repeat(" ", sw-width(p.Status))
		}
		line := st + "  " + name + strings.Repeat(" ", nw-width(name)) + "  " + orNone(p.IP)
		lines = append(lines, line)
		plain = append(plain, sw+2+nw+2+width(orNone(p.IP)))
	}
	if len(pods) == 0 {
		lines = append(lines, "(no pods)")
		plain = append(plain, len("(no pods)"))
	}
	inner := width(title) + 4
	if sub != "" {
		inner = max(inner, width(sub)+2)
	}
	for _, n := range plain {
		inner = max(inner, n+2)
	}
	shownTitle := title
	if alarm {
		shownTitle = "\x1b[31m" + title + "\x1b[0m"
	}
	// ┌─ title ───┐, the subnet on a line of its own, then the pods.
	fmt.Fprintf(b, "┌─ %s %s┐\n", shownTitle, strings.Repeat("─", max(0, inner-width(title)-3)))
	if sub != "" {
		fmt.Fprintf(b, "│ %s%s │\n", sub, strings.Repeat(" ", inner-2-width(sub)))
		fmt.Fprintf(b, "├%s┤\n", strings.Repeat("─", inner))
	}
	for i, l := range lines {
		fmt.Fprintf(b, "│ %s%s │\n", l, strings.Repeat(" ", inner-2-plain[i]))
	}
	fmt.Fprintf(b, "└%s┘\n", strings.Repeat("─", inner))
}

func phaseOr(p string) string {
	if _, ok := PhaseColor[p]; ok {
		return p
	}
	return "Unknown"
}

func width(s string) int { return utf8.RuneCountInString(s) }
