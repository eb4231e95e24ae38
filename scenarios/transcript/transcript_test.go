package transcript

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseGood(t *testing.T) {
	tr, err := ParseFile("testdata/good.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := &Transcript{
		Name: "good.txt", Seed: 7, HasSeed: true,
		Items: []Item{
			{Kind: KindDirective, Line: 2, Directive: "seed", Args: []string{"7"}},
			{Kind: KindDirective, Line: 3, Directive: "advance", Args: []string{"2d3h"}, Advance: 51 * time.Hour},
			{Kind: KindDirective, Line: 4, Directive: "restart-node", Args: []string{"w1.example.com"}},
			{Kind: KindDirective, Line: 5, Directive: "advance", Args: []string{"9h"}, Advance: 9 * time.Hour},
			{Kind: KindCommand, Line: 6, Command: "kubectl get pods -n kube-system", Want: []string{
				"NAME                                    READY   STATUS    RESTARTS     AGE",
				"coredns-{{hash}}-{{suffix5}}                1/1     Running   0            2d12h",
				"kube-proxy-{{suffix5}}                        1/1     Running   1 (9h ago)   2d12h",
			}},
			{Kind: KindCommand, Line: 11, Command: "kubectl get pods", Want: []string{"No resources found in default namespace."}},
			{Kind: KindCommand, Line: 13, Command: "kubectl get pod nope", Want: []string{`Error from server (NotFound): pods "nope" not found`}, Exit: 1},
			{Kind: KindCommand, Line: 17, Command: "kubectl run myapache   --image httpd:2.4", Want: []string{"pod/myapache created"}},
			{Kind: KindCommand, Line: 20, Command: "echo", Want: []string{"$ not a command", "# not a comment: output", `\backslash`}},
		},
	}
	if diff := cmp.Diff(want, tr, cmpopts.IgnoreUnexported(Item{})); diff != "" {
		t.Errorf("ParseFile(good.txt) mismatch (-want +got):\n%s", diff)
	}
	if got := tr.Commands(); got != 5 {
		t.Errorf("Commands() = %d, want 5", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"unknown directive", "$ kubectl get nodes\nok\n# kubesim: frobnicate w1\n",
			`bad.txt:3: unknown directive "frobnicate" (known: advance, cluster, exit, halt, restart-node, seed, start)`},
		{"malformed line", "# header\nNAME   STATUS\n",
			`bad.txt:2: malformed line "NAME   STATUS": expected "$ command", "# kubesim: directive" or a "#" comment (output belongs after a command)`},
		{"directive without colon", "# kubesim advance 2d\n",
			`bad.txt:1: malformed directive "# kubesim advance 2d": want "# kubesim: NAME ARGS"`},
		{"empty directive", "# kubesim:\n",
			`bad.txt:1: directive without a name (known: advance, cluster, exit, halt, restart-node, seed, start)`},
		{"wrong arg count", "# kubesim: halt\n", `bad.txt:1: directive "halt" takes 1 argument(s), got 0`},
		{"bad duration", "# kubesim: advance 2x\n",
			`bad.txt:1: advance: duration "2x": missing or unknown unit (want d, h, m, s, ms, us or ns)`},
		{"seed after command", "$ k get nodes\n# kubesim: seed 1\n", `bad.txt:2: directive "seed" must come before the first command`},
		{"seed twice", "# kubesim: seed 1\n# kubesim: seed 2\n", `bad.txt:2: directive "seed" given twice`},
		{"cluster after command", "$ k get nodes\n# kubesim: cluster bare-machines\n", `bad.txt:2: directive "cluster" must come before the first command`},
		{"cluster twice", "# kubesim: cluster a\n# kubesim: cluster b\n", `bad.txt:2: directive "cluster" given twice`},
		{"seed not a number", "# kubesim: seed x\n", `bad.txt:1: seed "x" is not an integer`},
		{"exit without command", "# kubesim: exit 1\n", `bad.txt:1: directive "exit" must directly follow a command's output`},
		{"exit after directive", "$ k get x\n# kubesim: advance 1s\n# kubesim: exit 1\n", `bad.txt:3: directive "exit" must directly follow a command's output`},
		{"exit twice", "$ k get x\n# kubesim: exit 1\n# kubesim: exit 2\n", `bad.txt:3: directive "exit" must directly follow a command's output`},
		{"exit out of range", "$ k get x\n# kubesim: exit 300\n", `bad.txt:2: exit code "300" is not a number from 0 to 255`},
		{"empty command", "$\n", `bad.txt:1: empty command after "$"`},
		{"continuation at end", "$ kubectl get \\\n", `bad.txt:1: command ends with a line continuation (\) and no next line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.txt", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error mismatch (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		name, want, got string
		match           bool
	}{
		{"literal", "pod/myapache created", "pod/myapache created", true},
		{"literal differs", "It Works!", "It works!", false},
		{"suffix5", "kube-proxy-{{suffix5}}   1/1", "kube-proxy-9xf77   1/1", true},
		{"suffix5 vowel", "kube-proxy-{{suffix5}}   1/1", "kube-proxy-9xa77   1/1", false},
		{"suffix5 too long", "kube-proxy-{{suffix5}}   1/1", "kube-proxy-9xf777  1/1", false},
		{"suffix5 keeps padding exact", "kube-proxy-{{suffix5}}   1/1", "kube-proxy-9xf77    1/1", false},
		{"hash absorbs padding", "coredns-{{hash}}-{{suffix5}}      1/1", "coredns-5d78c9869-ghdvp       1/1", true},
		{"hash too long", "coredns-{{hash}}-{{suffix5}}   1/1", "coredns-5d78c9869dd-ghdvp   1/1", false},
		{"hash then no space", "x-{{hash}}", "x-5d78c", true},
		{"int", "  Restart Count:  {{int}}", "  Restart Count:  12", true},
		{"int not digits", "  Restart Count:  {{int}}", "  Restart Count:  x", false},
		{"any", "Started: {{any}}", "Started: Mon, 01 Jan 2024 00:00:00 +0000", true},
		{"any empty", "a{{any}}b", "ab", true},
		{"pad", "NAME{{pad}}AGE", "NAME      AGE", true},
		{"pad needs a space", "NAME{{pad}}AGE", "NAMEAGE", false},
		{"helm template is literal", "image: {{ .Values.image }}", "image: {{ .Values.image }}", true},
		{"helm template literal differs", "image: {{ .Values.image }}", "image: nginx", false},
		{"unknown pattern literal", "{{suffix0}}", "{{suffix0}}", true},
		{"regexp metachars literal", "a.b{{int}}(c)", "a.b7(c)", true},
		{"regexp metachars literal differ", "a.b{{int}}(c)", "axb7(c)", false},
		{"unclosed braces literal", "x {{suffix5", "x {{suffix5", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compileLine(tt.want).match(tt.got); got != tt.match {
				t.Errorf("compileLine(%q).match(%q) = %v, want %v", tt.want, tt.got, got, tt.match)
			}
		})
	}
}

// fakeEnv answers commands from a table and records what it is asked.
type fakeEnv struct {
	outputs map[string]string
	codes   map[string]int
	runErr  map[string]error
	calls   []string
}

func (f *fakeEnv) Run(_ context.Context, line string, stdout, _ io.Writer) (int, error) {
	f.calls = append(f.calls, "run "+line)
	if err := f.runErr[line]; err != nil {
		return 0, err
	}
	out, ok := f.outputs[line]
	if !ok {
		return 127, nil
	}
	io.WriteString(stdout, out)
	return f.codes[line], nil
}

func (f *fakeEnv) Advance(d time.Duration) error {
	f.calls = append(f.calls, "advance "+d.String())
	return nil
}

func (f *fakeEnv) Directive(name string, args []string) error {
	f.calls = append(f.calls, "directive "+name+" "+strings.Join(args, " "))
	if name == "halt" && args[0] == "nowhere" {
		return fmt.Errorf("node %q not found", args[0])
	}
	return nil
}

func (f *fakeEnv) ScriptEnv() []string { return nil }

func goodEnv() *fakeEnv {
	return &fakeEnv{
		outputs: map[string]string{
			"kubectl get pods -n kube-system": "NAME                                    READY   STATUS    RESTARTS     AGE\n" +
				"coredns-5d78c9869d-ghdvp                1/1     Running   0            2d12h\n" +
				"kube-proxy-9xf77                        1/1     Running   1 (9h ago)   2d12h\n",
			"kubectl get pods":                         "No resources found in default namespace.\n",
			"kubectl get pod nope":                     "Error from server (NotFound): pods \"nope\" not found\n",
			"kubectl run myapache   --image httpd:2.4": "pod/myapache created\n\n",
			"echo": "$ not a command\n# not a comment: output\n\\backslash\n",
		},
		codes: map[string]int{"kubectl get pod nope": 1},
	}
}

func TestReplayPasses(t *testing.T) {
	tr, err := ParseFile("testdata/good.txt")
	if err != nil {
		t.Fatal(err)
	}
	env := goodEnv()
	var out strings.Builder
	if err := Replay(context.Background(), tr, env, &out); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	wantCalls := []string{
		"advance 51h0m0s",
		"directive restart-node w1.example.com",
		"advance 9h0m0s",
		"run kubectl get pods -n kube-system",
		"run kubectl get pods",
		"run kubectl get pod nope",
		"run kubectl run myapache   --image httpd:2.4",
		"run echo",
	}
	if diff := cmp.Diff(wantCalls, env.calls); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "$ kubectl get pods -n kube-system\nNAME ") {
		t.Errorf("session output lacks the command and its output:\n%s", out.String())
	}
}

func TestReplayMismatch(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*fakeEnv)
		wantHead string   // the error's first lines
		inDiff   []string // must appear in the diff (go-cmp spacing normalised)
		notDiff  []string // must not
	}{
		{
			name:     "one character",
			edit:     func(f *fakeEnv) { f.outputs["kubectl get pods"] = "No resources found in Default namespace.\n" },
			wantHead: "good.txt:11: $ kubectl get pods\noutput differs from the transcript (-want +got):\n",
			inDiff:   []string{`- "No resources found in default namespace.",`, `+ "No resources found in Default namespace.",`},
		},
		{
			name: "pattern lines shown with actual text",
			edit: func(f *fakeEnv) {
				f.outputs["kubectl get pods -n kube-system"] = strings.Replace(f.outputs["kubectl get pods -n kube-system"], "1 (9h ago)", "0         ", 1)
			},
			wantHead: "good.txt:6: $ kubectl get pods -n kube-system\noutput differs from the transcript (-want +got):\n",
			inDiff: []string{
				`  "coredns-5d78c9869d-ghdvp `,
				`- "kube-proxy-{{suffix5}}                        1/1     Running   1 (9h ago)   2d12h",`,
				`+ "kube-proxy-9xf77                        1/1     Running   0            2d12h",`,
			},
			notDiff: []string{"coredns-{{hash}}"},
		},
		{
			name:     "exit code",
			edit:     func(f *fakeEnv) { f.codes["kubectl get pod nope"] = 0 },
			wantHead: "good.txt:13: $ kubectl get pod nope\nexit code: want 1, got 0",
		},
		{
			name:     "missing output",
			edit:     func(f *fakeEnv) { f.outputs["kubectl get pods"] = "" },
			wantHead: "good.txt:11: $ kubectl get pods\noutput differs from the transcript (-want +got):\n",
			inDiff:   []string{`- "No resources found in default namespace.",`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParseFile("testdata/good.txt")
			if err != nil {
				t.Fatal(err)
			}
			env := goodEnv()
			tt.edit(env)
			err = Replay(context.Background(), tr, env, nil)
			var me *MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("Replay error = %v, want a *MismatchError", err)
			}
			if !strings.HasPrefix(err.Error(), tt.wantHead) {
				t.Errorf("error = %q, want it to start with %q", err.Error(), tt.wantHead)
			}
			// go-cmp varies its spacing on purpose; normalise before looking.
			diff := strings.NewReplacer("\u00a0", " ", "\t", "").Replace(me.Diff)
			for _, s := range tt.inDiff {
				if !strings.Contains(diff, s) {
					t.Errorf("diff lacks %q:\n%s", s, diff)
				}
			}
			for _, s := range tt.notDiff {
				if strings.Contains(diff, s) {
					t.Errorf("diff has %q:\n%s", s, diff)
				}
			}
			if len(tt.inDiff) == 0 && me.Diff != "" {
				t.Errorf("diff = %q, want none (only the exit code differs)", me.Diff)
			}
		})
	}
}

func TestReplayEnvErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"run error", "$ kubectl get nodes\n", "t.txt:1: $ kubectl get nodes: connection lost"},
		{"directive error", "# kubesim: halt nowhere\n", `t.txt:1: halt: node "nowhere" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Parse("t.txt", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			env := &fakeEnv{runErr: map[string]error{"kubectl get nodes": errors.New("connection lost")}}
			err = Replay(context.Background(), tr, env, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Replay error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	src, err := os.ReadFile("testdata/good.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*fakeEnv)
		want func(string) string
	}{
		{"unchanged", func(*fakeEnv) {}, func(s string) string { return s }},
		{
			name: "changed line keeps the patterns of matching lines",
			edit: func(f *fakeEnv) {
				f.outputs["kubectl get pods -n kube-system"] = strings.Replace(f.outputs["kubectl get pods -n kube-system"], "1 (9h ago)", "2 (1h ago)", 1)
			},
			want: func(s string) string {
				return strings.Replace(s, "kube-proxy-{{suffix5}}                        1/1     Running   1 (9h ago)",
					"kube-proxy-9xf77                        1/1     Running   2 (1h ago)", 1)
			},
		},
		{
			name: "exit codes and escapes",
			edit: func(f *fakeEnv) {
				f.codes["kubectl get pod nope"] = 0
				f.codes["kubectl get pods"] = 3
				f.outputs["kubectl get pods"] = "$ odd\n# kubesim: odd\nplain\n"
			},
			want: func(s string) string {
				s = strings.Replace(s, "No resources found in default namespace.\n", "\\$ odd\n\\# kubesim: odd\nplain\n# kubesim: exit 3\n", 1)
				return strings.Replace(s, "not found\n# kubesim: exit 1\n", "not found\n# kubesim: exit 0\n", 1)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Parse("good.txt", strings.NewReader(string(src)))
			if err != nil {
				t.Fatal(err)
			}
			env := goodEnv()
			tt.edit(env)
			got, err := Update(context.Background(), tr, src, env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want(string(src)), string(got)); diff != "" {
				t.Errorf("Update mismatch (-want +got):\n%s", diff)
			}
			// What Update wrote replays cleanly against the same env.
			tr2, err := Parse("good.txt", strings.NewReader(string(got)))
			if err != nil {
				t.Fatalf("updated transcript does not parse: %v", err)
			}
			if err := Replay(context.Background(), tr2, env, nil); err != nil {
				t.Errorf("updated transcript does not replay: %v", err)
			}
		})
	}
}

func TestCarriageReturnIsContent(t *testing.T) {
	// nginx's 404 page ends its lines in CRLF; the transcript keeps the \r.
	src := "$ curl http://10.244.1.5/nope\n<html>\r\n<head><title>404 Not Found</title></head>\r\n"
	tr, err := Parse("crlf.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"<html>\r", "<head><title>404 Not Found</title></head>\r"}, tr.Items[0].Want); diff != "" {
		t.Errorf("Want mismatch (-want +got):\n%s", diff)
	}
	env := &fakeEnv{outputs: map[string]string{"curl http://10.244.1.5/nope": "<html>\r\n<head><title>404 Not Found</title></head>\r\n"}}
	if err := Replay(context.Background(), tr, env, nil); err != nil {
		t.Errorf("Replay: %v", err)
	}
	env.outputs["curl http://10.244.1.5/nope"] = "<html>\n<head><title>404 Not Found</title></head>\n"
	if err := Replay(context.Background(), tr, env, nil); err == nil {
		t.Error("Replay matched LF output against a CRLF transcript")
	}
}
