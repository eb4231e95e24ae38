package cni

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"kubesim/net/fabric"
	"kubesim/net/ipam"
)

// ErrNotReady is the plugin's answer before the node has a subnet.
var ErrNotReady = errors.New("cni plugin not initialized")

// Plugin is one node's flannel network. Safe for concurrent use.
type Plugin struct {
	mu     sync.Mutex
	fabric *fabric.Fabric // nil: no fabric to wire
	nodeIP netip.Addr
	ipam   *ipam.HostLocal   // nil until SetSubnet
	holder map[string]string // pod uid → sandbox id holding its IP
}

// New returns the network of the node at nodeIP on f (f may be nil).
func New(f *fabric.Fabric, nodeIP netip.Addr) *Plugin {
	return &Plugin{fabric: f, nodeIP: nodeIP, holder: map[string]string{}}
}

// SetSubnet is flanneld taking the node's subnet lease: the route to the
// subnet via the node, and host-local's range. The first subnet stays (a
// lease is not moved under running pods); it reports whether this call set
// it.
func (p *Plugin) SetSubnet(subnet netip.Prefix) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ipam != nil {
		return false
	}
	p.ipam = ipam.NewHostLocal(subnet)
	if p.fabric != nil && p.nodeIP.IsValid() {
		p.fabric.AddNode(p.nodeIP, subnet)
	}
	return true
}

// Ready reports whether the node has its subnet (NetworkReady).
func (p *Plugin) Ready() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ipam != nil
}

// Restore reserves a pod's recorded IP (host-local's files after a
// restart), in the order the IPs were handed out.
func (p *Plugin) Restore(podUID string, ip netip.Addr) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ipam == nil {
		return ErrNotReady
	}
	return p.ipam.Reserve(podUID, ip)
}

// Add is CNI ADD for a pod's sandbox: the pod's IP (the next free one, or
// the one Restore reserved for it), and the pod on the cni0 bridge.
func (p *Plugin) Add(namespace, name, podUID, sandboxID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ipam == nil {
		return "", fmt.Errorf("plugin type=\"flannel\" failed (add): %w", ErrNotReady)
	}
	ip, ok := p.ipam.Lookup(podUID)
	if !ok {
		var err error
		if ip, err = p.ipam.Allocate(podUID); err != nil {
			return "", err
		}
	}
	p.holder[podUID] = sandboxID
	if p.fabric != nil {
		p.fabric.AddHost(ip, fabric.HostPod)
	}
	return ip.String(), nil
}

// Del is CNI DEL: the pod leaves the bridge and its IP goes back to the
// pool, if this sandbox holds it. Unknown pods are a no-op, as DEL is.
func (p *Plugin) Del(namespace, name, podUID, sandboxID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ipam == nil || p.holder[podUID] != sandboxID {
		return
	}
	delete(p.holder, podUID)
	if ip, ok := p.ipam.Lookup(podUID); ok && p.fabric != nil {
		p.fabric.UnregisterIP(ip)
	}
	p.ipam.Release(podUID)
}

// Forget frees a pod's IP that Restore reserved and no sandbox took up
// (the pod went away before its sandbox was recreated): host-local's
// garbage collection of reservations whose container is gone.
func (p *Plugin) Forget(podUID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ipam == nil {
		return
	}
	if _, held := p.holder[podUID]; held {
		return
	}
	if ip, ok := p.ipam.Lookup(podUID); ok && p.fabric != nil {
		p.fabric.UnregisterIP(ip)
	}
	p.ipam.Release(podUID)
}
