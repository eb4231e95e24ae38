package transcript

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// echoEnv answers each command with exactly what the transcript expects
// of it (the replay's own view of a perfect cluster).
type echoEnv struct {
	tr   *Transcript
	next int
}

func (e *echoEnv) Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	for ; e.next < len(e.tr.Items); e.next++ {
		it := e.tr.Items[e.next]
		if it.Kind == KindCommand {
			e.next++
			if it.Command != line {
				return 0, fmt.Errorf("ran %q, the transcript's next command is %q", line, it.Command)
			}
			for _, w := range it.Want {
				fmt.Fprintln(stdout, w)
			}
			return it.Exit, nil
		}
	}
	return 0, errors.New("no command left")
}
func (e *echoEnv) Advance(time.Duration) error      { return nil }
func (e *echoEnv) Directive(string, []string) error { return nil }
func (e *echoEnv) ScriptEnv() []string              { return nil }

// FuzzTranscript: any file parses or gets a ParseError naming a line of
// it; a parsed transcript without patterns replays cleanly against an
// environment that prints exactly what it expects (parser and checker
// agree on what the expected output is).
func FuzzTranscript(f *testing.F) {
	for _, glob := range []string{"testdata/*.txt", "../builtin/content/transcripts/*.txt"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("# kubesim: seed 7\n$ kubectl get pods\nNo resources found in default namespace.\n# kubesim: exit 0\n"))
	f.Add([]byte("$ echo a \\\n  b\na b\n\\\n# kubesim: advance 2d3h\n$ x\n{{any}}\n"))
	f.Add([]byte("# kubesim: advance -1s\n# kubesim: exit\n# kubesim: nope x\n$\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Parse("f.txt", bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("not a ParseError: %v", err)
			}
			if lines := bytes.Count(data, []byte("\n")) + 1; pe.Line < 0 || pe.Line > lines+1 {
				t.Fatalf("ParseError at line %d of a %d-line file: %v", pe.Line, lines, err)
			}
			return
		}
		for _, it := range tr.Items {
			for _, w := range it.Want {
				if strings.Contains(w, "{{") {
					return // a pattern does not match its own spelling
				}
			}
		}
		if err := Replay(context.Background(), tr, &echoEnv{tr: tr}, nil); err != nil {
			t.Fatalf("replaying what the transcript expects does not match it: %v", err)
		}
	})
}
