package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
)

// ErrExhausted is matched by errors.Is when the subnet has no free IP; the
// error text is host-local's ("failed to allocate for range 0: no IP
// addresses available in range set: 10.244.2.1-10.244.2.254").
var ErrExhausted = errors.New("no IP addresses available in range set")

// HostLocal allocates pod IPs out of one node subnet. Safe for concurrent
// use.
type HostLocal struct {
	mu      sync.Mutex
	subnet  netip.Prefix
	gateway netip.Addr
	start   netip.Addr // RangeStart: network + 1
	end     netip.Addr // RangeEnd: broadcast - 1
	last    netip.Addr // lastReservedIP, invalid until the first reservation
	byIP    map[netip.Addr]string
	byID    map[string]netip.Addr
	invalid error // set when the subnet cannot hold pods
}

// NewHostLocal returns the allocator for subnet (e.g. 10.244.2.0/24): the
// range is .1–.254, the gateway (cni0) is .1 and is never handed out. The
// subnet is masked first. A subnet that cannot hold a pod (not IPv4, or
// narrower than /30) gives an allocator whose every Allocate fails with
// the reason, rather than a panic: podCIDR comes from user-editable
// objects.
func NewHostLocal(subnet netip.Prefix) *HostLocal {
	subnet = subnet.Masked()
	if !subnet.IsValid() || !subnet.Addr().Is4() || subnet.Bits() > 30 {
		return &HostLocal{subnet: subnet, invalid: fmt.Errorf("ipam: subnet %s cannot hold pod IPs (need IPv4, /30 or wider)", subnet),
			byIP: map[netip.Addr]string{}, byID: map[string]netip.Addr{}}
	}
	start := subnet.Addr().Next()
	return &HostLocal{
		subnet:  subnet,
		gateway: start,
		start:   start,
		end:     broadcast(subnet).Prev(),
		byIP:    map[netip.Addr]string{},
		byID:    map[string]netip.Addr{},
	}
}

// Subnet is the node subnet this allocator serves.
func (h *HostLocal) Subnet() netip.Prefix { return h.subnet }

// Gateway is the bridge address, .1.
func (h *HostLocal) Gateway() netip.Addr { return h.gateway }

// RangeSet is host-local's printed range, "10.244.2.1-10.244.2.254".
func (h *HostLocal) RangeSet() string { return h.start.String() + "-" + h.end.String() }

// Allocate reserves the next free IP for id (a sandbox/container id),
// starting after the last reserved IP and wrapping around, skipping the
// gateway. An id that already holds an IP gets host-local's duplicate
// error; a full subnet gets its exhaustion error (wrapping ErrExhausted).
func (h *HostLocal) Allocate(id string) (netip.Addr, error) {
	if id == "" {
		return netip.Addr{}, errors.New("ipam: empty container id")
	}
	if h.invalid != nil {
		return netip.Addr{}, h.invalid
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ip, ok := h.byID[id]; ok {
		return netip.Addr{}, fmt.Errorf("failed to allocate for range 0: %s has been allocated to %s, duplicate allocation is not allowed", ip, id)
	}
	// The iterator: start at last+1 when last lies in the range, else at
	// RangeStart; visit every address once.
	first := h.start
	if h.last.IsValid() && h.inRange(h.last) {
		first = h.after(h.last)
	}
	ip := first
	for {
		if ip != h.gateway {
			if _, taken := h.byIP[ip]; !taken {
				h.take(id, ip)
				return ip, nil
			}
		}
		ip = h.after(ip)
		if ip == first {
			break
		}
	}
	return netip.Addr{}, fmt.Errorf("failed to allocate for range 0: %w: %s", ErrExhausted, h.RangeSet())
}

// Reserve records that id holds ip (a pod IP read back from the store on
// restart). Like host-local's store it also moves the last reserved IP to
// ip, so resume in allocation order (or call SetLast afterwards). Reserving
// the pair already held is a no-op.
func (h *HostLocal) Reserve(id string, ip netip.Addr) error {
	if id == "" {
		return errors.New("ipam: empty container id")
	}
	if h.invalid != nil {
		return h.invalid
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.inRange(ip) || ip == h.gateway {
		return fmt.Errorf("requested IP address %s is not available in range set %s", ip, h.RangeSet())
	}
	if owner, ok := h.byIP[ip]; ok {
		if owner == id {
			return nil
		}
		return fmt.Errorf("requested IP address %s is not available in range set %s", ip, h.RangeSet())
	}
	if old, ok := h.byID[id]; ok {
		return fmt.Errorf("%s has been allocated to %s, duplicate allocation is not allowed", old, id)
	}
	h.take(id, ip)
	return nil
}

// Release frees whatever id holds. The last reserved IP does not move, so
// the freed IP comes back only after the allocator wraps. Unknown ids are a
// no-op, as host-local's DEL is.
func (h *HostLocal) Release(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ip, ok := h.byID[id]
	if !ok {
		return
	}
	delete(h.byID, id)
	delete(h.byIP, ip)
}

// Lookup returns the IP id holds.
func (h *HostLocal) Lookup(id string) (netip.Addr, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ip, ok := h.byID[id]
	return ip, ok
}

// Owner returns the id holding ip.
func (h *HostLocal) Owner(ip netip.Addr) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id, ok := h.byIP[ip]
	return id, ok
}

// Last is host-local's last_reserved_ip (invalid before any reservation).
func (h *HostLocal) Last() netip.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// SetLast restores the last reserved IP (persisted by the caller); an
// address outside the range makes the next allocation start at .2, as
// host-local does with a stale file.
func (h *HostLocal) SetLast(ip netip.Addr) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = ip
}

// Lease is one reservation.
type Lease struct {
	IP netip.Addr
	ID string
}

// Leases lists every reservation in IP order.
func (h *HostLocal) Leases() []Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Lease, 0, len(h.byIP))
	for ip, id := range h.byIP {
		out = append(out, Lease{IP: ip, ID: id})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP.Less(out[j].IP) })
	return out
}

// Capacity is how many pod IPs the subnet holds (253 for a /24).
func (h *HostLocal) Capacity() int {
	if h.invalid != nil {
		return 0
	}
	return (1 << (32 - h.subnet.Bits())) - 3
}

// InUse is how many IPs are reserved.
func (h *HostLocal) InUse() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.byIP)
}

func (h *HostLocal) take(id string, ip netip.Addr) {
	h.byIP[ip] = id
	h.byID[id] = ip
	h.last = ip
}

func (h *HostLocal) inRange(ip netip.Addr) bool {
	return ip.Is4() && !ip.Less(h.start) && !h.end.Less(ip)
}

// after is the iterator step: next address, RangeEnd wraps to RangeStart.
func (h *HostLocal) after(ip netip.Addr) netip.Addr {
	if ip == h.end {
		return h.start
	}
	return ip.Next()
}

func broadcast(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= (1 << (32 - p.Bits())) - 1
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
