package hosts

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/shell"
)

func fsMode(perm uint32) fs.FileMode { return fs.FileMode(perm) }

// writeFiles lays out what kubeadm, the packages and Vagrant left on the
// node. Called once, with the cluster lock held.
func (h *Host) writeFiles() {
	c := h.cluster()
	h.write("/etc/hostname", h.Name+"\n", 0o644)
	h.write("/etc/hosts", h.etcHosts(), 0o644)
	h.write("/etc/os-release", osRelease, 0o644)
	h.write("/etc/timezone", "Etc/UTC\n", 0o644)
	h.write("/etc/passwd", etcPasswd, 0o644)
	h.write("/etc/group", etcGroup, 0o644)
	h.write("/etc/resolv.conf", "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n", 0o644)
	h.root.Symlink("usr/bin", "/bin")
	h.root.Symlink("usr/sbin", "/sbin")
	h.root.Symlink("usr/lib", "/lib")
	for _, name := range shell.Applets() {
		h.write("/usr/bin/"+name, "", 0o755)
	}
	for _, name := range hostCommandNames() {
		h.write("/usr/bin/"+name, "", 0o755)
	}
	for _, d := range []string{"/root", "/tmp", "/home/vagrant", "/opt/cni/bin", "/var/lib/etcd", "/var/log/pods", "/var/log/containers", "/etc/kubernetes/manifests"} {
		h.fs.MkdirAll(d, 0o755)
	}
	if !h.ControlPlane {
		h.fs.Remove("/var/lib/etcd")
	}
	h.fs.Chmod("/tmp", 0o1777)

	// kubeadm: kubeconfigs, certificates, the kubelet's configuration.
	cp := c.Spec.ControlPlane()
	server := "https://" + h.IP + ":6443"
	if cp != nil {
		server = "https://" + cp.IP + ":6443"
	}
	h.writePKI(server)
	h.write("/var/lib/kubelet/config.yaml", kubeletConfig, 0o644)
	pause := "registry.k8s.io/pause:3.9"
	h.write("/var/lib/kubelet/kubeadm-flags.env", fmt.Sprintf("KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=%s --pod-infra-container-image=%s\"\n", h.criEndpoint(), pause), 0o644)
	if h.ControlPlane {
		h.writeManifests()
	}

	h.writePackages()

	// The container runtime and crictl.
	switch h.runtime {
	case "cri-dockerd":
		h.write("/etc/docker/daemon.json", "{\n  \"exec-opts\": [\"native.cgroupdriver=systemd\"],\n  \"log-driver\": \"json-file\",\n  \"log-opts\": {\n    \"max-size\": \"100m\"\n  },\n  \"storage-driver\": \"overlay2\"\n}\n", 0o644)
	case "cri-o":
		h.write("/etc/crio/crio.conf", "[crio.runtime]\ncgroup_manager = \"systemd\"\n", 0o644)
	default:
		h.write("/etc/containerd/config.toml", containerdConfig(pause), 0o644)
	}
	h.write("/etc/crictl.yaml", "runtime-endpoint: "+h.criEndpoint()+"\n", 0o644)

	// flannel.
	h.write("/etc/cni/net.d/10-flannel.conflist", flannelConflist, 0o644)
	for _, p := range []string{"bridge", "flannel", "host-local", "loopback", "portmap"} {
		h.write("/opt/cni/bin/"+p, "", 0o755)
	}
	if sub := h.podCIDR(); sub != "" {
		h.write("/run/flannel/subnet.env", subnetEnv(c.Spec.PodCIDR, sub), 0o644)
	}
}

// podCIDR is the node's pod subnet from its Node object.
func (h *Host) podCIDR() string {
	n := h.node()
	if n == nil {
		return ""
	}
	return n.Spec.PodCIDR
}

func (h *Host) node() *corev1.Node {
	res, ok := lookupResource("nodes")
	if !ok {
		return nil
	}
	obj, err := h.cluster().Registry.Get(res, "", h.Name)
	if err != nil {
		return nil
	}
	return obj.(*corev1.Node)
}

// subnetEnv is flanneld's /run/flannel/subnet.env: the node's subnet with
// the gateway address (.1).
func subnetEnv(network, subnet string) string {
	gw := subnet
	if i := strings.LastIndex(subnet, ".0/"); i >= 0 {
		gw = subnet[:i] + ".1/" + subnet[i+3:]
	}
	return fmt.Sprintf("FLANNEL_NETWORK=%s\nFLANNEL_SUBNET=%s\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n", network, gw)
}

func (h *Host) criEndpoint() string {
	switch h.runtime {
	case "cri-dockerd":
		return "unix:///var/run/cri-dockerd.sock"
	case "cri-o":
		return "unix:///var/run/crio/crio.sock"
	case "docker":
		return "unix:///var/run/dockershim.sock"
	}
	return "unix:///var/run/containerd/containerd.sock"
}

func (h *Host) etcHosts() string {
	var b strings.Builder
	fmt.Fprintf(&b, "127.0.0.1 localhost\n127.0.1.1 %s %s\n\n", h.Name, h.Short())
	b.WriteString("# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n")
	for _, name := range h.hs.order {
		o := h.hs.hosts[name]
		if o.Short() != o.Name {
			fmt.Fprintf(&b, "%s %s %s\n", o.IP, o.Name, o.Short())
		} else {
			fmt.Fprintf(&b, "%s %s\n", o.IP, o.Name)
		}
	}
	return b.String()
}

func (h *Host) seed(what string) string { return clusterSeed(h.cluster().Spec.Seed, h.Name+"/"+what) }

func clusterSeed(seed uint64, what string) string { return fmt.Sprintf("%d/%s", seed, what) }

// pemBlock is a PEM block of the given type whose body is derived from
// seed: the files look and weigh as kubeadm's do and are the same on every
// run (no key is real; nothing here verifies them).
func pemBlock(kind, seed string, lines int) string {
	var raw []byte
	sum := sha256.Sum256([]byte(seed))
	for len(raw) < lines*48 {
		raw = append(raw, sum[:]...)
		sum = sha256.Sum256(sum[:])
	}
	enc := base64.StdEncoding.EncodeToString(raw[:lines*48])
	var b strings.Builder
	b.WriteString("-----BEGIN " + kind + "-----\n")
	for i := 0; i < len(enc); i += 64 {
		b.WriteString(enc[i:min(i+64, len(enc))] + "\n")
	}
	b.WriteString("-----END " + kind + "-----\n")
	return b.String()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func minorOf(v string) int {
	var major, minor int
	fmt.Sscanf(strings.TrimPrefix(v, "v"), "%d.%d", &major, &minor)
	return minor
}

const osRelease = `PRETTY_NAME="Ubuntu 22.04.2 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.2 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`

// kubeletConfig is kubeadm's /var/lib/kubelet/config.yaml.
const kubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`

func containerdConfig(pause string) string {
	return `version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "` + pause + `"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = true
`
}

// flannelConflist is kube-flannel.yml's cni-conf.json.
const flannelConflist = `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
`
