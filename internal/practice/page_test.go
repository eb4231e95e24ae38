package practice

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"kubesim/dashboard"
	"kubesim/scenarios/killercoda"
)

func TestScenarioPages(t *testing.T) {
	files := fstest.MapFS{
		"index.json":     {Data: []byte(`{"title":"Pics","details":{"intro":{"text":"intro.md"},"steps":[{"title":"One","text":"one.md"},{"title":"Two","text":"two.md"}],"finish":{"text":"finish.md"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`)},
		"intro.md":       {Data: []byte("Hello.\n")},
		"one.md":         {Data: []byte("![map](assets/map.png)\n")},
		"two.md":         {Data: []byte("Two.\n")},
		"finish.md":      {Data: []byte("Bye.\n")},
		"assets/map.png": {Data: []byte("png")},
	}
	sc, err := killercoda.Load(files, "pics", "test")
	if err != nil {
		t.Fatal(err)
	}
	on, src := scenarioPages(sc)
	if _, _, ok := src(); ok {
		t.Fatal("a page before any was shown")
	}
	for _, tc := range []struct {
		step int
		want dashboard.Page
	}{
		{-1, dashboard.Page{Scenario: "Pics", Title: "Pics", Step: 0, Steps: 2, HTML: "<p>Hello.</p>\n"}},
		{0, dashboard.Page{Scenario: "Pics", Title: "One", Step: 1, Steps: 2, HTML: "<p><img src=\"files/assets/map.png\" alt=\"map\"></p>\n"}},
		{2, dashboard.Page{Scenario: "Pics", Title: "Pics", Step: 3, Steps: 2, HTML: "<p>Bye.</p>\n"}},
	} {
		on(tc.step)
		p, fsys, ok := src()
		if !ok || fsys == nil {
			t.Fatalf("step %d: no page", tc.step)
		}
		if diff := cmp.Diff(tc.want, p); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", tc.step, diff)
		}
		if b, err := fs.ReadFile(fsys, "assets/map.png"); err != nil || string(b) != "png" {
			t.Errorf("step %d: the scenario's image: %q %v", tc.step, b, err)
		}
	}
}
