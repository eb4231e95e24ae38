package hosts

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/runtime/shell"
	"kubesim/sim/registry"
)

// staticPodTimeout is how long kubeadm waits for the kubelet to restart a
// component.
const staticPodTimeout = 5 * time.Minute

var imageLine = regexp.MustCompile(`(?m)^[ \t-]*image:[ \t]*(\S+)[ \t]*$`)

// upgradeApply is kubeadm upgrade apply VERSION.
func (h *Host) upgradeApply(c *shell.Cmd, arg string, flags map[string]string) int {
	out := c.Stdout
	target := arg
	if !strings.HasPrefix(target, "v") {
		target = "v" + target
	}
	if !imageTag.MatchString(target) {
		fmt.Fprintf(c.Stderr, "[upgrade/version] FATAL: version %q doesn't match patterns for neither semantic version nor labels (stable, latest, ...)\nTo see the stack trace of this error execute with --v=5 or higher\n", arg)
		return 1
	}
	cluster, kubeadmV := h.clusterVersion(), h.kubeadmBinary()
	fmt.Fprint(out, upgradeConfigLines)
	fmt.Fprintf(out, "[upgrade/version] You have chosen to change the cluster version to %q\n", target)
	fmt.Fprintf(out, "[upgrade/versions] Cluster version: %s\n[upgrade/versions] kubeadm version: %s\n", cluster, kubeadmV)
	mandatory, skippable := skewErrors(target, cluster, kubeadmV, h.kubeletVersions())
	force := flags["force"] == "true" || flags["f"] == "true"
	if len(mandatory) > 0 {
		fmt.Fprintf(c.Stderr, "[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n\n%s\nPlease fix the misalignments highlighted above and try upgrading again\nTo see the stack trace of this error execute with --v=5 or higher\n", formatErrs(mandatory))
		return 1
	}
	if len(skippable) > 0 {
		if !force {
			fmt.Fprintf(c.Stderr, "[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n%s\nCan be bypassed if you pass the --force flag\nTo see the stack trace of this error execute with --v=5 or higher\n", formatErrs(skippable))
			return 1
		}
		fmt.Fprintf(out, "[upgrade/version] Found %d potential version compatibility errors but skipping since the --force flag is set: \n\n%s", len(skippable), formatErrs(skippable))
	}
	dryRun := flags["dry-run"] == "true"
	if !dryRun && !force && flags["y"] != "true" && flags["yes"] != "true" {
		fmt.Fprint(out, "[upgrade] Are you sure you want to proceed? [y/N]: ")
		ans, _ := readLine(c.Stdin)
		if ans != "y" && ans != "Y" {
			fmt.Fprint(c.Stderr, "won't proceed; the user didn't answer (Y|y) in order to continue\nTo see the stack trace of this error execute with --v=5 or higher\n")
			return 1
		}
	}
	fmt.Fprint(out, "[upgrade/prepull] Pulling images required for setting up a Kubernetes cluster\n[upgrade/prepull] This might take a minute or two, depending on the speed of your internet connection\n[upgrade/prepull] You can also perform this action in beforehand using 'kubeadm config images pull'\n")
	fmt.Fprintf(out, "[upgrade/apply] Upgrading your Static Pod-hosted control plane to version %q (timeout: 5m0s)...\n", target)
	if dryRun {
		// kubeadm also prints the manifests and objects it would write;
		// here nothing is changed and only its closing line follows.
		fmt.Fprint(out, "[upgrade/successful] Finished dryrunning successfully!\n")
		return 0
	}
	if err := h.upgradeControlPlane(c, target, flags); err != "" {
		fmt.Fprintf(c.Stderr, "[upgrade/apply] FATAL: couldn't upgrade control plane. kubeadm has tried to recover everything into the earlier state. Errors faced: %s\nTo see the stack trace of this error execute with --v=5 or higher\n", err)
		return 1
	}
	fmt.Fprint(out, "[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace\n[kubelet] Creating a ConfigMap \"kubelet-config\" in namespace kube-system with the configuration for the kubelets in the cluster\n")
	h.backupKubeletConfig(c)
	fmt.Fprint(out, "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes\n[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials\n[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token\n[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster\n")
	h.cluster().Do(func() { h.upgradeAddons(target) })
	fmt.Fprint(out, "[addons] Applied essential addon: CoreDNS\n[addons] Applied essential addon: kube-proxy\n\n")
	fmt.Fprintf(out, "[upgrade/successful] SUCCESS! Your cluster was upgraded to %q. Enjoy!\n\n", target)
	fmt.Fprint(out, "[upgrade/kubelet] Now that your control plane is upgraded, please proceed with upgrading your kubelets if you haven't already done so.\n")
	return 0
}

// upgradeControlPlane rewrites the node's static pod manifests for the
// target release, one component at a time, waiting for each new pod; it
// returns the error kubeadm reports ("" none).
func (h *Host) upgradeControlPlane(c *shell.Cmd, target string, flags map[string]string) string {
	out := c.Stdout
	now := c.Now()
	backup := "/etc/kubernetes/tmp/kubeadm-backup-manifests-" + now.UTC().Format("2006-01-02-15-04-05")
	renew := flags["certificate-renewal"] != "false"
	etcd, _ := addonVersions(minorOf(target))
	if flags["etcd-upgrade"] != "false" {
		fmt.Fprint(out, "[upgrade/etcd] Upgrading to TLS for etcd\n")
		certs := []string{"etcd-server", "etcd-peer", "etcd-healthcheck-client"}
		if err := h.upgradeStaticPod(c, "etcd", "registry.k8s.io/etcd:"+etcd, backup, renewIf(renew, certs)); err != "" {
			return err
		}
		fmt.Fprint(out, "[upgrade/etcd] Waiting for etcd to become available\n")
	}
	fmt.Fprintf(out, "[upgrade/staticpods] Writing new Static Pod manifests to \"/etc/kubernetes/tmp/kubeadm-upgraded-manifests%d\"\n", h.tempSuffix(now, "upgraded-manifests"))
	for _, comp := range []struct {
		name  string
		certs []string
	}{
		{"kube-apiserver", []string{"apiserver", "apiserver-kubelet-client", "front-proxy-client", "apiserver-etcd-client"}},
		{"kube-controller-manager", []string{"controller-manager.conf"}},
		{"kube-scheduler", []string{"scheduler.conf"}},
	} {
		if err := h.upgradeStaticPod(c, comp.name, "registry.k8s.io/"+comp.name+":"+target, backup, renewIf(renew, comp.certs)); err != "" {
			return err
		}
	}
	return ""
}

func renewIf(renew bool, certs []string) []string {
	if renew {
		return certs
	}
	return nil
}

// upgradeStaticPod gives component's manifest the image, backing the old
// one up, and waits for the kubelet to run the new pod.
func (h *Host) upgradeStaticPod(c *shell.Cmd, component, image, backup string, certs []string) string {
	out := c.Stdout
	file := manifestDir + "/" + component + ".yaml"
	fmt.Fprintf(out, "[upgrade/staticpods] Preparing for %q upgrade\n", component)
	b, err := h.fs.ReadFile(file)
	if err != nil {
		return fmt.Sprintf("failed to read manifest: open %s: no such file or directory", file)
	}
	old := string(b)
	loc := imageLine.FindStringSubmatchIndex(old)
	if loc == nil {
		return fmt.Sprintf("couldn't find image of the static Pod manifest %s", file)
	}
	if old[loc[2]:loc[3]] == image {
		fmt.Fprintf(out, "[upgrade/staticpods] Current and new manifests of %s are equal, skipping upgrade\n", component)
		return ""
	}
	updated := old[:loc[2]] + image + old[loc[3]:]
	for _, cert := range certs {
		fmt.Fprintf(out, "[upgrade/staticpods] Renewing %s certificate\n", cert)
		h.cluster().Locked(func() { h.renewCert(cert, c.Now()) }) // certsrenew.go
	}
	h.fs.MkdirAll(backup, 0o700)
	h.fs.WriteFile(backup+"/"+component+".yaml", b, 0o600)
	h.fs.WriteFile(file, []byte(updated), 0o600)
	fmt.Fprintf(out, "[upgrade/staticpods] Moved new manifest to %q and backed up old manifest to %q\n", file, backup+"/"+component+".yaml")
	fmt.Fprint(out, "[upgrade/staticpods] Waiting for the kubelet to restart the component\n[upgrade/staticpods] This might take a minute or longer depending on the component/version gap (timeout 5m0s)\n")
	if !h.waitStaticPod(c, component, image) {
		h.fs.WriteFile(file, b, 0o600)
		h.cluster().Do(h.syncManifests)
		return "timed out waiting for the condition"
	}
	fmt.Fprintf(out, "[apiclient] Found 1 Pods for label selector component=%s\n", component)
	fmt.Fprintf(out, "[upgrade/staticpods] Component %q upgraded successfully!\n", component)
	return ""
}

// waitStaticPod lets the kubelet pick the manifest up and waits, on the
// virtual clock, until the component's mirror pod runs the image.
func (h *Host) waitStaticPod(c *shell.Cmd, component, image string) bool {
	res, _ := lookupResource("pods")
	name := component + "-" + strings.ToLower(h.Name)
	deadline := c.Now().Add(staticPodTimeout)
	for {
		running := false
		h.cluster().Do(func() {
			h.syncManifests()
			if obj, err := h.cluster().Registry.Get(res, "kube-system", name); err == nil {
				p := obj.(*corev1.Pod)
				running = p.Status.Phase == corev1.PodRunning && len(p.Spec.Containers) > 0 && p.Spec.Containers[0].Image == image
			}
		})
		if running {
			return true
		}
		if !c.Now().Before(deadline) || c.Sleep(time.Second) != nil {
			return false
		}
	}
}

// backupKubeletConfig prints kubeadm's kubelet configuration phase and
// keeps the old file where kubeadm does.
func (h *Host) backupKubeletConfig(c *shell.Cmd) {
	dir := fmt.Sprintf("/etc/kubernetes/tmp/kubeadm-kubelet-config%d", h.tempSuffix(c.Now(), "kubelet-config"))
	fmt.Fprintf(c.Stdout, "[upgrade] Backing up kubelet config file to %s/config.yaml\n", dir)
	if b, err := h.fs.ReadFile("/var/lib/kubelet/config.yaml"); err == nil {
		h.fs.MkdirAll(dir, 0o700)
		h.fs.WriteFile(dir+"/config.yaml", b, 0o644)
	}
	fmt.Fprint(c.Stdout, "[kubelet-start] Writing kubelet configuration to file \"/var/lib/kubelet/config.yaml\"\n")
}

// upgradeAddons stores the new version in kubeadm-config and rolls
// kube-proxy and CoreDNS to the release's images. Call it inside Do.
func (h *Host) upgradeAddons(target string) {
	reg := h.cluster().Registry
	if res, ok := lookupResource("configmaps"); ok {
		if obj, err := reg.Get(res, "kube-system", "kubeadm-config"); err == nil {
			cm := obj.(*corev1.ConfigMap).DeepCopy()
			if cc, ok := cm.Data["ClusterConfiguration"]; ok {
				cm.Data["ClusterConfiguration"] = regexp.MustCompile(`(?m)^kubernetesVersion: \S+$`).ReplaceAllString(cc, "kubernetesVersion: "+target)
				cm.ResourceVersion = ""
				reg.Update(res, "kube-system", cm, "")
			}
		}
	}
	_, dns := addonVersions(minorOf(target))
	if res, ok := registry.Lookup(schema.GroupResource{Group: "apps", Resource: "daemonsets"}); ok {
		if obj, err := reg.Get(res, "kube-system", "kube-proxy"); err == nil {
			ds := obj.(*appsv1.DaemonSet).DeepCopy()
			if setImage(ds.Spec.Template.Spec.Containers, "registry.k8s.io/kube-proxy:"+target) {
				ds.ResourceVersion = ""
				reg.Update(res, "kube-system", ds, "")
			}
		}
	}
	if res, ok := registry.Lookup(schema.GroupResource{Group: "apps", Resource: "deployments"}); ok {
		if obj, err := reg.Get(res, "kube-system", "coredns"); err == nil {
			d := obj.(*appsv1.Deployment).DeepCopy()
			if setImage(d.Spec.Template.Spec.Containers, "registry.k8s.io/coredns/coredns:"+dns) {
				d.ResourceVersion = ""
				reg.Update(res, "kube-system", d, "")
			}
		}
	}
}

// setImage gives the first container the image; false when it had it.
func setImage(cs []corev1.Container, image string) bool {
	if len(cs) == 0 || cs[0].Image == image {
		return false
	}
	cs[0].Image = image
	return true
}

// configuredVersion is the cluster's version in kubeadm-config, what
// `kubeadm upgrade node` upgrades a control plane instance to.
func (h *Host) configuredVersion() string {
	v := h.clusterVersion()
	res, ok := lookupResource("configmaps")
	if !ok {
		return v
	}
	h.cluster().Locked(func() {
		if obj, err := h.cluster().Registry.Get(res, "kube-system", "kubeadm-config"); err == nil {
			if m := regexp.MustCompile(`(?m)^kubernetesVersion: (\S+)$`).FindStringSubmatch(obj.(*corev1.ConfigMap).Data["ClusterConfiguration"]); m != nil {
				v = m[1]
			}
		}
	})
	return v
}

// upgradeNode is kubeadm upgrade node: a control plane instance's static
// pods to the cluster's version, then the kubelet's configuration.
func (h *Host) upgradeNode(c *shell.Cmd, flags map[string]string) int {
	out := c.Stdout
	if _, err := h.fs.Stat("/etc/kubernetes/kubelet.conf"); err != nil {
		fmt.Fprint(c.Stderr, "couldn't create a Kubernetes client from file \"/etc/kubernetes/kubelet.conf\": failed to load admin kubeconfig: open /etc/kubernetes/kubelet.conf: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher\n")
		return 1
	}
	fmt.Fprint(out, "[upgrade] Reading configuration from the cluster...\n[upgrade] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n[preflight] Running pre-flight checks\n")
	if h.ControlPlane {
		target := h.configuredVersion()
		fmt.Fprint(out, "[preflight] Pulling images required for setting up a Kubernetes cluster\n[preflight] This might take a minute or two, depending on the speed of your internet connection\n[preflight] You can also perform this action in beforehand using 'kubeadm config images pull'\n")
		fmt.Fprintf(out, "[upgrade] Upgrading your Static Pod-hosted control plane instance to version %q...\n", target)
		if err := h.upgradeControlPlane(c, target, flags); err != "" {
			fmt.Fprintf(c.Stderr, "couldn't complete the static pod upgrade: %s\nTo see the stack trace of this error execute with --v=5 or higher\n", err)
			return 1
		}
		fmt.Fprint(out, "[upgrade] The control plane instance for this node was successfully updated!\n")
	} else {
		fmt.Fprint(out, "[preflight] Skipping prepull. Not a control plane node.\n[upgrade] Skipping phase. Not a control plane node.\n")
	}
	h.backupKubeletConfig(c)
	fmt.Fprint(out, "[upgrade] The configuration for this node was successfully updated!\n[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.\n")
	return 0
}
