package transcript

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-cmp/cmp"

	"kubesim/scenarios"
)

// MismatchError is the first command whose output or exit code differs from
// the transcript.
type MismatchError struct {
	File    string
	Line    int
	Command string
	// Diff is a go-cmp diff of the output lines (-want +got); empty when
	// the output matched and only the exit code differs. Lines that match
	// their pattern are shown with the actual text, so only real
	// differences carry a - or +.
	Diff     string
	WantExit int
	GotExit  int
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: $ %s", e.File, e.Line, e.Command)
	if e.Diff != "" {
		fmt.Fprintf(&b, "\noutput differs from the transcript (-want +got):\n%s", e.Diff)
	}
	if e.WantExit != e.GotExit {
		fmt.Fprintf(&b, "\nexit code: want %d, got %d", e.WantExit, e.GotExit)
	}
	return b.String()
}

// Replay plays tr against env, in order: commands go to env.Run (stdout and
// stderr into one buffer, as a terminal shows them), "advance" to
// env.Advance, "halt"/"start"/"restart-node" to env.Directive; "seed" is
// skipped (the caller built the cluster with tr.Seed). As it goes it writes
// the session to out (nil: nowhere): each directive and command line, then
// what the command printed.
//
// It stops at the first command whose output or exit code differs and
// returns a *MismatchError; an error from env is returned wrapped with the
// transcript's file and line.
func Replay(ctx context.Context, tr *Transcript, env scenarios.Env, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	for i := range tr.Items {
		it := &tr.Items[i]
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s:%d: %w", tr.Name, it.Line, err)
		}
		switch it.Kind {
		case KindDirective:
			fmt.Fprintf(out, "%s %s %s\n", directivePrefix, it.Directive, strings.Join(it.Args, " "))
		case KindCommand:
			fmt.Fprintf(out, "$ %s\n", it.Command)
		}
		got, code, err := play(ctx, tr.Name, it, env)
		out.Write([]byte(got))
		if err != nil {
			return err
		}
		if it.Kind != KindCommand {
			continue
		}
		if merr := check(tr.Name, it, got, code); merr != nil {
			return merr
		}
	}
	return nil
}

// play performs one item against env: a directive ("seed" is the
// caller's: it built the cluster with tr.Seed), or a command, whose stdout
// and stderr it returns as one text, as a terminal shows them, with its
// exit code. An error from env comes back wrapped with file and line.
func play(ctx context.Context, file string, it *Item, env scenarios.Env) (string, int, error) {
	switch it.Kind {
	case KindDirective:
		var err error
		switch it.Directive {
		case "seed", "cluster":
		case "advance":
			err = env.Advance(it.Advance)
		default:
			err = env.Directive(it.Directive, it.Args)
		}
		if err != nil {
			return "", 0, fmt.Errorf("%s:%d: %s: %w", file, it.Line, it.Directive, err)
		}
	case KindCommand:
		var buf bytes.Buffer
		code, err := env.Run(ctx, it.Command, &buf, &buf)
		if err != nil {
			return buf.String(), code, fmt.Errorf("%s:%d: $ %s: %w", file, it.Line, it.Command, err)
		}
		return buf.String(), code, nil
	}
	return "", 0, nil
}

// splitOutput turns printed output into lines, dropping the final newline
// and trailing blank lines, as the parser does for the expected side.
func splitOutput(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// check compares one command's output and exit code with the item.
func check(file string, it *Item, got string, code int) *MismatchError {
	gotLines := splitOutput(got)
	ok := len(gotLines) == len(it.Want)
	shown := make([]string, len(it.Want))
	for i, w := range it.Want {
		shown[i] = w
		if i < len(gotLines) && it.matchers[i].match(gotLines[i]) {
			shown[i] = gotLines[i]
			continue
		}
		ok = false
	}
	if ok && code == it.Exit {
		return nil
	}
	e := &MismatchError{File: file, Line: it.Line, Command: it.Command, WantExit: it.Exit, GotExit: code}
	if !ok {
		// Lines compared as opaque strings: go-cmp then prints a differing
		// line whole, as - and + lines, instead of diffing inside it, and
		// shortens the equal lines around it.
		if gotLines == nil {
			gotLines = []string{}
		}
		e.Diff = cmp.Diff(shown, gotLines, cmp.Comparer(func(a, b string) bool { return a == b }))
	}
	return e
}
