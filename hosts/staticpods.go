package hosts

import (
	"context"
	"fmt"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"kubesim/sim"
)

// Static pods. The kubelet runs a pod for each manifest in
// /etc/kubernetes/manifests and publishes it as a mirror pod named
// <name>-<node>. A changed file replaces the pod (the old mirror pod is
// deleted, a new one created); a removed or unreadable file removes it.
// The kubelet notices changes at once (inotify); here the host looks after
// every command a shell runs, while the kubelet service is active.

const manifestDir = "/etc/kubernetes/manifests"

// writeManifests writes kubeadm's four manifests. The pods the cluster
// booted with are those manifests' pods; only a change to a file replaces
// one.
func (h *Host) writeManifests() {
	h.manifests = map[string]string{}
	for _, m := range h.kubeadmManifests() {
		h.write(manifestDir+"/"+m.file, m.data, 0o600)
		h.manifests[m.file] = m.data
	}
}

type manifest struct{ file, data string }

// kubeadmManifests renders the control plane's static pods as kubeadm
// writes them, with the images the cluster runs.
func (h *Host) kubeadmManifests() []manifest {
	c := h.cluster()
	ip := h.IP
	image := func(component string) string {
		if res, ok := lookupResource("pods"); ok {
			if obj, err := c.Registry.Get(res, "kube-system", component+"-"+strings.ToLower(h.Name)); err == nil {
				return obj.(*corev1.Pod).Spec.Containers[0].Image
			}
		}
		return "registry.k8s.io/" + component + ":" + c.Spec.KubernetesVersion
	}
	K, P := "/etc/kubernetes/pki", "/etc/kubernetes/pki/etcd"
	hostPath := func(name, p string, t corev1.HostPathType) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: p, Type: &t}}}
	}
	dirOrCreate, fileOrCreate := corev1.HostPathDirectoryOrCreate, corev1.HostPathFileOrCreate
	pod := func(component, cpu string, cmd []string, mounts []corev1.VolumeMount, vols []corev1.Volume, ann map[string]string) string {
		p := &corev1.Pod{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: component, Namespace: "kube-system", Annotations: ann,
				Labels: map[string]string{"component": component, "tier": "control-plane"}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: component, Image: image(component), ImagePullPolicy: corev1.PullIfNotPresent, Command: cmd,
					Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}},
					VolumeMounts: mounts}},
				HostNetwork:       true,
				PriorityClassName: "system-node-critical",
				SecurityContext:   &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
				Volumes:           vols,
			},
		}
		b, _ := yaml.Marshal(p)
		return string(b)
	}
	certs := []corev1.VolumeMount{{Name: "ca-certs", MountPath: "/etc/ssl/certs", ReadOnly: true}, {Name: "k8s-certs", MountPath: K, ReadOnly: true}}
	certVols := []corev1.Volume{hostPath("ca-certs", "/etc/ssl/certs", dirOrCreate), hostPath("k8s-certs", K, dirOrCreate)}
	return []manifest{
		{"etcd.yaml", pod("etcd", "100m", []string{"etcd",
			"--advertise-client-urls=https://" + ip + ":2379", "--cert-file=" + P + "/server.crt", "--client-cert-auth=true", "--data-dir=/var/lib/etcd",
			"--experimental-initial-corrupt-check=true", "--experimental-watch-progress-notify-interval=5s",
			"--initial-advertise-peer-urls=https://" + ip + ":2380", "--initial-cluster=" + h.Name + "=https://" + ip + ":2380",
			"--key-file=" + P + "/server.key", "--listen-client-urls=https://127.0.0.1:2379,https://" + ip + ":2379",
			"--listen-metrics-urls=http://127.0.0.1:2381", "--listen-peer-urls=https://" + ip + ":2380", "--name=" + h.Name,
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
			"--service-account-signing-key-file=" + K + "/sa.key", "--service-cluster-ip-range=" + c.Spec.ServiceCIDR,
			"--tls-cert-file=" + K + "/apiserver.crt", "--tls-private-key-file=" + K + "/apiserver.key"},
			certs, certVols, map[string]string{"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": ip + ":6443"})},
		{"kube-controller-manager.yaml", pod("kube-controller-manager", "200m", []string{"kube-controller-manager",
			"--allocate-node-cidrs=true", "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
			"--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf", "--bind-address=127.0.0.1",
			"--client-ca-file=" + K + "/ca.crt", "--cluster-cidr=" + c.Spec.PodCIDR, "--cluster-name=kubernetes",
			"--cluster-signing-cert-file=" + K + "/ca.crt", "--cluster-signing-key-file=" + K + "/ca.key",
			"--controllers=*,bootstrapsigner,tokencleaner", "--kubeconfig=/etc/kubernetes/controller-manager.conf",
			"--leader-elect=true", "--requestheader-client-ca-file=" + K + "/front-proxy-ca.crt",
			"--root-ca-file=" + K + "/ca.crt", "--service-account-private-key-file=" + K + "/sa.key",
			"--service-cluster-ip-range=" + c.Spec.ServiceCIDR, "--use-service-account-credentials=true"},
			append(append([]corev1.VolumeMount(nil), certs...), corev1.VolumeMount{Name: "kubeconfig", MountPath: "/etc/kubernetes/controller-manager.conf", ReadOnly: true}),
			append(append([]corev1.Volume(nil), certVols...), hostPath("kubeconfig", "/etc/kubernetes/controller-manager.conf", fileOrCreate)), nil)},
		{"kube-scheduler.yaml", pod("kube-scheduler", "100m", []string{"kube-scheduler",
			"--authentication-kubeconfig=/etc/kubernetes/scheduler.conf", "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
			"--bind-address=127.0.0.1", "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"},
			[]corev1.VolumeMount{{Name: "kubeconfig", MountPath: "/etc/kubernetes/scheduler.conf", ReadOnly: true}},
			[]corev1.Volume{hostPath("kubeconfig", "/etc/kubernetes/scheduler.conf", fileOrCreate)}, nil)},
	}
}

// currentManifests reads the manifest directory: regular files whose
// names do not start with a dot, as the kubelet's file source does.
func (h *Host) currentManifests() map[string]string {
	out := map[string]string{}
	dir := h.staticPodDir() // staticpodpath.go
	ents, err := h.fs.ReadDir(dir)
	if dir == "" || err != nil {
		return out
	}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := h.fs.ReadFile(dir + "/" + e.Name())
		if err == nil {
			out[e.Name()] = string(b)
		}
	}
	return out
}

// syncManifests replaces the mirror pods of changed manifests. Call it
// with the cluster lock held (inside Do).
func (h *Host) syncManifests() {
	h.catchUp()
	c := h.cluster()
	k := c.Node(h.Name)
	if k == nil || !k.ServiceActive() {
		return
	}
	if h.manifests == nil {
		h.manifests = map[string]string{}
	}
	now := h.currentManifests()
	names := map[string]bool{}
	for n := range now {
		names[n] = true
	}
	for n := range h.manifests {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	res, _ := lookupResource("pods")
	kl := k
	pid := h.units["kubelet.service"].pid
	for _, n := range sorted {
		old, cur := h.manifests[n], now[n]
		if old == cur {
			continue
		}
		if old != "" {
			if p, err := h.decodeManifest(old); err == nil {
				zero := int64(0)
				c.Registry.Delete(res, p.Namespace, p.Name, &metav1.DeleteOptions{GracePeriodSeconds: &zero})
			}
		}
		if cur == "" {
			delete(h.manifests, n)
			continue
		}
		h.manifests[n] = cur
		p, err := h.decodeManifest(cur)
		if err != nil {
			t := h.now()
			h.journalf(t, "kubelet", pid, "kubelet.service", "E%s   %d file.go:187] \"Could not process manifest file\" err=\"%s\" path=\"%s\"", klogTime(t), pid, err, manifestDir+"/"+n)
			continue
		}
		if p.Namespace == "kube-system" && strings.HasPrefix(p.Name, "etcd-") {
			h.etcdMoved(p)
		}
		if err := kl.CreateMirrorPod(p); err != nil {
			t := h.now()
			h.journalf(t, "kubelet", pid, "kubelet.service", "E%s   %d kubelet.go:1875] \"Failed creating a mirror pod for\" err=\"%s\" pod=\"%s/%s\"", klogTime(t), pid, err, p.Namespace, p.Name)
		}
	}
}

// decodeManifest reads a static pod manifest as the kubelet's file
// source does: a v1 Pod, named <name>-<node>, in "default" unless it
// says otherwise, on this node.
func (h *Host) decodeManifest(data string) (*corev1.Pod, error) {
	var p corev1.Pod
	if err := yaml.UnmarshalStrict([]byte(data), &p); err != nil {
		return nil, fmt.Errorf("invalid pod: %v", err)
	}
	if p.Kind != "Pod" || (p.APIVersion != "v1" && p.APIVersion != "") {
		return nil, fmt.Errorf("invalid pod: kind %q is not a v1 Pod", p.Kind)
	}
	if p.Name == "" {
		return nil, fmt.Errorf("invalid pod: name is required")
	}
	p.Name = p.Name + "-" + strings.ToLower(h.Name)
	if p.Namespace == "" {
		p.Namespace = metav1.NamespaceDefault
	}
	p.Spec.NodeName = h.Name
	// The kubelet's file source lets static pods tolerate every NoExecute
	// taint (pkg/kubelet/config/common.go), so a NotReady node keeps them.
	p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute})
	p.Status = corev1.PodStatus{}
	return &p, nil
}

// installGates ties the scheduler and the controller manager to their
// static pods on the control plane: while a component's container does not
// run, the component does nothing.
func (hs *Hosts) installGates() {
	cp := hs.c.Spec.ControlPlane()
	if cp == nil || hs.c.Node(cp.Name) == nil {
		return
	}
	k := hs.c.Node(cp.Name)
	node := strings.ToLower(cp.Name)
	hs.c.SetGate(sim.SchedulerComponent, func() bool { return k.StaticPodRunning("kube-system", "kube-scheduler-"+node) })
	hs.c.SetGate(sim.ControllerManagerComponent, func() bool { return k.StaticPodRunning("kube-system", "kube-controller-manager-"+node) })
	hs.installAPIGate(k, node) // controlplane.go
}

// containerProcs are the main processes of the containers the node's
// runtime runs, for ps: the container's command and args from its pod.
func (h *Host) containerProcs() []proc {
	k := h.cluster().Node(h.Name)
	if k == nil {
		return nil
	}
	rs := k.Runtime().Runtime()
	defer k.Runtime().TakeCost()
	resp, err := rs.ListContainers(context.Background(), &runtimeapi.ListContainersRequest{})
	if err != nil {
		return nil
	}
	res, _ := lookupResource("pods")
	var out []proc
	for _, ct := range resp.Containers {
		if ct.State != runtimeapi.ContainerState_CONTAINER_RUNNING {
			continue
		}
		cmd := ct.Metadata.GetName()
		if obj, err := h.cluster().Registry.Get(res, ct.Labels["io.kubernetes.pod.namespace"], ct.Labels["io.kubernetes.pod.name"]); err == nil {
			for _, c := range obj.(*corev1.Pod).Spec.Containers {
				if c.Name == ct.Metadata.GetName() && len(c.Command)+len(c.Args) > 0 {
					cmd = strings.Join(append(append([]string(nil), c.Command...), c.Args...), " ")
				}
			}
		}
		sum := 0
		for _, ch := range ct.Id[:8] {
			sum = sum*16 + int(ch%16)
		}
		out = append(out, proc{pid: 3000 + sum%60000, start: time.Unix(0, ct.CreatedAt).UTC().Format("15:04"), cmd: cmd})
	}
	return out
}

type proc struct {
	pid   int
	start string
	cmd   string
}
