package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHandlerPage(t *testing.T) {
	files := fstest.MapFS{
		"assets/map.png": {Data: []byte("\x89PNG\r\n\x1a\nfake")},
		"assets":         {Mode: fs.ModeDir},
	}
	var mu sync.Mutex
	var cur *Page
	src := func() (Page, fs.FS, bool) {
		mu.Lock()
		defer mu.Unlock()
		if cur == nil {
			return Page{}, nil, false
		}
		return *cur, files, true
	}
	srv := httptest.NewServer(Handler(FromAPI(FromHandler(&fakeAPI{})), 10*time.Millisecond, WithPage(src)))
	defer srv.Close()
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}

	// No scenario: no page, no files.
	if code, _, _ := get("/dashboard/page.json"); code != http.StatusNoContent {
		t.Errorf("page.json with no scenario: %d, want 204", code)
	}
	if code, _, _ := get("/dashboard/files/assets/map.png"); code != http.StatusNotFound {
		t.Errorf("file with no scenario: %d, want 404", code)
	}

	mu.Lock()
	cur = &Page{Scenario: "Map", Title: "One", Step: 1, Steps: 2, HTML: `<p><img src="files/assets/map.png" alt="map"></p>`}
	mu.Unlock()
	code, ct, body := get("/dashboard/page.json")
	var p Page
	json.Unmarshal([]byte(body), &p)
	if code != 200 || ct != "application/json" || cmp.Diff(*cur, p) != "" {
		t.Errorf("page.json: %d %s %+v", code, ct, p)
	}
	code, ct, body = get("/dashboard/files/assets/map.png")
	if code != 200 || ct != "image/png" || !strings.HasSuffix(body, "fake") {
		t.Errorf("image: %d %s %q", code, ct, body)
	}
	for _, bad := range []string{"/dashboard/files/assets", "/dashboard/files/nope.png", "/dashboard/files/../page.html", "/dashboard/files/%2e%2e/x", "/dashboard/files//etc/passwd"} {
		if code, _, _ := get(bad); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, code)
		}
	}

	// The stream carries the page, and the next one when the step moves.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/dashboard/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	nextPage := func() Page {
		t.Helper()
		event := ""
		for sc.Scan() {
			if e, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				event = e
			}
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && event == "page" {
				var p Page
				if err := json.Unmarshal([]byte(d), &p); err != nil {
					t.Fatalf("page data: %v", err)
				}
				return p
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return Page{}
	}
	if p := nextPage(); p.Step != 1 {
		t.Fatalf("first page event: %+v", p)
	}
	mu.Lock()
	cur = &Page{Scenario: "Map", Title: "Two", Step: 2, Steps: 2, HTML: "<p>two</p>"}
	mu.Unlock()
	if p := nextPage(); p.Step != 2 || p.Title != "Two" {
		t.Fatalf("second page event: %+v", p)
	}
}
