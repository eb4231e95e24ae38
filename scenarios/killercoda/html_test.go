package killercoda

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestRenderHTMLGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/html.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	RenderHTML(&b, ParseMarkdown(string(src)), HTMLOptions{Files: "files/"})
	got := b.String()
	const golden = "testdata/html.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("RenderHTML mismatch (-want +got):\n%s", diff)
	}
	// Whatever the golden says, step text never gets a live tag or URL
	// scheme into the page.
	for _, bad := range []string{"<script", "javascript:", "data:text", "../", `src="/etc`} {
		if strings.Contains(got, bad) {
			t.Errorf("RenderHTML output contains %q", bad)
		}
	}
}

func TestPageHTML(t *testing.T) {
	fsys := fstest.MapFS{
		"index.json": {Data: []byte(`{"title":"Map","details":{"intro":{"text":"intro.md"},"steps":[{"title":"One","text":"step1.md"}],"finish":{"text":"finish.md"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`)},
		"intro.md":   {Data: []byte("Welcome ![pic](assets/a.png)\n")},
		"step1.md":   {Data: []byte("Do **it**.\n")},
		"finish.md":  {Data: []byte("Done.\n")},
	}
	sc, err := Load(fsys, "map", "test")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Files() == nil {
		t.Fatal("Files() is nil for a scenario loaded from a directory")
	}
	for _, tc := range []struct {
		i           int
		title, body string
	}{
		{-1, "Map", "<p>Welcome <img src=\"files/assets/a.png\" alt=\"pic\"></p>\n"},
		{0, "One", "<p>Do <strong>it</strong>.</p>\n"},
		{1, "Map", "<p>Done.</p>\n"},
	} {
		title, body := sc.PageHTML(tc.i, "files/")
		if title != tc.title || body != tc.body {
			t.Errorf("PageHTML(%d) = %q, %q; want %q, %q", tc.i, title, body, tc.title, tc.body)
		}
	}
}
