package curl

import (
	"fmt"
	"io"
	"strings"
)

// meter is curl's default progress meter (lib/progress.c), printed to
// stderr when the body does not go to a terminal. Virtual transfers take no
// time, so speeds use progress.c's 1 ms floor (bytes*1000) and every time
// column reads "--:--:--".
type meter struct {
	w       *errWriter
	on      bool
	started bool
	ended   bool
}

// errWriter is stderr shared by the meter and the -v trace; it remembers
// whether the meter wrote last, so a failure ends the meter's line once.
type errWriter struct {
	w         io.Writer
	meterLast bool
}

func (e *errWriter) Write(p []byte) (int, error) {
	e.meterLast = false
	return e.w.Write(p)
}

func (e *errWriter) meter(s string) {
	io.WriteString(e.w, s)
	e.meterLast = true
}

const meterHeader = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
	"                                 Dload  Upload   Total   Spent    Left  Speed\n"

// start prints the header and the first, all-zero line (no newline: later
// lines overwrite it with a carriage return).
func (m *meter) start() {
	if !m.on || m.started {
		return
	}
	m.started = true
	io.WriteString(m.w, meterHeader)
	m.w.meter(meterLine(0, 0, -1))
}

// done prints the final line and the newline Curl_pgrsDone adds.
func (m *meter) done(got, total int) {
	if !m.on || m.ended {
		return
	}
	m.start()
	m.ended = true
	io.WriteString(m.w, meterLine(100, got, total)+"\n")
}

// fail ends a meter whose transfer failed.
func (m *meter) fail() {
	if !m.on || m.ended || !m.started {
		return
	}
	m.ended = true
	if m.w.meterLast {
		io.WriteString(m.w, "\n")
	}
}

func meterLine(_ int, got, total int) string {
	size := total
	if size < 0 {
		size = got
	}
	pct := 0
	if size > 0 {
		pct = got * 100 / size
	}
	speed := int64(got) * 1000
	return fmt.Sprintf("\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s",
		pct, max5(int64(size)), pct, max5(int64(got)), 0, max5(0),
		max5(speed), max5(0), "--:--:--", "--:--:--", "--:--:--", max5(speed))
}

// max5 is progress.c's max5data: a number in at most 5 columns.
func max5(n int64) string {
	const k, mb = 1024, 1024 * 1024
	switch {
	case n < 100000:
		return fmt.Sprintf("%5d", n)
	case n < 10000*k:
		return fmt.Sprintf("%4dk", n/k)
	case n < 100*mb:
		return fmt.Sprintf("%2d.%dM", n/mb, (n%mb)/(mb/10))
	case n < 10000*mb:
		return fmt.Sprintf("%4dM", n/mb)
	}
	return fmt.Sprintf("%4dG", n/(1024*mb))
}

// writeOut expands a -w format (src/tool_writeout.c): %{var}, %%, and the
// backslash escapes \n \r \t \\.
func (c *Curl) writeOut(format string, x *xfer, stdout, stderr io.Writer) {
	w := stdout
	var b strings.Builder
	flush := func() {
		io.WriteString(w, b.String())
		b.Reset()
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case ch == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteByte('%')
			i++
		case ch == '%' && i+1 < len(format) && format[i+1] == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				b.WriteString(format[i:])
				i = len(format)
				continue
			}
			name := format[i+2 : i+end]
			i += end
			switch name {
			case "stdout":
				flush()
				w = stdout
				continue
			case "stderr":
				flush()
				w = stderr
				continue
			}
			v, ok := c.variable(name, x)
			if !ok {
				flush()
				fmt.Fprintf(stderr, "curl: unknown --write-out variable: '%s'\n", name)
				continue
			}
			b.WriteString(v)
		case ch == '\\' && i+1 < len(format):
			switch format[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\':
				b.WriteByte('\\')
			default:
				b.WriteByte('\\')
				b.WriteByte(format[i+1])
			}
			i++
		default:
			b.WriteByte(ch)
		}
	}
	flush()
}

func (c *Curl) variable(name string, x *xfer) (string, bool) {
	secs := func() string { return fmt.Sprintf("%.6f", x.elapsed.Seconds()) }
	url := ""
	scheme := ""
	if x.target != nil {
		url = x.target.String()
		scheme = strings.ToUpper(x.target.scheme)
	}
	switch name {
	case "http_code", "response_code":
		return fmt.Sprintf("%03d", x.status), true
	case "url_effective":
		return url, true
	case "size_download":
		return fmt.Sprint(x.size), true
	case "size_header":
		return fmt.Sprint(x.headerSize), true
	case "content_type":
		return x.contentType, true
	case "time_total", "time_connect", "time_namelookup", "time_starttransfer", "time_pretransfer", "time_appconnect", "time_redirect":
		return secs(), true
	case "remote_ip":
		return x.remoteIP, true
	case "remote_port":
		if x.remotePort == 0 {
			return "", true
		}
		return fmt.Sprint(x.remotePort), true
	case "exitcode":
		return fmt.Sprint(x.code), true
	case "errormsg":
		return x.errmsg, true
	case "num_redirects":
		return fmt.Sprint(x.redirects), true
	case "method":
		return x.method, true
	case "scheme":
		return scheme, true
	case "http_version":
		if x.status == 0 {
			return "0", true
		}
		return "1.1", true
	case "redirect_url":
		return x.redirectURL, true
	case "speed_download":
		return fmt.Sprint(x.size * 1000), true
	case "num_connects":
		if x.remoteIP == "" {
			return "0", true
		}
		return "1", true
	}
	return "", false
}
