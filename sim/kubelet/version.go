package kubelet

import corev1 "k8s.io/api/core/v1"

// Version is the version of the kubelet binary its process runs (v1.27.1):
// Config.Version unless the host's kubelet package was upgraded and the
// service restarted (SetVersion).
func (k *Kubelet) Version() string {
	if k.binary != "" {
		return k.binary
	}
	return k.cfg.Version
}

// SetVersion makes the kubelet report the given version, as a new kubelet
// binary started by its service would (the host's kubelet package
// upgraded, then `systemctl restart kubelet`): the node's status shows it
// (nodeInfo.kubeletVersion and kubeProxyVersion, the VERSION column of
// kubectl get nodes). What the kubelet writes stays Config.Version's: the
// API's types are the cluster's release.
func (k *Kubelet) SetVersion(v string) {
	if v == "" || v == k.Version() {
		return
	}
	k.binary = v
	if v == k.cfg.Version {
		k.binary = ""
	}
	obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName)
	if err != nil {
		return
	}
	n := obj.(*corev1.Node).DeepCopy()
	if n.Status.NodeInfo.KubeletVersion == v {
		return
	}
	n.Status.NodeInfo.KubeletVersion = v
	n.Status.NodeInfo.KubeProxyVersion = v
	n.ResourceVersion = ""
	k.cfg.Registry.Update(k.nodeRes, "", n, "status")
}
