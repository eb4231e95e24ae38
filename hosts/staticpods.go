package hosts

import (
	"context"
	"fmt"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
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
	image := func(component string) string {
		if res, ok := lookupResource("pods"); ok {
			if obj, err := c.Registry.Get(res, "kube-system", component+"-"+strings.ToLower(h.Name)); err == nil {
				return obj.(*corev1.Pod).Spec.Containers[0].Image
			}
		}
		return sim.ControlPlaneImage(&c.Spec, component)
	}
	var out []manifest
	for _, m := range sim.KubeadmManifests(&c.Spec, sim.NodeSpec{Name: h.Name, IP: h.IP}, image) {
		b, _ := yaml.Marshal(m.Pod)
		out = append(out, manifest{m.File, string(b)})
	}
	return out
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
