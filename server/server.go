package server

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kubesim/dashboard"
	"kubesim/hosts"
	"kubesim/runtime/cri"
	"kubesim/sim"
	"kubesim/sim/apiserver"
	"kubesim/sim/clock"
)

// Config configures a served cluster.
type Config struct {
	Spec sim.ClusterSpec
	// StateDir keeps store.db, credentials, the port and the pid.
	StateDir string
	// Addr to listen on; "127.0.0.1:0" picks a free loopback port.
	Addr string
	// CRISocketDir, if set, serves each node's runtime as real CRI gRPC on
	// DIR/<node>.sock, for crictl.
	CRISocketDir string
	// KeepPort marks Addr's port as the one the cluster had last time: if
	// another process holds it now, a free port is used instead (Start's
	// caller tells the user).
	KeepPort bool
	// Wall is the wall clock; nil: time.Now (tests move it).
	Wall func() time.Time
	// Repair starts a cluster whose state has objects that cannot be
	// decoded, without them (Served.Skipped names them).
	Repair bool
	// Verbs runs the CLI's own verbs (curl, node, vagrant, explain) that
	// arrive on /kubesim/<verb>; nil answers every such verb as unknown.
	Verbs Verbs
	// Wait plays a new cluster's boot out on its clock before Start
	// returns (kubesim start; --wait=false clears it): the clock starts
	// bootLead before the wall clock, and the nodes are Ready and the
	// system pods Running when the API is served.
	Wait bool
}

// Verbs runs one of the CLI's verbs against the served cluster and returns
// its exit code. The CLI supplies it (internal/verbs): the server only
// carries the request to the cluster and the answer back.
type Verbs func(ctx context.Context, c *sim.Cluster, verb string, args []string, stdout, stderr io.Writer) int

// Served is a running cluster behind HTTPS.
type Served struct {
	Cluster *sim.Cluster
	Creds   *Credentials
	Addr    string
	// clientCAs verify client certificates (the cluster CA).
	clientCAs *x509.CertPool
	srv       *http.Server
	stop      chan struct{}
	wake      chan struct{}
	done      sync.WaitGroup
	live      bool
	verbs     Verbs
	criStop   []func() error
	dir       string
	wall      func() time.Time
	// offset is how far the virtual clock runs ahead of the wall clock
	// (kubesim advance); nanoseconds, read atomically.
	offset atomic.Int64
	// frozen, when non-zero, is the virtual time (unix ns) the clock is
	// held at (kubesim clock freeze): replays through a served cluster then
	// see exactly the time their advances add.
	frozen atomic.Int64
	// health is the loop watchdog (live mode): see loopHealth.
	health loopWatch
	// page is the scenario page the dashboard shows (SetPage).
	page atomic.Pointer[dashboard.PageSource]
	// lead, if set, is how far a served stepped cluster's clock runs ahead
	// of the wall clock (ShiftBy).
	lead atomic.Pointer[func() time.Duration]
	// gate opens and closes the API port (apigate.go).
	gate apiGate
}

// stallAfter is how long the loop's progress count may stand still before
// /livez and /readyz fail: the live loop steps at least once a second, so
// a count that has not moved for this long is a wedged loop (a held lock,
// a component that never returns), not a busy one.
const stallAfter = 15 * time.Second

// loopWatch tracks the cluster's progress count in real time (allowed
// here, in the live shell; never in the core).
type loopWatch struct {
	mu     sync.Mutex
	seen   uint64
	at     time.Time
	failed string // the last step's panic, "" if it returned normally
}

// observe records the progress count now.
func (s *Served) observe() {
	n := s.Cluster.Progress()
	s.health.mu.Lock()
	if n != s.health.seen || s.health.at.IsZero() {
		s.health.seen, s.health.at = n, time.Now()
	}
	s.health.mu.Unlock()
}

// loopHealth reports why the live loop is unhealthy, or "".
func (s *Served) loopHealth() string {
	if !s.live {
		return ""
	}
	s.observe()
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.failed != "" {
		return s.health.failed
	}
	if d := time.Since(s.health.at); d > stallAfter {
		return fmt.Sprintf("the cluster loop has not advanced for %s", d.Round(time.Second))
	}
	return ""
}

// step runs one step of the live loop, containing a panic that escaped the
// cluster's own containment (a failed commit, a settle that never ends):
// it is logged and reported by the health endpoints until a step succeeds.
func (s *Served) step() {
	defer func() {
		v := recover()
		msg := ""
		if v != nil {
			msg = fmt.Sprintf("the cluster loop panicked: %v", v)
			fmt.Fprintf(os.Stderr, "kubesim: %s\n%s\n", msg, debug.Stack())
		}
		s.health.mu.Lock()
		s.health.failed = msg
		s.health.mu.Unlock()
	}()
	hosts.Quiet(s.Cluster, func() { s.Cluster.AdvanceTo(s.Now()) })
	s.observe()
}

// Now is the live virtual clock: wall time plus the advance offset, in
// whole seconds — Kubernetes timestamps have second resolution, and whole
// seconds make ages independent of when within a second a command ran.
func (s *Served) Now() time.Time {
	if f := s.frozen.Load(); f != 0 {
		return time.Unix(0, f).UTC()
	}
	return s.wallNow().UTC().Add(time.Duration(s.offset.Load())).Truncate(time.Second)
}

// wallNow reads the wall clock (Config.Wall, else time.Now).
func (s *Served) wallNow() time.Time {
	if s.wall == nil {
		return time.Now()
	}
	return s.wall()
}

// Advance jumps the live clock forward by d (kubesim advance): hours of
// cluster time at once, as in stepped mode.
func (s *Served) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	if f := s.frozen.Load(); f != 0 {
		s.frozen.Store(f + int64(d))
	} else {
		s.offset.Add(int64(d))
	}
	s.Cluster.AdvanceTo(s.Now())
}

// Start opens (or resumes) the cluster in cfg.StateDir in live mode and
// serves it. Close stops it.
func Start(cfg Config) (*Served, error) {
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	s := &Served{stop: make(chan struct{}), wake: make(chan struct{}, 1), live: true, dir: cfg.StateDir, wall: cfg.Wall, verbs: cfg.Verbs}
	if err := checkStateFiles(cfg.StateDir); err != nil {
		return nil, err
	}
	resumeAt, err := readStoppedAt(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	start := s.Now()
	boot := cfg.Wait && isNew(cfg.StateDir)
	if boot {
		start = start.Add(-bootLead)
	}
	c, err := sim.New(cfg.Spec, sim.Options{
		Dir:      cfg.StateDir,
		Start:    start,
		ResumeAt: resumeAt,
		Now:      s.Now,
		Wait:     s.wait,
		OnWrite:  s.poke,
		Repair:   cfg.Repair,
		// A kubelet stopped on a host before the stop stays stopped.
		KubeletStopped: hosts.KubeletStopped(cfg.StateDir),
	})
	if err != nil {
		return nil, explainOpenError(cfg.StateDir, err)
	}
	// A resumed cluster goes on from the time it stopped at (ahead of the
	// wall clock after kubesim advance, behind it after a stop): its clock
	// follows the wall clock from there.
	s.offset.Store(int64(c.Clock.Now().Sub(s.wallNow().UTC())))
	if boot {
		s.offset.Store(0)
		s.playBoot(c)
		// Past the wall clock only if the boot took longer than bootLead.
		if ahead := c.Clock.Now().Sub(s.Now()); ahead > 0 {
			s.offset.Add(int64(ahead))
		}
	}
	c.AdvanceTo(s.Now())
	if err := s.serve(c, cfg.StateDir, cfg.Addr, cfg.KeepPort); err != nil {
		c.Close()
		return nil, err
	}
	// The hosts come back at once (their files, for hostPath volumes); a
	// damaged hosts file does not keep the cluster from starting: every
	// shell on a host reports it.
	if err := hosts.Resume(c); err != nil {
		fmt.Fprintln(os.Stderr, "kubesim:", err)
	}
	if c.Spec.Bare {
		// Bare machines are there from the start, and with them the
		// API's gate: closed until kubeadm init runs the API server.
		hosts.For(c)
		s.syncAPI()
	}
	if cfg.CRISocketDir != "" {
		if err := os.MkdirAll(cfg.CRISocketDir, 0o755); err != nil {
			s.Close()
			return nil, err
		}
		for _, name := range c.Nodes() {
			stop, err := cri.Serve(filepath.Join(cfg.CRISocketDir, name+".sock"), c.Node(name).Runtime())
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("CRI socket for %s: %w", name, err)
			}
			s.criStop = append(s.criStop, stop)
		}
	}
	return s, nil
}

// Serve puts an existing cluster (stepped or live) behind HTTPS on
// loopback, with credentials kept in dir, running the CLI's verbs through
// verbs. Closing the result does not close the cluster.
func Serve(c *sim.Cluster, dir string, verbs Verbs) (*Served, error) {
	s := &Served{stop: make(chan struct{}), wake: make(chan struct{}, 1), verbs: verbs}
	if err := s.serve(c, dir, "", false); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Served) serve(c *sim.Cluster, dir, addr string, keepPort bool) error {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	creds, err := loadOrCreateCredentials(dir)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	s.Creds, s.Cluster = creds, c
	cert, err := tls.X509KeyPair(creds.CertPEM, creds.KeyPEM)
	if err != nil {
		return err
	}
	if err := s.trustClientCA(c, creds); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && keepPort {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return err
	}
	api, err := apiserver.ForCluster(c)
	if err != nil {
		ln.Close()
		return err
	}
	s.Addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("/kubesim/", s.internal())
	mux.Handle(DashboardPath, s.dashboardHandler(s.shifted(api)))
	mux.Handle("/", s.wallWatchTimeouts(s.shifted(api)))
	s.srv = &http.Server{Handler: s.auth(mux), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, ClientAuth: tls.RequestClientCert},
		ConnState: s.trackConn}
	s.serveAPI(ln)
	s.serveControl(dir, s.srv.Handler) // apigate.go
	if s.live {
		s.done.Add(2)
		go func() {
			defer s.done.Done()
			s.loop()
		}()
		go func() {
			defer s.done.Done()
			s.checkpointLoop()
		}()
	}
	return nil
}

// Close stops serving, commits and closes the cluster.
func (s *Served) Close() error {
	for _, stop := range s.criStop {
		stop()
	}
	close(s.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	if s.gate.ctl != nil {
		s.gate.ctl.Shutdown(ctx)
	}
	s.done.Wait()
	if !s.live {
		return nil
	}
	s.Cluster.AdvanceTo(s.Now())
	stoppedAt := s.Cluster.Clock.Now()
	if err := s.Cluster.Close(); err != nil {
		return err
	}
	return writeStoppedAt(s.dir, stoppedAt)
}

func (s *Served) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// loop is the live driver: the virtual clock follows the wall clock, and
// the cluster runs whenever a timer or periodic job is due.
func (s *Served) loop() {
	for {
		d := time.Second
		if next, ok := s.Cluster.NextWake(); ok {
			if until := next.Sub(s.Now()) + time.Second; until < d {
				d = until
			}
		}
		if d < time.Millisecond {
			d = time.Millisecond
		}
		t := time.NewTimer(d)
		select {
		case <-s.stop:
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
		s.step()
		s.syncAPI()
	}
}

// wait blocks a watch until its store watcher has events, the client goes,
// the server stops, or its deadline (virtual = wall time here) passes.
func (s *Served) wait(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool {
	d := deadline.Sub(s.Now())
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ready:
		return true
	case <-ctx.Done():
	case <-s.stop:
	case <-t.C:
	}
	return false
}

// auth requires the cluster's bearer token, as kube-apiserver's token
// authenticator does; /healthz, /readyz and /livez stay open.
func (s *Served) auth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.Creds.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/livez":
			if why := s.loopHealth(); why != "" {
				writeHealthFailure(w, strings.TrimPrefix(r.URL.Path, "/"), why)
				return
			}
			next.ServeHTTP(w, r)
			return
		case "/version":
			next.ServeHTTP(w, r)
			return
		}
		if isDashboard(r.URL.Path) {
			if s.dashboardAuth(w, r) {
				next.ServeHTTP(w, r)
			}
			return
		}
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			u, ok := s.clientCertUser(r.TLS.PeerCertificates)
			if !ok {
				writeUnauthorized(w)
				return
			}
			next.ServeHTTP(w, r.WithContext(apiserver.WithUser(r.Context(), u)))
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			if u, ok := s.serviceAccountUser(r.Header.Get("Authorization")); ok {
				next.ServeHTTP(w, r.WithContext(apiserver.WithUser(r.Context(), u)))
				return
			}
			writeUnauthorized(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeHealthFailure answers a failed health check as kube-apiserver does
// (every check listed, the failing one's reason withheld, 500), with the
// reason in the log instead.
func writeHealthFailure(w http.ResponseWriter, endpoint, why string) {
	fmt.Fprintf(os.Stderr, "kubesim: %s check failed: %s\n", endpoint, why)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "[+]ping ok\n[-]kubesim-loop failed: reason withheld\n%s check failed\n", endpoint)
}

// ControlRequest is a request to the /kubesim/ control endpoints.
type ControlRequest struct {
	Args []string `json:"args"`
}

// ControlResponse is what they answer.
type ControlResponse struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// internal carries the CLI's verbs to the cluster: advance and clock (the
// live clock, this package's own), and the rest through Served's Verbs.
func (s *Served) internal() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req ControlRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out strings.Builder
		var errOut strings.Builder
		verb := strings.TrimPrefix(r.URL.Path, "/kubesim/")
		var code int
		switch verb {
		case "advance":
			code = s.advanceVerb(req.Args, &errOut)
		case "clock":
			code = s.clockVerb(req.Args, &out, &errOut)
		default:
			if s.verbs == nil {
				fmt.Fprintf(&errOut, "unknown verb %q\n", verb)
				code = 2
				break
			}
			code = s.runVerb(r.Context(), verb, req.Args, &out, &errOut)
		}
		// A verb may have stopped or started the control plane's API
		// server (ssh, advance): the port follows before it answers.
		s.syncAPI()
		json.NewEncoder(w).Encode(ControlResponse{Stdout: out.String(), Stderr: errOut.String(), Code: code})
	})
}

// runVerb runs one of the CLI's verbs in the cluster's process. A verb
// that panics is a kubesim bug: its caller gets one line saying so and
// exit code 1 (net/http would drop the connection, and the CLI would print
// only "EOF"), the server's log gets the stack, and the next request is
// served as before.
func (s *Served) runVerb(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(os.Stderr, "kubesim: the %s verb panicked: %v\n%s\n", verb, v, debug.Stack())
			fmt.Fprintf(stderr, "kubesim: internal error in %s: %v (the cluster goes on; the server log has the details)\n", verb, v)
			code = 1
		}
	}()
	return s.verbs(ctx, s.Cluster, verb, args, stdout, stderr)
}

// StatePaths are the files of a served cluster.
func pidFile(dir string) string  { return filepath.Join(dir, "kubesim.pid") }
func portFile(dir string) string { return filepath.Join(dir, "port") }

// WriteRuntimeFiles records the pid and address of the serving process.
func WriteRuntimeFiles(dir string, pid int, addr string) error {
	if err := os.WriteFile(pidFile(dir), []byte(strconv.Itoa(pid)), 0o600); err != nil {
		return err
	}
	if err := writeLastPort(dir, addr); err != nil {
		return err
	}
	// Written aside and renamed: a reader (start's readiness wait, every
	// verb) never sees the file empty or half written.
	tmp := portFile(dir) + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, portFile(dir))
}

// RemoveRuntimeFiles removes them when the server exits.
func RemoveRuntimeFiles(dir string) {
	os.Remove(pidFile(dir))
	os.Remove(portFile(dir))
}

// ReadRuntime returns the pid and address of a served cluster, if running.
func ReadRuntime(dir string) (pid int, addr string, err error) {
	b, err := os.ReadFile(pidFile(dir))
	if err != nil {
		return 0, "", err
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, "", err
	}
	a, err := os.ReadFile(portFile(dir))
	if err != nil {
		return 0, "", err
	}
	addr = strings.TrimSpace(string(a))
	if addr == "" {
		return 0, "", fmt.Errorf("%s is empty", portFile(dir))
	}
	return pid, addr, nil
}

func (s *Served) advanceVerb(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kubesim advance DURATION (e.g. 2m22s, 9h, 2d12h)")
		return 2
	}
	d, err := clock.ParseDuration(args[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if !s.live {
		s.Cluster.Advance(d)
		return 0
	}
	s.Advance(d)
	return 0
}

// Freeze holds the live clock where it is (kubesim clock freeze): from
// then on it moves only by Advance.
func (s *Served) Freeze() {
	if s.frozen.Load() == 0 {
		s.frozen.Store(s.Now().UnixNano())
	}
}

// clockVerb: kubesim clock freeze|resume|show.
func (s *Served) clockVerb(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || !s.live {
		fmt.Fprintln(stderr, "usage: kubesim clock freeze|resume|show")
		return 2
	}
	switch args[0] {
	case "freeze":
		s.Freeze()
	case "resume":
		if f := s.frozen.Load(); f != 0 {
			s.offset.Store(f - s.wallNow().UTC().UnixNano())
			s.frozen.Store(0)
		}
	case "show":
	default:
		fmt.Fprintln(stderr, "usage: kubesim clock freeze|resume|show")
		return 2
	}
	fmt.Fprintln(stdout, s.Now().Format(time.RFC3339))
	return 0
}
