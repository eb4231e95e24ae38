package curl

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"kubesim/net/fabric"
)

// Config says which curl this is and where it runs.
type Config struct {
	// Version is "7.81.0" (Ubuntu 22.04, the lecture's VMs; the default) or
	// "8.5.0" (Ubuntu 24.04). See the package doc for what differs.
	Version string
	// Client is where curl runs: a node's host network (Addr = node IP,
	// Namespace empty: /etc/hosts names only) or a pod (Namespace set:
	// cluster DNS). 127.0.0.1 and localhost reach Client.Addr.
	Client fabric.Client
	// IsTTY says stdout is a terminal. curl hides its progress meter when
	// the body goes to a terminal and shows it (on stderr) otherwise, and
	// -v prints "{ [N bytes data]" only when stdout is not a terminal.
	IsTTY bool
	// OpenFile opens -o/-O files. Nil: writes are accepted and dropped.
	// "/dev/null" never reaches it.
	OpenFile func(name string) (io.WriteCloser, error)
	// ReadFile reads -d @file ("-" is stdin). Nil: every file is
	// unreadable.
	ReadFile func(name string) ([]byte, error)
}

// DefaultConfig is curl 7.81.0 at a terminal with no cluster address.
func DefaultConfig() Config { return Config{Version: "7.81.0", IsTTY: true} }

func (c Config) validate() (*dialect, error) {
	if c.Version == "" {
		c.Version = "7.81.0"
	}
	d, ok := dialects[c.Version]
	if !ok {
		return nil, fmt.Errorf("curl: unsupported version %q (have 7.81.0, 8.5.0)", c.Version)
	}
	return d, nil
}

// Curl is a configured curl binary.
type Curl struct {
	cfg Config
	d   *dialect
}

// New checks cfg.
func New(cfg Config) (*Curl, error) {
	d, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	return &Curl{cfg: cfg, d: d}, nil
}

// Run runs curl with DefaultConfig (7.81.0, a terminal, no cluster
// address: prefer New(Config{Client: …}).Run from a node).
func Run(ctx context.Context, f *fabric.Fabric, args []string, stdout, stderr io.Writer) int {
	c, _ := New(DefaultConfig())
	return c.Run(ctx, f, args, stdout, stderr)
}

// Run executes one curl command line (args without "curl") and returns
// curl's exit code. It never waits: see the package doc.
func (c *Curl) Run(ctx context.Context, f *fabric.Fabric, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, tryHelp) // tool_operate.c: no arguments, no .curlrc URL
		return exitUsage
	}
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "curl: %s\n%s", err.Error(), tryHelp)
		return exitUsage
	}
	if o.help {
		io.WriteString(stdout, usageText)
		return exitOK
	}
	if o.version {
		io.WriteString(stdout, c.d.versionText)
		return exitOK
	}
	if len(o.urls) == 0 {
		fmt.Fprintf(stderr, "%s%s", noURL, tryHelp)
		return exitUsage
	}
	code := exitOK
	for i, u := range o.urls {
		if ctx.Err() != nil {
			return 130 // interrupted, as a shell reports SIGINT
		}
		out := ""
		if i < len(o.output) {
			out = o.output[i]
		}
		code = c.transfer(f, o, u, out, stdout, stderr)
	}
	return code
}

// xfer is the state of one URL's transfer, for -w.
type xfer struct {
	target      *target
	status      int
	contentType string
	size        int
	headerSize  int
	remoteIP    string
	remotePort  int
	elapsed     time.Duration
	redirects   int
	method      string
	redirectURL string
	code        int
	errmsg      string
}

// transfer runs one URL and prints everything curl would.
func (c *Curl) transfer(f *fabric.Fabric, o *opts, raw, outName string, stdout, stderr io.Writer) int {
	x := &xfer{}
	ew := &errWriter{w: stderr}
	vb := &trace{w: ew, on: o.verbose}
	toTTY := outName == "" && c.cfg.IsTTY
	m := &meter{w: ew, on: !o.silent && !o.noProgress && !toTTY}
	finish := func(code int, msg string) int {
		x.code, x.errmsg = code, msg
		if code != exitOK {
			m.fail()
			if msg != "" && (code != exitURLMalformed || c.d.urlFailf) {
				vb.info(msg)
			}
			if x.remoteIP != "" || code == exitResolve || code == exitConnect || code == exitTimeout {
				vb.info(c.d.closing)
			}
			if msg != "" && (!o.silent || o.showError) {
				fmt.Fprintf(ew, "curl: (%d) %s\n", code, msg)
			}
		}
		if o.hasWriteOut {
			c.writeOut(o.writeOut, x, stdout, stderr)
		}
		return code
	}

	t, err := parseURL(raw)
	if err != nil {
		if errors.Is(err, errBadScheme) {
			return finish(exitUnsupported, fmt.Sprintf("Protocol %q not supported or disabled in libcurl", strings.SplitN(raw, "://", 2)[0]))
		}
		return finish(exitURLMalformed, c.d.urlError(err))
	}
	if t.scheme != "http" && t.scheme != "https" {
		return finish(exitUnsupported, fmt.Sprintf("Protocol %q not supported or disabled in libcurl", t.scheme))
	}
	x.target = t
	method := c.method(o)
	body := c.postData(o, stderr)

	// The output file is opened when the first body byte arrives; -O
	// needs a name.
	var out io.Writer = stdout
	var closer io.Closer
	openOut := func() (int, string) {
		if outName == "" || closer != nil {
			return exitOK, ""
		}
		name := outName
		if name == "\x00remote" {
			name = t.remoteName()
			if name == "" {
				return exitWrite, "Remote file name has no length!"
			}
		}
		if name == "/dev/null" || c.cfg.OpenFile == nil {
			out, closer = io.Discard, io.NopCloser(nil)
			return exitOK, ""
		}
		w, err := c.cfg.OpenFile(name)
		if err != nil {
			warnf(stderr, fmt.Sprintf("Failed to create the file %s: %v\n", name, err))
			return exitWrite, "Failure writing output to destination"
		}
		out, closer = w, w
		return exitOK, ""
	}
	defer func() {
		if closer != nil {
			closer.Close()
		}
	}()
	if outName == "\x00remote" && t.remoteName() == "" {
		io.WriteString(stderr, "curl: Remote file name has no length!\n")
		return finish(exitWrite, "")
	}

	if !o.verbose {
		m.start()
	}
	for {
		ip, ok := f.ResolveFrom(c.cfg.Client, t.host)
		if !ok {
			m.start()
			return finish(exitResolve, "Could not resolve host: "+t.host)
		}
		x.remoteIP, x.remotePort = ip.String(), t.port
		vb.info(fmt.Sprintf("  Trying %s...", joinHostPort(ip, t.port)))
		m.start()
		cn, err := f.Dial(c.cfg.Client, ip, int32(t.port))
		if err != nil {
			code, msg := c.dialFailure(o, t, ip, err, vb, x)
			return finish(code, msg)
		}
		vb.info(c.d.connected(t.host, ip.String(), t.port))
		if t.scheme == "https" {
			if !cn.TLS {
				return finish(exitSSLConnect, c.d.sslWrongVersion)
			}
			if !o.insecure {
				vb.info(sslCertReason)
				x.code = exitPeerFailed
				m.fail()
				vb.info(c.d.closing)
				if !o.silent || o.showError {
					fmt.Fprintf(ew, "curl: (%d) %s\n%s", exitPeerFailed, sslCertReason, sslCertLong)
				}
				x.errmsg = sslCertReason
				if o.hasWriteOut {
					c.writeOut(o.writeOut, x, stdout, stderr)
				}
				return exitPeerFailed
			}
		}
		req := c.request(o, t, method, body)
		req.TLS = t.scheme == "https"
		x.method = method
		vb.sent(req, c.cfg.IsTTY)
		resp := cn.Do(req)
		if resp.EmptyReply() {
			// The server closed without an answer (a redis port).
			return finish(exitGotNothing, "Empty reply from server")
		}
		x.status = resp.Status
		x.contentType = resp.Get("Content-Type")
		head := headerBlock(resp)
		x.headerSize += len(head)
		if c.d.markBundle {
			vb.info("Mark bundle as not supporting multiuse")
		}
		vb.received(head)

		if o.fail && !o.failWithBody && resp.Status >= 400 {
			return finish(exitHTTPError, fmt.Sprintf("The requested URL returned error: %d", resp.Status))
		}
		loc := resp.Get("Location")
		follow := o.location && loc != "" && isRedirect(resp.Status)
		if follow {
			next, err := t.resolveRef(loc)
			if err == nil {
				x.redirectURL = next.String()
			}
		}
		if code, msg := openOut(); code != exitOK {
			return finish(code, msg)
		}
		if o.include || o.head {
			io.WriteString(out, head)
		}
		if follow {
			if x.redirects >= o.maxRedirs {
				return finish(exitTooManyRedirects, fmt.Sprintf("Maximum (%d) redirects followed", o.maxRedirs))
			}
			next, err := t.resolveRef(loc)
			if err != nil {
				return finish(exitURLMalformed, c.d.urlError(err))
			}
			vb.info("Connection #0 to host " + t.host + " left intact")
			vb.info("Issue another request to this URL: '" + next.String() + "'")
			x.redirects++
			if resp.Status == 301 || resp.Status == 302 || resp.Status == 303 {
				if method == "POST" && o.method == "" {
					method = "GET"
					body = nil
				}
			}
			t, x.target = next, next
			x.redirectURL = ""
			continue
		}
		if len(resp.Body) > 0 {
			vb.data(len(resp.Body), c.cfg.IsTTY)
			out.Write(resp.Body)
		}
		x.size = len(resp.Body)
		m.done(len(resp.Body), contentLength(resp))
		if o.failWithBody && resp.Status >= 400 {
			vb.info("Connection #0 to host " + t.host + " left intact")
			return finish(exitHTTPError, fmt.Sprintf("The requested URL returned error: %d", resp.Status))
		}
		vb.info("Connection #0 to host " + t.host + " left intact")
		return finish(exitOK, "")
	}
}

// dialFailure turns a fabric error into curl's exit code and message,
// printing the -v lines connect.c prints on the way.
func (c *Curl) dialFailure(o *opts, t *target, ip netip.Addr, err error, vb *trace, x *xfer) (int, string) {
	var de *fabric.DialError
	after := time.Duration(0)
	if errors.As(err, &de) {
		after = de.After
	}
	limit := o.connectTO
	if o.maxTime > 0 && (limit == 0 || o.maxTime < limit) {
		limit = o.maxTime
	}
	var errno string
	switch {
	case errors.Is(err, fabric.ErrRefused):
		errno = errnoText["refused"]
	case errors.Is(err, fabric.ErrHostUnreachable):
		errno = errnoText["unreachable"]
	default: // timeout
		errno = errnoText["timedout"]
		after = synTimeout
	}
	if limit > 0 && limit <= after {
		x.elapsed = limit
		return exitTimeout, c.d.connectTimeout(t.host, t.port, limit)
	}
	x.elapsed = after
	vb.info(fmt.Sprintf("connect to %s port %d failed: %s", ip, t.port, errno))
	code := exitConnect
	if errno == errnoText["timedout"] {
		code = exitTimeout // connect.c: ETIMEDOUT → CURLE_OPERATION_TIMEDOUT
	}
	return code, c.d.connectFailed(t.host, t.port, after, errno)
}

// postData joins the -d values with '&', reading @files; an unreadable
// file warns as src/tool_getparam.c does and contributes nothing.
func (c *Curl) postData(o *opts, stderr io.Writer) []byte {
	parts := make([]string, 0, len(o.data))
	for _, d := range o.data {
		if !d.file {
			parts = append(parts, d.val)
			continue
		}
		name := d.val[1:]
		var b []byte
		err := errors.New("no file system")
		if c.cfg.ReadFile != nil {
			b, err = c.cfg.ReadFile(name)
		}
		if err != nil {
			warnf(stderr, fmt.Sprintf("Couldn't read data from file \"%s\", this makes an empty POST.\n", name))
			parts = append(parts, "")
			continue
		}
		if d.strip {
			b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)
		}
		parts = append(parts, string(b))
	}
	return []byte(strings.Join(parts, "&"))
}

// warnf prints a warning as src/tool_msgs.c does: "Warning: " before every
// line, wrapped at 79 columns on the last space that fits (the space stays
// at the end of the cut line).
func warnf(w io.Writer, msg string) {
	const prefix = "Warning: "
	width := 79 - len(prefix)
	for len(msg) > 0 {
		io.WriteString(w, prefix)
		if len(msg) <= width {
			io.WriteString(w, msg)
			return
		}
		cut := width - 1
		for cut > 0 && msg[cut] != ' ' && msg[cut] != '\t' {
			cut--
		}
		if cut == 0 {
			cut = width - 1
		}
		io.WriteString(w, msg[:cut+1]+"\n")
		msg = msg[cut+1:]
	}
}

func (c *Curl) method(o *opts) string {
	switch {
	case o.method != "":
		return o.method
	case o.head:
		return "HEAD"
	case o.hasData:
		return "POST"
	}
	return "GET"
}

// request builds the request curl 7.x/8.x sends for HTTP/1.1: Host,
// Authorization, User-Agent, Accept, then -H headers in order, then the
// POST body headers. A -H header replaces the built-in of the same name;
// "Name:" with nothing after removes it.
func (c *Curl) request(o *opts, t *target, method string, body []byte) fabric.Request {
	custom := map[string]bool{}
	var extra []fabric.Field
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			if strings.HasSuffix(h, ";") { // "Name;" sends an empty header
				extra = append(extra, fabric.Field{Name: strings.TrimSuffix(h, ";"), Value: ""})
			}
			continue
		}
		custom[strings.ToLower(strings.TrimSpace(name))] = true
		value = strings.TrimLeft(value, " \t")
		if value == "" {
			continue
		}
		extra = append(extra, fabric.Field{Name: name, Value: value})
	}
	var hs []fabric.Field
	add := func(name, value string) {
		if !custom[strings.ToLower(name)] {
			hs = append(hs, fabric.Field{Name: name, Value: value})
		}
	}
	add("Host", t.hostHeader())
	user := o.user
	if user == "" && t.user != "" {
		user = t.user + ":" + t.password
	}
	if user != "" {
		if !strings.Contains(user, ":") {
			user += ":"
		}
		add("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user)))
	}
	ua := c.d.userAgent
	if o.userAgent != nil {
		ua = *o.userAgent
	}
	if ua != "" {
		add("User-Agent", ua)
	}
	add("Accept", "*/*")
	hs = append(hs, extra...)
	if o.hasData && method != "HEAD" {
		add("Content-Length", strconv.Itoa(len(body)))
		add("Content-Type", "application/x-www-form-urlencoded")
	} else {
		body = nil
	}
	host := t.hostHeader()
	for _, h := range hs {
		if strings.EqualFold(h.Name, "Host") {
			host = h.Value
		}
	}
	return fabric.Request{Method: method, Host: host, Path: t.path, Header: hs, Body: body}
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// headerBlock is the response head as it travels: CRLF line ends.
func headerBlock(r fabric.Response) string {
	var b strings.Builder
	b.WriteString(r.StatusLine())
	b.WriteString("\r\n")
	for _, h := range r.Header {
		b.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func contentLength(r fabric.Response) int {
	if v := r.Get("Content-Length"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return -1
}

func joinHostPort(ip netip.Addr, port int) string {
	if ip.Is6() {
		return "[" + ip.String() + "]:" + strconv.Itoa(port)
	}
	return ip.String() + ":" + strconv.Itoa(port)
}

// trace is the -v output on stderr.
type trace struct {
	w  io.Writer
	on bool
}

func (t *trace) info(s string) {
	if t.on {
		io.WriteString(t.w, "* "+s+"\n")
	}
}

func (t *trace) sent(r fabric.Request, tty bool) {
	if !t.on {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "> %s %s HTTP/1.1\r\n", r.Method, r.Path)
	for _, h := range r.Header {
		fmt.Fprintf(&b, "> %s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("> \r\n")
	t.w.Write(b.Bytes())
	if len(r.Body) > 0 && !tty {
		fmt.Fprintf(t.w, "} [%d bytes data]\n", len(r.Body))
	}
}

func (t *trace) received(head string) {
	if !t.on {
		return
	}
	lines := strings.SplitAfter(head, "\r\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString("< " + l)
	}
	io.WriteString(t.w, b.String())
}

func (t *trace) data(n int, tty bool) {
	if t.on && !tty {
		fmt.Fprintf(t.w, "{ [%d bytes data]\n", n)
	}
}
