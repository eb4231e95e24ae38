package images

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	csh "kubesim/runtime/shell"
)

// Network connects a process to the cluster network, for commands like
// busybox wget. It is the container shell's network view (one interface and
// one set of errors for both interpreters); the kubelet sets Process.Net,
// nil means the process reaches nothing.
type Network = csh.Network

// Network errors: the shell's sentinels.
var (
	ErrNoHost  = csh.ErrNoHost
	ErrRefused = csh.ErrRefused
	ErrTimeout = csh.ErrTimeout
)

// busyboxOnly are applets only busybox-based images have (Debian images ship
// neither wget nor curl; images.md §3.7).
var busyboxOnly = map[string]bool{"wget": true, "nslookup": true}

// statusText is the reason phrase for the codes the catalog's servers send.
var statusText = map[int]string{200: "OK", 301: "Moved Permanently", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}

// wget is busybox wget: -q, -O FILE (- for stdout), -T/--timeout, --spider.
// Texts: busybox networking/wget.c [guess: from memory of its messages —
// "bad address", "can't connect to remote host", "download timed out",
// "server returned error"; the progress bar is not printed].
func (s *shell) wget(args []string) {
	quiet, out, spider := false, "", false
	var url string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-q":
			quiet = true
		case a == "-qO-" || a == "-qO" && i+1 < len(args) && args[i+1] == "-":
			quiet, out = true, "-"
			if a == "-qO" {
				i++
			}
		case a == "-O-":
			out = "-"
		case a == "-O" && i+1 < len(args):
			i++
			out = args[i]
		case strings.HasPrefix(a, "-O"):
			out = a[2:]
		case a == "--spider" || a == "-s":
			spider = true
		case a == "-T" || a == "--timeout":
			i++
		case strings.HasPrefix(a, "--timeout=") || strings.HasPrefix(a, "-T"):
		case strings.HasPrefix(a, "-"):
		default:
			url = a
		}
	}
	if url == "" {
		s.print(Stderr, "BusyBox v"+s.p.img.Version+" multi-call binary.")
		s.status = 1
		return
	}
	host, port, path := splitURL(url)
	fail := func(msg string) {
		s.print(Stderr, "wget: "+msg)
		s.status = 1
	}
	if s.p.Net == nil {
		fail("bad address '" + host + "'")
		return
	}
	ip, err := s.p.Net.Resolve(host)
	if err != nil {
		fail("bad address '" + host + "'")
		return
	}
	if !quiet {
		s.print(Stderr, fmt.Sprintf("Connecting to %s (%s:%d)", host, ip, port))
	}
	method := "GET"
	if spider {
		method = "HEAD"
	}
	status, _, body, err := s.p.Net.HTTP(ip, port, method, path, map[string]string{"Host": host, "User-Agent": "Wget", RemoteAddrHeader: s.p.ip})
	switch {
	case errors.Is(err, ErrRefused):
		fail(fmt.Sprintf("can't connect to remote host (%s): Connection refused", ip))
		return
	case errors.Is(err, ErrTimeout), errors.Is(err, csh.ErrUnreachable):
		fail("download timed out")
		return
	case err != nil:
		fail(err.Error())
		return
	case status >= 400:
		fail(fmt.Sprintf("server returned error: HTTP/1.1 %d %s", status, statusText[status]))
		return
	}
	if spider {
		if !quiet {
			s.print(Stderr, "remote file exists")
		}
		return
	}
	if out == "" {
		out = "index.html"
		if i := strings.LastIndexByte(path, '/'); i >= 0 && i+1 < len(path) {
			out = path[i+1:]
		}
	}
	if out != "-" {
		if !quiet {
			s.print(Stderr, "saving to '"+out+"'")
			s.print(Stderr, "'"+out+"' saved")
		}
		return
	}
	if !quiet {
		s.print(Stderr, "writing to stdout")
	}
	text := strings.TrimSuffix(string(body), "\n")
	if text != "" || len(body) > 0 {
		for _, l := range strings.Split(text, "\n") {
			s.print(Stdout, l)
		}
	}
	if !quiet {
		s.print(Stderr, "written to stdout")
	}
}

// splitURL splits http://host[:port][/path].
func splitURL(u string) (host string, port int32, path string) {
	u = strings.TrimPrefix(u, "http://")
	port, path = 80, "/"
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u, path = u[:i], u[i:]
	}
	host = u
	if h, p, ok := strings.Cut(u, ":"); ok {
		if n, err := strconv.Atoi(p); err == nil {
			host, port = h, int32(n)
		}
	}
	return host, port, path
}

// Resolver is the DNS view nslookup needs. A Network may implement it.
type Resolver = csh.Resolver

// nslookup is busybox nslookup. Up to 1.28 it printed "Address 1: ip name"
// lines (kubernetes.io, "Debugging DNS Resolution"); later versions print the
// dig-like layout [guess: from memory of busybox 1.3x output].
func (s *shell) nslookup(args []string) {
	var name string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			name = a
			break
		}
	}
	if name == "" {
		s.print(Stderr, "BusyBox v"+s.p.img.Version+" multi-call binary.")
		s.status = 1
		return
	}
	res, _ := s.p.Net.(Resolver)
	old := compareVersions(s.p.img.Version, "1.29") < 0
	if res == nil {
		if old {
			s.print(Stderr, "nslookup: can't resolve '"+name+"'")
		} else {
			s.print(Stdout, ";; connection timed out; no servers could be reached")
			s.print(Stdout, "")
		}
		s.status = 1
		return
	}
	nsIP, nsName := res.Nameserver()
	fqdn, ips, err := res.Lookup(name)
	if old {
		s.print(Stdout, "Server:    "+nsIP)
		s.print(Stdout, "Address 1: "+nsIP+" "+nsName)
		s.print(Stdout, "")
		if err != nil {
			s.print(Stderr, "nslookup: can't resolve '"+name+"'")
			s.status = 1
			return
		}
		s.print(Stdout, "Name:      "+name)
		for i, ip := range ips {
			s.print(Stdout, fmt.Sprintf("Address %d: %s %s", i+1, ip, fqdn))
		}
		return
	}
	s.print(Stdout, "Server:\t\t"+nsIP)
	s.print(Stdout, "Address:\t"+nsIP+":53")
	s.print(Stdout, "")
	if err != nil {
		s.print(Stdout, "** server can't find "+name+": NXDOMAIN")
		s.print(Stdout, "")
		s.status = 1
		return
	}
	for _, ip := range ips {
		s.print(Stdout, "Name:\t"+fqdn)
		s.print(Stdout, "Address: "+ip)
	}
	s.print(Stdout, "")
}
