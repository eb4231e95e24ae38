package hosts

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/images"
	"kubesim/runtime/shell"
	"kubesim/sim"
	"kubesim/sim/kubelet"
)

// The control plane's processes as their flags and the host's files make
// them. kube-apiserver and etcd run from their static pods; when a
// manifest names a flag the program does not know, a certificate that is
// not there, or an etcd the API server cannot reach, the container exits
// at start with the program's own error (crictl logs), the kubelet
// restarts it with back-off (CrashLoopBackOff), and while kube-apiserver
// does not serve, the Kubernetes API refuses its clients: the served
// listener closes (kubectl: "The connection to the server … was refused")
// and so does kubectl on the hosts. The scheduler and the controller
// manager, which reach everything through the API, stop with it.
//
// Messages (kube-apiserver 1.27, etcd 3.5): cobra's "Error: unknown flag:
// --x" (component-base/cli/run.go prints it when flag parsing fails, exit
// 1); `"command failed" err="unable to load client CA provider: open …"`
// (run.go, after the options are applied); grpc's addrConn.createTransport
// warnings for an etcd that refuses, then klog.Fatal's "Error creating
// leases: error creating storage factory: context deadline exceeded"
// about 20 s after start (exit 255), as crictl logs of such an API server
// show; etcd's Go flag package "flag provided but not defined: -x" (exit
// 2) and zap's fatal "discovery failed" for a listen address the host
// does not have.

// apiServerStartup is how long kube-apiserver waits for etcd before it
// gives up (the storage factory's dial deadline, as observed: the fatal
// line follows the first grpc warning by about 20 s).
const apiServerStartup = 20 * time.Second

// installAPIGate ties the Kubernetes API, and with it the scheduler and
// the controller manager, to kube-apiserver's static pod on the control
// plane k, and has its runtime start the control plane's processes as
// their flags and files make them.
func (hs *Hosts) installAPIGate(k *kubelet.Kubelet, node string) {
	cp, ok := hs.Lookup(k.NodeName())
	if !ok {
		return
	}
	k.Runtime().SetStartHook(cp.startHook)
	up := func() bool {
		v := cp.apiUp()
		hs.noteAPI(v) // apijournal.go
		return v
	}
	hs.c.SetGate(sim.APIServerComponent, up)
	hs.c.SetGate(sim.SchedulerComponent, func() bool {
		return up() && k.StaticPodRunning("kube-system", "kube-scheduler-"+node)
	})
	hs.c.SetGate(sim.ControllerManagerComponent, func() bool {
		return up() && k.StaticPodRunning("kube-system", "kube-controller-manager-"+node)
	})
}

// apiUp: kube-apiserver's container runs and serves (its flags and files
// are right and etcd answers). Call it with the cluster lock held.
func (h *Host) apiUp() bool {
	k := h.cluster().Node(h.Name)
	name := "kube-apiserver-" + strings.ToLower(h.Name)
	if k == nil || !k.StaticPodRunning("kube-system", name) {
		return false
	}
	p := h.staticPod("kube-apiserver")
	return p != nil && h.apiServerFailure(p, h.now()) == nil
}

// staticPod is the spec the control-plane component's static pod runs
// with on this host, nil if there is none: the pod of the manifest the
// kubelet loaded for it (the pods the cluster booted with stand for
// kubeadm's manifests).
func (h *Host) staticPod(component string) *corev1.Pod {
	name := component + "-" + strings.ToLower(h.Name)
	for _, f := range sortedKeys(h.manifests) {
		if p := h.decoded(h.manifests[f]); p != nil && p.Namespace == "kube-system" && p.Name == name && len(p.Spec.Containers) > 0 {
			return p
		}
	}
	return nil
}

// decoded is decodeManifest(data), remembered (nil when it does not
// decode): the gates ask on every step.
func (h *Host) decoded(data string) *corev1.Pod {
	type cacheKey struct{ host string }
	cache := h.cluster().Extension(cacheKey{h.Name}, func() any { return map[string]*corev1.Pod{} }).(map[string]*corev1.Pod)
	if p, ok := cache[data]; ok {
		return p
	}
	p, err := h.decodeManifest(data)
	if err != nil {
		p = nil
	}
	cache[data] = p
	return p
}

// startHook decides how a control-plane process starts on this host (the
// runtime's StartHook; the cluster lock is held).
func (h *Host) startHook(p *images.Process) {
	if len(p.Argv) == 0 {
		return
	}
	var f *failure
	switch path.Base(p.Argv[0]) {
	case "kube-apiserver":
		if pod := h.staticPod("kube-apiserver"); pod != nil {
			f = h.apiServerFailure(pod, h.now())
		}
	case "etcd":
		if pod := h.staticPod("etcd"); pod != nil {
			f = h.etcdFailure(pod, h.now())
		}
	}
	if f == nil {
		return
	}
	p.Logs = append(p.Logs, f.logs...)
	p.Exit = &images.Exit{After: f.after, Code: f.code}
}

// failure is how a control-plane process ends at start: its lines, when
// it exits and with which code.
type failure struct {
	logs  []images.LogLine
	after time.Duration
	code  int
}

// flagsOf splits a command line's --name=value flags; a flag written
// without a value has "".
func flagsOf(argv []string) (names []string, vals map[string]string) {
	vals = map[string]string{}
	for _, a := range argv[1:] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		n, v, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		names = append(names, n)
		vals[n] = v
	}
	return names, vals
}

// containerArgv is the command line the pod's first container runs.
func containerArgv(p *corev1.Pod) []string {
	ct := p.Spec.Containers[0]
	return append(append([]string(nil), ct.Command...), ct.Args...)
}

// hostFile is where a path inside the pod's first container lives on the
// host: below one of its hostPath mounts, or nowhere ("", false: the
// image has no such file).
func hostFile(p *corev1.Pod, file string) (string, bool) {
	ct := p.Spec.Containers[0]
	for _, m := range ct.VolumeMounts {
		mp := strings.TrimSuffix(m.MountPath, "/")
		if file != mp && !strings.HasPrefix(file, mp+"/") {
			continue
		}
		for _, v := range p.Spec.Volumes {
			if v.Name == m.Name && v.HostPath != nil {
				return path.Join(v.HostPath.Path, strings.TrimPrefix(file, mp)), true
			}
		}
	}
	return "", false
}

// missing reports whether the container of p does not see file.
func (h *Host) missing(p *corev1.Pod, file string) bool {
	hp, ok := hostFile(p, file)
	if !ok {
		return true
	}
	_, err := h.fs.Stat(hp)
	return err != nil
}

// klogLine is a klog header line of a container's main process (pid 1).
func klogLine(sev byte, t time.Time, file string, format string, a ...any) string {
	return fmt.Sprintf("%c%s %7d %s] ", sev, klogTime(t), 1, file) + fmt.Sprintf(format, a...)
}

// apiServerFailure is how kube-apiserver with p's flags fails on this
// host at start, nil if it serves.
func (h *Host) apiServerFailure(p *corev1.Pod, start time.Time) *failure {
	argv := containerArgv(p)
	names, vals := flagsOf(argv)
	minor := minorOf(h.cluster().Spec.KubernetesVersion)
	at := func(d time.Duration, line string) images.LogLine {
		return images.LogLine{Offset: d, Stream: images.Stderr, Text: line}
	}
	for _, n := range names {
		if !apiServerFlags[n] {
			return &failure{logs: []images.LogLine{at(50*time.Millisecond, "Error: unknown flag: --"+n)}, after: 50 * time.Millisecond, code: 1}
		}
	}
	runLine := "run.go:74"
	if minor >= 28 {
		runLine = "run.go:72"
	}
	commandFailed := func(err string) *failure {
		d := 400 * time.Millisecond
		return &failure{logs: []images.LogLine{at(d, klogLine('E', start.Add(d), runLine, "\"command failed\" err=%q", err))}, after: d, code: 1}
	}
	if vals["etcd-servers"] == "" {
		return commandFailed("[--etcd-servers must be specified]")
	}
	files := []struct{ flag, wrap string }{
		{"service-account-signing-key-file", "failed to parse service-account-issuer-key-file: "},
		{"service-account-key-file", ""},
		{"tls-cert-file", ""},
		{"tls-private-key-file", ""},
		{"client-ca-file", "unable to load client CA provider: "},
		{"requestheader-client-ca-file", "unable to load client CA provider: "},
		{"kubelet-client-certificate", ""},
		{"kubelet-client-key", ""},
		{"proxy-client-cert-file", ""},
		{"proxy-client-key-file", ""},
	}
	for _, f := range files {
		if v := vals[f.flag]; v != "" && h.missing(p, v) {
			return commandFailed(f.wrap + "open " + v + ": no such file or directory")
		}
	}
	leases, logging := "instance.go:290", "logging.go:59"
	if minor >= 30 {
		leases, logging = "instance.go:226", "logging.go:55"
	}
	fatal := func(d time.Duration, err string) images.LogLine {
		return at(d, klogLine('F', start.Add(d), leases, "Error creating leases: error creating storage factory: %s", err))
	}
	for _, f := range []string{"etcd-cafile", "etcd-certfile", "etcd-keyfile"} {
		if v := vals[f]; v != "" && h.missing(p, v) {
			d := 500 * time.Millisecond
			return &failure{logs: []images.LogLine{fatal(d, "open "+v+": no such file or directory")}, after: d, code: 255}
		}
	}
	var dialErrs []string
	var addrs []string
	for _, server := range strings.Split(vals["etcd-servers"], ",") {
		addr, why := h.dialEtcd(server)
		if why == "" {
			return nil
		}
		addrs, dialErrs = append(addrs, addr), append(dialErrs, why)
	}
	// grpc retries each server with back-off (1 s, ×1.6) until the
	// storage factory's deadline.
	var logs []images.LogLine
	ch := 1
	for _, d := range []time.Duration{1000, 2600, 5200, 9400, 16100} {
		d *= time.Millisecond
		for i, addr := range addrs {
			// grpc names the server by the target without its scheme.
			server := addr
			if _, rest, ok := strings.Cut(addr, "://"); ok {
				server = rest
			}
			logs = append(logs, at(d, klogLine('W', start.Add(d), logging, "[core] [Channel #%d SubChannel #%d] grpc: addrConn.createTransport failed to connect to {Addr: %q, ServerName: %q, }. Err: connection error: desc = %q",
				ch+2*i, ch+2*i+1, addr, server, dialErrs[i])))
		}
	}
	logs = append(logs, fatal(apiServerStartup, "context deadline exceeded"))
	return &failure{logs: logs, after: apiServerStartup, code: 255}
}

// dialEtcd is what kube-apiserver's etcd client meets at server (one
// --etcd-servers URL): the grpc dial address and "" when etcd answers
// there, else grpc's transport error.
func (h *Host) dialEtcd(server string) (addr, why string) {
	minor := minorOf(h.cluster().Spec.KubernetesVersion)
	dialing := "transport: Error while dialing dial tcp "
	if minor >= 30 {
		dialing = "transport: Error while dialing: dial tcp "
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The client hands the text to the dialer as it is.
		return server, strings.TrimSuffix(dialing, " ") + ": address " + server + ": too many colons in address"
	}
	addr = u.Host
	if u.Port() == "" {
		return addr, strings.TrimSuffix(dialing, " ") + ": address " + addr + ": missing port in address"
	}
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if host != "127.0.0.1" && host != h.IP {
		// Another machine's address: nothing answers.
		return addr, dialing + addr + ": connect: no route to host"
	}
	scheme, ok := h.etcdListens(host, u.Port())
	switch {
	case !ok:
		return addr, dialing + addr + ": connect: connection refused"
	case scheme != u.Scheme:
		return addr, "error reading server preface: EOF"
	}
	return addr, ""
}

// etcdListens reports whether etcd runs on this host and serves clients
// on host:port, and with which scheme.
func (h *Host) etcdListens(host, port string) (scheme string, ok bool) {
	k := h.cluster().Node(h.Name)
	name := "etcd-" + strings.ToLower(h.Name)
	if k == nil || !k.StaticPodRunning("kube-system", name) {
		return "", false
	}
	p := h.staticPod("etcd")
	if p == nil || h.etcdFailure(p, h.now()) != nil {
		return "", false
	}
	_, vals := flagsOf(containerArgv(p))
	listen := vals["listen-client-urls"]
	if listen == "" {
		listen = "http://localhost:2379"
	}
	for _, l := range strings.Split(listen, ",") {
		u, err := url.Parse(l)
		if err != nil || u.Port() != port {
			continue
		}
		lh := u.Hostname()
		if lh == "localhost" {
			lh = "127.0.0.1"
		}
		if lh == host || lh == "0.0.0.0" {
			return u.Scheme, true
		}
	}
	return "", false
}

// etcdFailure is how etcd with p's flags fails on this host at start, nil
// if it runs.
func (h *Host) etcdFailure(p *corev1.Pod, start time.Time) *failure {
	names, vals := flagsOf(containerArgv(p))
	at := func(d time.Duration, line string) images.LogLine {
		return images.LogLine{Offset: d, Stream: images.Stderr, Text: line}
	}
	for _, n := range names {
		if !etcdFlags[n] {
			return &failure{logs: []images.LogLine{at(20*time.Millisecond, "flag provided but not defined: -"+n)}, after: 20 * time.Millisecond, code: 2}
		}
	}
	fatal := func(msg, err string) *failure {
		d := 300 * time.Millisecond
		line := fmt.Sprintf(`{"level":"fatal","ts":%q,"caller":"etcdmain/etcd.go:204","msg":%q,"error":%q}`, zapTime(start.Add(d)), msg, err)
		return &failure{logs: []images.LogLine{at(d, line)}, after: d, code: 1}
	}
	for _, f := range []string{"cert-file", "key-file", "trusted-ca-file", "peer-cert-file", "peer-key-file", "peer-trusted-ca-file"} {
		if v := vals[f]; v != "" && h.missing(p, v) {
			return fatal("discovery failed", "open "+v+": no such file or directory")
		}
	}
	for _, f := range []string{"listen-client-urls", "listen-peer-urls"} {
		for _, l := range strings.Split(vals[f], ",") {
			if l == "" {
				continue
			}
			u, err := url.Parse(l)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "unix" && u.Scheme != "unixs") {
				return fatal("failed to verify flags", "URL scheme must be http, https, unix, or unixs: "+l)
			}
			switch host := u.Hostname(); host {
			case "127.0.0.1", "localhost", "0.0.0.0", h.IP:
			default:
				return fatal("discovery failed", "listen tcp "+u.Host+": bind: cannot assign requested address")
			}
		}
	}
	return nil
}

func flagSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// apiServerFlags are kube-apiserver's flags (1.27's reference, with the
// logging and feature flags every component has).
var apiServerFlags = flagSet(
	"admission-control", "admission-control-config-file", "advertise-address", "aggregator-reject-forwarding-redirect",
	"allow-metric-labels", "allow-metric-labels-manifest", "allow-privileged", "anonymous-auth", "api-audiences",
	"audit-log-batch-buffer-size", "audit-log-batch-max-size", "audit-log-batch-max-wait", "audit-log-batch-throttle-burst",
	"audit-log-batch-throttle-enable", "audit-log-batch-throttle-qps", "audit-log-compress", "audit-log-format",
	"audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize", "audit-log-mode", "audit-log-path",
	"audit-log-truncate-enabled", "audit-log-truncate-max-batch-size", "audit-log-truncate-max-event-size",
	"audit-log-version", "audit-policy-file", "audit-webhook-batch-buffer-size", "audit-webhook-batch-initial-backoff",
	"audit-webhook-batch-max-size", "audit-webhook-batch-max-wait", "audit-webhook-batch-throttle-burst",
	"audit-webhook-batch-throttle-enable", "audit-webhook-batch-throttle-qps", "audit-webhook-config-file",
	"audit-webhook-initial-backoff", "audit-webhook-mode", "audit-webhook-truncate-enabled",
	"audit-webhook-truncate-max-batch-size", "audit-webhook-truncate-max-event-size", "audit-webhook-version",
	"authentication-config", "authentication-token-webhook-cache-ttl", "authentication-token-webhook-config-file",
	"authentication-token-webhook-version", "authorization-config", "authorization-mode", "authorization-policy-file",
	"authorization-webhook-cache-authorized-ttl", "authorization-webhook-cache-unauthorized-ttl",
	"authorization-webhook-config-file", "authorization-webhook-version", "bind-address", "cert-dir", "client-ca-file",
	"cloud-config", "cloud-provider", "cloud-provider-gce-l7lb-src-cidrs", "contention-profiling", "cors-allowed-origins",
	"default-not-ready-toleration-seconds", "default-unreachable-toleration-seconds", "default-watch-cache-size",
	"delete-collection-workers", "disable-admission-plugins", "disabled-metrics", "egress-selector-config-file",
	"enable-admission-plugins", "enable-aggregator-routing", "enable-bootstrap-token-auth", "enable-garbage-collector",
	"enable-priority-and-fairness", "encryption-provider-config", "encryption-provider-config-automatic-reload",
	"endpoint-reconciler-type", "etcd-cafile", "etcd-certfile", "etcd-compaction-interval", "etcd-count-metric-poll-period",
	"etcd-db-metric-poll-interval", "etcd-healthcheck-timeout", "etcd-keyfile", "etcd-prefix", "etcd-readycheck-timeout",
	"etcd-servers", "etcd-servers-overrides", "event-ttl", "external-hostname", "feature-gates", "goaway-chance", "help", "h",
	"http2-max-streams-per-connection", "identity-lease-duration-seconds", "identity-lease-renew-interval-seconds",
	"kubelet-certificate-authority", "kubelet-client-certificate", "kubelet-client-key", "kubelet-port",
	"kubelet-preferred-address-types", "kubelet-read-only-port", "kubelet-timeout", "kubernetes-service-node-port",
	"lease-reuse-duration-seconds", "livez-grace-period", "log-flush-frequency", "log-json-info-buffer-size",
	"log-json-split-stream", "logging-format", "master-service-namespace", "max-connection-bytes-per-sec",
	"max-mutating-requests-inflight", "max-requests-inflight", "min-request-timeout", "oidc-ca-file", "oidc-client-id",
	"oidc-groups-claim", "oidc-groups-prefix", "oidc-issuer-url", "oidc-required-claim", "oidc-signing-algs",
	"oidc-username-claim", "oidc-username-prefix", "peer-advertise-ip", "peer-advertise-port", "peer-ca-file",
	"permit-address-sharing", "permit-port-sharing", "profiling", "proxy-client-cert-file", "proxy-client-key-file",
	"request-timeout", "requestheader-allowed-names", "requestheader-client-ca-file", "requestheader-extra-headers-prefix",
	"requestheader-group-headers", "requestheader-username-headers", "runtime-config", "secure-port",
	"service-account-extend-token-expiration", "service-account-issuer", "service-account-jwks-uri",
	"service-account-key-file", "service-account-lookup", "service-account-max-token-expiration",
	"service-account-signing-key-file", "service-cluster-ip-range", "service-node-port-range",
	"show-hidden-metrics-for-version", "shutdown-delay-duration", "shutdown-send-retry-after",
	"shutdown-watch-termination-grace-period", "storage-backend", "storage-media-type",
	"strict-transport-security-directives", "tls-cert-file", "tls-cipher-suites", "tls-min-version",
	"tls-private-key-file", "tls-sni-cert-key", "token-auth-file", "tracing-config-file", "v", "version", "vmodule",
	"watch-cache", "watch-cache-sizes",
)

// etcdFlags are etcd 3.5's flags.
var etcdFlags = flagSet(
	"name", "data-dir", "wal-dir", "snapshot-count", "heartbeat-interval", "election-timeout",
	"initial-election-tick-advance", "listen-peer-urls", "listen-client-urls", "listen-client-http-urls", "max-snapshots",
	"max-wals", "quota-backend-bytes", "backend-bbolt-freelist-type", "backend-batch-interval", "backend-batch-limit",
	"max-txn-ops", "max-request-bytes", "grpc-keepalive-min-time", "grpc-keepalive-interval", "grpc-keepalive-timeout",
	"socket-reuse-port", "socket-reuse-address", "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-state",
	"initial-cluster-token", "advertise-client-urls", "discovery", "discovery-fallback", "discovery-proxy", "discovery-srv",
	"discovery-srv-name", "strict-reconfig-check", "pre-vote", "auto-compaction-retention", "auto-compaction-mode",
	"enable-v2", "v2-deprecation", "cert-file", "key-file", "client-cert-auth", "client-crl-file",
	"client-cert-allowed-hostname", "trusted-ca-file", "auto-tls", "self-signed-cert-validity", "peer-cert-file",
	"peer-key-file", "peer-client-cert-auth", "peer-crl-file", "peer-trusted-ca-file", "peer-cert-allowed-cn",
	"peer-cert-allowed-hostname", "peer-auto-tls", "cipher-suites", "tls-min-version", "tls-max-version", "cors",
	"host-whitelist", "logger", "log-outputs", "log-level", "enable-log-rotation", "log-rotation-config-json",
	"enable-pprof", "metrics", "listen-metrics-urls", "auth-token", "bcrypt-cost", "auth-token-ttl",
	"experimental-initial-corrupt-check", "experimental-corrupt-check-time", "experimental-compact-hash-check-enabled",
	"experimental-compact-hash-check-time", "experimental-enable-v2v3", "experimental-enable-lease-checkpoint",
	"experimental-enable-lease-checkpoint-persist", "experimental-compaction-batch-limit",
	"experimental-compaction-sleep-interval", "experimental-peer-skip-client-san-verification",
	"experimental-watch-progress-notify-interval", "experimental-warning-apply-duration",
	"experimental-bootstrap-defrag-threshold-megabytes", "experimental-memory-mlock",
	"experimental-txn-mode-write-with-shared-buffer", "experimental-enable-distributed-tracing",
	"experimental-distributed-tracing-address", "experimental-distributed-tracing-service-name",
	"experimental-distributed-tracing-instance-id", "experimental-distributed-tracing-sampling-rate",
	"experimental-max-learners", "experimental-snapshot-catchup-entries", "experimental-wait-cluster-ready-timeout",
	"experimental-stop-grpc-service-on-defrag", "experimental-warning-unary-request-duration", "force-new-cluster",
	"unsafe-no-fsync", "config-file", "version", "help", "h", "proxy", "proxy-failure-wait", "proxy-refresh-interval",
	"proxy-dial-timeout", "proxy-write-timeout", "proxy-read-timeout", "enable-grpc-gateway", "max-concurrent-streams",
	"log-format", "warning-unary-request-duration",
)

// apiRefused answers for kubectl on the host while the API does not
// serve: kubectl's discovery fails five times, then its message names the
// server of the kubeconfig kc. It reports whether it did (exit 1).
func (h *Host) apiRefused(c *shell.Cmd, kc string) bool {
	up := true
	h.hs.c.Locked(func() { up = h.hs.c.APIServing() })
	if up {
		return false
	}
	server := "https://" + h.IP + ":6443"
	if b, err := h.fs.ReadFile(c.Abs(kc)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "server: "); ok {
				server = strings.TrimSpace(v)
				break
			}
		}
	}
	host := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Host
	}
	line := fmt.Sprintf("E%s %7d memcache.go:265] couldn't get current server API group list: Get \"%s/api?timeout=32s\": dial tcp %s: connect: connection refused\n", klogTime(c.Now()), 2001+h.index, strings.TrimSuffix(server, "/"), host)
	io.WriteString(c.Stderr, strings.Repeat(line, 5))
	fmt.Fprintf(c.Stderr, "The connection to the server %s was refused - did you specify the right host or port?\n", host)
	return true
}
