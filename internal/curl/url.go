package curl

import (
	"errors"
	"strconv"
	"strings"
)

// target is a parsed URL.
type target struct {
	scheme   string // "http", "https", or an unsupported one
	host     string // as written, brackets stripped for IPv6
	port     int
	hasPort  bool
	path     string // path + "?" + query, never empty
	user     string
	password string
}

// urlError kinds map to libcurl's CURLUcode texts (curl_url_strerror).
var (
	errMalformed = errors.New("Malformed input to a URL function")
	errNoHost    = errors.New("No host part in the URL")
	errBadPort   = errors.New("Port number was not a decimal number between 0 and 65535")
	errBadHost   = errors.New("Bad hostname")
	errBadScheme = errors.New("Bad scheme") // unknown scheme syntax
)

// parseURL reads a URL as curl's URL API does for the tool: a missing
// scheme means http (curl guesses from the host name; the ftp./dict./…
// prefixes are not simulated), the fragment is dropped, an empty path
// becomes "/".
func parseURL(raw string) (*target, error) {
	if raw == "" {
		return nil, errMalformed
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] == 0x7f {
			return nil, errMalformed
		}
	}
	t := &target{scheme: "http"}
	rest := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		s := raw[:i]
		if !validScheme(s) {
			return nil, errBadScheme
		}
		t.scheme = strings.ToLower(s)
		rest = raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	authority := rest
	tail := ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		t.user, t.password, _ = strings.Cut(userinfo, ":")
	}
	host := authority
	portStr := ""
	if strings.HasPrefix(authority, "[") {
		close := strings.Index(authority, "]")
		if close < 0 {
			return nil, errBadHost
		}
		host = authority[1:close]
		after := authority[close+1:]
		if after != "" {
			if !strings.HasPrefix(after, ":") {
				return nil, errBadPort
			}
			portStr = after[1:]
			t.hasPort = true
		}
	} else if c := strings.LastIndex(authority, ":"); c >= 0 {
		host, portStr = authority[:c], authority[c+1:]
		t.hasPort = true
	}
	if host == "" {
		return nil, errNoHost
	}
	if strings.ContainsAny(host, " \"<>\\^`{|}!$&'()*+,;=%[]") {
		return nil, errBadHost
	}
	t.host = host
	t.port = defaultPort(t.scheme)
	if t.hasPort && portStr != "" {
		n, err := strconv.Atoi(portStr)
		if err != nil || n < 0 || n > 65535 || strings.HasPrefix(portStr, "+") || strings.HasPrefix(portStr, "-") {
			return nil, errBadPort
		}
		t.port = n
	} else {
		t.hasPort = false
	}
	if h := strings.IndexByte(tail, '#'); h >= 0 {
		tail = tail[:h]
	}
	if tail == "" || tail[0] == '?' {
		tail = "/" + tail
	}
	t.path = tail
	return t, nil
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if i == 0 && !alpha {
			return false
		}
		if !alpha && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

// hostHeader is what curl sends as Host: the port only when it is not the
// scheme's default.
func (t *target) hostHeader() string {
	h := t.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if t.port != defaultPort(t.scheme) {
		return h + ":" + strconv.Itoa(t.port)
	}
	return h
}

// String is the normalised URL (%{url_effective}).
func (t *target) String() string {
	h := t.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	s := t.scheme + "://" + h
	if t.hasPort {
		s += ":" + strconv.Itoa(t.port)
	}
	return s + t.path
}

// resolveRef resolves a Location header against t.
func (t *target) resolveRef(loc string) (*target, error) {
	if strings.Contains(loc, "://") {
		return parseURL(loc)
	}
	n := *t
	if strings.HasPrefix(loc, "//") {
		return parseURL(t.scheme + ":" + loc)
	}
	if strings.HasPrefix(loc, "/") {
		n.path = loc
	} else {
		dir := n.path
		if q := strings.IndexByte(dir, '?'); q >= 0 {
			dir = dir[:q]
		}
		dir = dir[:strings.LastIndex(dir, "/")+1]
		n.path = dir + loc
	}
	if h := strings.IndexByte(n.path, '#'); h >= 0 {
		n.path = n.path[:h]
	}
	return &n, nil
}

// remoteName is -O's file name: the last path segment, query dropped.
func (t *target) remoteName() string {
	p := t.path
	if q := strings.IndexByte(p, '?'); q >= 0 {
		p = p[:q]
	}
	return p[strings.LastIndex(p, "/")+1:]
}
