package hosts

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/shell"
	"kubesim/sim"
)

// kubeadm init, join and reset on a host: what kubeadm v1.27 prints
// (cmd/kubeadm/app/cmd/init.go, join.go, reset.go and their phases), the
// files it writes or deletes, and the cluster they make (sim's KubeadmInit;
// a kubelet's first start registers its node).

// kubeadmSetup runs kubeadm init, join or reset.
func (h *Host) kubeadmSetup(c *shell.Cmd, verb string) int {
	valued := map[string][]string{
		"init":  {"apiserver-advertise-address", "apiserver-bind-port", "pod-network-cidr", "service-cidr", "ignore-preflight-errors", "kubernetes-version", "node-name", "cri-socket", "control-plane-endpoint", "v"},
		"join":  {"token", "discovery-token", "discovery-token-ca-cert-hash", "ignore-preflight-errors", "node-name", "cri-socket", "v"},
		"reset": {"ignore-preflight-errors", "cri-socket", "v"},
	}
	bools := map[string][]string{
		"init":  {"dry-run", "skip-token-print"},
		"join":  {"discovery-token-unsafe-skip-ca-verification"},
		"reset": {"force", "f"},
	}
	args := c.Args[2:]
	flags, rest := splitFlags(args, valued[verb]...)
	for name := range flags {
		if !contains(valued[verb], name) && !contains(bools[verb], name) {
			fmt.Fprintf(c.Stderr, "unknown flag: --%s\nTo see the stack trace of this error execute with --v=5 or higher\n", name)
			return 1
		}
	}
	switch verb {
	case "init":
		return h.kubeadmInit(c, flags)
	case "join":
		return h.kubeadmJoin(c, flags, rest)
	}
	return h.kubeadmReset(c, flags)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const stackHint = "To see the stack trace of this error execute with --v=5 or higher"

// preflightFailed prints kubeadm's preflight failure (RunChecks, v1.27):
// errors not ignored fail, ignored ones are warnings. It reports whether
// the command must stop.
func preflightFailed(c *shell.Cmd, flags map[string]string, checks [][2]string) bool {
	ignore := map[string]bool{}
	for _, n := range strings.Split(strings.ToLower(flags["ignore-preflight-errors"]), ",") {
		ignore[n] = true
	}
	var errs strings.Builder
	for _, ck := range checks {
		if ignore["all"] || ignore[strings.ToLower(ck[0])] {
			fmt.Fprintf(c.Stderr, "\t[WARNING %s]: %s\n", ck[0], ck[1])
			continue
		}
		fmt.Fprintf(&errs, "\t[ERROR %s]: %s\n", ck[0], ck[1])
	}
	if errs.Len() == 0 {
		return false
	}
	fmt.Fprintf(c.Stderr, "error execution phase preflight: [preflight] Some fatal errors occurred:\n%s[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n%s\n", errs.String(), stackHint)
	return true
}

// fileAvailable is kubeadm's FileAvailableCheck.
func (h *Host) fileAvailable(p string) [][2]string {
	if !h.hasFile(p) {
		return nil
	}
	return [][2]string{{"FileAvailable-" + strings.ReplaceAll(p, "/", "-"), p + " already exists"}}
}

// portInUse is kubeadm's PortOpenCheck for a port a running component of
// this host holds.
func portInUse(inUse bool, port int) [][2]string {
	if !inUse {
		return nil
	}
	return [][2]string{{fmt.Sprintf("Port-%d", port), fmt.Sprintf("Port %d is in use", port)}}
}

// kubeletActive reports whether the kubelet unit runs.
func (h *Host) kubeletActive() bool {
	u := h.units["kubelet.service"]
	return u != nil && u.active
}

// staticPodUp reports whether the kubelet runs this host's static pod
// for manifest file (its ports are bound).
func (h *Host) staticPodUp(file string) bool {
	return h.kubeletActive() && h.hasFile(manifestDir+"/"+file)
}

// kubeadmInit: kubeadm init on the control plane.
func (h *Host) kubeadmInit(c *shell.Cmd, flags map[string]string) int {
	cl := h.cluster()
	if !h.ControlPlane {
		fmt.Fprintf(c.Stderr, "kubesim: this cluster's control plane is %s (its spec's); run kubeadm init there\n", cl.Spec.ControlPlane().Name)
		return 1
	}
	v := cl.Spec.KubernetesVersion
	out := c.Stdout
	fmt.Fprintf(out, "[init] Using Kubernetes version: %s\n[preflight] Running pre-flight checks\n", v)
	var checks [][2]string
	cl.Do(func() {
		h.catchUp()
		checks = append(checks, portInUse(h.staticPodUp("kube-apiserver.yaml"), 6443)...)
		checks = append(checks, portInUse(h.staticPodUp("kube-scheduler.yaml"), 10259)...)
		checks = append(checks, portInUse(h.staticPodUp("kube-controller-manager.yaml"), 10257)...)
		for _, m := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"} {
			checks = append(checks, h.fileAvailable(manifestDir+"/"+m+".yaml")...)
		}
		checks = append(checks, portInUse(h.kubeletActive(), 10250)...)
		checks = append(checks, portInUse(h.staticPodUp("etcd.yaml"), 2379)...)
		checks = append(checks, portInUse(h.staticPodUp("etcd.yaml"), 2380)...)
		if !h.dirEmpty("/var/lib/etcd") {
			checks = append(checks, [2]string{"DirAvailable--var-lib-etcd", "/var/lib/etcd is not empty"})
		}
	})
	if preflightFailed(c, flags, checks) {
		return 1
	}
	name, ip := h.Name, h.IP
	fmt.Fprint(out, `[preflight] Pulling images required for setting up a Kubernetes cluster
[preflight] This might take a minute or two, depending on the speed of your internet connection
[preflight] You can also perform this action in beforehand using 'kubeadm config images pull'
[certs] Using certificateDir folder "/etc/kubernetes/pki"
[certs] Generating "ca" certificate and key
[certs] Generating "apiserver" certificate and key
`)
	fmt.Fprintf(out, "[certs] apiserver serving cert is signed for DNS names [%s kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local] and IPs [10.96.0.1 %s]\n", name, ip)
	fmt.Fprint(out, `[certs] Generating "apiserver-kubelet-client" certificate and key
[certs] Generating "front-proxy-ca" certificate and key
[certs] Generating "front-proxy-client" certificate and key
[certs] Generating "etcd/ca" certificate and key
[certs] Generating "etcd/server" certificate and key
`)
	fmt.Fprintf(out, "[certs] etcd/server serving cert is signed for DNS names [%s localhost] and IPs [%s 127.0.0.1 ::1]\n", name, ip)
	fmt.Fprintln(out, `[certs] Generating "etcd/peer" certificate and key`)
	fmt.Fprintf(out, "[certs] etcd/peer serving cert is signed for DNS names [%s localhost] and IPs [%s 127.0.0.1 ::1]\n", name, ip)
	fmt.Fprint(out, `[certs] Generating "etcd/healthcheck-client" certificate and key
[certs] Generating "apiserver-etcd-client" certificate and key
[certs] Generating "sa" key and public key
[kubeconfig] Using kubeconfig folder "/etc/kubernetes"
[kubeconfig] Writing "admin.conf" kubeconfig file
`)
	if minorOf(v) >= 29 {
		fmt.Fprintln(out, `[kubeconfig] Writing "super-admin.conf" kubeconfig file`)
	}
	fmt.Fprint(out, `[kubeconfig] Writing "kubelet.conf" kubeconfig file
[kubeconfig] Writing "controller-manager.conf" kubeconfig file
[kubeconfig] Writing "scheduler.conf" kubeconfig file
[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"
[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"
[kubelet-start] Starting the kubelet
[control-plane] Using manifest folder "/etc/kubernetes/manifests"
[control-plane] Creating static Pod manifest for "kube-apiserver"
[control-plane] Creating static Pod manifest for "kube-controller-manager"
[control-plane] Creating static Pod manifest for "kube-scheduler"
[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"
[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests". This can take up to 4m0s
`)
	// The kubelet starts etcd first: the API server's etcd client waits
	// for it (kubesim's API server decides at start whether etcd answers).
	started := c.Now()
	var rest map[string][]byte
	cl.Do(func() {
		h.layOut()
		// etcd's data directory, as its first start leaves it.
		h.fs.MkdirAll("/var/lib/etcd/member/snap", 0o700)
		h.fs.MkdirAll("/var/lib/etcd/member/wal", 0o700)
		cl.KubeadmInit(flags["pod-network-cidr"])
		rest = h.holdManifests("etcd.yaml")
		h.restartKubelet()
	})
	h.waitStaticPods(c, "etcd")
	cl.Do(func() {
		for _, f := range sortedKeys(rest) {
			h.write(manifestDir+"/"+f, string(rest[f]), 0o600)
		}
		h.syncManifests()
	})
	h.waitStaticPods(c, "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
	// kubeadm polls the components' health endpoints: its figure is the
	// wait with a fraction of a second's jitter.
	wait := c.Now().Sub(started) + controlPlaneJitter(cl.Spec.Seed)
	fmt.Fprintf(out, "[apiclient] All control plane components are healthy after %.6f seconds\n", wait.Seconds())
	fmt.Fprint(out, `[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace
[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster
[upload-certs] Skipping phase. Please see --upload-certs
`)
	fmt.Fprintf(out, "[mark-control-plane] Marking the node %s as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]\n", name)
	fmt.Fprintf(out, "[mark-control-plane] Marking the node %s as control-plane by adding the taints [node-role.kubernetes.io/control-plane:NoSchedule]\n", name)
	tok := h.newToken(c.Now(), "The default bootstrap token generated by 'kubeadm init'.", 24*time.Hour)
	shown := tok
	if flags["skip-token-print"] != "" {
		shown = "<value withheld>"
	}
	fmt.Fprintf(out, "[bootstrap-token] Using token: %s\n", shown)
	fmt.Fprint(out, `[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles
[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes
[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials
[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token
[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster
[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace
[kubelet-finalize] Updating "/etc/kubernetes/kubelet.conf" to point to a rotatable kubelet client certificate and key
[addons] Applied essential addon: CoreDNS
[addons] Applied essential addon: kube-proxy

Your Kubernetes control-plane has initialized successfully!

To start using your cluster, you need to run the following as a regular user:

  mkdir -p $HOME/.kube
  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
  sudo chown $(id -u):$(id -g) $HOME/.kube/config

Alternatively, if you are the root user, you can run:

  export KUBECONFIG=/etc/kubernetes/admin.conf

You should now deploy a pod network to the cluster.
Run "kubectl apply -f [podnetwork].yaml" with one of the options listed at:
  https://kubernetes.io/docs/concepts/cluster-administration/addons/

Then you can join any number of worker nodes by running the following on each as root:

`)
	fmt.Fprintf(out, "kubeadm join %s:6443 --token %s \\\n\t--discovery-token-ca-cert-hash %s \n", ip, shown, h.caCertHash())
	return 0
}

// controlPlaneJitter is the part of a second kubeadm's health polls add to
// the control plane's start, drawn from the cluster's seed.
func controlPlaneJitter(seed uint64) time.Duration {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/wait-control-plane", seed)))
	micros := int64(sum[0])<<16 | int64(sum[1])<<8 | int64(sum[2])
	return time.Duration(micros%1000000) * time.Microsecond
}

// holdManifests takes the static pod manifests but keep out of the
// manifest directory and returns them. Call it with the cluster lock held.
func (h *Host) holdManifests(keep string) map[string][]byte {
	out := map[string][]byte{}
	ents, _ := h.fs.ReadDir(manifestDir)
	for _, e := range ents {
		if e.IsDir() || e.Name() == keep {
			continue
		}
		if b, err := h.fs.ReadFile(manifestDir + "/" + e.Name()); err == nil {
			out[e.Name()] = b
			h.fs.Remove(manifestDir + "/" + e.Name())
		}
	}
	return out
}

// waitStaticPods sleeps (virtually, in half seconds, at most 4m0s as
// kubeadm waits) until the named static pods of h run.
func (h *Host) waitStaticPods(c *shell.Cmd, components ...string) {
	cl := h.cluster()
	for deadline := c.Now().Add(4 * time.Minute); c.Now().Before(deadline); {
		up := true
		cl.Locked(func() {
			k := cl.Node(h.Name)
			for _, comp := range components {
				if k == nil || !k.StaticPodRunning("kube-system", comp+"-"+strings.ToLower(h.Name)) {
					up = false
				}
			}
		})
		if up {
			return
		}
		c.Sleep(500 * time.Millisecond)
	}
}

// layOut writes what kubeadm init or join writes on h (certificates,
// kubeconfigs, the kubelet's configuration, on a control plane the static
// pod manifests), keeping what the user made (/root/.kube) and leaving
// flannel's files to flannel. The kubelet starts the manifests' pods.
// Call it with the cluster lock held.
func (h *Host) layOut() {
	kube, hadKube := h.fs.ReadFile("/root/.kube/config")
	h.writeFiles()
	h.fs.RemoveAll("/root/.kube")
	if hadKube == nil {
		h.write("/root/.kube/config", string(kube), 0o600)
	}
	h.removeFlannelFiles()
	h.manifests = map[string]string{}
	// Before init no etcd pod names the image: kubeadm's pinned one.
	v := h.cluster().Spec.KubernetesVersion
	if b, err := h.fs.ReadFile(manifestDir + "/etcd.yaml"); err == nil {
		h.write(manifestDir+"/etcd.yaml", strings.Replace(string(b), "registry.k8s.io/etcd:"+v, sim.EtcdImage(v), 1), 0o600)
	}
}

// restartKubelet restarts the kubelet unit as kubeadm's kubelet-start
// phase does. Call it with the cluster lock held.
func (h *Host) restartKubelet() {
	u := h.units["kubelet.service"]
	if u == nil {
		return
	}
	h.stopUnit(u)
	h.startUnit(u)
}

// tokenRE is a bootstrap token's form (k8s.io/cluster-bootstrap).
var tokenRE = regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`)

// kubeadmJoin: kubeadm join on a worker.
func (h *Host) kubeadmJoin(c *shell.Cmd, flags map[string]string, rest []string) int {
	cl := h.cluster()
	tok := flags["token"]
	if tok == "" {
		tok = flags["discovery-token"]
	}
	if len(rest) == 0 {
		fmt.Fprintf(c.Stderr, "discovery: Invalid value: \"\": bootstrapToken or file must be set\n%s\n", stackHint)
		return 1
	}
	if !tokenRE.MatchString(tok) {
		fmt.Fprintf(c.Stderr, "[discovery.bootstrapToken.token: Invalid value: %q: the bootstrap token is invalid, discovery.tlsBootstrapToken: Invalid value: %q: the bootstrap token is invalid]\n%s\n", tok, tok, stackHint)
		return 1
	}
	hash := flags["discovery-token-ca-cert-hash"]
	if hash == "" && flags["discovery-token-unsafe-skip-ca-verification"] == "" {
		fmt.Fprintf(c.Stderr, "discovery.bootstrapToken.caCertHashes: Invalid value: \"\": using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue\n%s\n", stackHint)
		return 1
	}
	fmt.Fprintln(c.Stdout, "[preflight] Running pre-flight checks")
	var checks [][2]string
	cl.Do(func() {
		h.catchUp()
		checks = append(checks, h.fileAvailable("/etc/kubernetes/kubelet.conf")...)
		checks = append(checks, h.fileAvailable("/etc/kubernetes/bootstrap-kubelet.conf")...)
		checks = append(checks, portInUse(h.kubeletActive(), 10250)...)
		checks = append(checks, h.fileAvailable("/etc/kubernetes/pki/ca.crt")...)
	})
	if preflightFailed(c, flags, checks) {
		return 1
	}
	endpoint := rest[0]
	fail := func(msg string) int {
		fmt.Fprintf(c.Stderr, "error execution phase preflight: couldn't validate the identity of the API Server: %s\n%s\n", msg, stackHint)
		return 1
	}
	// Discovery: the cluster-info ConfigMap from the API server at
	// endpoint, retried for the discovery timeout (5m0s).
	id, secret := tokenRE.FindStringSubmatch(tok)[1], tokenRE.FindStringSubmatch(tok)[2]
	served, found, secretOK := h.discover(endpoint, id, secret)
	if !served {
		c.Sleep(5 * time.Minute)
		host, port, _ := strings.Cut(endpoint, ":")
		if port == "" {
			port = "443"
		}
		return fail(fmt.Sprintf("failed to request the cluster-info ConfigMap: Get \"https://%s/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s\": dial tcp %s:%s: connect: connection refused", endpoint, host, port))
	}
	if !found {
		c.Sleep(5 * time.Minute)
		return fail(fmt.Sprintf("could not find a JWS signature in the cluster-info ConfigMap for token ID %q", id))
	}
	if hash != "" {
		if err := checkPin(hash); err != "" {
			return fail("invalid discovery token CA certificate hash: " + err)
		}
	}
	if !secretOK {
		return fail("failed to verify JWS signature of received cluster info object, can't trust this API Server")
	}
	if hash != "" && !strings.EqualFold(strings.TrimPrefix(strings.ToLower(hash), "sha256:"), strings.TrimPrefix(h.caCertHash(), "sha256:")) {
		return fail(fmt.Sprintf("cluster CA found in cluster-info ConfigMap is invalid: none of the public keys %q are pinned", h.caCertHash()))
	}
	fmt.Fprint(c.Stdout, `[preflight] Reading configuration from the cluster...
[preflight] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'
[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"
[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"
[kubelet-start] Starting the kubelet
[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap...
`)
	cl.Do(func() {
		h.layOut()
		h.restartKubelet()
	})
	c.Sleep(2 * time.Second)
	fmt.Fprint(c.Stdout, `
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.

`)
	return 0
}

// discover looks for the cluster-info a join's endpoint serves: whether
// an API server answers there, whether the token's id has a signature
// (a live bootstrap token Secret), and whether its secret matches.
func (h *Host) discover(endpoint, id, secret string) (served, found, secretOK bool) {
	cl := h.cluster()
	host, port, _ := strings.Cut(endpoint, ":")
	cp, ok := h.hs.Lookup(host)
	if !ok || !cp.ControlPlane || port != "6443" {
		return false, false, false
	}
	cl.Locked(func() {
		if !cl.Initialized() || !cp.staticPodUp("kube-apiserver.yaml") {
			return
		}
		served = true
		res, _ := lookupResource("secrets")
		obj, err := cl.Registry.Get(res, "kube-system", "bootstrap-token-"+id)
		if err != nil {
			return
		}
		s := obj.(*corev1.Secret)
		if exp, err := time.Parse(time.RFC3339, string(s.Data["expiration"])); err == nil && !exp.After(h.now()) {
			return
		}
		found = true
		secretOK = string(s.Data["token-secret"]) == secret
	})
	return served, found, secretOK
}

// checkPin validates a --discovery-token-ca-cert-hash as kubeadm's
// pubkeypin.Set.Allow does; "" if it is well-formed.
func checkPin(pin string) string {
	format, value, ok := strings.Cut(pin, ":")
	if !ok || strings.Contains(value, ":") {
		return "invalid hash, expected \"format:hex-value\". Known format(s) are: sha256"
	}
	if strings.ToLower(format) != "sha256" {
		return fmt.Sprintf("unknown hash format %q. Known format(s) are: sha256", format)
	}
	if n := hex.DecodedLen(len(value)); n != sha256.Size {
		return fmt.Sprintf("invalid hash %q, expected a 32 byte SHA-256 hash, found %d bytes", pin, n)
	}
	if _, err := hex.DecodeString(value); err != nil {
		return fmt.Sprintf("invalid hash %q, could not decode SHA-256 from hex: %v", pin, err)
	}
	return ""
}

// kubeadmReset: kubeadm reset [-f], with its confirmation prompt.
func (h *Host) kubeadmReset(c *shell.Cmd, flags map[string]string) int {
	cl := h.cluster()
	now := c.Now()
	fmt.Fprintf(c.Stderr, "W%s    %d preflight.go:56] [reset] WARNING: Changes made to this host by 'kubeadm init' or 'kubeadm join' will be reverted.\n", klogTime(now), 2101+h.index)
	if flags["force"] == "" && flags["f"] == "" {
		fmt.Fprint(c.Stdout, "[reset] Are you sure you want to proceed? [y/N]: ")
		line, _ := bufio.NewReader(c.Stdin).ReadString('\n')
		if a := strings.TrimSpace(line); a != "y" && a != "Y" {
			if line == "" {
				fmt.Fprintln(c.Stdout)
			}
			fmt.Fprintf(c.Stderr, "won't proceed; the user didn't answer (Y|y) in order to continue\n%s\n", stackHint)
			return 1
		}
	}
	out := c.Stdout
	fmt.Fprintln(out, "[preflight] Running pre-flight checks")
	if h.ControlPlane {
		fmt.Fprintln(out, "[reset] Deleted contents of the etcd data directory: /var/lib/etcd")
	} else {
		fmt.Fprintln(out, "[reset] No etcd config found. Assuming external etcd\n[reset] Please, manually reset etcd to prevent further issues")
	}
	fmt.Fprintln(out, "[reset] Stopping the kubelet service")
	fmt.Fprintln(out, "[reset] Unmounting mounted directories in \"/var/lib/kubelet\"")
	files := kubeadmFiles
	if minorOf(cl.Spec.KubernetesVersion) >= 29 {
		files = append([]string{"/etc/kubernetes/admin.conf", "/etc/kubernetes/super-admin.conf"}, kubeadmFiles[1:]...)
	}
	fmt.Fprintf(out, "[reset] Deleting contents of directories: [%s]\n", strings.Join(kubeadmDirs, " "))
	fmt.Fprintf(out, "[reset] Deleting files: [%s]\n", strings.Join(files, " "))
	cl.Do(func() {
		if u := h.units["kubelet.service"]; u != nil {
			h.stopUnit(u)
		}
		cl.KubeadmReset(h.Name)
		h.removeKubeadmFiles()
		h.manifests = map[string]string{}
	})
	io.WriteString(out, `
The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d

The reset process does not reset or clean up iptables rules or IPVS tables.
If you wish to reset iptables, you must do so manually by using the "iptables" command.

If your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)
to reset your system's IPVS tables.

The reset process does not clean your kubeconfig files and you must remove them manually.
Please, check the contents of the $HOME/.kube/config file.
`)
	return 0
}
