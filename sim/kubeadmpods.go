package sim

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KubeadmManifest is one of the control plane's static pod manifests as
// kubeadm writes it to /etc/kubernetes/manifests: File is its name there,
// Pod its content (named for the component; the kubelet's mirror pod adds
// the node's name).
type KubeadmManifest struct {
	File string
	Pod  *corev1.Pod
}

// KubeadmManifests renders kubeadm's four static pods for the control
// plane node: flags, mounts, host paths and annotations as kubeadm writes
// them (v1.27's manifests). image gives each component's image; nil means
// the ones the spec's version ships with. The cluster's mirror pods and
// the node host's manifest files both come from here, so `kubectl describe
// pod etcd-…` shows the flags (cert paths) the file on the host has.
func KubeadmManifests(spec *ClusterSpec, node NodeSpec, image func(component string) string) []KubeadmManifest {
	if image == nil {
		image = func(component string) string { return ControlPlaneImage(spec, component) }
	}
	ip, name := node.IP, node.Name
	K, P := "/etc/kubernetes/pki", "/etc/kubernetes/pki/etcd"
	hostPath := func(name, p string, t corev1.HostPathType) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: p, Type: &t}}}
	}
	dirOrCreate, fileOrCreate := corev1.HostPathDirectoryOrCreate, corev1.HostPathFileOrCreate
	pod := func(component, cpu string, cmd []string, mounts []corev1.VolumeMount, vols []corev1.Volume, ann map[string]string) *corev1.Pod {
		return &corev1.Pod{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: component, Namespace: "kube-system", Annotations: ann,
				Labels: map[string]string{"component": component, "tier": "control-plane"}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: component, Image: image(component), ImagePullPolicy: corev1.PullIfNotPresent, Command: cmd,
					Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: qty(cpu)}},
					VolumeMounts: mounts}},
				HostNetwork:       true,
				PriorityClassName: "system-node-critical",
				SecurityContext:   &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
				Volumes:           vols,
			},
		}
	}
	certs := []corev1.VolumeMount{{Name: "ca-certs", MountPath: "/etc/ssl/certs", ReadOnly: true}, {Name: "k8s-certs", MountPath: K, ReadOnly: true}}
	certVols := []corev1.Volume{hostPath("ca-certs", "/etc/ssl/certs", dirOrCreate), hostPath("k8s-certs", K, dirOrCreate)}
	return []KubeadmManifest{
		{"etcd.yaml", pod("etcd", "100m", []string{"etcd",
			"--advertise-client-urls=https://" + ip + ":2379", "--cert-file=" + P + "/server.crt", "--client-cert-auth=true", "--data-dir=/var/lib/etcd",
			"--experimental-initial-corrupt-check=true", "--experimental-watch-progress-notify-interval=5s",
			"--initial-advertise-peer-urls=https://" + ip + ":2380", "--initial-cluster=" + name + "=https://" + ip + ":2380",
			"--key-file=" + P + "/server.key", "--listen-client-urls=https://127.0.0.1:2379,https://" + ip + ":2379",
			"--listen-metrics-urls=http://127.0.0.1:2381", "--listen-peer-urls=https://" + ip + ":2380", "--name=" + name,
			"--peer-cert-file=" + P + "/peer.crt", "--peer-client-cert-auth=true", "--peer-key-file=" + P + "/peer.key",
			"--peer-trusted-ca-file=" + P + "/ca.crt", "--snapshot-count=10000", "--trusted-ca-file=" + P + "/ca.crt"},
			[]corev1.VolumeMount{{Name: "etcd-data", MountPath: "/var/lib/etcd"}, {Name: "etcd-certs", MountPath: P}},
			[]corev1.Volume{hostPath("etcd-certs", P, dirOrCreate), hostPath("etcd-data", "/var/lib/etcd", dirOrCreate)},
			map[string]string{"kubeadm.kubernetes.io/etcd.advertise-client-urls": "https://" + ip + ":2379"})},
		{"kube-apiserver.yaml", pod("kube-apiserver", "250m", []string{"kube-apiserver",
			"--advertise-address=" + ip, "--allow-privileged=true", "--authorization-mode=Node,RBAC", "--client-ca-file=" + K + "/ca.crt",
			"--enable-admission-plugins=NodeRestriction", "--enable-bootstrap-token-auth=true", "--etcd-cafile=" + P + "/ca.crt",
			"--etcd-certfile=" + K + "/apiserver-etcd-client.crt", "--etcd-keyfile=" + K + "/apiserver-etcd-client.key",
			"--etcd-servers=https://127.0.0.1:2379", "--kubelet-client-certificate=" + K + "/apiserver-kubelet-client.crt",
			"--kubelet-client-key=" + K + "/apiserver-kubelet-client.key", "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
			"--proxy-client-cert-file=" + K + "/front-proxy-client.crt", "--proxy-client-key-file=" + K + "/front-proxy-client.key",
			"--requestheader-allowed-names=front-proxy-client", "--requestheader-client-ca-file=" + K + "/front-proxy-ca.crt",
			"--requestheader-extra-headers-prefix=X-Remote-Extra-", "--requestheader-group-headers=X-Remote-Group",
			"--requestheader-username-headers=X-Remote-User", "--secure-port=6443",
			"--service-account-issuer=https://kubernetes.default.svc.cluster.local", "--service-account-key-file=" + K + "/sa.pub",
			"--service-account-signing-key-file=" + K + "/sa.key", "--service-cluster-ip-range=" + spec.ServiceCIDR,
			"--tls-cert-file=" + K + "/apiserver.crt", "--tls-private-key-file=" + K + "/apiserver.key"},
			certs, certVols, map[string]string{"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": ip + ":6443"})},
		{"kube-controller-manager.yaml", pod("kube-controller-manager", "200m", []string{"kube-controller-manager",
			"--allocate-node-cidrs=true", "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
			"--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf", "--bind-address=127.0.0.1",
			"--client-ca-file=" + K + "/ca.crt", "--cluster-cidr=" + spec.PodCIDR, "--cluster-name=kubernetes",
			"--cluster-signing-cert-file=" + K + "/ca.crt", "--cluster-signing-key-file=" + K + "/ca.key",
			"--controllers=*,bootstrapsigner,tokencleaner", "--kubeconfig=/etc/kubernetes/controller-manager.conf",
			"--leader-elect=true", "--requestheader-client-ca-file=" + K + "/front-proxy-ca.crt",
			"--root-ca-file=" + K + "/ca.crt", "--service-account-private-key-file=" + K + "/sa.key",
			"--service-cluster-ip-range=" + spec.ServiceCIDR, "--use-service-account-credentials=true"},
			append(append([]corev1.VolumeMount(nil), certs...), corev1.VolumeMount{Name: "kubeconfig", MountPath: "/etc/kubernetes/controller-manager.conf", ReadOnly: true}),
			append(append([]corev1.Volume(nil), certVols...), hostPath("kubeconfig", "/etc/kubernetes/controller-manager.conf", fileOrCreate)), nil)},
		{"kube-scheduler.yaml", pod("kube-scheduler", "100m", []string{"kube-scheduler",
			"--authentication-kubeconfig=/etc/kubernetes/scheduler.conf", "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
			"--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"},
			[]corev1.VolumeMount{{Name: "kubeconfig", MountPath: "/etc/kubernetes/scheduler.conf", ReadOnly: true}},
			[]corev1.Volume{hostPath("kubeconfig", "/etc/kubernetes/scheduler.conf", fileOrCreate)}, nil)},
	}
}

// ControlPlaneImage is a control-plane component's image at the spec's version.
func ControlPlaneImage(spec *ClusterSpec, component string) string {
	if component == "etcd" {
		return "registry.k8s.io/etcd:" + addonsFor(minorVersion(spec.KubernetesVersion)).etcd
	}
	return "registry.k8s.io/" + component + ":" + spec.KubernetesVersion
}

// staticPods are the control plane's mirror pods at boot: kubeadm's
// manifests as the kubelet's file source reads them (named for the node,
// bound to it, tolerating every NoExecute taint).
func staticPods(spec *ClusterSpec, node NodeSpec) []*corev1.Pod {
	var out []*corev1.Pod
	for _, m := range KubeadmManifests(spec, node, nil) {
		p := m.Pod
		p.TypeMeta = metav1.TypeMeta{}
		p.Name += "-" + strings.ToLower(node.Name)
		p.Spec.NodeName = node.Name
		p.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}}
		out = append(out, p)
	}
	return out
}
