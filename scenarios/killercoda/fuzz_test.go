package killercoda

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzScenario: an index.json and a step text of any shape load or are
// refused with an error (never a panic); what loads renders, the same
// bytes twice, with and without details shown.
func FuzzScenario(f *testing.F) {
	dirs, _ := filepath.Glob("../testdata/killercoda/*")
	for _, d := range dirs {
		index, err1 := os.ReadFile(filepath.Join(d, "index.json"))
		text, err2 := os.ReadFile(filepath.Join(d, "step1", "text.md"))
		if err1 == nil && err2 == nil {
			f.Add(index, text)
		}
	}
	f.Add([]byte(`{"title":"t","details":{"steps":[{"text":"step1/text.md","verify":"step1/verify.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-2nodes"}}`),
		[]byte("# Step\n\n```\nkubectl get pods\n```{{exec}}\n\n<details><summary>Hint</summary>\n\n`k get po`{{copy}}\n</details>\n"))
	f.Add([]byte(`{"details":{"steps":[{"text":"../../etc/passwd"}],"assets":{"host01":[{"file":"x"}]}}}`), []byte("```\n"))
	f.Add([]byte(`{"details":{"intro":{"text":"step1/text.md"},"steps":null},"backend":{"imageid":"nope"}}`), []byte("<details>\n<details>\n"))
	f.Fuzz(func(t *testing.T, index, text []byte) {
		fsys := fstest.MapFS{
			"index.json":          {Data: index},
			"step1/text.md":       {Data: text},
			"step1/verify.sh":     {Data: []byte("exit 0\n")},
			"step1/background.sh": {Data: []byte("true\n")},
			"intro.md":            {Data: text},
			"finish.md":           {Data: []byte("Done.\n")},
		}
		sc, err := Load(fsys, "fuzz", "fuzz")
		if err != nil {
			return
		}
		pages := []Page{sc.Intro, sc.Finish}
		for _, st := range sc.Steps {
			pages = append(pages, st.Page)
		}
		for _, pg := range pages {
			for _, details := range []bool{false, true} {
				var a, b bytes.Buffer
				Render(&a, pg.Text, RenderOptions{ShowDetails: details})
				Render(&b, pg.Text, RenderOptions{ShowDetails: details})
				if !bytes.Equal(a.Bytes(), b.Bytes()) {
					t.Fatalf("rendering %s twice differs", pg.TextFile)
				}
			}
		}
	})
}

// FuzzMarkdown: any markdown parses and renders, deterministically.
func FuzzMarkdown(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/killercoda/*/*/*.md")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("```\na\n```{{execute}}\n**b** __c__ [l](u) ![i](u) <br/> <kbd>x</kbd>\n<details>\n<summary>s</summary>\n")
	f.Fuzz(func(t *testing.T, src string) {
		md := ParseMarkdown(src)
		var a, b bytes.Buffer
		Render(&a, md, RenderOptions{ShowDetails: true})
		Render(&b, ParseMarkdown(src), RenderOptions{ShowDetails: true})
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("parse and render twice differ")
		}
	})
}
