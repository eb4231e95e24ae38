package server

import (
	"crypto/subtle"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"kubesim/dashboard"
)

// DashboardCookie carries the cluster's token for the dashboard's page and
// event stream, which a browser cannot send as a bearer header.
const DashboardCookie = "kubesim-dashboard"

// DashboardPath is where the page is served; DashboardURL adds the token.
const DashboardPath = "/dashboard/"

// DashboardURL is the page's address for a served cluster at addr: opening
// it once trades the token in the query for a cookie and redirects to the
// bare path, so the token leaves the address bar.
func DashboardURL(addr, token string) string {
	return "https://" + addr + DashboardPath + "?token=" + token
}

// dashboardHandler draws the cluster from its own API handler (after this
// server's authentication, with the cluster's credentials, in-process).
func (s *Served) dashboardHandler(api http.Handler) http.Handler {
	return dashboard.Handler(dashboard.FromAPI(dashboard.FromHandler(api)), time.Second, dashboard.WithPage(s.currentPage))
}

// SetPage makes the dashboard show a scenario's page beside the map (what
// `scenario play` calls as the learner moves through the steps); nil
// removes it.
func (s *Served) SetPage(src dashboard.PageSource) {
	if src == nil {
		s.page.Store(nil)
		return
	}
	s.page.Store(&src)
}

func (s *Served) currentPage() (dashboard.Page, fs.FS, bool) {
	if p := s.page.Load(); p != nil {
		return (*p)()
	}
	return dashboard.Page{}, nil, false
}

// dashboardAuth decides a request under /dashboard/: the bearer token (the
// CLI) or the token's cookie (a browser) lets it through; ?token=TOKEN sets the cookie and redirects; anything
// else is 401 with how to get the address. It reports whether to serve.
func (s *Served) dashboardAuth(w http.ResponseWriter, r *http.Request) bool {
	want := []byte(s.Creds.Token)
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.Creds.Token)) == 1 {
		return true
	}
	if c, err := r.Cookie(DashboardCookie); err == nil && subtle.ConstantTimeCompare([]byte(c.Value), want) == 1 {
		return true
	}
	if q := r.URL.Query().Get("token"); q != "" && subtle.ConstantTimeCompare([]byte(q), want) == 1 {
		http.SetCookie(w, &http.Cookie{Name: DashboardCookie, Value: s.Creds.Token, Path: DashboardPath, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, DashboardPath, http.StatusSeeOther)
		return false
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte("Unauthorized: open the address `kubesim dashboard` prints (it carries the cluster's token).\n"))
	return false
}

func isDashboard(path string) bool {
	return path == strings.TrimSuffix(DashboardPath, "/") || strings.HasPrefix(path, DashboardPath)
}
