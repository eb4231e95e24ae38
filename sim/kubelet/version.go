package kubelet

import corev1 "k8s.io/api/core/v1"

// Version is the kubelet's version (v1.27.1): the kubelet binary its
// process runs.
func (k *Kubelet) Version() string { return k.cfg.Version }

// SetVersion makes the kubelet the given version, as a new kubelet binary
// started by its service would be (the host's kubelet package upgraded,
// then `systemctl restart kubelet`): the node's status reports it
// (nodeInfo.kubeletVersion and kubeProxyVersion, the VERSION column of
// kubectl get nodes) and the kubelet behaves as that release from now on.
func (k *Kubelet) SetVersion(v string) {
	if v == "" || v == k.cfg.Version {
		return
	}
	k.cfg.Version = v
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
