package dashboard

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

//go:embed page.html
var page []byte

// Handler serves the page under /dashboard/: the page itself, map.json
// (the Map now) and events (server-sent events: a "map" event with the Map
// at once and then each time it changes, polled every interval; with
// WithPage, a "page" event likewise). The caller authenticates requests
// before they reach it.
func Handler(src Source, interval time.Duration, opts ...Option) http.Handler {
	h := &handler{}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/dashboard/page.json", h.servePage)
	mux.HandleFunc("/dashboard/"+FilesPrefix, h.serveFile)
	mux.HandleFunc("/dashboard/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dashboard/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	})
	mux.HandleFunc("/dashboard/map.json", func(w http.ResponseWriter, r *http.Request) {
		m, err := src(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, m)
	})
	mux.HandleFunc("/dashboard/events", func(w http.ResponseWriter, r *http.Request) {
		fl, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "streaming unsupported", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		var last, lastPage []byte
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if p, _, ok := h.currentPage(); ok {
				if b, _ := json.Marshal(p); !bytes.Equal(b, lastPage) {
					lastPage = b
					fmt.Fprintf(w, "event: page\ndata: %s\n\n", b)
					fl.Flush()
				}
			}
			m, err := src(r.Context())
			if err != nil {
				if r.Context().Err() != nil {
					return
				}
				fmt.Fprintf(w, "event: error\ndata: %q\n\n", err.Error())
				fl.Flush()
			} else if b, _ := json.Marshal(m); !bytes.Equal(b, last) {
				last = b
				fmt.Fprintf(w, "event: map\ndata: %s\n\n", b)
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
