package kubelet

import (
	"net/netip"

	"kubesim/net/fabric"
)

// registerStreams puts a container's non-HTTP servers (redis's port) on
// the fabric at the pod's address.
func (k *Kubelet) registerStreams(ip netip.Addr, c *ctrState) {
	for port, s := range c.proc.Streams {
		k.cfg.Fabric.RegisterStream(ip, port, fabric.StreamServer(s))
	}
}
