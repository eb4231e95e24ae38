package overlay

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
)

// Upstream error texts (kube-controller-manager nodeipam, cidrset).
var (
	// ErrNoCIDRsRemaining is cidrset's ErrCIDRRangeNoCIDRsRemaining.
	ErrNoCIDRsRemaining = errors.New("CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range")
	// ErrSubNetTooBig is cidrset's ErrCIDRSetSubNetTooBig (more than 16
	// bits between the cluster mask and the node mask).
	ErrSubNetTooBig = errors.New("New CIDR set failed; the node CIDR size is too big")
	// ErrInvalidMask is the controller's complaint when the node mask is
	// not longer than the cluster mask.
	ErrInvalidMask = errors.New("Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family")
)

// maxSubnetBits is cidrset's clusterSubnetMaxDiff.
const maxSubnetBits = 16

// Config configures an Allocator.
type Config struct {
	// ClusterCIDR is the pod network, kubeadm's --pod-network-cidr
	// (flannel's "Network"): "10.244.0.0/16".
	ClusterCIDR string
	// SubnetLen is the node mask size (--node-cidr-mask-size, flannel's
	// SubnetLen): 24.
	SubnetLen int
}

// DefaultConfig is the lecture cluster's: 10.244.0.0/16 split into /24s.
func DefaultConfig() Config {
	return Config{ClusterCIDR: "10.244.0.0/16", SubnetLen: 24}
}

func (c Config) validate() (netip.Prefix, error) {
	p, err := netip.ParsePrefix(c.ClusterCIDR)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("overlay: cluster CIDR %q: %w", c.ClusterCIDR, err)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("overlay: cluster CIDR %q: only IPv4 is simulated", c.ClusterCIDR)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("overlay: cluster CIDR %q is not a network address (want %s)", c.ClusterCIDR, p.Masked())
	}
	if c.SubnetLen <= p.Bits() || c.SubnetLen > 32 {
		return netip.Prefix{}, fmt.Errorf("overlay: %w", ErrInvalidMask)
	}
	if c.SubnetLen-p.Bits() > maxSubnetBits {
		return netip.Prefix{}, fmt.Errorf("overlay: %w", ErrSubNetTooBig)
	}
	return p, nil
}

// Allocator is a flannel-like subnet allocator: the CIDR set of
// kube-controller-manager's range allocator. It is safe for concurrent use;
// the order of Assign calls is the registration order.
type Allocator struct {
	mu       sync.Mutex
	cluster  netip.Prefix
	subLen   int
	max      int      // number of subnets
	used     []uint64 // bitmap over subnet indexes
	next     int      // nextCandidate
	byNode   map[string]int
	byIndex  map[int]string
	assigned int
}

// New checks cfg and returns an empty allocator.
func New(cfg Config) (*Allocator, error) {
	p, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	n := 1 << (cfg.SubnetLen - p.Bits())
	return &Allocator{
		cluster: p,
		subLen:  cfg.SubnetLen,
		max:     n,
		used:    make([]uint64, (n+63)/64),
		byNode:  map[string]int{},
		byIndex: map[int]string{},
	}, nil
}

// ClusterCIDR is the network this allocator splits.
func (a *Allocator) ClusterCIDR() netip.Prefix { return a.cluster }

// Assign gives node its subnet: the first free one at or after the cursor,
// wrapping around, as cidrset.AllocateNext does. A node that already has a
// subnet gets the same one again. When every subnet is taken the error is
// kube-controller-manager's ("failed to allocate cidr from cluster cidr at
// idx:0: CIDR allocation failed; …") and wraps ErrNoCIDRsRemaining.
func (a *Allocator) Assign(node string) (netip.Prefix, error) {
	if node == "" {
		return netip.Prefix{}, errors.New("overlay: empty node name")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if i, ok := a.byNode[node]; ok {
		return a.prefix(i), nil
	}
	for k := 0; k < a.max; k++ {
		i := (a.next + k) % a.max
		if a.isUsed(i) {
			continue
		}
		a.take(i, node)
		a.next = (i + 1) % a.max
		return a.prefix(i), nil
	}
	return netip.Prefix{}, fmt.Errorf("failed to allocate cidr from cluster cidr at idx:0: %w", ErrNoCIDRsRemaining)
}

// Restore records that node already owns p (its stored node.spec.podCIDR),
// as the range allocator occupies existing podCIDRs at start-up. The cursor
// does not move. Restoring the same pair twice is a no-op; p outside the
// cluster CIDR, of the wrong size, or owned by another node is an error.
func (a *Allocator) Restore(node string, p netip.Prefix) error {
	if node == "" {
		return errors.New("overlay: empty node name")
	}
	i, err := a.index(p)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if owner, ok := a.byIndex[i]; ok {
		if owner == node {
			return nil
		}
		return fmt.Errorf("failed to mark cidr[%s] at idx [0] as occupied for node: %s: already assigned to node %q", p, node, owner)
	}
	if old, ok := a.byNode[node]; ok {
		return fmt.Errorf("overlay: node %q already owns %s, cannot restore %s", node, a.prefix(old), p)
	}
	a.take(i, node)
	return nil
}

// Release frees node's subnet (the node was deleted). The cursor does not
// move, so the freed subnet is handed out again only after a wrap. Releasing
// an unknown node is a no-op.
func (a *Allocator) Release(node string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, ok := a.byNode[node]
	if !ok {
		return
	}
	delete(a.byNode, node)
	delete(a.byIndex, i)
	a.used[i/64] &^= 1 << (i % 64)
	a.assigned--
}

// Lookup returns node's subnet if it has one.
func (a *Allocator) Lookup(node string) (netip.Prefix, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, ok := a.byNode[node]
	if !ok {
		return netip.Prefix{}, false
	}
	return a.prefix(i), true
}

// Owner returns the node that owns subnet p.
func (a *Allocator) Owner(p netip.Prefix) (string, bool) {
	i, err := a.index(p)
	if err != nil {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	n, ok := a.byIndex[i]
	return n, ok
}

// Assignment is one node's subnet.
type Assignment struct {
	Node   string
	Subnet netip.Prefix
}

// Assignments lists every node's subnet in subnet order.
func (a *Allocator) Assignments() []Assignment {
	a.mu.Lock()
	defer a.mu.Unlock()
	idx := make([]int, 0, len(a.byIndex))
	for i := range a.byIndex {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]Assignment, len(idx))
	for k, i := range idx {
		out[k] = Assignment{Node: a.byIndex[i], Subnet: a.prefix(i)}
	}
	return out
}

// Free is how many subnets are left.
func (a *Allocator) Free() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.max - a.assigned
}

func (a *Allocator) isUsed(i int) bool { return a.used[i/64]&(1<<(i%64)) != 0 }

func (a *Allocator) take(i int, node string) {
	a.used[i/64] |= 1 << (i % 64)
	a.byNode[node] = i
	a.byIndex[i] = node
	a.assigned++
}

func (a *Allocator) prefix(i int) netip.Prefix {
	base := a.cluster.Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	v += uint32(i) << (32 - a.subLen)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), a.subLen)
}

func (a *Allocator) index(p netip.Prefix) (int, error) {
	if !p.IsValid() || p.Bits() != a.subLen || p.Masked() != p || !a.cluster.Contains(p.Addr()) {
		return 0, fmt.Errorf("cidr %s is out the range of cluster cidr %s", p, a.cluster)
	}
	b := p.Addr().As4()
	c := a.cluster.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	w := uint32(c[0])<<24 | uint32(c[1])<<16 | uint32(c[2])<<8 | uint32(c[3])
	return int((v - w) >> (32 - a.subLen)), nil
}
