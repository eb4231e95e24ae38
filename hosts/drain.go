package hosts

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/shell"
	"kubesim/sim/registry"
)

// kubectlWaiting runs a kubectl that polls until pods are gone (drain).
// The in-process kubectl polls on the wall clock, and while a host script
// runs it nothing moves the cluster's virtual clock, so the pods it
// evicted would never finish terminating. While it runs and pods are
// terminating, the host sleeps on the virtual clock in one-second steps
// (drain's poll interval), as the cluster's time passes on a real node
// while drain waits; otherwise it waits for kubectl's next poll.
func (h *Host) kubectlWaiting(c *shell.Cmd, run func() int) int {
	done := make(chan int, 1)
	go func() { done <- run() }()
	res, _ := lookupResource("pods")
	for {
		select {
		case code := <-done:
			return code
		default:
		}
		terminating := false
		h.cluster().Locked(func() {
			objs, _, _ := h.cluster().Registry.List(res, "", registry.ListOptions{})
			for _, o := range objs {
				if o.(*corev1.Pod).DeletionTimestamp != nil {
					terminating = true
					return
				}
			}
		})
		if terminating {
			if c.Sleep(time.Second) != nil {
				return 137 // killed; kubectl ends when its pods are gone
			}
			continue
		}
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Millisecond): // kubectl's wall-clock poll
		}
	}
}
