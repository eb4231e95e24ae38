package chain

import (
	"fmt"
	"io"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// MemoryUsage is a running container's memory working set in bytes, what
// the kubelet's eviction manager reads from cAdvisor, as Usage reports it:
// the image's idle figure, or its scripted process's (the image's baseline
// plus what its programs allocated) when larger; 0 when the container is
// not running.
func (c *Chain) MemoryUsage(containerID string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	if ct == nil || ct.img == nil || c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return 0
	}
	m := ct.img.IdleUsage().Memory
	if ct.sh != nil {
		m = max(m, ct.sh.Memory())
	}
	return m
}

// ExecSync runs cmd in a running container as the CRI ExecSync does for an
// exec probe: with a timeout of virtual time (0: execBudget). A command
// still running when it expires is killed and timedOut is true (the
// kubelet then reports `command "…" timed out`). Like Exec it runs without
// the chain's lock and costs no virtual time.
func (c *Chain) ExecSync(containerID string, cmd []string, timeout time.Duration, stdout, stderr io.Writer) (code int, timedOut bool, err error) {
	c.mu.Lock()
	cfg, err := c.shellConfig(containerID)
	c.mu.Unlock()
	if err != nil {
		return 0, false, err
	}
	name := firstOr(cmd)
	if _, err := shell.LookPath(cfg.FS, envValue(cfg.Env, "PATH"), cfg.Dir, name); err != nil || name == "" {
		fmt.Fprintln(stderr, images.ExecNotFound(name))
		return 126, false, nil
	}
	if timeout <= 0 {
		timeout = execBudget
	}
	cfg.Stdout, cfg.Stderr = stdout, stderr
	p := shell.Start(cfg, cmd)
	st := p.Advance(cfg.Start.Add(timeout))
	if !st.Exited {
		p.Kill()
		return 137, true, nil
	}
	return st.Code, false, nil
}
