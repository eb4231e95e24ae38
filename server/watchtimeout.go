package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"kubesim/sim/apiserver"
)

// wallWatchTimeouts ends a live cluster's watches after their timeout
// (timeoutSeconds, else kube-apiserver's 1800 s) of wall time, as
// kube-apiserver does; the API server leaves a live watch's timeout to the
// shell. Timed on the virtual clock, `kubesim advance` or a test's Advance
// ended every open watch at its next event, and a kubectl get -w in
// another terminal with it.
func (s *Served) wallWatchTimeouts(next http.Handler) http.Handler {
	if !s.live {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		if q.Get("watch") != "true" && q.Get("watch") != "1" {
			next.ServeHTTP(w, req)
			return
		}
		timeout := apiserver.DefaultWatchTimeout
		if n, err := strconv.ParseInt(q.Get("timeoutSeconds"), 10, 64); err == nil && n > 0 {
			timeout = time.Duration(n) * time.Second
		}
		ctx, cancel := context.WithTimeout(req.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, req.WithContext(ctx))
	})
}
