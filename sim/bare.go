package sim

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A bare cluster (ClusterSpec.Bare) is the lecture's Vagrant machines
// before its previous class: powered on, with the packages installed,
// and no cluster. Each node's kubelet exists but is held (its service
// fails for want of configuration, package hosts); kubeadm init on the
// control plane creates the cluster's objects (KubeadmInit) and starts
// the kubelet there, kubeadm join starts the workers' kubelets, and a
// kubelet's first start registers its node. Nodes register NotReady and
// stay so until flannel's pod runs on them (kubelet.Config.AwaitCNI).

// BareMachinesSpec is the lecture's cluster as bare machines.
func BareMachinesSpec() ClusterSpec {
	s := DefaultClusterSpec()
	s.Bare = true
	return s
}

// NamedSpecs are the built-in cluster specs by name.
var NamedSpecs = map[string]func() ClusterSpec{
	"lecture":       DefaultClusterSpec,
	"bare-machines": BareMachinesSpec,
}

// NamedSpec returns the built-in spec name ("lecture", "bare-machines").
func NamedSpec(name string) (ClusterSpec, error) {
	mk, ok := NamedSpecs[name]
	if !ok {
		return ClusterSpec{}, fmt.Errorf("no built-in cluster spec %q (built-in: bare-machines, lecture)", name)
	}
	return mk(), nil
}

// registered reports whether node name has its Node object (a resumed
// bare cluster's joined nodes).
func (c *Cluster) registered(name string) bool {
	_, err := c.Registry.Get(c.res("", "nodes"), "", name)
	return err == nil
}

// Initialized reports whether kubeadm init has made the cluster's objects
// (the kube-system namespace exists). Call it with the cluster lock held.
func (c *Cluster) Initialized() bool {
	_, err := c.Registry.Get(c.res("", "namespaces"), "", metav1.NamespaceSystem)
	return err == nil
}

// KubeadmInit creates what kubeadm init's upload-config, bootstrap-token
// and addons phases leave in a new cluster (kubeadm-config with podSubnet,
// cluster-info, CoreDNS and kube-proxy), as the normal boot does, without
// flannel's objects or a StorageClass: those come from manifests the user
// applies. Call it with the cluster lock held (inside Do); it does
// nothing once the cluster is initialized.
func (c *Cluster) KubeadmInit(podSubnet string) {
	if c.Initialized() {
		return
	}
	saved := c.Spec.PodCIDR
	if podSubnet != "" {
		c.Spec.PodCIDR = podSubnet
	}
	c.bootstrapKubeadm()
	c.Spec.PodCIDR = saved
	if c.Spec.Ingress == IngressNginx {
		c.bootstrapIngressClass()
	}
}

// KubeadmReset stops node name's kubelet and makes it forget its node
// (kubeadm reset): the Node object stays, NotReady once its lease runs
// out, until someone deletes it (kubectl delete node), as on a real
// cluster; a later join registers the node again. Call it with the
// cluster lock held.
func (c *Cluster) KubeadmReset(name string) error {
	k := c.kubelets[name]
	if k == nil {
		return fmt.Errorf("node %q not found", name)
	}
	k.StopService()
	k.Unjoin()
	c.memberChanged(name)
	return nil
}

// EtcdImage is the etcd image kubeadm of the given Kubernetes version
// deploys (its static pod manifest's).
func EtcdImage(version string) string {
	return "registry.k8s.io/etcd:" + addonsFor(minorVersion(version)).etcd
}
