package images

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Stream is a log stream.
type Stream string

const (
	Stdout Stream = "stdout"
	Stderr Stream = "stderr"
)

// LogLine is one line a container writes, at Offset after it started.
// Text carries no trailing newline.
type LogLine struct {
	Offset time.Duration
	Stream Stream
	Text   string
}

// Exit is how and when a process ends on its own.
type Exit struct {
	After time.Duration
	Code  int
}

// Loop is output that repeats forever after the fixed Logs: the Lines, with
// offsets relative to the start of each round, every Period.
type Loop struct {
	Start  time.Duration // offset of the first round
	Period time.Duration
	Lines  []LogLine // the first round

	gen   *shell // produces later rounds (date, counters); nil: Lines repeat
	body  []node
	cache []LogLine
}

// StopBehaviour is what the process does on its stop signal.
type StopBehaviour struct {
	Signal string // the signal the runtime sends: the image's STOPSIGNAL or SIGTERM
	// Ignores: PID 1 without a handler ignores the signal; the runtime kills it
	// after the grace period with SIGKILL (exit 137).
	Ignores bool
	After   time.Duration // time from the signal to exit when handled
	Code    int           // exit code when handled
	Logs    []LogLine     // lines written after the signal, offsets from the signal (templates; see StopLines)
}

// HTTPHandler answers one HTTP request to a port the process listens on.
type HTTPHandler func(method, path string, header map[string]string) (status int, respHeader map[string]string, body []byte)

// Process is a running simulated container process. It is data: the caller
// (the runtime) owns its timeline.
type Process struct {
	Argv  []string // what runc executed
	Env   map[string]string
	Logs  []LogLine
	Loop  *Loop // nil: no repeating output
	Exit  *Exit // nil: runs until stopped
	Ports map[int32]HTTPHandler
	// Streams are the ports the process serves a non-HTTP protocol on
	// (redis's RESP).
	Streams map[int32]StreamServer
	Stop    StopBehaviour
	// Clock, when set, gives the current (virtual) time for date, HTTP Date
	// headers and access-log lines. The runtime sets it.
	Clock func() time.Time
	// Net, when set, lets the process reach the cluster network (wget).
	Net Network
	// Scripted: the process is a shell script or one of the shell's
	// commands (sh -c '…', sleep 3600) that the runtime runs in
	// runtime/shell over the container's filesystem; Logs and Exit are then
	// filled by the runtime as the script runs, not by this catalog.
	// Script is what it runs: Argv, or what an entrypoint script execs.
	Scripted bool
	Script   []string

	hostname string
	stdin    bool
	cwd      string // exec sessions' working directory after cd; "" = the image's
	ip       string
	start    time.Time
	img      *Image
	served   served // the requests its servers answered (usage.go)
}

// ProcessSpec is everything the runtime knows when it starts a container.
type ProcessSpec struct {
	Command  []string          // pod spec command (replaces ENTRYPOINT)
	Args     []string          // pod spec args (replaces CMD)
	Env      map[string]string // pod spec env; added to the image's
	Hostname string            // pod name
	IP       string            // pod IP, for log lines that print it
	Start    time.Time         // virtual start time, for log timestamps
	Net      Network           // the cluster network as the pod sees it; nil: none
	// Stdin is true when the container keeps stdin open (kubectl run -i):
	// a bare shell or REPL then waits for input instead of reading EOF.
	Stdin bool
}

// Process starts a process from the image and a pod's container spec, with
// no hostname, IP or start time (see Start).
func (img *Image) Process(cmd, args []string, env map[string]string) (*Process, error) {
	return img.Start(ProcessSpec{Command: cmd, Args: args, Env: env})
}

// Argv is what the runtime executes: command+args when command is set
// (CMD is then dropped), else ENTRYPOINT+args when args are set, else
// ENTRYPOINT+CMD — Kubernetes' rule over the image config.
func (img *Image) Argv(cmd, args []string) []string {
	var argv []string
	switch {
	case len(cmd) > 0:
		argv = append(append(argv, cmd...), args...)
	case len(args) > 0:
		argv = append(append(argv, img.Config.Entrypoint...), args...)
	default:
		argv = append(append(argv, img.Config.Entrypoint...), img.Config.Cmd...)
	}
	return argv
}

// ExecNotFound is runc's error when the executable is missing; exit code 126.
// Text: shared/reference/images.md §1 (observed).
func ExecNotFound(name string) string {
	return fmt.Sprintf("OCI runtime exec failed: exec failed: unable to start container process: exec: %q: executable file not found in $PATH: unknown", name)
}

// StartNotFound is runc's own message when the container's executable is
// missing; the layers above wrap it ("runc create failed: …", "OCI runtime
// create failed: …: unknown", "failed to create shim task: …").
func StartNotFound(name string) string {
	return fmt.Sprintf("unable to start container process: exec: %q: executable file not found in $PATH", name)
}

// Start starts a process from the image.
func (img *Image) Start(spec ProcessSpec) (*Process, error) {
	argv := img.Argv(spec.Command, spec.Args)
	env := make(map[string]string, len(img.Config.Env)+len(spec.Env)+1)
	for _, kv := range img.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range spec.Env {
		env[k] = v
	}
	if spec.Hostname != "" {
		env["HOSTNAME"] = spec.Hostname
	}
	p := &Process{
		Argv:     argv,
		Env:      env,
		Stop:     StopBehaviour{Signal: stopSignal(img), Ignores: true},
		hostname: spec.Hostname,
		ip:       spec.IP,
		start:    spec.Start,
		img:      img,
		Net:      spec.Net,
		stdin:    spec.Stdin,
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: no command specified", img.Ref)
	}
	prog, ok := img.spec.lookupBinary(argv[0])
	if !ok {
		return nil, fmt.Errorf("%s", StartNotFound(argv[0]))
	}
	p.run(prog, argv, 0)
	return p, nil
}

// workdir is the directory commands run in.
func (p *Process) workdir() string {
	switch {
	case p.cwd != "":
		return p.cwd
	case p.img.Config.WorkingDir != "":
		return p.img.Config.WorkingDir
	}
	return "/"
}

// abs resolves a path against the working directory ("..", "." included).
func (p *Process) abs(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = p.workdir() + "/" + path
	}
	var parts []string
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, seg)
		}
	}
	return "/" + strings.Join(parts, "/")
}

func stopSignal(img *Image) string {
	if img.Config.StopSignal != "" {
		return img.Config.StopSignal
	}
	return "SIGTERM"
}

// run makes the process's timeline for argv, starting at offset at.
func (p *Process) run(prog program, argv []string, at time.Duration) {
	switch prog.Kind {
	case progShell:
		if at == 0 && p.scriptable(argv) {
			p.Scripted, p.Script = true, argv
			return
		}
		p.runShell(argv, at)
	case progServer:
		p.runServer(prog.Server, at)
	case progEntrypoint:
		if len(argv) > 1 && contains(prog.Runs, argv[1]) {
			at = p.emit(prog.Prelude, at)
			next, _ := p.img.spec.lookupBinary(argv[1])
			p.run(next, argv[1:], at)
			return
		}
		if len(argv) == 1 {
			p.Exit = &Exit{After: at, Code: 0}
			return
		}
		next, ok := p.img.spec.lookupBinary(argv[1])
		if !ok {
			p.Logs = append(p.Logs, LogLine{Offset: at, Stream: Stderr, Text: fmt.Sprintf("%s: exec: %s: not found", argv[0], argv[1])})
			p.Exit = &Exit{After: at, Code: 127}
			return
		}
		p.run(next, argv[1:], at)
	case progForever:
		p.Stop = StopBehaviour{Signal: p.Stop.Signal, Code: 0}
	}
}

func (p *Process) runServer(s *serverSpec, at time.Duration) {
	for _, req := range s.Requires {
		if !anyEnv(p.Env, req.AnyOf) {
			p.emit(req.Logs, at)
			p.Exit = &Exit{After: at + lastOffset(req.Logs), Code: req.Code}
			return
		}
	}
	p.emit(s.Logs, at)
	if len(s.Ports) > 0 {
		p.Ports = make(map[int32]HTTPHandler, len(s.Ports))
		for port, site := range s.Ports {
			p.Ports[port] = p.handler(site)
		}
	}
	if s.RESPPort != 0 {
		p.Streams = map[int32]StreamServer{s.RESPPort: p.respServer()}
	}
	p.Stop = StopBehaviour{Signal: p.Stop.Signal, After: s.StopAfter, Code: 0, Logs: s.StopLogs}
}

// StopLines returns the lines the process writes when its stop signal
// arrives at offset at (since start), with their offsets from start.
func (p *Process) StopLines(at time.Duration) []LogLine {
	out := make([]LogLine, 0, len(p.Stop.Logs))
	for _, l := range p.Stop.Logs {
		out = append(out, LogLine{Offset: at + l.Offset, Stream: l.Stream, Text: p.expand(l.Text, at+l.Offset)})
	}
	return out
}

func lastOffset(ls []LogLine) time.Duration {
	if len(ls) == 0 {
		return 0
	}
	return ls[len(ls)-1].Offset
}

func anyEnv(env map[string]string, keys []string) bool {
	for _, k := range keys {
		if env[k] != "" {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// emit appends templated lines at offset at and returns the offset after the last.
func (p *Process) emit(lines []LogLine, at time.Duration) time.Duration {
	end := at
	for _, l := range lines {
		off := at + l.Offset
		p.Logs = append(p.Logs, LogLine{Offset: off, Stream: l.Stream, Text: p.expand(l.Text, off)})
		end = off
	}
	return end
}

// LogsUntil returns the lines written in the first d of the process's life,
// the Loop's rounds included, in order.
func (p *Process) LogsUntil(d time.Duration) []LogLine {
	var out []LogLine
	for _, l := range p.Logs {
		if l.Offset <= d {
			out = append(out, l)
		}
	}
	if p.Loop != nil && p.Loop.Period > 0 {
		out = append(out, p.Loop.rounds(d)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

// expand fills ${NAME} and ${T:layout} placeholders. T formats the time of the
// line (start+off) with a Go layout, in UTC.
func (p *Process) expand(s string, off time.Duration) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		key := s[i+2 : i+j]
		s = s[i+j+1:]
		switch {
		case strings.HasPrefix(key, "T:"):
			b.WriteString(p.start.Add(off).UTC().Format(key[2:]))
		case key == "VERSION":
			b.WriteString(p.img.Version)
		case key == "IP":
			ip := p.ip
			if ip == "" {
				ip = "127.0.0.1"
			}
			b.WriteString(ip)
		case key == "UNIX":
			b.WriteString(fmt.Sprint(p.start.Add(off).Unix()))
		case key == "HOSTNAME":
			b.WriteString(p.hostname)
		default:
			b.WriteString(p.Env[key])
		}
	}
}

func expandAll(list []string, vars map[string]string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		out[i] = s
	}
	return out
}

func (p *Process) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return p.start
}

// RemoteAddrHeader, in the request header map given to an HTTPHandler, is
// the client's address for the access log (default 127.0.0.1). It is not sent
// to the server as a header.
const RemoteAddrHeader = ":remote-addr"

// handler serves a static site: an index page chosen by version, a 404 page,
// and an access-log line per request (images.md §3.4, §4.4).
func (p *Process) handler(site *httpSite) HTTPHandler {
	var page *versionedPage
	for i := range site.Pages {
		if compareVersions(p.img.Version, site.Pages[i].From) >= 0 {
			page = &site.Pages[i]
		}
	}
	return func(method, path string, header map[string]string) (int, map[string]string, []byte) {
		now := p.now()
		date := now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
		server := p.expand(site.Server, 0)
		status, body := 404, p.expand(bodies[site.NotFound], 0)
		h := map[string]string{"Server": server, "Date": date, "Content-Type": site.NotFoundType}
		if page != nil && contains(site.IndexPaths, path) && (method == "GET" || method == "HEAD") {
			status, body = 200, bodies[page.Body]
			h = map[string]string{
				"Server": server, "Date": date, "Content-Type": "text/html",
				"Last-Modified": page.LastModified, "ETag": page.ETag, "Accept-Ranges": "bytes",
			}
		}
		h["Content-Length"] = fmt.Sprint(len(body))
		if site.KeepAlive {
			h["Connection"] = "keep-alive"
		}
		if method == "HEAD" {
			body = ""
		}
		p.accessLog(site, now, method, path, status, len(body), header)
		p.served.add(now, site.CPUPerRequest)
		return status, h, []byte(body)
	}
}

// accessLog appends the request's access-log line (stdout) at the time of
// the request.
func (p *Process) accessLog(site *httpSite, now time.Time, method, path string, status, n int, header map[string]string) {
	if site.AccessLog == "" {
		return
	}
	remote := header[RemoteAddrHeader]
	if remote == "" {
		remote = "127.0.0.1"
	}
	ua := header["User-Agent"]
	if ua == "" {
		ua = "-"
	}
	bytes := fmt.Sprint(n)
	if n == 0 && site.DashForZero {
		bytes = "-"
	}
	line := strings.NewReplacer(
		"${REMOTE}", remote,
		"${TIME}", now.UTC().Format("02/Jan/2006:15:04:05 +0000"),
		"${REQUEST}", method+" "+path+" HTTP/1.1",
		"${STATUS}", fmt.Sprint(status),
		"${BYTES}", bytes,
		"${UA}", ua,
	).Replace(site.AccessLog)
	off := now.Sub(p.start)
	if off < 0 {
		off = 0
	}
	p.Logs = append(p.Logs, LogLine{Offset: off, Stream: Stdout, Text: line})
}

// scriptable: runtime/shell runs argv as the main process. It does for a
// shell or one of the shell's commands in an image with a userland, with
// stdin closed (a container kept open for attach waits on its terminal, as
// the catalog models), unless the script names one of the image's servers
// (`… && nginx -g 'daemon off;'`): that process becomes the server the
// catalog models.
func (p *Process) scriptable(argv []string) bool {
	if p.img.Userland() == "" {
		return false
	}
	base := argv[0][strings.LastIndexByte(argv[0], '/')+1:]
	if p.stdin && base == "curl" {
		// kubectl run -i … -- curl URL: curl does not read its stdin, and
		// only runtime/shell has curl.
		return true
	}
	if p.stdin {
		return false
	}
	if base == "python" || base == "python3" {
		return false
	}
	for _, a := range argv {
		for _, w := range strings.FieldsFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '/' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) {
			w = w[strings.LastIndexByte(w, '/')+1:]
			if prog, ok := p.img.spec.Binaries[w]; ok && (prog.Kind == progServer || prog.Kind == progEntrypoint) {
				return false
			}
		}
	}
	return true
}
