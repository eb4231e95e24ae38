package benchmarks

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"kubesim/scenarios/builtin"
	"kubesim/scenarios/killercoda"
	"kubesim/scenarios/transcript"
)

// cannedEnv answers every command with the same output: it measures the
// transcript side (parsing, pattern matching, diffing) without a cluster.
type cannedEnv struct{ out string }

func (c cannedEnv) Run(_ context.Context, _ string, stdout, _ io.Writer) (int, error) {
	io.WriteString(stdout, c.out)
	return 0, nil
}
func (cannedEnv) Advance(time.Duration) error      { return nil }
func (cannedEnv) Directive(string, []string) error { return nil }
func (cannedEnv) ScriptEnv() []string              { return nil }

// podTable is a kube-system-like table of rows lines.
func podTable(rows int, pattern bool) string {
	var b strings.Builder
	b.WriteString("NAME                                    READY   STATUS    RESTARTS     AGE\n")
	for i := 0; i < rows; i++ {
		name := "kube-proxy-9xf77"
		if pattern {
			name = "kube-proxy-{{suffix5}}"
		}
		fmt.Fprintf(&b, "%s                        1/1     Running   0            2d12h\n", name)
	}
	return b.String()
}

func BenchmarkScenariosTranscript(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		var src strings.Builder
		src.WriteString("# kubesim: seed 1\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&src, "# kubesim: advance 10s\n$ kubectl get pods -n kube-system\n%s", podTable(10, true))
		}
		text := src.String()
		env := cannedEnv{out: podTable(10, false)}
		b.Run(fmt.Sprintf("commands=%d/parse", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := transcript.Parse("bench.txt", strings.NewReader(text)); err != nil {
					b.Fatal(err)
				}
			}
		})
		tr, err := transcript.Parse("bench.txt", strings.NewReader(text))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("commands=%d/replay", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := transcript.Replay(context.Background(), tr, env, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScenariosLectureTranscript parses the built-in lecture transcript
// and replays it against canned lecture output: the transcript's share of
// the lecture replay (the cluster's share is measured by sim's benchmarks).
func BenchmarkScenariosLectureTranscript(b *testing.B) {
	src, err := builtin.TranscriptSource("lecture-04")
	if err != nil {
		b.Fatal(err)
	}
	tr, err := transcript.Parse("lecture-04.txt", strings.NewReader(string(src)))
	if err != nil {
		b.Fatal(err)
	}
	// One output that matches no command: measures the mismatch path too.
	env := cannedEnv{out: podTable(9, false)}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := transcript.Parse("lecture-04.txt", strings.NewReader(string(src))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first-mismatch-diff", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := transcript.Replay(context.Background(), tr, env, nil); err == nil {
				b.Fatal("want a mismatch")
			}
		}
	})
}

func BenchmarkScenariosMarkdown(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		var src strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&src, "## Part %d\n\nRun `kubectl get pods -n ns%d`{{exec}} and look at `{{ .Values.x }}`.\n\n```yaml\nimage: {{ .Values.image }}\n```{{copy}}\n\n```\nkubectl apply -f part%d.yaml\n```{{exec}}\n\n", i, i, i)
		}
		text := src.String()
		b.Run(fmt.Sprintf("sections=%d/parse", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if md := killercoda.ParseMarkdown(text); len(md.Execs) != 2*n {
					b.Fatalf("got %d execs", len(md.Execs))
				}
			}
		})
		md := killercoda.ParseMarkdown(text)
		b.Run(fmt.Sprintf("sections=%d/render", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				killercoda.Render(io.Discard, md, killercoda.RenderOptions{})
			}
		})
	}
}
