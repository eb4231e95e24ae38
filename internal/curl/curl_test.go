package curl

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"mvdan.cc/sh/v3/shell"

	"kubesim/net/fabric"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var (
	cpIP  = netip.MustParseAddr("192.168.56.10")
	w1IP  = netip.MustParseAddr("192.168.56.11")
	w2IP  = netip.MustParseAddr("192.168.56.12")
	httpd = netip.MustParseAddr("10.244.2.2")
	bbox  = netip.MustParseAddr("10.244.1.2")
	echo  = netip.MustParseAddr("10.244.1.3")
	apiIP = netip.MustParseAddr("10.96.0.1")
	webIP = netip.MustParseAddr("10.96.55.5")
)

const itWorks = "<html><body><h1>It works!</h1></body></html>\n"

// httpdHandler answers like httpd 2.4.57 (the lecture's era): the 45-byte
// page at /, a 404 page elsewhere, a redirect at /old.
func httpdHandler(r fabric.Request) fabric.Response {
	date := r.Time.UTC().Format(time.RFC1123)
	date = strings.Replace(date, "UTC", "GMT", 1)
	base := []fabric.Field{{Name: "Date", Value: date}, {Name: "Server", Value: "Apache/2.4.57 (Unix)"}}
	switch r.Path {
	case "/":
		return fabric.Response{Header: append(base,
			fabric.Field{Name: "Last-Modified", Value: "Mon, 11 Jun 2007 18:53:14 GMT"},
			fabric.Field{Name: "ETag", Value: `"2d-432a5e4a73a80"`},
			fabric.Field{Name: "Accept-Ranges", Value: "bytes"},
			fabric.Field{Name: "Content-Length", Value: "45"},
			fabric.Field{Name: "Content-Type", Value: "text/html"}), Body: []byte(itWorks)}
	case "/old":
		return fabric.Response{Status: 301, Header: append(base,
			fabric.Field{Name: "Location", Value: "http://10.244.2.2/"},
			fabric.Field{Name: "Content-Length", Value: "0"})}
	case "/loop":
		return fabric.Response{Status: 302, Header: append(base, fabric.Field{Name: "Location", Value: "/loop"})}
	}
	nf := "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
	return fabric.Response{Status: 404, Header: append(base,
		fabric.Field{Name: "Content-Length", Value: fmt.Sprint(len(nf))},
		fabric.Field{Name: "Content-Type", Value: "text/html; charset=iso-8859-1"}), Body: []byte(nf)}
}

// echoHandler answers with the request it saw.
func echoHandler(r fabric.Request) fabric.Response {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s tls=%v from=%s\n", r.Method, r.Path, r.TLS, r.From)
	for _, h := range r.Header {
		fmt.Fprintf(&b, "%s: %s\n", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "body=%q\n", r.Body)
	return fabric.Response{Header: []fabric.Field{{Name: "Content-Type", Value: "text/plain"}}, Body: []byte(b.String())}
}

// lectureNet is the lecture cluster's network plus a few extras.
func lectureNet() *fabric.Fabric {
	at := time.Date(2023, 5, 3, 9, 30, 0, 0, time.UTC)
	f := fabric.New(fabric.WithClock(func() time.Time { return at }))
	f.AddRoute(netip.MustParsePrefix("192.168.56.0/24"), netip.Addr{})
	for i, n := range []netip.Addr{cpIP, w1IP, w2IP} {
		f.AddHost(n, fabric.HostNode)
		f.AddRoute(netip.MustParsePrefix(fmt.Sprintf("10.244.%d.0/24", i)), n)
	}
	f.SetName("m.example.com", cpIP)
	f.SetName("w1.example.com", w1IP)
	f.SetName("w2.example.com", w2IP)
	f.Register(httpd, 80, httpdHandler)
	f.AddHost(bbox, fabric.HostPod)
	f.Register(echo, 8080, echoHandler)
	f.RegisterTLS(cpIP, 6443, echoHandler)
	if err := f.SetService(fabric.Service{Namespace: "default", Name: "kubernetes", ClusterIP: apiIP,
		Ports: []fabric.ServicePort{{Name: "https", Port: 443, Backends: []fabric.Backend{{IP: cpIP, Port: 6443}}}}}); err != nil {
		panic(err)
	}
	if err := f.SetService(fabric.Service{Namespace: "default", Name: "web", ClusterIP: webIP,
		Ports: []fabric.ServicePort{{Port: 80, NodePort: 30080, Backends: []fabric.Backend{{IP: httpd, Port: 80}}}}}); err != nil {
		panic(err)
	}
	return f
}

type memFiles map[string]*bytes.Buffer

type nopClose struct{ *bytes.Buffer }

func (nopClose) Close() error { return nil }

func (m memFiles) open(name string) (io.WriteCloser, error) {
	if strings.HasPrefix(name, "/ro/") {
		return nil, fmt.Errorf("Read-only file system")
	}
	b := &bytes.Buffer{}
	m[name] = b
	return nopClose{b}, nil
}

func readFile(name string) ([]byte, error) {
	if name == "body.txt" {
		return []byte("a=1\r\nb=2\n"), nil
	}
	return nil, fmt.Errorf("open %s: no such file or directory", name)
}

func TestGolden(t *testing.T) {
	onCP := fabric.Client{Addr: cpIP}
	inPod := fabric.Client{Addr: echo, Namespace: "default"}
	tests := []struct {
		name    string
		args    string // split on spaces; a single-quoted span is one argument
		version string
		client  *fabric.Client
		pipe    bool // stdout is not a terminal
		setup   func(f *fabric.Fabric)
		want    int
	}{
		{name: "lecture_curl_pod", args: "http://10.244.2.2", want: 0},
		{name: "no_scheme_host_port", args: "10.244.2.2:80", want: 0},
		{name: "verbose", args: "-v http://10.244.2.2", want: 0},
		{name: "verbose_piped", args: "-v http://10.244.2.2", pipe: true, want: 0},
		{name: "piped_progress_meter", args: "http://10.244.2.2", pipe: true, want: 0},
		{name: "head", args: "-I http://10.244.2.2", want: 0},
		{name: "include", args: "-i http://10.244.2.2", want: 0},
		{name: "write_out_http_code", args: "-s -o /dev/null -w '%{http_code}' http://10.244.2.2", want: 0},
		{name: "write_out_many", args: "-s -o /dev/null -w 'code=%{http_code} ip=%{remote_ip}:%{remote_port} size=%{size_download} type=%{content_type} url=%{url_effective} exit=%{exitcode} %%\\n' 10.244.2.2/missing", want: 0},
		{name: "write_out_unknown_var", args: "-s -o /dev/null -w '%{nope}|%{http_code}\\n' 10.244.2.2", want: 0},
		{name: "fail_404", args: "-f http://10.244.2.2/missing", want: 22},
		{name: "fail_404_silent", args: "-sf http://10.244.2.2/missing", want: 22},
		{name: "fail_404_show_error_write_out", args: "-sSf -w '%{http_code}\\n' http://10.244.2.2/missing", want: 22},
		{name: "fail_with_body", args: "--fail-with-body -s http://10.244.2.2/missing", want: 22},
		{name: "no_fail_404_prints_page", args: "http://10.244.2.2/missing", want: 0},
		{name: "refused", args: "http://10.244.1.2", want: 7},
		{name: "refused_verbose", args: "-v http://10.244.1.2", want: 7},
		{name: "refused_write_out_000", args: "-s -o /dev/null -w '%{http_code}\\n' http://10.244.1.2", want: 7},
		{name: "unreachable_pod_ip", args: "http://10.244.2.9", want: 7},
		{name: "unreachable_with_short_connect_timeout", args: "--connect-timeout 1 http://10.244.2.9", want: 28},
		{name: "halted_node_connect_timeout", args: "-v --connect-timeout 5 http://10.244.2.2", setup: func(f *fabric.Fabric) { f.SetHostUp(w2IP, false) }, want: 28},
		{name: "halted_node_max_time", args: "-m 2.5 http://10.244.2.2", setup: func(f *fabric.Fabric) { f.SetHostUp(w2IP, false) }, want: 28},
		{name: "halted_node_kernel_timeout", args: "http://w2.example.com:10250/healthz", setup: func(f *fabric.Fabric) { f.SetHostUp(w2IP, false) }, want: 28},
		{name: "unknown_host", args: "http://myapache", want: 6},
		{name: "unknown_host_verbose", args: "-v myapache.default.svc.cluster.local", want: 6},
		{name: "unknown_host_silent", args: "-s http://myapache", want: 6},
		{name: "malformed_url", args: "http://", want: 3},
		{name: "malformed_port", args: "http://10.244.2.2:99999/", want: 3},
		{name: "unsupported_protocol", args: "ftp://10.244.2.2/", want: 1},
		{name: "unknown_option", args: "--bogus http://10.244.2.2", want: 2},
		{name: "long_option_with_equals_is_unknown", args: "--max-time=5 http://10.244.2.2", want: 2},
		{name: "missing_parameter", args: "http://10.244.2.2 -o", want: 2},
		{name: "bad_number", args: "-m five http://10.244.2.2", want: 2},
		{name: "no_url", args: "-s", want: 2},
		{name: "redirect_not_followed", args: "-i http://10.244.2.2/old", want: 0},
		{name: "redirect_followed_verbose", args: "-sL -v http://10.244.2.2/old", want: 0},
		{name: "redirect_loop", args: "-L --max-redirs 3 -s -S http://10.244.2.2/loop", want: 47},
		{name: "post_data_headers", args: "-v -X PUT -d a=1 -d b=2 -H 'X-Test: yes' -H 'Accept: text/plain' -H 'User-Agent:' http://10.244.1.3:8080/api", want: 0},
		{name: "post_implied_and_user", args: "-s -u admin:secret --data-urlencode 'q=a b&c' http://10.244.1.3:8080/", want: 0},
		{name: "service_dns_from_pod", args: "-s http://web/", client: &inPod, want: 0},
		{name: "service_fqdn_from_pod", args: "-s -o /dev/null -w '%{remote_ip}\\n' web.default.svc.cluster.local", client: &inPod, want: 0},
		{name: "service_name_on_node_does_not_resolve", args: "-sS http://web.default.svc.cluster.local", want: 6},
		{name: "nodeport_localhost", args: "-s http://localhost:30080", client: &fabric.Client{Addr: w1IP}, want: 0},
		{name: "nodeport_node_name", args: "-s -o /dev/null -w '%{http_code}\\n' w2.example.com:30080", want: 0},
		{name: "https_self_signed", args: "https://10.96.0.1/version", want: 60},
		{name: "https_insecure", args: "-sk https://10.96.0.1/version", want: 0},
		{name: "https_to_plain_http", args: "-s -S https://10.244.2.2:80/", want: 35},
		{name: "http_to_tls_port", args: "-s http://192.168.56.10:6443/", want: 0},
		{name: "output_file", args: "-o page.html http://10.244.2.2", want: 0},
		{name: "remote_name", args: "-sO http://10.244.2.2/index.html", want: 0},
		{name: "remote_name_empty", args: "-O http://10.244.2.2/", want: 23},
		{name: "output_unwritable", args: "-s -S -o /ro/x http://10.244.2.2", want: 23},
		{name: "two_urls", args: "-s 10.244.2.2 10.244.1.2", want: 7},
		{name: "version", args: "-V", want: 0},
		{name: "no_arguments", args: "", want: 2},
		{name: "data_from_file", args: "-s -d @body.txt --data-binary @body.txt http://10.244.1.3:8080/", want: 0},
		{name: "data_from_missing_file", args: "-s -d @nope.txt http://10.244.1.3:8080/", want: 0},
		{name: "warning_wraps", args: "-s -d @a-file-with-a-rather-long-name-for-wrapping.txt http://10.244.1.3:8080/", want: 0},
		{name: "custom_host_header", args: "-s -H 'Host: web.example.com' http://10.244.1.3:8080/", want: 0},
		{name: "v8_refused", version: "8.5.0", args: "-v http://10.244.1.2", want: 7},
		{name: "v8_connect_timeout", version: "8.5.0", args: "--connect-timeout 3 http://10.244.2.2", setup: func(f *fabric.Fabric) { f.SetHostUp(w2IP, false) }, want: 28},
		{name: "v8_malformed", version: "8.5.0", args: "-v http://10.244.2.2:99999/", want: 3},
		{name: "v8_verbose", version: "8.5.0", args: "-v http://10.244.2.2", want: 0},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			f := lectureNet()
			if tc.setup != nil {
				tc.setup(f)
			}
			files := memFiles{}
			cfg := Config{Version: tc.version, Client: onCP, IsTTY: !tc.pipe, OpenFile: files.open, ReadFile: readFile}
			if tc.client != nil {
				cfg.Client = *tc.client
			}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := c.Run(context.Background(), f, splitArgs(tc.args), &stdout, &stderr)
			got := render(tc.args, code, stdout.String(), stderr.String(), files)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("curl %s (-want +got):\n%s", tc.args, diff)
			}
			if code != tc.want {
				t.Errorf("exit code = %d, want %d", code, tc.want)
			}
		})
	}
}

// render shows a run as a golden file: carriage returns made visible.
func render(args string, code int, stdout, stderr string, files memFiles) string {
	vis := func(s string) string { return strings.ReplaceAll(s, "\r", "\\r") }
	var b strings.Builder
	fmt.Fprintf(&b, "$ curl %s\n# exit %d\n# stdout\n%s\n# stderr\n%s\n", args, code, vis(stdout), vis(stderr))
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "# file %s\n%s\n", n, vis(files[n].String()))
	}
	return b.String()
}

// splitArgs splits a command line into words as the shell does.
func splitArgs(s string) []string {
	words, err := shell.Fields(s, func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	return words
}

func TestNewRejectsUnknownVersion(t *testing.T) {
	if _, err := New(Config{Version: "6.0"}); err == nil {
		t.Fatal("New accepted curl 6.0")
	}
}

func TestPackageRunDefaults(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), lectureNet(), []string{"http://10.244.2.2"}, &out, &errb)
	if code != 0 || out.String() != itWorks || errb.Len() != 0 {
		t.Errorf("Run = %d %q %q", code, out.String(), errb.String())
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Run(ctx, lectureNet(), []string{"http://10.244.2.2"}, io.Discard, io.Discard); code != 130 {
		t.Errorf("exit = %d, want 130", code)
	}
}
