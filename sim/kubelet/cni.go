package kubelet

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// The pod network of a node kubeadm set up without one (Config.AwaitCNI):
// the container runtime reports NetworkReady=false until a CNI
// configuration appears, so the node registers NotReady and pods that need
// the pod network wait. flannel's DaemonSet pod brings it: its install-cni
// init container copies the CNI configuration to /etc/cni/net.d and
// flanneld writes /run/flannel/subnet.env with the node's subnet. Here the
// kubelet does both when the node's flannel pod runs, then posts Ready.

// cniNotReadyMessage is the Ready condition's message while the runtime
// has no network (kubelet 1.27 with containerd 1.6/1.7).
const cniNotReadyMessage = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"

type cniState struct {
	up       bool   // the CNI configuration is in place
	starting bool   // a flannel pod runs: bring the network up (Run)
	cidr     string // the node's podCIDR, held until up
	from     string // the flannel pod's namespace (its ConfigMap's)
}

// postsReady reports whether the kubelet posts Ready=True: always, except
// on an AwaitCNI node before its network is up and while the node's
// runtime is stopped (runtimedown.go).
func (k *Kubelet) postsReady() bool { return (!k.cfg.AwaitCNI || k.cni.up) && !k.rtState.down }

// cniWaits holds the node's podCIDR back while the network is not up.
func (k *Kubelet) cniWaits(cidr string) bool {
	if k.postsReady() {
		return false
	}
	k.cni.cidr = cidr
	return true
}

// isFlannel reports whether p is a pod of flannel's DaemonSet.
func isFlannel(p *corev1.Pod) bool {
	return p.Labels["app"] == "flannel" && (p.Namespace == "kube-flannel" || p.Namespace == "kube-system")
}

// cniPodEvent notes a running flannel pod on this node.
func (k *Kubelet) cniPodEvent(t store.EventType, p *corev1.Pod) {
	if k.postsReady() || t == store.Delete || !isFlannel(p) || !podRunning(p) {
		return
	}
	k.cni.starting, k.cni.from = true, p.Namespace
}

func podRunning(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Running == nil {
			return false
		}
	}
	return true
}

// cniResume: a reopened cluster's node whose flannel pod was running has
// its network.
func (k *Kubelet) cniResume() {
	if k.postsReady() {
		return
	}
	objs, _, _ := k.cfg.Registry.List(k.podRes, "", podsOnNode(k.cfg.NodeName))
	for _, o := range objs {
		if p := o.(*corev1.Pod); isFlannel(p) && podRunning(p) {
			k.cni.up = true
			return
		}
	}
}

// cniStart brings the network up once a flannel pod runs: flannel's
// files on the host, the held podCIDR to the network, Ready to the node.
// It reports whether it did.
func (k *Kubelet) cniStart() bool {
	if !k.cni.starting || k.cni.up {
		return false
	}
	k.cni.starting, k.cni.up = false, true
	conf, network := k.flannelConfig()
	host := k.HostFS()
	if conf != "" {
		host.WriteFile("/etc/cni/net.d/10-flannel.conflist", []byte(conf), 0o644)
	}
	if k.cni.cidr != "" {
		if network == "" {
			network = k.cni.cidr
		}
		host.WriteFile("/run/flannel/subnet.env", []byte(subnetEnv(network, k.cni.cidr)), 0o644)
		k.setPodCIDR(k.cni.cidr)
	}
	k.postReady()
	return true
}

// flannelConfig reads flannel's ConfigMap (kube-flannel-cfg): the CNI
// configuration and net-conf.json's Network.
func (k *Kubelet) flannelConfig() (conf, network string) {
	res, ok := registry.Lookup(schema.GroupResource{Resource: "configmaps"})
	if !ok {
		return "", ""
	}
	obj, err := k.cfg.Registry.Get(res, k.cni.from, "kube-flannel-cfg")
	if err != nil {
		return "", ""
	}
	cm := obj.(*corev1.ConfigMap)
	var nc struct {
		Network string `json:"Network"`
	}
	json.Unmarshal([]byte(cm.Data["net-conf.json"]), &nc)
	return cm.Data["cni-conf.json"], nc.Network
}

// subnetEnv is flanneld's /run/flannel/subnet.env: the node's subnet with
// its gateway address (.1).
func subnetEnv(network, subnet string) string {
	gw := subnet
	if i := strings.LastIndex(subnet, ".0/"); i >= 0 {
		gw = subnet[:i] + ".1/" + subnet[i+3:]
	}
	return fmt.Sprintf("FLANNEL_NETWORK=%s\nFLANNEL_SUBNET=%s\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n", network, gw)
}
