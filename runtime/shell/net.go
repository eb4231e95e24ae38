package shell

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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

// Pinger is the ICMP view ping needs; a Network may implement it. Ping
// answers one echo to ip with the reply's TTL and round trip, or
// ErrTimeout/ErrUnreachable when no reply comes.
type Pinger interface {
	Ping(ip string) (ttl int, rtt time.Duration, err error)
}

// Network errors.
var (
	ErrNoHost  = errors.New("no such host")
	ErrRefused = errors.New("connection refused")
	// ErrTimeout: the SYNs vanish (a down host, a NetworkPolicy drop).
	ErrTimeout = errors.New("timed out")
	// ErrUnreachable: no host answers ARP for the address (EHOSTUNREACH).
	ErrUnreachable = errors.New("no route to host")
)

// Connect timings (virtual time): the kernel gives up on a connect whose
// SYNs vanish after its SYN retries (net.ipv4.tcp_syn_retries = 6 with a 1
// s initial RTO: 1+2+4+8+16+32+64 = 127 s), and reports an address no host
// answers ARP for after 3 solicitations one second apart.
const (
	synTimeout = 127 * time.Second
	arpTimeout = 3 * time.Second
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
	ip, err := c.resolve(host)
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
	case errors.Is(err, ErrTimeout), errors.Is(err, ErrUnreachable):
		// -T's alarm covers connect(); without it the kernel gives up
		// first (busybox's default timeout is 900 s).
		wait, msg := synTimeout, "Connection timed out"
		if errors.Is(err, ErrUnreachable) {
			wait, msg = arpTimeout, "No route to host"
		}
		if t, ok := parseDuration(o.last('T')); ok && o.has('T') && t < wait {
			c.p.sleep(t, nil)
			c.errorf("download timed out")
			return 1
		}
		c.p.sleep(wait, nil)
		c.errorf("can't connect to remote host (%s): %s", ip, msg)
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
	ip, err := c.resolve(host)
	if err != nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	_, _, _, err = net.HTTP(ip, int32(port), "HEAD", "/", map[string]string{RemoteAddrHeader: c.p.cfg.IP})
	switch {
	case errors.Is(err, ErrTimeout):
		wait := synTimeout
		if t, ok := parseDuration(o.last('w')); ok && o.has('w') && t < wait {
			wait = t
		}
		c.p.sleep(wait, nil)
		c.errorf("%s (%s:%d): Connection timed out", host, ip, port)
		return 1
	case errors.Is(err, ErrUnreachable):
		c.p.sleep(arpTimeout, nil)
		c.errorf("%s (%s:%d): No route to host", host, ip, port)
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

// ping is busybox ping (networking/ping.c): one echo a second, -c COUNT
// (4 when not given here; busybox pings until interrupted), -W seconds to
// wait for the last reply (10). Texts: inside-pods-and-network.md §2.
func ping(c *call) int {
	c.p.impure.Add(1)
	o := getopt(c.args[1:], "c:W:w:qi:s:", nil)
	if len(o.args) == 0 {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	host := o.args[0]
	ip, err := c.resolve(host)
	if err != nil {
		c.errorf("bad address '%s'", host)
		return 1
	}
	count, _ := strconv.Atoi(o.last('c'))
	if count <= 0 {
		count = 4
	}
	wait := 10 * time.Second
	if w, ok := parseDuration(o.last('W')); ok && o.has('W') {
		wait = w
	}
	pinger, _ := c.p.cfg.Net.(Pinger)
	fmt.Fprintf(c.out, "PING %s (%s): 56 data bytes\n", host, ip)
	var rtts []time.Duration
	for seq := 0; seq < count; seq++ {
		if seq > 0 {
			if c.p.sleep(time.Second, nil) != nil {
				return 137
			}
		}
		if pinger == nil {
			continue
		}
		ttl, rtt, err := pinger.Ping(ip)
		if err != nil {
			continue
		}
		rtts = append(rtts, rtt)
		if !o.has('q') {
			fmt.Fprintf(c.out, "64 bytes from %s: seq=%d ttl=%d time=%s ms\n", ip, seq, ttl, millis(rtt))
		}
	}
	if len(rtts) < count {
		c.p.sleep(wait, nil)
	}
	loss := (count - len(rtts)) * 100 / count
	fmt.Fprintf(c.out, "\n--- %s ping statistics ---\n%d packets transmitted, %d packets received, %d%% packet loss\n", host, count, len(rtts), loss)
	if len(rtts) == 0 {
		return 1
	}
	lo, hi, sum := rtts[0], rtts[0], time.Duration(0)
	for _, r := range rtts {
		lo, hi, sum = min(lo, r), max(hi, r), sum+r
	}
	fmt.Fprintf(c.out, "round-trip min/avg/max = %s/%s/%s ms\n", millis(lo), millis(sum/time.Duration(len(rtts))), millis(hi))
	return 0
}

// millis prints a duration as busybox does, "%u.%03u" milliseconds.
func millis(d time.Duration) string {
	us := d.Microseconds()
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}
