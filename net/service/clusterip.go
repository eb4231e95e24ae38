package service

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
)

// Allocator errors, with kube-apiserver's texts.
var (
	// ErrFull: no address left.
	ErrFull = errors.New("range is full")
	// ErrAllocated: the requested address is taken.
	ErrAllocated = errors.New("provided IP is already allocated")
)

// ErrNotInRange is the requested address lying outside the Service CIDR.
type ErrNotInRange struct {
	IP         netip.Addr
	ValidRange string
}

func (e *ErrNotInRange) Error() string {
	return fmt.Sprintf("the provided IP (%v) is not in the valid range. The range of valid IPs is %s", e.IP, e.ValidRange)
}

// Config configures an Allocator.
type Config struct {
	// CIDR is the Service range (kube-apiserver --service-cluster-ip-range,
	// kubeadm's default 10.96.0.0/12).
	CIDR string
}

// DefaultConfig is kubeadm's Service range.
func DefaultConfig() Config { return Config{CIDR: "10.96.0.0/12"} }

// Allocator hands out ClusterIPs. Safe for concurrent use.
type Allocator struct {
	mu     sync.Mutex
	cidr   netip.Prefix
	base   netip.Addr // first usable address (network + 1)
	max    int        // usable addresses
	offset int        // size of the lower (static) band
	used   []uint64   // bitmap over usable addresses
	count  int
}

// New checks cfg and returns an empty allocator.
func New(cfg Config) (*Allocator, error) {
	p, err := netip.ParsePrefix(cfg.CIDR)
	if err != nil {
		return nil, fmt.Errorf("service: CIDR %q: %w", cfg.CIDR, err)
	}
	if !p.Addr().Is4() || p.Masked() != p || p.Bits() > 30 || p.Bits() < 8 {
		return nil, fmt.Errorf("service: CIDR %q: need an IPv4 network between /8 and /30", cfg.CIDR)
	}
	size := 1 << (32 - p.Bits())
	return &Allocator{
		cidr:   p,
		base:   p.Addr().Next(),
		max:    size - 2,
		offset: rangeOffset(size),
		used:   make([]uint64, (size+63)/64),
	}, nil
}

// rangeOffset is calculateRangeOffset: min(max(16, size/16), 256), and 0
// for ranges of 16 addresses or fewer.
func rangeOffset(size int) int {
	const lo, hi, step = 16, 256, 16
	if size <= lo {
		return 0
	}
	o := size / step
	if o < lo {
		return lo
	}
	if o > hi {
		return hi
	}
	return o
}

// CIDR is the Service range.
func (a *Allocator) CIDR() netip.Prefix { return a.cidr }

// Nth is the n-th usable address (0 = network + 1): Nth(0) is the
// kubernetes Service's 10.96.0.1, Nth(9) kube-dns's 10.96.0.10.
func (a *Allocator) Nth(n int) netip.Addr {
	return addrAt(a.base, n)
}

// Allocate takes a specific address (spec.clusterIP given by the user, or
// a stored Service on restart).
func (a *Allocator) Allocate(ip netip.Addr) error {
	i, ok := a.index(ip)
	if !ok {
		return &ErrNotInRange{IP: ip, ValidRange: a.cidr.String()}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bit(i) {
		return ErrAllocated
	}
	a.used[i/64] |= 1 << (i % 64)
	a.count++
	return nil
}

// AllocateNext picks an address as the apiserver does: a random start in
// the upper band and a forward scan, then the lower band the same way.
func (a *Allocator) AllocateNext(r *rand.Rand) (netip.Addr, error) {
	if r == nil {
		return netip.Addr{}, errors.New("service: AllocateNext needs the cluster's *rand.Rand")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.count >= a.max {
		return netip.Addr{}, ErrFull
	}
	upper := a.max - a.offset
	if upper > 0 {
		start := r.IntN(upper)
		for k := 0; k < upper; k++ {
			i := a.offset + (start+k)%upper
			if !a.bit(i) {
				return a.take(i), nil
			}
		}
	}
	if a.offset > 0 {
		start := r.IntN(a.offset)
		for k := 0; k < a.offset; k++ {
			i := (start + k) % a.offset
			if !a.bit(i) {
				return a.take(i), nil
			}
		}
	}
	return netip.Addr{}, ErrFull
}

// Release frees ip; unknown or free addresses are a no-op.
func (a *Allocator) Release(ip netip.Addr) {
	i, ok := a.index(ip)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bit(i) {
		a.used[i/64] &^= 1 << (i % 64)
		a.count--
	}
}

// Has reports whether ip is allocated.
func (a *Allocator) Has(ip netip.Addr) bool {
	i, ok := a.index(ip)
	if !ok {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bit(i)
}

// Used is the number of allocated addresses; Free what is left.
func (a *Allocator) Used() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.count
}

// Free is how many addresses are left.
func (a *Allocator) Free() int { return a.max - a.Used() }

func (a *Allocator) bit(i int) bool { return a.used[i/64]&(1<<(i%64)) != 0 }

func (a *Allocator) take(i int) netip.Addr {
	a.used[i/64] |= 1 << (i % 64)
	a.count++
	return addrAt(a.base, i)
}

func (a *Allocator) index(ip netip.Addr) (int, bool) {
	if !ip.Is4() || !a.cidr.Contains(ip) {
		return 0, false
	}
	i := int(u32(ip) - u32(a.base))
	if u32(ip) < u32(a.base) || i >= a.max {
		return 0, false
	}
	return i, true
}

func u32(ip netip.Addr) uint32 {
	b := ip.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrAt(base netip.Addr, n int) netip.Addr {
	v := u32(base) + uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
