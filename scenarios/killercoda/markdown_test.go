package killercoda

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestParseMarkdownExecs(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []Exec
	}{
		{"inline exec", "Run `kubectl get nodes`{{exec}} now.", []Exec{{N: 1, Code: "kubectl get nodes"}}},
		{"inline exec interrupt", "`kubectl get pods -w`{{exec}} then `kubectl get nodes`{{exec interrupt}}",
			[]Exec{{N: 1, Code: "kubectl get pods -w"}, {N: 2, Code: "kubectl get nodes", Interrupt: true}}},
		{"copy and no-copy are not exec", "`a`{{copy}} `b`{{}} `c`", nil},
		{"space before marker", "`kubectl get nodes` {{exec}}", nil},
		{"fenced exec", "```bash\ncat <<EOF | kubectl apply -f -\nkind: Pod\nEOF\n```{{exec}}\n",
			[]Exec{{N: 1, Code: "cat <<EOF | kubectl apply -f -\nkind: Pod\nEOF", Fenced: true}}},
		{"fenced exec interrupt", "```\nkubectl get nodes\n```{{exec interrupt}}\n",
			[]Exec{{N: 1, Code: "kubectl get nodes", Interrupt: true, Fenced: true}}},
		{"fenced without marker", "```\nkubectl get nodes\n```\n", nil},
		{"indented fence in a list", "1. Apply:\n   ```\n   kubectl apply -f x.yaml\n     --dry-run=client\n   ```{{exec}}\n",
			[]Exec{{N: 1, Code: "kubectl apply -f x.yaml\n  --dry-run=client", Fenced: true}}},
		{"helm template in fenced yaml", "```yaml\nimage: {{ .Values.image }}\n{{- end }}\n```\n", nil},
		{"helm template after code span", "`values.yaml`{{ .Values.x }} and {{ .Release.Name }}", nil},
		{"helm template inside inline code", "`{{ .Values.image }}`{{copy}}", nil},
		{"katacoda execute", "`ls`{{execute}} `pwd`{{execute T2}} `top`{{execute interrupt}}",
			[]Exec{{N: 1, Code: "ls"}, {N: 2, Code: "pwd"}, {N: 3, Code: "top", Interrupt: true}}},
		{"double backtick span", "`` echo `date` ``{{exec}}", []Exec{{N: 1, Code: "echo `date`"}}},
		{"unmatched backtick stays text", "a ` b `c`{{exec}}", nil},
		{"exec inside details counts in order", "`one`{{exec}}\n\n<details><summary>Solution</summary>\n\n```\ntwo\n```{{exec}}\n\n</details>\n\n`three`{{exec}}\n",
			[]Exec{{N: 1, Code: "one"}, {N: 2, Code: "two", Fenced: true}, {N: 3, Code: "three"}}},
		{"fence inside fence stays code", "````\n```{{exec}}\n````\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := ParseMarkdown(tt.md)
			if diff := cmp.Diff(tt.want, md.Execs); diff != "" {
				t.Errorf("Execs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMarkdownHelmTemplateKept(t *testing.T) {
	src := "Deploy it:\n\n```yaml\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n```{{copy}}\n\nThen `helm install x .`{{exec}}\n"
	md := ParseMarkdown(src)
	if len(md.Blocks) != 3 {
		t.Fatalf("got %d blocks, want 3: %+v", len(md.Blocks), md.Blocks)
	}
	code := md.Blocks[1]
	want := Block{Kind: BlockCode, Lang: "yaml", Code: "metadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}", Action: ActionCopy}
	if diff := cmp.Diff(want, code); diff != "" {
		t.Errorf("code block mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Exec{{N: 1, Code: "helm install x ."}}, md.Execs); diff != "" {
		t.Errorf("Execs mismatch (-want +got):\n%s", diff)
	}
}

func TestDetails(t *testing.T) {
	src := "Task.\n\n<details>\n<summary>Hint</summary>\nLook at `kubectl taint`.\n</details>\n\n<details><summary>Solution</summary>\n\n`kubectl taint node node01 a=b:NoSchedule`{{exec}}\n\n<details><summary>More</summary>nested</details>\n</details>\n"
	md := ParseMarkdown(src)
	hints := md.Details(true)
	sols := md.Details(false)
	if len(hints) != 1 || hints[0].Summary != "Hint" {
		t.Fatalf("hints = %+v", hints)
	}
	if len(sols) != 1 || sols[0].Summary != "Solution" {
		t.Fatalf("solutions = %+v", sols)
	}
	if got := len(sols[0].Children); got != 2 {
		t.Errorf("solution has %d children, want 2 (paragraph, nested details)", got)
	}
	if len(md.Execs) != 1 || md.Execs[0].Code != "kubectl taint node node01 a=b:NoSchedule" {
		t.Errorf("Execs = %+v", md.Execs)
	}
}

func TestRenderGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/render.md")
	if err != nil {
		t.Fatal(err)
	}
	md := ParseMarkdown(string(src))
	for _, tc := range []struct {
		golden string
		opts   RenderOptions
	}{
		{"testdata/render.golden", RenderOptions{}},
		{"testdata/render-details.golden", RenderOptions{ShowDetails: true}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var b strings.Builder
			Render(&b, md, tc.opts)
			if *update {
				if err := os.WriteFile(tc.golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(tc.golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("Render mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"kubectl", 7},
		{"파드 만들기", 11},
		{"🚀 go", 5},
		{"✅ done", 7},
		{"🏗️ x", 4},
		{"e\u0301", 1},
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}
