package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/runtime/shell"
	"kubesim/sim/authz"
	"kubesim/sim/clock"
	"kubesim/sim/registry"
	"kubesim/sim/satoken"
)

// Driver is how request handling cooperates with the cluster's loop.
type Driver interface {
	// Do runs fn with exclusive access to the cluster (registry, clock,
	// random source), then lets the cluster react to what fn wrote and makes
	// it durable before returning: the reply follows the group commit.
	Do(fn func())
	// Read runs fn, which reads only the registry's committed view
	// (Registry.Committed), without exclusive access: reads never wait for
	// writers. A live driver first lets the cluster catch up with the wall
	// clock if work is due, as Do would.
	Read(fn func())
	// Wait is called by a watch that has nothing to send. It returns when
	// ready may have fired, reporting false when the watch should end: the
	// client left (ctx), or nothing can happen before the watch's virtual
	// deadline. A stepped driver advances virtual time to the next timer
	// instead of blocking.
	Wait(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool
}

// Hooks are the node-side services the API server fronts (the kubelet's
// log and exec endpoints). Nil hooks answer 404 as a node without them would.
type Hooks struct {
	// Logs returns a container's log lines.
	Logs func(ns, pod string, opts LogOptions) ([]byte, error)
	// Exec runs a command in a container.
	Exec func(ns, pod, container string, cmd []string) (stdout, stderr string, code int, err error)
	// ExecStream prepares an interactive exec in a running container with
	// the given streams (stdin an *shell.Input or nil); the server drives
	// the process. An *ExecNotFound error: the command is not in the
	// image. Called inside Driver.Do.
	ExecStream func(ns, pod, container string, cmd []string, o StreamOptions, stdin io.Reader, stdout, stderr io.Writer) (*shell.Process, error)
	// PortForward connects to a port inside a pod's network namespace;
	// the error's text goes to the client's error stream. Called inside
	// Driver.Do.
	PortForward func(ns, pod string, port int32) (PortConn, error)
	// Attach connects out to a container's main process (pods/attach).
	// Called inside Driver.Do.
	Attach func(ns, pod, container string, out io.Writer) (*Attachment, error)
	// Metrics is metrics-server's last scrape (metrics.go); nil: the
	// metrics.k8s.io API is not served. Called inside Driver.Do.
	Metrics func() ([]metricsv1beta1.NodeMetrics, []metricsv1beta1.PodMetrics)
}

// Attachment is a client's attach to a container's main process.
type Attachment struct {
	Proc      *shell.Process
	Stdin     *shell.Input // the container's stdin; nil: none
	StdinOnce bool         // the client's end of input closes it
	Detach    func()       // disconnects the client's output
	Exited    func(code int)
}

// ExecNotFound is an exec of a command the container does not have; Msg is
// runc's message.
type ExecNotFound struct{ Msg string }

func (e *ExecNotFound) Error() string { return e.Msg }

// LogOptions are the pods/log query parameters kubesim honours.
type LogOptions struct {
	Container  string
	Previous   bool
	Timestamps bool
	TailLines  *int64
}

// Config configures a Server.
type Config struct {
	Registry *registry.Registry
	Clock    clock.Clock
	Driver   Driver
	// Version is the Kubernetes version the server reports (e.g. "v1.27.1").
	Version string
	Hooks   Hooks
	// Platform goes into /version (e.g. "linux/amd64").
	Platform string
	// Live: the cluster follows a wall clock (Driver.Wait blocks until a
	// virtual deadline); interactive sessions sleep on it. Otherwise they
	// never wait (see runSession).
	Live bool
	// Admin is the user of a request that carries none (WithUser):
	// AdminUser(Version) when nil.
	Admin *authz.User
	// Tokens signs the TokenRequest API's tokens; nil: serviceaccounts/token
	// answers 404.
	Tokens *satoken.Signer
}

// Server is the API server's http.Handler.
type Server struct {
	cfg     Config
	openapi http.Handler
	authz   *authz.Authorizer
	admin   *authz.User
}

// New returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Registry == nil || cfg.Clock == nil || cfg.Driver == nil {
		return nil, errors.New("apiserver: Config needs Registry, Clock and Driver")
	}
	if cfg.Version == "" {
		return nil, errors.New("apiserver: Config.Version is empty")
	}
	if cfg.Platform == "" {
		cfg.Platform = "linux/amd64"
	}
	admin := cfg.Admin
	if admin == nil {
		admin = AdminUser(cfg.Version)
	}
	return &Server{cfg: cfg, openapi: newOpenAPI(cfg), authz: authz.New(cfg.Registry), admin: admin}, nil
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			writeError(w, apierrors.NewInternalError(fmt.Errorf("%v", p)))
		}
	}()
	path := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case path == "/version":
		s.serveVersion(w)
	case path == "/healthz" || path == "/readyz" || path == "/livez":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		io.WriteString(w, "ok")
	case path == "/openapi/v2" || path == "/openapi/v3" || strings.HasPrefix(path, "/openapi/v3/"):
		s.openapi.ServeHTTP(w, req)
	case path == "/api" || path == "/apis":
		s.serveDiscovery(w, req, path == "/api")
	case strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/apis/"):
		s.serveAPI(w, req, path)
	default:
		writeError(w, notFoundPath())
	}
}

func notFoundPath() error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusNotFound, Reason: metav1.StatusReasonNotFound,
		Message: "the server could not find the requested resource",
		Details: &metav1.StatusDetails{},
	}}
}

func (s *Server) serveVersion(w http.ResponseWriter) {
	gitVersion := s.serverVersion()
	v := strings.TrimPrefix(gitVersion, "v")
	parts := strings.SplitN(v, ".", 3)
	major, minor := parts[0], ""
	if len(parts) > 1 {
		minor = parts[1]
	}
	info := map[string]string{
		"major": major, "minor": minor, "gitVersion": gitVersion,
		"gitCommit": "kubesim", "gitTreeState": "clean", "buildDate": "2023-04-14T13:14:42Z",
		"goVersion": "go1.20.3", "compiler": "gc", "platform": s.cfg.Platform,
	}
	order := []string{"major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"}
	var b strings.Builder
	b.WriteString("{\n")
	for i, k := range order {
		fmt.Fprintf(&b, "  %q: %q", k, info[k])
		if i < len(order)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, b.String())
}

// writeError writes err as a Status object with its HTTP code.
func writeError(w http.ResponseWriter, err error) {
	var status metav1.Status
	var apiStatus apierrors.APIStatus
	if errors.As(err, &apiStatus) {
		status = apiStatus.Status()
	} else {
		status = apierrors.NewInternalError(err).Status()
	}
	status.Kind, status.APIVersion = "Status", "v1"
	if status.Status == "" {
		status.Status = metav1.StatusFailure
	}
	code := int(status.Code)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	// A status that suggests a retry period says so in Retry-After, which
	// client-go honours (responsewriters.ErrorNegotiated).
	if status.Details != nil && status.Details.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(status.Details.RetryAfterSeconds)))
	}
	body, _ := json.Marshal(&status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(body, '\n'))
}

// writeObject writes a typed object as JSON.
func writeObject(w http.ResponseWriter, code int, obj runtime.Object) {
	if obj.GetObjectKind().GroupVersionKind().Empty() {
		registry.SetGVK(obj)
	}
	body, err := encodeJSON(obj)
	if err != nil {
		writeError(w, apierrors.NewInternalError(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}

// request is a parsed resource request.
type request struct {
	gv        schema.GroupVersion
	res       *registry.Resource
	namespace string
	name      string
	sub       string
	user      *authz.User // after impersonation
	// nsSub is set when the request is for a namespace's own subresource.
}

// parsePath splits /api/v1/... and /apis/<g>/<v>/... paths.
func parsePath(path string) (gv schema.GroupVersion, segs []string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case parts[0] == "api" && len(parts) >= 2:
		return schema.GroupVersion{Version: parts[1]}, parts[2:], true
	case parts[0] == "apis" && len(parts) >= 3:
		return schema.GroupVersion{Group: parts[1], Version: parts[2]}, parts[3:], true
	case parts[0] == "apis" && len(parts) == 2:
		return schema.GroupVersion{Group: parts[1]}, nil, true
	}
	return gv, nil, false
}

func (s *Server) serveAPI(w http.ResponseWriter, req *http.Request, path string) {
	gv, segs, ok := parsePath(path)
	if !ok {
		writeError(w, notFoundPath())
		return
	}
	if gv.Group == metricsGV.Group && s.metricsServed() {
		s.serveMetrics(w, req, gv, segs)
		return
	}
	if gv.Version == "" || len(segs) == 0 {
		s.serveGroupDiscovery(w, req, gv)
		return
	}
	var r request
	r.gv = gv
	lookupGVR := func(gv schema.GroupVersion, resource string) (*registry.Resource, bool) {
		return s.cfg.Registry.LookupGVR(gv.WithResource(resource))
	}
	if segs[0] == "namespaces" && len(segs) >= 3 {
		if res, ok := lookupGVR(gv, segs[2]); ok && res.Namespaced {
			r.namespace, r.res = segs[1], res
			segs = segs[3:]
		} else if len(segs) == 3 && gv.Group == "" {
			// /api/v1/namespaces/<name>/<sub>
			r.res, _ = lookupGVR(gv, "namespaces")
			r.name, r.sub = segs[1], segs[2]
			segs = nil
		} else {
			writeError(w, notFoundPath())
			return
		}
	} else {
		res, ok := lookupGVR(gv, segs[0])
		if !ok {
			writeError(w, notFoundPath())
			return
		}
		r.res = res
		segs = segs[1:]
	}
	if len(segs) > 0 {
		r.name = segs[0]
	}
	if len(segs) > 1 {
		r.sub = segs[1]
	}
	if len(segs) > 2 {
		writeError(w, notFoundPath())
		return
	}
	if r.sub != "" && !hasSub(r.res, r.sub) {
		writeError(w, notFoundPath())
		return
	}
	if !s.authorize(w, req, &r) {
		return
	}
	if r.res.Alias {
		s.serveAlias(w, req, &r)
		return
	}
	s.serveResource(w, req, &r)
}

func hasSub(res *registry.Resource, sub string) bool {
	for _, s := range res.Subs {
		if s.Name == sub {
			return true
		}
	}
	return false
}

func methodNotSupported(r *request, verb string) error {
	return apierrors.NewMethodNotSupported(r.res.GR(), verb)
}

func encodeTo(w io.Writer, v any) {
	json.NewEncoder(w).Encode(v)
}
