package chain

import "kubesim/runtime/images"

// StartHook sees every container process the chain creates (at runc
// create, once the image's behaviour is decided) and may change how it
// runs: its Logs and Exit. The node's host uses it for what an image
// cannot know, the host's files (a control-plane component whose flags
// name a missing certificate exits at start with its error). It runs with
// the chain's lock held and must not call back into the chain.
type StartHook func(p *images.Process)

// SetStartHook installs h (nil removes it). Call it where the chain's
// callers are serialised (the cluster's lock).
func (c *Chain) SetStartHook(h StartHook) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.startHook = h
}
