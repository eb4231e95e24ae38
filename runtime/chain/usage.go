package chain

import (
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Usage is what a container used over a window, as cAdvisor or the CRI's
// container stats report it: CPU in millicores (averaged over the window)
// and the working set in bytes (at its end).
type Usage struct {
	MilliCPU int64
	Memory   int64
}

// Usage models a running container's usage over (from, to]: its image's
// idle figures, a core for each CPU its scripted process keeps busy, and
// the CPU its servers spent on the requests they answered in the window.
// The CPU limit is not applied here (the kubelet's caller caps it with the
// pod's spec). ok is false when the container is not running.
func (c *Chain) Usage(containerID string, from, to time.Time) (u Usage, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usageLocked(c.containers[containerID], from, to)
}

// usageLocked is Usage with the chain's lock held.
func (c *Chain) usageLocked(ct *container, from, to time.Time) (u Usage, ok bool) {
	if ct == nil || ct.state != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.img == nil {
		return Usage{}, false
	}
	idle := ct.img.IdleUsage()
	u = Usage{MilliCPU: idle.MilliCPU, Memory: idle.Memory}
	if ct.sh != nil {
		u.MilliCPU += 1000 * ct.sh.CPUWorkers()
		u.Memory = max(u.Memory, ct.sh.Memory())
	}
	if ct.proc != nil && to.After(from) {
		u.MilliCPU += int64(ct.proc.CPUServed(from, to) * 1000 / to.Sub(from))
	}
	return u, true
}
