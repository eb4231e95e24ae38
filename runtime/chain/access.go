package chain

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
)

// Helpers for the kubelet (kubectl logs) and the network fabric (curl). They
// read the chain's state directly: they model what the container's stdout
// file and listening sockets hold, not CRI calls, so they cost nothing.

// ContainerLogs returns what the container has written so far: the lines up to
// now (or up to its exit), with the time it started so the caller can print
// absolute timestamps (kubectl logs --timestamps). It works for exited
// containers until they are removed (kubectl logs --previous).
func (c *Chain) ContainerLogs(containerID string) (started time.Time, lines []images.LogLine, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	if ct == nil {
		return time.Time{}, nil, fmt.Errorf("container %q: %w", containerID, ErrNotFound)
	}
	if ct.proc == nil || ct.startedAt.IsZero() {
		return time.Time{}, nil, nil
	}
	end := c.now()
	if c.refresh(ct) == runtimeapi.ContainerState_CONTAINER_EXITED && ct.finishedAt.Before(end) {
		end = ct.finishedAt
	}
	return ct.startedAt, ct.proc.LogsUntil(end.Sub(ct.startedAt)), nil
}

// ErrNotFound: no such container or sandbox.
var ErrNotFound = errors.New("not found")

// HTTP returns the handler of a running container listening on port in the
// sandbox with pod IP ip. ok is false when nothing listens there (the caller
// prints curl's "Connection refused").
func (c *Chain) HTTP(ip string, port int32) (h images.HTTPHandler, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sbID := range slices.Sorted(maps.Keys(c.sandboxes)) {
		sb := c.sandboxes[sbID]
		if sb.ip != ip || sb.state != runtimeapi.PodSandboxState_SANDBOX_READY {
			continue
		}
		for _, id := range slices.Sorted(maps.Keys(c.containers)) {
			ct := c.containers[id]
			if ct.sandboxID != sbID || c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.proc == nil {
				continue
			}
			if h := ct.proc.Ports[port]; h != nil {
				return h, true
			}
		}
	}
	return nil, false
}
