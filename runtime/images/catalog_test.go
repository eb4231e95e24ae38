package images

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	date2026 = time.Date(2026, time.October, 6, 0, 0, 0, 0, time.UTC)
	start    = time.Date(2023, time.May, 2, 10, 0, 0, 0, time.UTC)
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name    string
		date    time.Time
		ref     string
		wantRef string
		version string
		err     string
	}{
		{"httpd 2.4 in the lecture", LectureDate, "httpd:2.4", "docker.io/library/httpd:2.4", "2.4.57", ""},
		{"httpd 2.4 in 2026", date2026, "httpd:2.4", "docker.io/library/httpd:2.4", "2.4.68", ""},
		{"bare name is latest", LectureDate, "nginx", "docker.io/library/nginx:latest", "1.23.4", ""},
		{"fully qualified", LectureDate, "docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "1.36.0", ""},
		{"library path", LectureDate, "library/alpine:3.17", "docker.io/library/alpine:3.17", "3.17.3", ""},
		{"variant tag", LectureDate, "nginx:1.23-alpine", "docker.io/library/nginx:1.23-alpine", "1.23.4", ""},
		{"pause", LectureDate, "registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9", "3.9", ""},
		{"kube-apiserver", LectureDate, "registry.k8s.io/kube-apiserver:v1.27.1", "registry.k8s.io/kube-apiserver:v1.27.1", "v1.27.1", ""},
		{"coredns", LectureDate, "registry.k8s.io/coredns/coredns:v1.10.1", "registry.k8s.io/coredns/coredns:v1.10.1", "v1.10.1", ""},
		{"flannel", LectureDate, "docker.io/flannel/flannel:v0.21.5", "docker.io/flannel/flannel:v0.21.5", "v0.21.5", ""},
		{"exact tag from the k8s docs", LectureDate, "nginx:1.14.2", "docker.io/library/nginx:1.14.2", "1.14.2", ""},
		{"tag not yet released", LectureDate, "nginx:1.28",
			"", "", `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.28": failed to resolve reference "docker.io/library/nginx:1.28": docker.io/library/nginx:1.28: not found`},
		{"exact tag published after the date", LectureDate, "httpd:2.4.58",
			"", "", `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/httpd:2.4.58": failed to resolve reference "docker.io/library/httpd:2.4.58": docker.io/library/httpd:2.4.58: not found`},
		{"unknown repository", LectureDate, "myapp:v2.0",
			"", "", `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/myapp:v2.0": pull access denied, repository does not exist or may require docker login`},
		{"bad pause tag", LectureDate, "registry.k8s.io/pause:9.9",
			"", "", `rpc error: code = NotFound desc = failed to pull and unpack image "registry.k8s.io/pause:9.9": failed to resolve reference "registry.k8s.io/pause:9.9": registry.k8s.io/pause:9.9: not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := DefaultAt(tt.date).Resolve(tt.ref)
			if tt.err != "" {
				var pe *PullError
				if err == nil || err.Error() != tt.err || !errors.As(err, &pe) {
					t.Fatalf("Resolve(%q) error =\n  %v\nwant\n  %s", tt.ref, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.ref, err)
			}
			if img.Ref != tt.wantRef || img.Version != tt.version {
				t.Errorf("Resolve(%q) = %s (%s), want %s (%s)", tt.ref, img.Ref, img.Version, tt.wantRef, tt.version)
			}
			if !strings.HasPrefix(img.Digest, "sha256:") || len(img.Digest) != 71 || img.Size <= 0 {
				t.Errorf("digest %q, size %d", img.Digest, img.Size)
			}
		})
	}
}

func md5hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

// TestHTTP: the pages images.md gives byte for byte (sizes and md5 from §10).
func TestHTTP(t *testing.T) {
	tests := []struct {
		name   string
		date   time.Time
		ref    string
		path   string
		status int
		size   int
		md5    string
		header map[string]string
	}{
		{"httpd 2.4.57 It works", LectureDate, "httpd:2.4", "/", 200, 45, "5388f60d7695cb57b87c799ee62d20b2",
			map[string]string{"Server": "Apache/2.4.57 (Unix)", "ETag": `"2d-432a5e4a73a80"`, "Content-Type": "text/html", "Content-Length": "45"}},
		{"httpd 2.4.68 new page", date2026, "httpd:2.4", "/", 200, 191, "bb721bc14a48e70540879190cb033d65",
			map[string]string{"Server": "Apache/2.4.68 (Unix)", "ETag": `"bf-642fce432f300"`}},
		{"httpd 404", LectureDate, "httpd:2.4", "/missing", 404, 196, "62962daa1b19bbcc2db10b7bfd531ea6",
			map[string]string{"Content-Type": "text/html; charset=iso-8859-1"}},
		{"nginx welcome 615", LectureDate, "nginx", "/", 200, 615, "7df3d7cf3358af3f470ac7229387ef94",
			map[string]string{"Server": "nginx/1.23.4", "Connection": "keep-alive"}},
		{"nginx welcome 896", date2026, "nginx:latest", "/", 200, 896, "6bb03ae5bc151ad04e3875dc8992e270",
			map[string]string{"Server": "nginx/1.31.5"}},
		{"nginx 1.25 keeps 615", date2026, "nginx:1.25", "/index.html", 200, 615, "7df3d7cf3358af3f470ac7229387ef94", nil},
		{"nginx 404 names the version", LectureDate, "nginx", "/nope", 404, 153, "", map[string]string{"Server": "nginx/1.23.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := DefaultAt(tt.date).MustResolve(tt.ref)
			p, err := img.Start(ProcessSpec{Start: start})
			if err != nil {
				t.Fatal(err)
			}
			h := p.Ports[80]
			if h == nil {
				t.Fatalf("no handler on :80; ports %v", p.Ports)
			}
			status, hdr, body := h("GET", tt.path, nil)
			if status != tt.status || len(body) != tt.size || (tt.md5 != "" && md5hex(body) != tt.md5) {
				t.Errorf("GET %s = %d, %d bytes (md5 %s); want %d, %d bytes (md5 %s)", tt.path, status, len(body), md5hex(body), tt.status, tt.size, tt.md5)
			}
			if hdr["Date"] != "Tue, 02 May 2023 10:00:00 GMT" {
				t.Errorf("Date = %q", hdr["Date"])
			}
			for k, v := range tt.header {
				if hdr[k] != v {
					t.Errorf("header %s = %q, want %q", k, hdr[k], v)
				}
			}
			if tt.name == "nginx 404 names the version" && !strings.Contains(string(body), "<hr><center>nginx/1.23.4</center>\r\n") {
				t.Errorf("404 body:\n%q", body)
			}
		})
	}
}

type run struct {
	Logs     []string
	Exit     *Exit
	Loop     string
	Scripted []string // runtime/shell runs it (runtime/chain's TestScriptedProcess)
}

func summarize(p *Process) run {
	r := run{Exit: p.Exit, Scripted: p.Script}
	for _, l := range p.Logs {
		r.Logs = append(r.Logs, l.Offset.String()+" "+string(l.Stream)+" "+l.Text)
	}
	if p.Loop != nil {
		r.Loop = p.Loop.Start.String() + " every " + p.Loop.Period.String() + ": " + p.Loop.Lines[0].Text
	}
	return r
}

func TestProcess(t *testing.T) {
	tests := []struct {
		name      string
		ref       string
		cmd, args []string
		env       map[string]string
		want      run
	}{
		{"busybox echo and sleep", "busybox", []string{"sh", "-c", "echo hi; sleep 3600"}, nil, nil,
			run{Scripted: []string{"sh", "-c", "echo hi; sleep 3600"}}},
		{"busybox sleep 10 as args", "busybox", nil, []string{"sleep", "10"}, nil, run{Scripted: []string{"sleep", "10"}}},
		{"false", "busybox", []string{"false"}, nil, nil, run{Scripted: []string{"false"}}},
		{"nginx entrypoint execs args", "nginx", nil, []string{"sleep", "3600"}, nil, run{Scripted: []string{"sleep", "3600"}}},
		{"python keeps the catalog's model", "python:3.11", nil, nil, nil, run{Exit: &Exit{}}},
		{"pause runs forever", "registry.k8s.io/pause:3.9", nil, nil, nil, run{}},
		{"redis ready line", "redis:7", nil, nil, nil, run{Logs: []string{
			"0s stdout 1:C 02 May 2023 10:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
			"0s stdout 1:C 02 May 2023 10:00:00.000 * Redis version=7.0.10, bits=64, commit=00000000, modified=0, pid=1, just started",
			"0s stdout 1:C 02 May 2023 10:00:00.000 # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf",
			"1ms stdout 1:M 02 May 2023 10:00:00.001 * monotonic clock: POSIX clock_gettime",
			"3ms stdout 1:M 02 May 2023 10:00:00.003 * Running mode=standalone, port=6379.",
			"3ms stdout 1:M 02 May 2023 10:00:00.003 * Server initialized",
			"3ms stdout 1:M 02 May 2023 10:00:00.003 * Ready to accept connections tcp",
		}}},
		{"mysql without password", "mysql:8", nil, nil, nil, run{Logs: []string{
			"0s stdout 2023-05-02 10:00:00+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.0.32-1.el8 started.",
			"50ms stdout 2023-05-02 10:00:00+00:00 [Note] [Entrypoint]: Switching to dedicated user 'mysql'",
			"100ms stdout 2023-05-02 10:00:00+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.0.32-1.el8 started.",
			"150ms stderr 2023-05-02 10:00:00+00:00 [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified",
			"150ms stderr     You need to specify one of the following as an environment variable:",
			"150ms stderr     - MYSQL_ROOT_PASSWORD",
			"150ms stderr     - MYSQL_ALLOW_EMPTY_PASSWORD",
			"150ms stderr     - MYSQL_RANDOM_ROOT_PASSWORD",
		}, Exit: &Exit{After: 150 * time.Millisecond, Code: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := Default().MustResolve(tt.ref)
			p, err := img.Start(ProcessSpec{Command: tt.cmd, Args: tt.args, Env: tt.env, Hostname: "web", IP: "10.244.2.2", Start: start})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(p)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHttpdLogs(t *testing.T) {
	p, err := Default().MustResolve("httpd:2.4").Start(ProcessSpec{IP: "10.244.2.2", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.2.2. Set the 'ServerName' directive globally to suppress this message",
		"AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.2.2. Set the 'ServerName' directive globally to suppress this message",
		"[Tue May 02 10:00:00.002000 2023] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.57 (Unix) configured -- resuming normal operations",
		"[Tue May 02 10:00:00.002000 2023] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'",
	}
	var got []string
	for _, l := range p.Logs {
		got = append(got, l.Text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if p.Stop.Signal != "SIGWINCH" || p.Stop.Ignores || p.Stop.Code != 0 {
		t.Errorf("stop = %+v, want SIGWINCH handled, exit 0", p.Stop)
	}
}

func TestStartMissingBinary(t *testing.T) {
	_, err := Default().MustResolve("registry.k8s.io/pause:3.9").Process([]string{"sh"}, nil, nil)
	want := `unable to start container process: exec: "sh": executable file not found in $PATH`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestExec(t *testing.T) {
	tests := []struct {
		name   string
		ref    string
		cmd    []string
		stdout string
		stderr string
		code   int
	}{
		{"echo", "busybox", []string{"echo", "hello", "world"}, "hello world\n", "", 0},
		{"cat index", "httpd:2.4", []string{"cat", "/usr/local/apache2/htdocs/index.html"}, "<html><body><h1>It works!</h1></body></html>\n", "", 0},
		{"cat missing busybox", "busybox", []string{"cat", "/nope"}, "", "cat: can't open '/nope': No such file or directory\n", 1},
		{"cat missing debian", "nginx", []string{"cat", "/nope"}, "", "cat: /nope: No such file or directory\n", 1},
		{"ls html", "nginx", []string{"ls", "/usr/share/nginx/html"}, "50x.html\nindex.html\n", "", 0},
		{"hostname", "nginx", []string{"hostname"}, "web\n", "", 0},
		{"pwd httpd", "httpd:2.4", []string{"pwd"}, "/usr/local/apache2\n", "", 0},
		{"printenv", "nginx", []string{"printenv", "NGINX_VERSION"}, "1.23.4\n", "", 0},
		{"sh -c exit", "busybox", []string{"sh", "-c", "echo a; exit 5; echo b"}, "a\n", "", 5},
		{"alpine release", "alpine", []string{"cat", "/etc/alpine-release"}, "3.17.3\n", "", 0},
		{"no shell in pause", "registry.k8s.io/pause:3.9", []string{"sh"}, "",
			`OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown`, 126},
		{"date at the clock", "busybox", []string{"date"}, "Tue May  2 10:05:00 UTC 2023\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := Default().MustResolve(tt.ref)
			p, err := img.Start(ProcessSpec{Hostname: "web", Start: start})
			if err != nil {
				t.Fatal(err)
			}
			p.Clock = func() time.Time { return start.Add(5 * time.Minute) }
			out, errOut, code := p.Exec(tt.cmd)
			if diff := cmp.Diff([]any{tt.stdout, tt.stderr, tt.code}, []any{out, errOut, code}); diff != "" {
				t.Errorf("Exec(%q) (-want +got):\n%s", tt.cmd, diff)
			}
		})
	}
}

// TestScriptRunningServer: a script that ends by running the image's
// server stays the catalog's model of that server.
func TestScriptRunningServer(t *testing.T) {
	p, err := Default().MustResolve("nginx").Process([]string{"sh", "-c", "echo hi > /tmp/x && nginx -g 'daemon off;'"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Scripted || p.Ports[80] == nil || p.Exit != nil {
		t.Errorf("scripted %v, port 80 %v, exit %v: want the nginx model", p.Scripted, p.Ports[80] != nil, p.Exit)
	}
}

func TestAccessLog(t *testing.T) {
	tests := []struct {
		ref, method, path string
		want              string
	}{
		{"httpd:2.4", "GET", "/", `10.244.0.1 - - [02/May/2023:10:01:00 +0000] "GET / HTTP/1.1" 200 45`},
		{"httpd:2.4", "HEAD", "/", `10.244.0.1 - - [02/May/2023:10:01:00 +0000] "HEAD / HTTP/1.1" 200 -`},
		{"nginx", "GET", "/", `10.244.0.1 - - [02/May/2023:10:01:00 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/7.81.0" "-"`},
		{"nginx", "GET", "/x", `10.244.0.1 - - [02/May/2023:10:01:00 +0000] "GET /x HTTP/1.1" 404 153 "-" "curl/7.81.0" "-"`},
	}
	for _, tt := range tests {
		t.Run(tt.ref+" "+tt.method+" "+tt.path, func(t *testing.T) {
			p, err := Default().MustResolve(tt.ref).Start(ProcessSpec{Start: start})
			if err != nil {
				t.Fatal(err)
			}
			p.Clock = func() time.Time { return start.Add(time.Minute) }
			n := len(p.Logs)
			p.Ports[80](tt.method, tt.path, map[string]string{RemoteAddrHeader: "10.244.0.1", "User-Agent": "curl/7.81.0"})
			if len(p.Logs) != n+1 {
				t.Fatalf("%d new log lines, want 1", len(p.Logs)-n)
			}
			if got := p.Logs[n]; got.Text != tt.want || got.Offset != time.Minute || got.Stream != Stdout {
				t.Errorf("access log = %+v\nwant %q at 1m on stdout", got, tt.want)
			}
		})
	}
}

// fakeNet serves 10.96.0.20:80 (nginx's page) and refuses or drops the rest.
type fakeNet struct{ srv HTTPHandler }

func (f fakeNet) Resolve(host string) (string, error) {
	switch host {
	case "web", "web.default.svc.cluster.local", "10.96.0.20":
		return "10.96.0.20", nil
	case "blocked":
		return "10.96.0.30", nil
	case "10.96.0.21":
		return host, nil
	}
	return "", ErrNoHost
}

func (f fakeNet) HTTP(ip string, port int32, method, path string, h map[string]string) (int, map[string]string, []byte, error) {
	switch {
	case ip == "10.96.0.30":
		return 0, nil, nil, ErrTimeout
	case ip != "10.96.0.20" || port != 80:
		return 0, nil, nil, ErrRefused
	}
	st, hdr, body := f.srv(method, path, h)
	return st, hdr, body, nil
}

func TestWget(t *testing.T) {
	srvProc, err := Default().MustResolve("httpd:2.4").Start(ProcessSpec{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	net := fakeNet{srv: srvProc.Ports[80]}
	tests := []struct {
		name   string
		ref    string
		cmd    []string
		stdout string
		stderr string
		code   int
	}{
		{"quiet to stdout", "busybox", []string{"wget", "-qO-", "http://web"}, "<html><body><h1>It works!</h1></body></html>\n", "", 0},
		{"verbose", "busybox", []string{"wget", "-O-", "web"}, "<html><body><h1>It works!</h1></body></html>\n",
			"Connecting to web (10.96.0.20:80)\nwriting to stdout\nwritten to stdout\n", 0},
		{"404", "alpine", []string{"wget", "-qO-", "http://web/x"}, "", "wget: server returned error: HTTP/1.1 404 Not Found\n", 1},
		{"refused", "busybox", []string{"wget", "-qO-", "--timeout=2", "http://10.96.0.21:8080"}, "", "wget: can't connect to remote host (10.96.0.21): Connection refused\n", 1},
		{"dropped by a policy", "busybox", []string{"wget", "-qO-", "-T", "2", "http://blocked"}, "", "wget: download timed out\n", 1},
		{"no such host", "busybox", []string{"wget", "-qO-", "http://nope"}, "", "wget: bad address 'nope'\n", 1},
		{"in a shell", "busybox", []string{"sh", "-c", "wget -q -O - web >/dev/null && echo ok; wget -qO- nope >/dev/null 2>&1 || echo failed"}, "ok\nfailed\n", "", 0},
		{"debian has no wget", "nginx", []string{"wget", "-qO-", "http://web"}, "",
			`OCI runtime exec failed: exec failed: unable to start container process: exec: "wget": executable file not found in $PATH: unknown`, 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Default().MustResolve(tt.ref).Start(ProcessSpec{Start: start, Net: net, IP: "10.244.1.7"})
			if err != nil {
				t.Fatal(err)
			}
			out, errOut, code := p.Exec(tt.cmd)
			if diff := cmp.Diff([]any{tt.stdout, tt.stderr, tt.code}, []any{out, errOut, code}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if last := srvProc.Logs[len(srvProc.Logs)-1].Text; !strings.HasPrefix(last, `10.244.1.7 - - [`) {
		t.Errorf("server access log does not show the client pod: %q", last)
	}
}

// TestCounter: the Kubernetes docs' logging example (a counter with the date)
// produces a fresh line each round.

func TestArith(t *testing.T) {
	p, err := Default().MustResolve("busybox").Process(nil, []string{"sleep", "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ := p.Exec([]string{"sh", "-c", "a=7; echo $((a*2+1)) $((10/3)) $((10%3)) $((a-10))"})
	if out != "15 3 1 -3\n" {
		t.Errorf("arithmetic = %q, want %q", out, "15 3 1 -3\n")
	}
}

// TestCd: an exec session (kubectl exec -it … sh, one line at a time) keeps
// its directory.
func TestCd(t *testing.T) {
	p, err := Default().MustResolve("nginx").Start(ProcessSpec{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range []string{"pwd", "cd /usr/share/nginx/html", "pwd", "ls", "cd ..", "pwd", "cd nope", "cd /etc/nginx && ls | head"} {
		out, errOut, code := p.Exec([]string{"sh", "-c", line})
		got = append(got, fmt.Sprintf("%s|%s|%d", strings.TrimSpace(out), strings.TrimSpace(errOut), code))
	}
	want := []string{
		"/||0", "||0", "/usr/share/nginx/html||0", "50x.html\nindex.html||0", "||0", "/usr/share/nginx||0",
		"|sh: 1: cd: can't cd to nope|2",
		"conf.d\nfastcgi_params\nmime.types\nmodules\nnginx.conf\nscgi_params\nuwsgi_params|sh: 1: head: not found|127",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func (f fakeNet) Nameserver() (string, string) {
	return "10.96.0.10", "kube-dns.kube-system.svc.cluster.local"
}

func (f fakeNet) Lookup(name string) (string, []string, error) {
	switch name {
	case "kubernetes.default", "kubernetes.default.svc.cluster.local":
		return "kubernetes.default.svc.cluster.local", []string{"10.96.0.1"}, nil
	}
	return "", nil, ErrNoHost
}

func TestNslookup(t *testing.T) {
	tests := []struct {
		ref, name string
		stdout    string
		stderr    string
		code      int
	}{
		{"busybox:1.28", "kubernetes.default",
			"Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n", "", 0},
		{"busybox:1.28", "nope",
			"Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n", "nslookup: can't resolve 'nope'\n", 1},
		{"busybox:1.36", "kubernetes.default",
			"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref+"/"+tt.name, func(t *testing.T) {
			p, err := Default().MustResolve(tt.ref).Start(ProcessSpec{Start: start, Net: fakeNet{}})
			if err != nil {
				t.Fatal(err)
			}
			out, errOut, code := p.Exec([]string{"nslookup", tt.name})
			if diff := cmp.Diff([]any{tt.stdout, tt.stderr, tt.code}, []any{out, errOut, code}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSleepForever(t *testing.T) {
	for _, arg := range []string{"infinity", "1e400", "99999999999"} {
		p, err := Default().MustResolve("busybox").Process(nil, []string{"sleep", arg}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Exit != nil {
			t.Errorf("sleep %s exits: %+v", arg, p.Exit)
		}
	}
}
