package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/verbs"
	"kubesim/server"
	"kubesim/sim"
	"kubesim/sim/store"
)

const clusterName = "kubesim"

// stateDir is where a served cluster keeps its files: $KUBESIM_STATE, else
// $XDG_STATE_HOME/kubesim, else ~/.local/state/kubesim.
func stateDir() string {
	if v := os.Getenv("KUBESIM_STATE"); v != "" {
		return v
	}
	if v := os.Getenv("XDG_STATE_HOME"); v != "" {
		return filepath.Join(v, "kubesim")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "kubesim")
}

type specFlags struct {
	config  string
	version string
	runtime string
	netpol  string // --network-policy
	ingress string // --ingress
	repair  bool
	ignore  []string // --ignore-preflight-errors
	bare    bool     // --bare
}

func (f *specFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.config, "config", "", "cluster spec YAML (default: the lecture cluster)")
	cmd.Flags().StringVar(&f.version, "kubernetes-version", "", "Kubernetes version the cluster runs (default v1.27.1)")
	cmd.Flags().StringVar(&f.runtime, "container-runtime", "", "containerd, cri-o, cri-dockerd or docker")
	cmd.Flags().StringVar(&f.netpol, "network-policy", "", "calico: NetworkPolicy enforced as Calico or Cilium do (the default); none: flannel alone, which enforces no NetworkPolicy")
	cmd.Flags().StringVar(&f.ingress, "ingress", "", "nginx: install ingress-nginx (IngressClass nginx, the controller on the first worker's ports 80 and 443); default none, as kubeadm")
	cmd.Flags().BoolVar(&f.bare, "bare", false, "start the lecture's machines with kubeadm, kubelet, kubectl and containerd installed but no cluster: build it with kubeadm init on m and kubeadm join on w1 and w2 (kubesim ssh), then apply flannel")
	cmd.Flags().StringSliceVar(&f.ignore, "ignore-preflight-errors", nil, "A list of checks whose errors will be shown as warnings. Example: 'NumCPU,Mem'. Value 'all' ignores errors from all checks.")
}

// checkedSpec is spec() followed by the preflight checks, whose kubeadm
// output goes to stderr (exit 1), as kubeadm init reports them.
func (f *specFlags) checkedSpec(cmd *cobra.Command) (sim.ClusterSpec, error) {
	spec, err := f.spec()
	if err != nil {
		return spec, err
	}
	ignore, err := ignoredChecks(f.ignore)
	if err != nil {
		return spec, err
	}
	if err := spec.Preflight(); err != nil {
		var pe *sim.PreflightError
		if !errors.As(err, &pe) {
			fmt.Fprintln(cmd.ErrOrStderr(), err)
			return spec, exitError{1}
		}
		// kubeadm's RunChecks: an ignored check's errors become warnings.
		var fatal []string
		for _, m := range pe.Errors {
			name, msg := checkName(m)
			if ignore["all"] || ignore[strings.ToLower(name)] {
				fmt.Fprintf(cmd.OutOrStdout(), "\t[WARNING %s]: %s\n", name, msg)
				continue
			}
			fatal = append(fatal, m)
		}
		if len(fatal) > 0 {
			fmt.Fprintln(cmd.ErrOrStderr(), &sim.PreflightError{Errors: fatal})
			return spec, exitError{1}
		}
	}
	return spec, nil
}

// ignoredChecks is kubeadm's ValidateIgnorePreflightErrors for the flag:
// names are case-insensitive, and "all" stands alone.
func ignoredChecks(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			set[n] = true
		}
	}
	if set["all"] && len(set) > 1 {
		list := make([]string, 0, len(set))
		for n := range set {
			list = append(list, n)
		}
		slices.Sort(list)
		return nil, fmt.Errorf("ignore-preflight-errors: Invalid value: %q: don't specify individual checks if 'all' is used", strings.Join(list, ","))
	}
	return set, nil
}

// checkName splits "[ERROR Name]: message" into the check's name and message.
func checkName(line string) (string, string) {
	rest, ok := strings.CutPrefix(line, "[ERROR ")
	if !ok {
		return "", line
	}
	name, msg, ok := strings.Cut(rest, "]: ")
	if !ok {
		return "", line
	}
	return name, msg
}

// resolve is the spec `kubesim start` runs: the stored cluster's when dir
// holds one (flags that contradict it are an error: a restart cannot
// change what the cluster was created with), else the flags' spec after
// the preflight checks.
func (f *specFlags) resolve(cmd *cobra.Command, dir string) (sim.ClusterSpec, error) {
	if server.Exists(dir) {
		stored, ok, err := server.StoredSpec(dir)
		if err != nil {
			return stored, err
		}
		if ok {
			req := server.Requested{Version: f.version, Runtime: f.runtime}
			if f.config != "" {
				s, err := f.spec()
				if err != nil {
					return s, err
				}
				req.ConfigPath, req.Config = f.config, &s
			}
			return stored, server.CheckRequested(dir, stored, req)
		}
	}
	return f.checkedSpec(cmd)
}

// readFrom returns the file's bytes from offset on.
func readFrom(path string, offset int64) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if offset > int64(len(b)) {
		offset = 0
	}
	return b[offset:], nil
}

func (f *specFlags) spec() (sim.ClusterSpec, error) {
	spec := sim.DefaultClusterSpec()
	if f.config != "" {
		var err error
		if spec, err = sim.LoadSpec(f.config); err != nil {
			return spec, err
		}
	}
	if f.version != "" {
		spec.KubernetesVersion = f.version
		if !strings.HasPrefix(spec.KubernetesVersion, "v") {
			spec.KubernetesVersion = "v" + spec.KubernetesVersion
		}
	}
	if f.runtime != "" {
		spec.Runtime = f.runtime
	}
	if f.netpol != "" {
		spec.NetworkPolicy = f.netpol
	}
	if f.ingress != "" {
		spec.Ingress = f.ingress
	}
	if f.bare {
		spec.Bare = true
	}
	return spec, nil
}

func startCmd() *cobra.Command {
	var sf specFlags
	var port int
	var criDir string
	wait := true
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start the cluster in the background and point kubectl at it",
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := stateDir()
			spec, err := sf.resolve(cmd, dir)
			if err != nil {
				return err
			}
			if pid, addr, err := server.ReadRuntime(dir); err == nil && alive(pid) {
				fmt.Fprintf(cmd.OutOrStdout(), "kubesim is already running at https://%s\n", addr)
				return nil
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			server.RemoveRuntimeFiles(dir)
			specPath, err := server.WriteSpec(dir, spec)
			if err != nil {
				return err
			}
			// The port the cluster had last time, so that clients holding
			// its address keep working; a free one if it is taken.
			keepPort, lastPort := false, 0
			if port == 0 {
				if lastPort = server.LastPort(dir); lastPort != 0 {
					port, keepPort = lastPort, true
				}
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			logPath := filepath.Join(dir, "kubesim.log")
			logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return err
			}
			// This attempt's lines start here: a failure shows only those.
			var logStart int64
			if fi, err := logf.Stat(); err == nil {
				logStart = fi.Size()
			}
			childArgs := []string{"serve", "--spec", specPath, "--port", fmt.Sprint(port), "--cri-socket-dir", criDir}
			if keepPort {
				childArgs = append(childArgs, "--keep-port")
			}
			if sf.repair {
				childArgs = append(childArgs, "--repair")
			}
			if wait {
				childArgs = append(childArgs, "--wait")
			}
			child := exec.Command(self, childArgs...)
			child.Env = append(os.Environ(), "KUBESIM_STATE="+dir)
			child.Stdout, child.Stderr = logf, logf
			child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			if err := child.Start(); err != nil {
				return err
			}
			logf.Close()
			exited := make(chan error, 1)
			go func() { exited <- child.Wait() }()
			addr, err := waitReady(dir, exited, 15*time.Second)
			if err != nil {
				if log, rerr := readFrom(logPath, logStart); rerr == nil && len(log) > 0 {
					fmt.Fprint(cmd.ErrOrStderr(), string(log))
					return exitError{1}
				}
				return err
			}
			creds, err := loadCreds(dir)
			if err != nil {
				return err
			}
			kc := server.KubeconfigPath()
			if err := server.WriteContext(kc, clusterName, addr, creds); err != nil {
				return err
			}
			if sf.repair {
				// What --repair left out, as the server reported it.
				if log, err := readFrom(logPath, logStart); err == nil {
					fmt.Fprint(cmd.ErrOrStderr(), string(log))
				}
			}
			if keepPort && !strings.HasSuffix(addr, fmt.Sprintf(":%d", lastPort)) {
				fmt.Fprintf(cmd.ErrOrStderr(), "Note: port %d, which the cluster had before, is in use by another program; it now listens on %s\n", lastPort, addr)
			}
			if spec.Bare && spec.ControlPlane() != nil {
				// No cluster yet: the machines are up.
				fmt.Fprintf(cmd.OutOrStdout(), "%d machines are up with Kubernetes %s's packages and no cluster (state in %s): kubesim ssh %s -- kubeadm init --apiserver-advertise-address=%s --pod-network-cidr=%s\n",
					len(spec.Nodes), spec.KubernetesVersion, dir, spec.ControlPlane().Name, spec.ControlPlane().IP, spec.PodCIDR)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Kubernetes %s is running at https://%s (%d nodes, state in %s)\n", spec.KubernetesVersion, addr, len(spec.Nodes), dir)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Done! kubectl is now configured to use %q cluster and \"default\" namespace by default\n", clusterName)
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().IntVar(&port, "port", 0, "API server port on 127.0.0.1 (0: a free port)")
	cmd.Flags().StringVar(&criDir, "cri-socket-dir", "", "serve each node's container runtime as CRI gRPC on DIR/<node>.sock (for crictl)")
	cmd.Flags().BoolVar(&sf.repair, "repair", false, "start a cluster whose state has objects that cannot be decoded: skip them (naming each) instead of refusing")
	cmd.Flags().BoolVar(&wait, "wait", true, "play a new cluster's boot out on its clock before returning: nodes Ready, system pods Running (--wait=false returns as soon as the API answers)")
	return cmd
}

func loadCreds(dir string) (*server.Credentials, error) {
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return nil, err
	}
	return &server.Credentials{CAPEM: ca, Token: string(tok)}, nil
}

// waitReady waits, bounded, until the served cluster's /readyz answers.
func waitReady(dir string, exited <-chan error, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return "", fmt.Errorf("kubesim server exited: %v", err)
		default:
		}
		if _, addr, err := server.ReadRuntime(dir); err == nil {
			if c, err := httpsClient(dir); err == nil {
				if resp, err := c.Get("https://" + addr + "/readyz"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						return addr, nil
					}
				}
			}
			// A cluster whose API server does not run (bare machines
			// before kubeadm init) answers on its control socket only.
			if c, base, err := controlClient(dir, addr); err == nil && strings.HasPrefix(base, "http://") {
				if resp, err := c.Get(base + "/readyz"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						return addr, nil
					}
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return "", fmt.Errorf("kubesim server did not answer within %v", limit)
}

// livez reports whether the served cluster's /livez answers 200 promptly.
func livez(dir, addr string) bool {
	c, err := httpsClient(dir)
	if err != nil {
		return false
	}
	c.Timeout = 3 * time.Second
	resp, err := c.Get("https://" + addr + "/livez")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func httpsClient(dir string) (*http.Client, error) {
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, nil
}

// alive reports whether pid is a live process (a killed server not yet
// reaped by init is a zombie: not alive).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil || p.Signal(syscall.Signal(0)) != nil {
		return false
	}
	if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(st), ')'); i >= 0 && i+2 < len(st) && st[i+2] == 'Z' {
			return false
		}
	}
	return true
}

func serveCmd() *cobra.Command {
	var specPath, criDir string
	var port int
	var keepPort, repair, wait bool
	cmd := &cobra.Command{
		Use:    "serve",
		Short:  "Run the cluster in the foreground (what start runs in the background)",
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec := sim.DefaultClusterSpec()
			if specPath != "" {
				b, err := os.ReadFile(specPath)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(b, &spec); err != nil {
					return err
				}
			}
			dir := stateDir()
			s, err := server.Start(server.Config{Spec: spec, StateDir: dir, Addr: fmt.Sprintf("127.0.0.1:%d", port), CRISocketDir: criDir, KeepPort: keepPort, Repair: repair, Verbs: verbs.Run, Wait: wait})
			if err != nil {
				return err
			}
			sk := s.Skipped()
			for _, o := range sk {
				if o.Key == store.SkippedLog {
					fmt.Fprintf(cmd.ErrOrStderr(), "--repair kept the revisions before the damage: the write-ahead log %s\n", o.Problem)
				}
			}
			if sk = slices.DeleteFunc(sk, func(o store.Skipped) bool { return o.Key == store.SkippedLog }); len(sk) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "--repair left out %d objects that cannot be decoded (kept aside in store.db's \"damaged\" bucket):\n", len(sk))
				for _, o := range sk {
					fmt.Fprintf(cmd.ErrOrStderr(), "  %s: %s\n", o.Key, o.Problem)
				}
			}
			if err := server.WriteRuntimeFiles(dir, os.Getpid(), s.Addr); err != nil {
				s.Close()
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			<-ctx.Done()
			err = s.Close()
			server.RemoveRuntimeFiles(dir)
			return err
		},
	}
	cmd.Flags().StringVar(&specPath, "spec", "", "cluster spec (JSON)")
	cmd.Flags().IntVar(&port, "port", 0, "port")
	cmd.Flags().StringVar(&criDir, "cri-socket-dir", "", "CRI sockets folder")
	cmd.Flags().BoolVar(&keepPort, "keep-port", false, "the port is the cluster's previous one: use a free one if it is taken")
	cmd.Flags().BoolVar(&repair, "repair", false, "skip stored objects that cannot be decoded, naming them")
	cmd.Flags().BoolVar(&wait, "wait", false, "play a new cluster's boot out before serving")
	return cmd
}

// stopServer signals the server and waits (bounded) for it to exit.
func stopServer(dir string) (bool, error) {
	pid, _, err := server.ReadRuntime(dir)
	if err != nil || !alive(pid) {
		server.RemoveRuntimeFiles(dir)
		return false, nil
	}
	p, _ := os.FindProcess(pid)
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return false, err
	}
	for i := 0; i < 1000 && alive(pid); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		return true, errors.New("kubesim server did not stop within 10s")
	}
	return true, nil
}

func stopCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop the cluster, keeping its state",
		RunE: func(cmd *cobra.Command, args []string) error {
			was, err := stopServer(stateDir())
			if err != nil {
				return err
			}
			if !was {
				fmt.Fprintln(cmd.OutOrStdout(), "kubesim is not running")
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Stopped kubesim; its state is kept: kubesim start resumes it")
			return nil
		},
	}
}

func statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show whether the cluster is running",
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := stateDir()
			out := cmd.OutOrStdout()
			pid, addr, err := server.ReadRuntime(dir)
			running := err == nil && alive(pid)
			fmt.Fprintln(out, clusterName)
			fmt.Fprintln(out, "type: Control Plane")
			if !running {
				state := "Stopped"
				if _, err := os.Stat(filepath.Join(dir, "store.db")); err != nil {
					state = "Nonexistent"
				}
				fmt.Fprintf(out, "host: %s\nkubelet: %s\napiserver: %s\nkubeconfig: %s\n", state, state, state, state)
				return exitError{7}
			}
			// A process that is alive may still have a wedged loop: its
			// /livez says so (minikube: apiserver Error, exit bit 4).
			api := "Running"
			if !livez(dir, addr) {
				api = "Error"
				// Nothing listens: the control plane's API server is
				// down (a broken manifest), as minikube says of it.
				if _, err := net.DialTimeout("tcp", addr, time.Second); errors.Is(err, syscall.ECONNREFUSED) {
					api = "Stopped"
				}
			}
			fmt.Fprintf(out, "host: Running\nkubelet: Running\napiserver: %s\nkubeconfig: Configured\naddress: https://%s\n", api, addr)
			if api != "Running" {
				return exitError{4}
			}
			return nil
		},
	}
}

func deleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete",
		Short: "Stop the cluster and delete its state and kubeconfig context",
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := stateDir()
			if _, err := stopServer(dir); err != nil {
				return err
			}
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			if err := server.RemoveContext(server.KubeconfigPath(), clusterName); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deleted the %q cluster and its state\n", clusterName)
			return nil
		},
	}
}

// control calls the running server's /kubesim/ endpoint.
// printResponse writes what a verb run in the cluster's process printed and
// returns its exit code as the command's.
func printResponse(cmd *cobra.Command, resp server.ControlResponse, err error) error {
	if err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), resp.Stdout)
	fmt.Fprint(cmd.ErrOrStderr(), resp.Stderr)
	if resp.Code != 0 {
		return exitError{resp.Code}
	}
	return nil
}

func control(verb string, args []string) (server.ControlResponse, error) {
	return controlFor(verb, args, 10*time.Second)
}

// controlFor is control with a time limit for the whole call (0: none,
// for a scenario's verify, which its own script timeout bounds).
func controlFor(verb string, args []string, limit time.Duration) (server.ControlResponse, error) {
	var resp server.ControlResponse
	dir := stateDir()
	pid, addr, err := server.ReadRuntime(dir)
	if err != nil || !alive(pid) {
		return resp, errors.New("kubesim is not running: start it with `kubesim start`")
	}
	c, url, err := controlClient(dir, addr)
	if err != nil {
		return resp, err
	}
	c.Timeout = limit
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return resp, err
	}
	body, _ := json.Marshal(server.ControlRequest{Args: args})
	req, _ := http.NewRequest(http.MethodPost, url+"/kubesim/"+verb, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+string(tok))
	r, err := c.Do(req)
	if err != nil {
		return resp, err
	}
	defer r.Body.Close()
	err = json.NewDecoder(r.Body).Decode(&resp)
	return resp, err
}

// controlClient reaches the server's control verbs: through its unix
// socket, which stays open while the cluster's API server is down, else
// (a server without one) through the API port.
func controlClient(dir, addr string) (*http.Client, string, error) {
	sock := server.ControlSocket(dir)
	if _, err := os.Stat(sock); err == nil {
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		return &http.Client{Transport: &http.Transport{DialContext: dial}}, "http://kubesim", nil
	}
	c, err := httpsClient(dir)
	return c, "https://" + addr, err
}

func controlCmd(use, short, verb string, prefix []string) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The verb parses its own arguments on the server; help is
			// answered here, with or without a cluster.
			if wantsHelp(args) {
				return cmd.Help()
			}
			resp, err := control(verb, append(append([]string(nil), prefix...), args...))
			return printResponse(cmd, resp, err)
		},
	}
}

// wantsHelp reports whether args ask for help (-h or --help before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

func curlCmd() *cobra.Command {
	return controlCmd("curl [options] URL", "curl inside the cluster's network (from the control plane)", "curl", nil)
}

func vagrantCmd() *cobra.Command {
	return controlCmd("vagrant status|halt|up|reload [NAME]", "Vagrant's view of the cluster's machines", "vagrant", nil)
}

func advanceCmd() *cobra.Command {
	return controlCmd("advance DURATION", "Move the running cluster's clock forward (e.g. 2m22s, 9h, 2d12h)", "advance", nil)
}

func explainCmd() *cobra.Command {
	return controlCmd("explain-schedule POD [-n NAMESPACE]", "Why the scheduler places a pod where it does: each node's filter verdicts and scores", "explain", nil)
}

func clockCmd() *cobra.Command {
	return controlCmd("clock freeze|resume|show", "Hold the running cluster's clock still (replays), let it follow the wall clock again, or show it", "clock", nil)
}

// imageCmd is `kubesim image load NAME --from FILE`: the serving process
// reads FILE, so a relative path is made absolute here.
func imageCmd() *cobra.Command {
	c := controlCmd("image load NAME --from FILE", "Load an image into the cluster's nodes: FILE is a catalog entry (runtime/images' catalog.yaml schema)", "image", nil)
	run := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		args = append([]string(nil), args...)
		for i, a := range args {
			switch {
			case a == "--from" && i+1 < len(args):
				if abs, err := filepath.Abs(args[i+1]); err == nil {
					args[i+1] = abs
				}
			case strings.HasPrefix(a, "--from="):
				if abs, err := filepath.Abs(a[len("--from="):]); err == nil {
					args[i] = "--from=" + abs
				}
			}
		}
		return run(cmd, args)
	}
	return c
}

func nodeCmd() *cobra.Command {
	return controlCmd("node halt|start|restart NAME", "Power a node off, on, or reboot it", "node", nil)
}
