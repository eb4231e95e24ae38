package shell

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Network is the cluster network as a pod sees it (the same methods as
// runtime/images.Network; the runtime adapts its errors to these).
type Network interface {
	// Resolve returns the IP of a host name (or the IP literal itself), or
	// ErrNoHost.
	Resolve(host string) (ip string, err error)
	// HTTP sends one request from the pod to ip:port: ErrRefused when
	// nothing listens, ErrTimeout when a packet is dropped.
	HTTP(ip string, port int32, method, path string, header map[string]string) (status int, respHeader map[string]string, body []byte, err error)
}

// Resolver is the DNS view nslookup needs; a Network may implement it.
type Resolver interface {
	Nameserver() (ip, name string)
	Lookup(name string) (fqdn string, ips []string, err error)
}

// Network errors.
var (
	ErrNoHost  = errors.New("no such host")
	ErrRefused = errors.New("connection refused")
	ErrTimeout = errors.New("timed out")
)

// RemoteAddrHeader carries the client's IP to a modelled server (its access
// log); it is runtime/images.RemoteAddrHeader.
const RemoteAddrHeader = ":remote-addr"

var statusText = map[int]string{200: "OK", 301: "Moved Permanently", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}

// wget is busybox wget: -q, -O FILE (- for stdout), -T, --spider. Texts:
// inside-pods-and-network.md §2 (wget.c).
func wget(c *call) int {
	c.p.impure.Add(1)
	o := getopt(c.args[1:], "qO:T:sS", map[string]byte{"quiet": 'q', "output-document": 'O', "timeout": 'T', "spider": 's'})
	if len(o.args) == 0 {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	quiet, out, spider := o.has('q'), o.last('O'), o.has('s')
	url := o.args[0]
	host, port, urlPath := splitURL(url)
	net := c.p.cfg.Net
	if net == nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	ip, err := net.Resolve(host)
	if err != nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	if !quiet {
		fmt.Fprintf(c.errw, "Connecting to %s (%s:%d)\n", host, ip, port)
	}
	method := "GET"
	if spider {
		method = "HEAD"
	}
	status, _, body, err := net.HTTP(ip, port, method, urlPath, map[string]string{"Host": host, "User-Agent": "Wget", RemoteAddrHeader: c.p.cfg.IP})
	switch {
	case errors.Is(err, ErrRefused):
		c.errorf("can't connect to remote host (%s): Connection refused", ip)
		return 1
	case errors.Is(err, ErrTimeout):
		c.errorf("download timed out")
		return 1
	case err != nil:
		c.errorf("%v", err)
		return 1
	case status >= 400:
		c.errorf("server returned error: HTTP/1.1 %d %s", status, statusText[status])
		return 1
	}
	if spider {
		if !quiet {
			fmt.Fprintln(c.errw, "remote file exists")
		}
		return 0
	}
	if out == "" {
		out = "index.html"
		if i := strings.LastIndexByte(urlPath, '/'); i >= 0 && i+1 < len(urlPath) {
			out = urlPath[i+1:]
		}
	}
	if out != "-" {
		if !quiet {
			fmt.Fprintf(c.errw, "saving to '%s'\n", out)
		}
		if err := c.p.fs.WriteFile(c.abs(out), body, 0o644); err != nil {
			c.errorf("can't open '%s': %s", out, strerror(errnoOf(err)))
			return 1
		}
		if !quiet {
			fmt.Fprintf(c.errw, "'%s' saved\n", out)
		}
		return 0
	}
	if !quiet {
		fmt.Fprintln(c.errw, "writing to stdout")
	}
	c.out.Write(body)
	if !quiet {
		fmt.Fprintln(c.errw, "written to stdout")
	}
	return 0
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

// compareVersions compares dotted versions ("1.28.4" < "1.29").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// nslookup: busybox ≤ 1.28 prints "Address 1: ip name"; 1.29+ the dig-like
// layout (inside-pods-and-network.md §2).
func nslookup(c *call) int {
	c.p.impure.Add(1)
	var name string
	for _, a := range c.args[1:] {
		if !strings.HasPrefix(a, "-") {
			name = a
			break
		}
	}
	if name == "" {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	res, _ := c.p.cfg.Net.(Resolver)
	old := compareVersions(c.p.busyboxVersion(), "1.29") < 0
	if res == nil {
		if old {
			c.errorf("can't resolve '%s'", name)
		} else {
			fmt.Fprint(c.out, ";; connection timed out; no servers could be reached\n\n")
		}
		return 1
	}
	nsIP, nsName := res.Nameserver()
	fqdn, ips, err := res.Lookup(name)
	if old {
		fmt.Fprintf(c.out, "Server:    %s\nAddress 1: %s %s\n\n", nsIP, nsIP, nsName)
		if err != nil {
			c.errorf("can't resolve '%s'", name)
			return 1
		}
		fmt.Fprintf(c.out, "Name:      %s\n", name)
		for i, ip := range ips {
			fmt.Fprintf(c.out, "Address %d: %s %s\n", i+1, ip, fqdn)
		}
		return 0
	}
	fmt.Fprintf(c.out, "Server:\t\t%s\nAddress:\t%s:53\n\n", nsIP, nsIP)
	if err != nil {
		fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", name)
		return 1
	}
	for _, ip := range ips {
		fmt.Fprintf(c.out, "Name:\t%s\nAddress: %s\n", fqdn, ip)
	}
	fmt.Fprintln(c.out)
	return 0
}

// nc supports the probe form nc -z[v] [-w N] HOST PORT.
func nc(c *call) int {
	c.p.impure.Add(1)
	o := getopt(c.args[1:], "zvw:nul", nil)
	if len(o.args) < 2 {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	host, portText := o.args[0], o.args[1]
	port, _ := strconv.Atoi(portText)
	net := c.p.cfg.Net
	var ip string
	var err error
	if net == nil {
		err = ErrNoHost
	} else {
		ip, err = net.Resolve(host)
	}
	if err != nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	_, _, _, err = net.HTTP(ip, int32(port), "HEAD", "/", map[string]string{RemoteAddrHeader: c.p.cfg.IP})
	switch {
	case errors.Is(err, ErrTimeout):
		c.errorf("%s (%s:%d): Connection timed out", host, ip, port)
		return 1
	case errors.Is(err, ErrRefused):
		if o.has('v') {
			c.errorf("%s (%s:%d): Connection refused", host, ip, port)
		}
		return 1
	}
	if o.has('v') {
		fmt.Fprintf(c.errw, "%s (%s:%d) open\n", host, ip, port)
	}
	return 0
}

// ping resolves its target; without a modelled ICMP path it reports what
// busybox reports when nothing answers.
func ping(c *call) int {
	c.p.impure.Add(1)
	o := getopt(c.args[1:], "c:W:w:qi:s:", nil)
	if len(o.args) == 0 {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	host := o.args[0]
	var ip string
	var err error
	if c.p.cfg.Net == nil {
		err = ErrNoHost
	} else {
		ip, err = c.p.cfg.Net.Resolve(host)
	}
	if err != nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	count, _ := strconv.Atoi(o.last('c'))
	if count <= 0 {
		count = 4
	}
	fmt.Fprintf(c.out, "PING %s (%s): 56 data bytes\n", host, ip)
	fmt.Fprintf(c.out, "\n--- %s ping statistics ---\n%d packets transmitted, 0 packets received, 100%% packet loss\n", host, count)
	return 1
}
