package kubectl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/klog/v2"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

// Server is the address kubeconfig names for the in-memory cluster. Nothing
// listens there: the transport hands requests to the handler.
const Server = "http://kubesim.invalid"

// Runner runs kubectl commands against one cluster.
type Runner struct {
	handler    http.Handler
	dir        string
	kubeconfig string
	refuse     func() bool // refuse.go
}

// New returns a Runner for handler; dir holds its kubeconfig and discovery
// cache (a temporary directory in tests).
func New(handler http.Handler, dir string) (*Runner, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	kc := filepath.Join(dir, "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- cluster:
    server: %s
  name: kubesim
contexts:
- context:
    cluster: kubesim
    user: kubesim
    namespace: default
  name: kubesim
current-context: kubesim
users:
- name: kubesim
  user: {}
`, Server)
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	return &Runner{handler: handler, dir: dir, kubeconfig: kc}, nil
}

// NewRemote returns a Runner that talks to a real server through the given
// kubeconfig (empty: kubectl's own rules, $KUBECONFIG or ~/.kube/config).
func NewRemote(kubeconfig, cacheDir string) *Runner {
	return &Runner{kubeconfig: kubeconfig, dir: cacheDir}
}

// Kubeconfig returns the path of the runner's kubeconfig.
func (r *Runner) Kubeconfig() string { return r.kubeconfig }

var mu sync.Mutex

// stdinToFile replaces a "-" filename argument with a temporary file holding stdin.
func stdinToFile(args []string, stdin io.Reader, dir string) ([]string, func(), error) {
	idx, prefix := -1, ""
	for i, a := range args {
		switch {
		case a == "-" && i > 0 && (args[i-1] == "-f" || args[i-1] == "--filename"):
			idx = i
		case a == "--filename=-" || a == "-f=-":
			idx, prefix = i, strings.TrimSuffix(a, "-")
		case a == "-f-":
			idx, prefix = i, "-f"
		}
	}
	if idx < 0 {
		return args, func() {}, nil
	}
	if dir == "" {
		dir = os.TempDir()
	}
	// A remote runner's folder (the state dir's kubectl/) exists only once
	// kubectl has written its cache there: a script's first command may be
	// `kubectl apply -f -`.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	f, err := os.CreateTemp(dir, "stdin-*.yaml")
	if err != nil {
		return nil, nil, err
	}
	if _, err := io.Copy(f, stdin); err != nil {
		f.Close()
		return nil, nil, err
	}
	f.Close()
	out := append([]string(nil), args...)
	out[idx] = prefix + f.Name()
	return out, func() { os.Remove(f.Name()) }, nil
}

type exitCode int

// Run runs `kubectl args...` and returns its exit code.
func (r *Runner) Run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	mu.Lock()
	defer mu.Unlock()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	// kubectl reads "-f -" from the process's os.Stdin, not from its
	// IOStreams: hand it the input as a file instead.
	args, cleanup, err := stdinToFile(args, stdin, r.dir)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	defer cleanup()
	// klog (client-go's reflector warnings during wait, get -w) writes
	// to this run's stderr, as a kubectl process's would.
	klog.LogToStderr(false)
	klog.SetOutput(stderr)
	defer func() { klog.SetOutput(os.Stderr); klog.LogToStderr(true) }()
	flags := genericclioptions.NewConfigFlags(true).WithDeprecatedPasswordFlag().WithDiscoveryBurst(300).WithDiscoveryQPS(50.0)
	if r.kubeconfig != "" {
		kc := r.kubeconfig
		flags.KubeConfig = &kc
	}
	if r.dir != "" {
		cache := filepath.Join(r.dir, "cache")
		flags.CacheDir = &cache
	}
	flags.WithWrapConfigFn(func(c *rest.Config) *rest.Config {
		// The program is kubectl whatever the binary is called: the API
		// server names a write's field manager after it (kubectl scale
		// is recorded as "kubectl").
		c.UserAgent = userAgent
		if h := r.handler; h != nil {
			c.Transport = &Transport{Handler: h, Refuse: r.refuse}
			c.TLSClientConfig = rest.TLSClientConfig{}
			c.BearerToken, c.BearerTokenFile = "", ""
		}
		return c
	})
	streams := genericiooptions.IOStreams{In: stdin, Out: stdout, ErrOut: stderr}
	cmd := kubectlcmd.NewDefaultKubectlCommandWithArgs(kubectlcmd.KubectlOptions{
		Arguments:   append([]string{"kubectl"}, args...),
		ConfigFlags: flags,
		IOStreams:   streams,
	})
	canIExits(cmd, flags, streams)
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmdutil.BehaviorOnFatal(func(msg string, c int) {
		if msg != "" {
			if !strings.HasSuffix(msg, "\n") {
				msg += "\n"
			}
			io.WriteString(stderr, msg)
		}
		panic(exitCode(c))
	})
	defer cmdutil.DefaultBehaviorOnFatal()
	defer func() {
		if p := recover(); p != nil {
			if c, ok := p.(exitCode); ok {
				code = int(c)
				return
			}
			panic(p)
		}
	}()
	// What component-base/cli.RunNoErrOutput does for kubectl's main.
	cmd.SetGlobalNormalizationFunc(cliflag.WordSepNormalizeFunc)
	cmd.SilenceErrors = true
	if err := cmd.Execute(); err != nil {
		cmdutil.CheckErr(err)
	}
	return 0
}

// Transport is an http.RoundTripper that serves requests with an
// http.Handler in memory, streaming the response as the handler writes it.
type Transport struct {
	Handler http.Handler
	// Refuse, when set and true, refuses the connection (refuse.go).
	Refuse func() bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Refuse != nil && t.Refuse() {
		return nil, refused()
	}
	ctx, cancel := context.WithCancel(req.Context())
	pr, pw := io.Pipe()
	w := &pipeResponse{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	sreq := req.Clone(ctx)
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	go func() {
		defer func() {
			if p := recover(); p != nil {
				pw.CloseWithError(fmt.Errorf("handler panic: %v", p))
			}
			w.WriteHeader(http.StatusOK)
			pw.Close()
		}()
		t.Handler.ServeHTTP(w, sreq)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		cancel()
		pr.Close()
		return nil, req.Context().Err()
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", w.code, http.StatusText(w.code)), StatusCode: w.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: &cancelBody{ReadCloser: pr, cancel: cancel}, Request: req, ContentLength: -1,
	}, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	b.cancel()
	return b.ReadCloser.Close()
}

// pipeResponse is an http.ResponseWriter writing into a pipe.
type pipeResponse struct {
	header http.Header
	pw     *io.PipeWriter
	code   int
	once   sync.Once
	ready  chan struct{}
}

func (w *pipeResponse) Header() http.Header { return w.header }

func (w *pipeResponse) WriteHeader(code int) {
	w.once.Do(func() {
		w.code = code
		w.header = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	n, err := w.pw.Write(p)
	if errors.Is(err, io.ErrClosedPipe) {
		return n, err
	}
	return n, err
}

func (w *pipeResponse) Flush() {}

// userAgent is client-go's default user agent with kubectl as the program
// (rest.DefaultKubernetesUserAgent names os.Args[0]).
var userAgent = func() string {
	ua := rest.DefaultKubernetesUserAgent()
	if i := strings.Index(ua, "/"); i >= 0 {
		return "kubectl" + ua[i:]
	}
	return "kubectl"
}()
