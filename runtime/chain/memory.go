package chain

import runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

// MemoryUsage is a running container's memory working set in bytes, what
// the kubelet's eviction manager reads from cAdvisor: a scripted process's
// (the image's baseline plus what its programs allocated) or the image's
// baseline; 0 when the container is not running.
func (c *Chain) MemoryUsage(containerID string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	if ct == nil || c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return 0
	}
	if ct.sh != nil {
		return ct.sh.Memory()
	}
	return ct.img.MemoryBase()
}
