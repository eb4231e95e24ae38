package transcript

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"kubesim/scenarios"
)

// Update plays tr against env like Replay, but does not stop at a mismatch:
// it returns src (the text tr was parsed from) with each command's expected
// output replaced by what the command printed. Expected lines that still
// match keep their spelling, patterns included, so that only what changed
// is rewritten; new lines that would read as a command or a directive get a
// leading backslash. "exit" directives are rewritten, added or removed to
// match the exit codes. This is the transcript's -update: run it, read the
// diff in version control, commit.
func Update(ctx context.Context, tr *Transcript, src []byte, env scenarios.Env) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	type change struct {
		from, n int      // replace lines[from:from+n]
		with    []string // by these
	}
	var changes []change
	for i := range tr.Items {
		it := &tr.Items[i]
		printed, code, err := play(ctx, tr.Name, it, env)
		if err != nil {
			return nil, err
		}
		if it.Kind == KindCommand {
			got := splitOutput(printed)
			out := make([]string, len(got))
			for k, g := range got {
				if k < len(it.Want) && it.matchers[k].match(g) {
					out[k] = lines[it.outStart+k]
					continue
				}
				out[k] = escapeOutput(g)
			}
			end := it.outStart + len(it.Want)
			// An existing exit directive is rewritten, never deleted, even
			// to "exit 0": deleting it could turn a comment after it into
			// output.
			switch {
			case it.exitLine > 0 && code != it.Exit:
				changes = append(changes, change{from: it.exitLine - 1, n: 1, with: []string{fmt.Sprintf("%s exit %d", directivePrefix, code)}})
			case it.exitLine == 0 && code != 0:
				out = append(out, fmt.Sprintf("%s exit %d", directivePrefix, code))
			}
			changes = append(changes, change{from: it.outStart, n: end - it.outStart, with: out})
		}
	}
	// Apply from the bottom up so that earlier line numbers stay valid.
	sort.SliceStable(changes, func(a, b int) bool { return changes[a].from < changes[b].from })
	for k := len(changes) - 1; k >= 0; k-- {
		c := changes[k]
		rest := append([]string(nil), lines[c.from+c.n:]...)
		lines = append(append(lines[:c.from], c.with...), rest...)
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// escapeOutput writes an output line so that the parser reads it back as
// output.
func escapeOutput(s string) string {
	if s == "$" || strings.HasPrefix(s, "$ ") || strings.HasPrefix(s, "# kubesim") || strings.HasPrefix(s, `\`) {
		return `\` + s
	}
	return s
}
