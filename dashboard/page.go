package dashboard

import (
	"io/fs"
	"net/http"
	"strings"
)

// Page is the scenario page a learner is on, drawn beside the map: the
// step text (HTML, its images served from the scenario's files).
type Page struct {
	Scenario string `json:"scenario"`
	Title    string `json:"title"`
	// Step is 1-based; 0 is the intro and Steps+1 the finish.
	Step  int    `json:"step"`
	Steps int    `json:"steps"`
	HTML  string `json:"html"`
}

// PageSource reports the page now and the scenario's files; ok is false
// when no scenario is being played.
type PageSource func() (p Page, files fs.FS, ok bool)

// Option configures Handler.
type Option func(*handler)

type handler struct {
	page PageSource
}

// WithPage adds the scenario's page to the view: /dashboard/page.json, the
// "page" event on the stream and the scenario's files under
// /dashboard/files/ (what FilesPrefix names).
func WithPage(src PageSource) Option {
	return func(h *handler) { h.page = src }
}

// FilesPrefix is where, relative to the page, a scenario's own files are
// served: the prefix to give its step text's relative images and links.
const FilesPrefix = "files/"

func (h *handler) currentPage() (Page, fs.FS, bool) {
	if h.page == nil {
		return Page{}, nil, false
	}
	return h.page()
}

// servePage answers /dashboard/page.json: the page, or 204 when none.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	p, _, ok := h.currentPage()
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, p)
}

// serveFile answers /dashboard/files/NAME from the scenario's files.
// fs.FS names cannot climb out of the scenario (no "..", no leading "/").
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request) {
	_, files, ok := h.currentPage()
	name := strings.TrimPrefix(r.URL.Path, "/dashboard/"+FilesPrefix)
	if !ok || files == nil || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	if st, err := fs.Stat(files, name); err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(w, r, files, name)
}
