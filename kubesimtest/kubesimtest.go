package kubesimtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"kubesim/internal/kubectl"
	"kubesim/internal/practice"
	"kubesim/internal/verbs"
	"kubesim/scenarios"
	"kubesim/scenarios/killercoda"
	"kubesim/scenarios/transcript"
	"kubesim/server"
	"kubesim/sim"
)

// Clock says how a started cluster's virtual clock moves.
type Clock int

const (
	// Live: the clock follows the wall clock, as under `kubesim start`;
	// Advance jumps it ahead. Pods start in the seconds their runtime
	// chain models.
	Live Clock = iota
	// Manual: the clock stands still and moves only by Advance, so what
	// the cluster does between two calls depends on nothing but the
	// calls. A watch with nothing to send waits (for an event, Advance or
	// the client), as on a real cluster.
	Manual
)

// Options configure Start. The zero value is the lecture cluster (three
// nodes, Kubernetes v1.27.1, containerd, flannel) on a live clock.
type Options struct {
	// Spec is the cluster to build; nil: sim.DefaultClusterSpec().
	Spec *sim.ClusterSpec
	// KubernetesVersion, if set, overrides the spec's version (v1.32.0).
	KubernetesVersion string
	// Clock: Live (default) or Manual.
	Clock Clock
	// Binary is a kubesim executable, for Scenario's bash scripts (their
	// kubectl, curl and vagrant). Empty: $KUBESIM_BINARY, else built from
	// this module's source with `go build` on first use.
	Binary string
	// Kubeconfig, if set, starts nothing: the Cluster is the existing
	// cluster that kubeconfig's current context names (a kind, kubeadm or
	// cloud cluster, or another kubesim). What only a simulation can do
	// (Advance, node directives, Sim) fails the test there with a message
	// that says so. $KUBESIMTEST_KUBECONFIG sets it for every Start.
	Kubeconfig string
}

// Cluster is a running cluster for one test.
type Cluster struct {
	// Config reaches the API server (HTTPS on loopback, a bearer token);
	// Client is a clientset on it.
	Config *rest.Config
	Client *kubernetes.Clientset
	// Kubeconfig is a file naming the cluster as its current context, for
	// tools (kubectl, helm, k9s, controller-runtime's loaders).
	Kubeconfig string

	t               reporter
	opts            Options
	dir             string
	served          *server.Served // nil once stopped
	existingCluster bool
	own             bool // made by New: Stop removes dir
	kubectl         *kubectl.Runner
	envOnce         sync.Once
	env             *practice.Env
	cleanups        []func()
	remoteN         int
}

// Start builds a cluster in t.TempDir(), serves it on a loopback port and
// returns when the nodes are Ready and the system pods Running (the boot
// is played out on the virtual clock). t.Cleanup stops it. The Cluster's
// methods fail t when something goes wrong.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := start(t, t.TempDir(), opts)
	if err != nil {
		t.Fatalf("kubesimtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("kubesimtest: stop: %v", err)
		}
	})
	return c
}

// New starts a cluster outside a test, to share one between a package's
// tests (from TestMain, as envtest's Environment.Start is used); Stop
// removes it. Outside a test the Cluster's methods panic with the message
// a test would have failed with.
func New(opts Options) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "kubesimtest-")
	if err != nil {
		return nil, err
	}
	c, err := start(panicReporter{}, dir, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.own = true
	return c, nil
}

// Stop stops a cluster from New and removes its files.
func (c *Cluster) Stop() error {
	err := c.stop()
	if c.own {
		if rerr := os.RemoveAll(c.dir); err == nil {
			err = rerr
		}
	}
	return err
}

func (c *Cluster) stop() error {
	for _, f := range c.cleanups {
		f()
	}
	c.cleanups = nil
	if c.served == nil {
		return nil
	}
	err := c.served.Close()
	c.served = nil
	return err
}

func start(t reporter, dir string, opts Options) (*Cluster, error) {
	if opts.Kubeconfig == "" {
		opts.Kubeconfig = os.Getenv("KUBESIMTEST_KUBECONFIG")
	}
	c := &Cluster{t: t, opts: opts, dir: dir, existingCluster: opts.Kubeconfig != ""}
	if c.existingCluster {
		return c, c.existing()
	}
	spec := sim.DefaultClusterSpec()
	if opts.Spec != nil {
		spec = *opts.Spec
	}
	if opts.KubernetesVersion != "" {
		spec.KubernetesVersion = opts.KubernetesVersion
	}
	s, err := server.Start(server.Config{Spec: spec, StateDir: filepath.Join(c.dir, "state"), Addr: "127.0.0.1:0", Verbs: verbs.Run, Wait: true})
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	c.served = s
	if opts.Clock == Manual {
		s.Freeze()
	}
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := server.WriteContext(c.Kubeconfig, "kubesim", s.Addr, s.Creds); err != nil {
		s.Close()
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	c.Config = &rest.Config{
		Host:            "https://" + s.Addr,
		BearerToken:     s.Creds.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: s.Creds.CAPEM},
		QPS:             1000,
		Burst:           2000,
	}
	if err := c.finish(); err != nil {
		s.Close()
		return nil, err
	}
	return c, nil
}

// reporter is where a Cluster's methods report: the test of Start, or
// panicReporter for New.
type reporter interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Skipf(format string, args ...any)
	Context() context.Context
}

// panicReporter reports outside a test: a failure panics, a skip too.
type panicReporter struct{}

func (panicReporter) Helper()                           {}
func (panicReporter) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (panicReporter) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (panicReporter) Skipf(format string, args ...any)  { panic(fmt.Sprintf(format, args...)) }
func (panicReporter) Context() context.Context          { return context.Background() }

// finish builds the clientset and the kubectl runner on Config.
func (c *Cluster) finish() error {
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return fmt.Errorf("clientset: %w", err)
	}
	c.Client = cs
	c.kubectl = kubectl.NewRemote(c.Kubeconfig, filepath.Join(c.dir, "kubectl"))
	return nil
}

// Sim is the simulated cluster itself (its clock, store, nodes), for what
// the API does not show. It fails the test on an existing cluster.
func (c *Cluster) Sim() *sim.Cluster {
	c.t.Helper()
	c.simulationOnly("Sim")
	return c.served.Cluster
}

// simulationOnly fails the test when the cluster is an existing one.
func (c *Cluster) simulationOnly(what string) {
	c.t.Helper()
	if c.existingCluster {
		c.t.Fatalf("kubesimtest: %s needs a simulated cluster; %s is an existing cluster (Options.Kubeconfig), whose clock and machines kubesim does not drive", what, c.opts.Kubeconfig)
	}
}

// Advance moves the cluster's clock forward by d, running everything that
// falls due on the way (pods start, probes run, Jobs finish, CronJobs
// fire), and returns when the cluster has settled at the new time.
func (c *Cluster) Advance(d time.Duration) {
	c.t.Helper()
	c.simulationOnly("Advance")
	c.served.Advance(d)
}

// Kubectl runs the kubectl built into kubesim against the cluster and
// returns what it printed and its exit code.
func (c *Cluster) Kubectl(args ...string) (stdout, stderr string, code int) {
	return c.kubectlIn("", args...)
}

func (c *Cluster) kubectlIn(stdin string, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := c.kubectl.Run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

// Apply applies manifests (YAML or JSON, several documents allowed) as
// `kubectl apply -f -` does, and fails the test if kubectl fails. It
// returns what kubectl printed (deployment.apps/web created).
func (c *Cluster) Apply(manifests string) string {
	c.t.Helper()
	out, errOut, code := c.kubectlIn(manifests, "apply", "-f", "-")
	if code != 0 {
		c.t.Fatalf("kubesimtest: kubectl apply: exit %d\n%s%s", code, out, errOut)
	}
	return out
}

// Replay replays a transcript file (the format of scenarios/doc.go:
// `$ command` lines with their expected output, `# advance 30s`
// directives) against the cluster and fails the test at the first output
// that differs, with a diff. Outputs are compared byte for byte, so a
// transcript replays exactly on a cluster in the state it was recorded
// from: a Manual clock keeps ages fixed. On an existing cluster, advance
// and node directives fail the test.
func (c *Cluster) Replay(path string) {
	c.t.Helper()
	tr, err := transcript.ParseFile(path)
	if err != nil {
		c.t.Fatalf("kubesimtest: %v", err)
	}
	var out bytes.Buffer
	if err := transcript.Replay(c.t.Context(), tr, c.scenarioEnv(false), &out); err != nil {
		c.t.Fatalf("kubesimtest: replay %s:\n%s\n%v", path, out.String(), err)
	}
}

// Scenario runs a killercoda scenario folder in test mode (as `kubesim
// scenario test DIR`): each step's verify must fail before its commands
// and pass after them. Its scripts run in bash with kubectl, curl and
// vagrant from the test binary (Main) or a kubesim binary (Options.Binary).
func (c *Cluster) Scenario(dir string) {
	c.t.Helper()
	sc, err := killercoda.LoadDir(dir)
	if err != nil {
		c.t.Fatalf("kubesimtest: %v", err)
	}
	env := c.scenarioEnv(true)
	var out bytes.Buffer
	cfg := killercoda.TestConfig{WorkDir: filepath.Join(c.dir, "work-"+filepath.Base(dir))}
	if c.existingCluster {
		cfg.ClockRate = -1 // a real cluster moves by itself
	}
	res, err := killercoda.Test(c.t.Context(), sc, env, &out, cfg)
	if err != nil {
		c.t.Fatalf("kubesimtest: scenario %s: %v\n%s", dir, err, out.String())
	}
	if !res.OK() {
		c.t.Errorf("kubesimtest: scenario %s failed:\n%s", dir, out.String())
	}
}

// binary finds or builds the kubesim executable the scenario shims call.
func (c *Cluster) binary() string {
	c.t.Helper()
	if c.opts.Binary != "" {
		return c.opts.Binary
	}
	if b := os.Getenv("KUBESIM_BINARY"); b != "" {
		return b
	}
	if mainInstalled {
		if self, err := os.Executable(); err == nil {
			return self
		}
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		c.t.Skipf("kubesimtest: no kubesim binary for the scenario's scripts: set Options.Binary or KUBESIM_BINARY")
	}
	root := filepath.Dir(filepath.Dir(file))
	bin := filepath.Join(c.dir, "bin", "kubesim")
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kubesim")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Skipf("kubesimtest: the scenario's scripts need a kubesim binary and `go build ./cmd/kubesim` in %s failed (%v); set Options.Binary or KUBESIM_BINARY\n%s", root, err, out)
	}
	return bin
}

// scenarioEnv is the scenarios.Env of Replay and Scenario: the practice
// prompt's commands, its kubectl through the cluster's HTTPS endpoint (what
// clients see, after the clock's shift), its advance through the served
// clock.
func (c *Cluster) scenarioEnv(settle bool) scenarios.Env {
	c.envOnce.Do(func() {
		if c.existingCluster {
			return
		}
		env, err := practice.New(c.served.Cluster, filepath.Join(c.dir, "env"), "")
		if err != nil {
			c.t.Fatalf("kubesimtest: %v", err)
		}
		env.Kubectl = c.kubectl
		c.env = env
		c.cleanups = append(c.cleanups, func() { env.Close() })
	})
	if c.existingCluster {
		return c.remoteEnv(settle)
	}
	return &simEnv{Env: c.env, c: c}
}

// simEnv routes a scenario's advances through the served clock, so that
// the live driver's offset and the cluster agree.
type simEnv struct {
	*practice.Env
	c *Cluster
}

func (e *simEnv) Advance(d time.Duration) error {
	e.c.served.Advance(d)
	return nil
}

func (e *simEnv) ScriptEnv() []string {
	if e.Env.Binary == "" {
		e.Env.Binary = e.c.binary()
	}
	return e.Env.ScriptEnv()
}

// ScenarioSpec is the cluster a killercoda scenario folder asks for (its
// backend image: nodes, Kubernetes version, and the date its image tags
// stand for), as `kubesim scenario test` builds it.
func ScenarioSpec(dir string) (sim.ClusterSpec, error) {
	sc, err := killercoda.LoadDir(dir)
	if err != nil {
		return sim.ClusterSpec{}, err
	}
	return practice.SpecFor(sc.Topology), nil
}
