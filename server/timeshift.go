package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The served clock is the wall clock. kubectl computes ages on the client
// (describe's events, Start Time, conditions) from its own wall clock, so
// a cluster whose clock runs ahead of it (kubesim advance, a boot that
// outran bootLead) or stands still (kubesim clock freeze) would show
// timestamps in the client's future: "<invalid>". Instead the cluster's
// history is moved back by what its clock is ahead: every timestamp a
// client reads is shifted by -skew, and every one it writes by +skew, at
// the HTTP boundary. Ages, which only depend on differences, read as on a
// real cluster where that much time went by; the store, the loop and the
// virtual clock are untouched, and a stepped cluster (replays) is never
// shifted.

// skew is how far the cluster's clock is ahead of the wall clock, in whole
// seconds (0 for a stepped cluster, unless ShiftBy).
func (s *Served) skew() time.Duration {
	if f := s.lead.Load(); f != nil {
		return (*f)().Round(time.Second)
	}
	if !s.live {
		return 0
	}
	if f := s.frozen.Load(); f != 0 {
		return time.Duration(f - s.wallNow().UTC().UnixNano()).Round(time.Second)
	}
	return time.Duration(s.offset.Load()).Round(time.Second)
}

// ShiftBy makes Serve's stepped cluster shift what clients read and write
// by lead, as the live server does for its own clock's lead: for a stepped
// cluster whose time follows the wall clock at an offset (the practice
// shell's, practice.Pace), which `kubesim advance` and a scenario's settle
// before verify move ahead. Replays never call it.
func (s *Served) ShiftBy(lead func() time.Duration) { s.lead.Store(&lead) }

// timestampRE matches a JSON string holding a Kubernetes timestamp:
// metav1.Time (RFC 3339, seconds) or metav1.MicroTime (microseconds).
var timestampRE = regexp.MustCompile(`"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z)"`)

// shiftTimestamps moves every timestamp string in a JSON document by d,
// keeping its precision and every other byte.
func shiftTimestamps(b []byte, d time.Duration) []byte {
	if d == 0 || !bytes.Contains(b, []byte(`Z"`)) {
		return b
	}
	return timestampRE.ReplaceAllFunc(b, func(m []byte) []byte {
		s := string(m[1 : len(m)-1])
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() < 1970 {
			return m
		}
		layout := "2006-01-02T15:04:05"
		if i := strings.IndexByte(s, '.'); i >= 0 {
			layout += "." + strings.Repeat("0", len(s)-i-2)
		}
		return []byte(`"` + t.Add(d).Format(layout) + `Z"`)
	})
}

// isJSON reports whether a Content-Type is a JSON one (objects, patches).
func isJSON(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	return strings.HasSuffix(strings.TrimSpace(ct), "json")
}

// shifted puts the time shift around the API handler. Upgraded streams
// (exec, attach, port-forward) and non-JSON bodies pass untouched.
func (s *Served) shifted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		d := s.skew()
		if d == 0 || req.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, req)
			return
		}
		if req.Body != nil && isJSON(req.Header.Get("Content-Type")) {
			body, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = shiftTimestamps(body, d)
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		sw := &shiftWriter{ResponseWriter: w, d: -d}
		next.ServeHTTP(sw, req)
		sw.finish()
	})
}

// shiftWriter rewrites a JSON response line by line: every document the
// API server writes (an object, a list, each watch event) ends with a
// newline, so a watch is rewritten and flushed event by event.
type shiftWriter struct {
	http.ResponseWriter
	d       time.Duration
	decided bool
	json    bool
	buf     []byte
}

func (w *shiftWriter) WriteHeader(code int) {
	if !w.decided {
		w.decided, w.json = true, isJSON(w.Header().Get("Content-Type"))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *shiftWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if !w.json {
		return w.ResponseWriter.Write(p)
	}
	w.buf = append(w.buf, p...)
	if i := bytes.LastIndexByte(w.buf, '\n'); i >= 0 {
		if _, err := w.ResponseWriter.Write(shiftTimestamps(w.buf[:i+1], w.d)); err != nil {
			return 0, err
		}
		w.buf = append(w.buf[:0], w.buf[i+1:]...)
	}
	return len(p), nil
}

func (w *shiftWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *shiftWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *shiftWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes what is left after the handler returned.
func (w *shiftWriter) finish() {
	if len(w.buf) > 0 {
		w.ResponseWriter.Write(shiftTimestamps(w.buf, w.d))
		w.buf = nil
	}
}
