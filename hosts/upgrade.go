package hosts

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/runtime/shell"
	"kubesim/sim/registry"
)

// kubeadm upgrade plan/apply/node and kubeadm version, kubeadm 1.28's
// output. The kubeadm binary is the node's kubeadm package (apt.go); the
// cluster's version is the running kube-apiserver's, as kubeadm reads it
// from the API server; `upgrade apply` rewrites the control plane's static
// pod manifests with the target's images (the kubelet replaces the mirror
// pods, the API server reports the new version once its pod runs) and
// rolls kube-proxy and CoreDNS.

// buildInfo is a release's version.Info beyond its version.
type buildInfo struct{ commit, date, goVersion string }

// builds are the kubeadm builds whose version.Info is on record.
var builds = map[string]buildInfo{
	"v1.27.1":  {"4c9411232e10168d7b050c49a1b59f6df9d7ea4b", "2023-04-14T13:20:04Z", "go1.20.3"},
	"v1.28.7":  {"c8dcb00be9961ec36d141d2e4103f85f92bcf291", "2024-02-14T10:39:01Z", "go1.21.7"},
	"v1.28.11": {"f25b321b9ae42cb1bfaa00b3eec9a12566a15d91", "2024-06-11T20:18:34Z", "go1.21.11"},
	"v1.28.15": {"841856557ef0f6a399096c42635d114d6f2cf7f4", "2024-10-22T20:33:16Z", "go1.22.8"},
}

// kubeadmBinary is the version of the kubeadm the node's package holds.
func (h *Host) kubeadmBinary() string {
	if v := h.loadPackages().installed("kubeadm"); v != "" {
		return release(v)
	}
	return h.cluster().Spec.KubernetesVersion
}

// kubeadmVersion is `kubeadm version [-o short|yaml|json]`.
func (h *Host) kubeadmVersion(c *shell.Cmd, output string) int {
	v := h.kubeadmBinary()
	b, ok := builds[v]
	if !ok {
		b = buildInfo{"kubesim", "", goFor(minorOf(v))}
	}
	major, minor := "1", fmt.Sprint(minorOf(v))
	switch output {
	case "short":
		fmt.Fprintln(c.Stdout, v)
	case "yaml":
		fmt.Fprintf(c.Stdout, "clientVersion:\n  buildDate: %q\n  compiler: gc\n  gitCommit: %s\n  gitTreeState: clean\n  gitVersion: %s\n  goVersion: %s\n  major: %q\n  minor: %q\n  platform: linux/amd64\n", b.date, b.commit, v, b.goVersion, major, minor)
	case "json":
		fmt.Fprintf(c.Stdout, "{\n  \"clientVersion\": {\n    \"major\": %q,\n    \"minor\": %q,\n    \"gitVersion\": %q,\n    \"gitCommit\": %q,\n    \"gitTreeState\": \"clean\",\n    \"buildDate\": %q,\n    \"goVersion\": %q,\n    \"compiler\": \"gc\",\n    \"platform\": \"linux/amd64\"\n  }\n}\n", major, minor, v, b.commit, b.date, b.goVersion)
	case "":
		fmt.Fprintf(c.Stdout, "kubeadm version: &version.Info{Major:%q, Minor:%q, GitVersion:%q, GitCommit:%q, GitTreeState:\"clean\", BuildDate:%q, GoVersion:%q, Compiler:\"gc\", Platform:\"linux/amd64\"}\n", major, minor, v, b.commit, b.date, b.goVersion)
	default:
		fmt.Fprintf(c.Stderr, "error: invalid output format: %s\nTo see the stack trace of this error execute with --v=5 or higher\n", output)
		return 1
	}
	return 0
}

func goFor(minor int) string {
	switch {
	case minor <= 27:
		return "go1.20.3"
	case minor == 28:
		return "go1.21.7"
	case minor <= 30:
		return "go1.22.2"
	}
	return "go1.23.6"
}

// kubeletCmd is the kubelet binary run by hand: --version.
func (h *Host) kubeletCmd(c *shell.Cmd) int {
	for _, a := range c.Args[1:] {
		if a == "--version" || a == "-version" || a == "--version=true" {
			v := h.cluster().Spec.KubernetesVersion
			if pv := h.loadPackages().installed("kubelet"); pv != "" {
				v = release(pv)
			}
			fmt.Fprintf(c.Stdout, "Kubernetes %s\n", v)
			return 0
		}
	}
	fmt.Fprintf(c.Stderr, "E%s    %d run.go:74] \"command failed\" err=\"failed to run Kubelet: unable to load bootstrap kubeconfig: stat /etc/kubernetes/bootstrap-kubelet.conf: no such file or directory\"\n", klogTime(c.Now()), 4100+h.index)
	return 1
}

// kubeletRelease is the version of the kubelet binary the node's package
// holds, which a starting kubelet service runs.
func (h *Host) kubeletRelease() string {
	if pv := h.loadPackages().installed("kubelet"); pv != "" {
		return release(pv)
	}
	return h.cluster().Spec.KubernetesVersion
}

// addonVersions are the etcd and CoreDNS kubeadm deploys with a release
// (the images the cluster's catalog has for it).
func addonVersions(minor int) (etcd, coredns string) {
	switch {
	case minor >= 33:
		return "3.5.21-0", "v1.12.0"
	case minor >= 31:
		return "3.5.15-0", "v1.11.3"
	case minor >= 29:
		return "3.5.10-0", "v1.11.1"
	case minor == 28:
		return "3.5.9-0", "v1.10.1"
	case minor == 27:
		return "3.5.7-0", "v1.10.1"
	}
	return "3.5.6-0", "v1.9.3"
}

// latestPatch is dl.k8s.io's stable-1.MINOR: the minor's last release.
func latestPatch(minor int, atLeast string) string {
	if r, ok := repoPatches[minor]; ok {
		return fmt.Sprintf("v1.%d.%d", minor, r.last)
	}
	return atLeast
}

var imageTag = regexp.MustCompile(`^v1\.\d+\.\d+$`)

// podTag is the tag of the first container's image of the running pod
// with the given component label in kube-system ("" none).
func (h *Host) podTag(component string) string {
	res, _ := lookupResource("pods")
	tag := ""
	h.cluster().Locked(func() {
		objs, _, _ := h.cluster().Registry.List(res, "kube-system", registry.ListOptions{Labels: labels.SelectorFromSet(labels.Set{"component": component})})
		for _, o := range objs {
			p := o.(*corev1.Pod)
			if p.Status.Phase == corev1.PodRunning && len(p.Spec.Containers) > 0 {
				tag = tagOf(p.Spec.Containers[0].Image)
			}
		}
	})
	return tag
}

func tagOf(image string) string {
	ref, _, _ := strings.Cut(image, "@")
	return ref[strings.LastIndex(ref, ":")+1:]
}

// clusterVersion is the API server's version, as kubeadm asks it.
func (h *Host) clusterVersion() string {
	if t := h.podTag("kube-apiserver"); imageTag.MatchString(t) {
		return t
	}
	return h.cluster().Spec.KubernetesVersion
}

// kubeletVersions counts the nodes by their kubelets' versions.
func (h *Host) kubeletVersions() map[string]int {
	out := map[string]int{}
	res, _ := lookupResource("nodes")
	h.cluster().Locked(func() {
		objs, _, _ := h.cluster().Registry.List(res, "", registry.ListOptions{})
		for _, o := range objs {
			if v := o.(*corev1.Node).Status.NodeInfo.KubeletVersion; v != "" {
				out[v]++
			}
		}
	})
	return out
}

// coreDNSVersion is the CoreDNS image tag the cluster runs.
func (h *Host) coreDNSVersion() string {
	res, ok := registry.Lookup(schema.GroupResource{Group: "apps", Resource: "deployments"})
	v := ""
	if ok {
		h.cluster().Locked(func() {
			if obj, err := h.cluster().Registry.Get(res, "kube-system", "coredns"); err == nil {
				if cs := obj.(*appsv1.Deployment).Spec.Template.Spec.Containers; len(cs) > 0 {
					v = tagOf(cs[0].Image)
				}
			}
		})
	}
	return v
}

const upgradeConfigLines = "[upgrade/config] Making sure the configuration is correct:\n[upgrade/config] Reading configuration from the cluster...\n[upgrade/config] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n[preflight] Running pre-flight checks.\n[upgrade] Running cluster health checks\n"

const noAdminConf = "couldn't create a Kubernetes client from file \"/etc/kubernetes/admin.conf\": failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher\n"

// argsAfter is what follows the first word in args.
func argsAfter(args []string, word string) []string {
	for i, a := range args {
		if a == word {
			return args[i+1:]
		}
	}
	return nil
}

// kubeadmUpgrade dispatches kubeadm upgrade plan|apply|node.
func (h *Host) kubeadmUpgrade(c *shell.Cmd, args []string) int {
	var pos []string
	flags := map[string]string{}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			k, v, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if !ok {
				v = "true"
			}
			flags[k] = v
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) == 0 {
		fmt.Fprint(c.Stdout, "Upgrade your cluster smoothly to a newer version with this command\n\nUsage:\n  kubeadm upgrade [flags]\n  kubeadm upgrade [command]\n\nAvailable Commands:\n  apply       Upgrade your Kubernetes cluster to the specified version\n  diff        Show what differences would be applied to existing static pod manifests. See also: kubeadm upgrade apply --dry-run\n  node        Upgrade commands for a node in the cluster\n  plan        Check which versions are available to upgrade to and validate whether your current cluster is upgradeable.\n\nFlags:\n  -h, --help   help for upgrade\n\nGlobal Flags:\n      --add-dir-header           If true, adds the file directory to the header of the log messages\n      --log-file string          If non-empty, use this log file\n      --log-file-max-size uint   Defines the maximum size a log file can grow to (no effect when -logtostderr=true). Unit is megabytes. If the value is 0, the maximum file size is unlimited. (default 1800)\n      --one-output               If true, only write logs to their native severity level (vs also writing to each lower severity level; no effect when -logtostderr=true)\n      --rootfs string            [EXPERIMENTAL] The path to the 'real' host root filesystem.\n      --skip-headers             If true, avoid header prefixes in the log messages\n      --skip-log-headers         If true, avoid headers when opening log files (no effect when -logtostderr=true)\n  -v, --v Level                  number for the log level verbosity\n\nUse \"kubeadm upgrade [command] --help\" for more information about a command.\n")
		return 0
	}
	switch pos[0] {
	case "plan":
		if _, err := h.fs.Stat("/etc/kubernetes/admin.conf"); err != nil {
			fmt.Fprint(c.Stderr, noAdminConf)
			return 1
		}
		return h.upgradePlan(c)
	case "apply":
		if _, err := h.fs.Stat("/etc/kubernetes/admin.conf"); err != nil {
			fmt.Fprint(c.Stderr, noAdminConf)
			return 1
		}
		if len(pos) < 2 {
			fmt.Fprint(c.Stderr, "[upgrade/version] FATAL: missing one or more required arguments: [version]\nTo see the stack trace of this error execute with --v=5 or higher\n")
			return 1
		}
		return h.upgradeApply(c, pos[1], flags)
	case "node":
		return h.upgradeNode(c, flags)
	}
	fmt.Fprintf(c.Stderr, "unknown command %q for \"kubeadm upgrade\"\nTo see the stack trace of this error execute with --v=5 or higher\n", pos[0])
	return 1
}

// upgradePlan is kubeadm upgrade plan.
func (h *Host) upgradePlan(c *shell.Cmd) int {
	out := c.Stdout
	cluster, kubeadmV := h.clusterVersion(), h.kubeadmBinary()
	cm, km := minorOf(cluster), minorOf(kubeadmV)
	fmt.Fprint(out, upgradeConfigLines)
	fmt.Fprint(out, "[upgrade] Fetching available versions to upgrade to\n")
	fmt.Fprintf(out, "[upgrade/versions] Cluster version: %s\n[upgrade/versions] kubeadm version: %s\n", cluster, kubeadmV)
	target := latestPatch(km, kubeadmV)
	if compareVersions(strings.TrimPrefix(kubeadmV, "v"), strings.TrimPrefix(target, "v")) > 0 {
		target = kubeadmV
	}
	fmt.Fprintf(out, "[upgrade/versions] Target version: %s\n", target)
	series := latestPatch(cm, cluster)
	if compareVersions(strings.TrimPrefix(cluster, "v"), strings.TrimPrefix(series, "v")) > 0 {
		series = cluster
	}
	fmt.Fprintf(out, "[upgrade/versions] Latest version in the v1.%d series: %s\n\n", cm, series)
	type plan struct{ desc, to string }
	var plans []plan
	if compareVersions(strings.TrimPrefix(series, "v"), strings.TrimPrefix(cluster, "v")) > 0 && cm <= km {
		plans = append(plans, plan{fmt.Sprintf("version in the v1.%d series", cm), series})
	}
	if km > cm && compareVersions(strings.TrimPrefix(target, "v"), strings.TrimPrefix(cluster, "v")) > 0 {
		plans = append(plans, plan{"stable version", target})
	}
	if len(plans) == 0 {
		fmt.Fprintln(out, "Awesome, you're up-to-date! Enjoy!")
		return 0
	}
	kubelets := h.kubeletVersions()
	etcdNow := h.podTag("etcd")
	dnsNow := h.coreDNSVersion()
	for _, p := range plans {
		etcd, dns := addonVersions(minorOf(p.to))
		if _, same := kubelets[p.to]; len(kubelets) > 1 || (len(kubelets) == 1 && !same) {
			fmt.Fprintln(out, "Components that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':")
			w := tabwriter.NewWriter(out, 10, 4, 3, ' ', 0)
			fmt.Fprintln(w, "COMPONENT\tCURRENT\tTARGET")
			vs := sortedKeys(kubelets)
			for i, v := range vs {
				name := "kubelet"
				if i > 0 {
					name = ""
				}
				fmt.Fprintf(w, "%s\t%d x %s\t%s\n", name, kubelets[v], v, p.to)
			}
			w.Flush()
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "Upgrade to the latest %s:\n\n", p.desc)
		w := tabwriter.NewWriter(out, 10, 4, 3, ' ', 0)
		fmt.Fprintln(w, "COMPONENT\tCURRENT\tTARGET")
		for _, comp := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"} {
			fmt.Fprintf(w, "%s\t%s\t%s\n", comp, cluster, p.to)
		}
		fmt.Fprintf(w, "CoreDNS\t%s\t%s\n", dnsNow, dns)
		fmt.Fprintf(w, "etcd\t%s\t%s\n", etcdNow, etcd)
		w.Flush()
		fmt.Fprintf(out, "\nYou can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply %s\n\n", p.to)
		if compareVersions(strings.TrimPrefix(kubeadmV, "v"), strings.TrimPrefix(p.to, "v")) < 0 {
			fmt.Fprintf(out, "Note: Before you can perform this upgrade, you have to update kubeadm to %s.\n\n", p.to)
		}
		fmt.Fprint(out, "_____________________________________________________________________\n\n")
	}
	fmt.Fprint(out, "\nThe table below shows the current state of component configs as understood by this version of kubeadm.\nConfigs that have a \"yes\" mark in the \"MANUAL UPGRADE REQUIRED\" column require manual config upgrade or\nresetting to kubeadm defaults before a successful upgrade can be performed. The version to manually\nupgrade to is denoted in the \"PREFERRED VERSION\" column.\n\n")
	w := tabwriter.NewWriter(out, 10, 4, 3, ' ', 0)
	fmt.Fprintln(w, "API GROUP\tCURRENT VERSION\tPREFERRED VERSION\tMANUAL UPGRADE REQUIRED")
	fmt.Fprintln(w, "kubeproxy.config.k8s.io\tv1alpha1\tv1alpha1\tno")
	fmt.Fprintln(w, "kubelet.config.k8s.io\tv1beta1\tv1beta1\tno")
	w.Flush()
	fmt.Fprint(out, "_____________________________________________________________________\n\n")
	return 0
}

// skewErrors are kubeadm's version skew policy's findings for a target.
func skewErrors(target, cluster, kubeadmV string, kubelets map[string]int) (mandatory, skippable []string) {
	tm, cm, km := minorOf(target), minorOf(cluster), minorOf(kubeadmV)
	if tm > cm+1 {
		mandatory = append(mandatory, fmt.Sprintf("Specified version to upgrade to %q is too high; kubeadm can upgrade only 1 minor version at a time", target))
	}
	if tm < cm-1 {
		mandatory = append(mandatory, fmt.Sprintf("Specified version to downgrade to %q is too low; kubeadm can downgrade only 1 minor version at a time", target))
	}
	if compareVersions(strings.TrimPrefix(kubeadmV, "v"), strings.TrimPrefix(target, "v")) < 0 {
		if tm > km {
			mandatory = append(mandatory, fmt.Sprintf("Specified version to upgrade to %q is at least one minor release higher than the kubeadm minor release (%d > %d). Such an upgrade is not supported", target, tm, km))
		} else {
			skippable = append(skippable, fmt.Sprintf("Specified version to upgrade to %q is higher than the kubeadm version %q. Upgrade kubeadm first using the tool you used to install kubeadm", target, kubeadmV))
		}
	}
	if km > tm {
		skippable = append(skippable, fmt.Sprintf("Kubeadm version %s can only be used to upgrade to Kubernetes version 1.%d", kubeadmV, km))
	}
	var old []string
	for v := range kubelets {
		if tm > minorOf(v)+3 {
			old = append(old, v)
		}
	}
	if len(old) > 0 {
		sort.Strings(old)
		skippable = append(skippable, fmt.Sprintf("There are kubelets in this cluster that are too old that have these versions %v", old))
	}
	return mandatory, skippable
}

func formatErrs(errs []string) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\t- %s\n", e)
	}
	return b.String()
}

// tempSuffix is os.MkdirTemp's random suffix, from the cluster's seed, the
// time and what kubeadm's tmp directory holds already.
func (h *Host) tempSuffix(now time.Time, what string) uint32 {
	ents, _ := h.fs.ReadDir("/etc/kubernetes/tmp")
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d/%d", h.seed("kubeadm"), what, now.UnixNano(), len(ents))))
	return binary.BigEndian.Uint32(sum[:4])
}
