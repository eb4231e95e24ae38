package kubelet

import runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

// retire keeps c's exited container before its restart, as the kubelet's
// container garbage collector does (MaxPerPodContainer 1): crictl ps -a
// shows it Exited with the previous attempt number and crictl logs reads
// it. The instance kept before it is removed.
func (k *Kubelet) retire(c *ctrState) {
	if c.deadID != "" && c.deadID != c.id {
		k.rt.RemoveContainer(k.ctx(), &runtimeapi.RemoveContainerRequest{ContainerId: c.deadID})
	}
	c.deadID = c.id
}
