package ipam

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

type step struct {
	do  string // "alloc", "release", "reserve"
	id  string
	ip  string // expected (alloc) or requested (reserve)
	err string // exact error text
}

func TestHostLocal(t *testing.T) {
	tests := []struct {
		name   string
		subnet string
		steps  []step
	}{
		{
			name:   "first user pod on w2 gets .2",
			subnet: "10.244.2.0/24",
			steps:  []step{{do: "alloc", id: "myapache", ip: "10.244.2.2"}},
		},
		{
			name:   "control plane: two coredns pods get .2 and .3",
			subnet: "10.244.0.0/24",
			steps: []step{
				{do: "alloc", id: "coredns-a", ip: "10.244.0.2"},
				{do: "alloc", id: "coredns-b", ip: "10.244.0.3"},
			},
		},
		{
			name:   "round robin after release",
			subnet: "10.244.1.0/24",
			steps: []step{
				{do: "alloc", id: "a", ip: "10.244.1.2"},
				{do: "alloc", id: "b", ip: "10.244.1.3"},
				{do: "release", id: "a"},
				{do: "alloc", id: "c", ip: "10.244.1.4"},
				{do: "release", id: "c"},
				{do: "alloc", id: "d", ip: "10.244.1.5"},
			},
		},
		{
			name:   "wraps to freed IPs and skips the gateway",
			subnet: "10.0.0.0/29", // range .1-.6, gateway .1, pods .2-.6
			steps: []step{
				{do: "alloc", id: "a", ip: "10.0.0.2"},
				{do: "alloc", id: "b", ip: "10.0.0.3"},
				{do: "alloc", id: "c", ip: "10.0.0.4"},
				{do: "alloc", id: "d", ip: "10.0.0.5"},
				{do: "alloc", id: "e", ip: "10.0.0.6"},
				{do: "alloc", id: "f", err: "failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.6"},
				{do: "release", id: "c"},
				{do: "release", id: "a"},
				{do: "alloc", id: "f", ip: "10.0.0.2"},
				{do: "alloc", id: "g", ip: "10.0.0.4"},
			},
		},
		{
			name:   "duplicate id is refused as host-local refuses it",
			subnet: "10.244.2.0/24",
			steps: []step{
				{do: "alloc", id: "a", ip: "10.244.2.2"},
				{do: "alloc", id: "a", err: "failed to allocate for range 0: 10.244.2.2 has been allocated to a, duplicate allocation is not allowed"},
			},
		},
		{
			name:   "reserve on resume then continue after the last",
			subnet: "10.244.2.0/24",
			steps: []step{
				{do: "reserve", id: "x", ip: "10.244.2.2"},
				{do: "reserve", id: "y", ip: "10.244.2.7"},
				{do: "reserve", id: "y", ip: "10.244.2.7"},
				{do: "alloc", id: "z", ip: "10.244.2.8"},
			},
		},
		{
			name:   "reserve conflicts",
			subnet: "10.244.2.0/24",
			steps: []step{
				{do: "reserve", id: "x", ip: "10.244.2.2"},
				{do: "reserve", id: "y", ip: "10.244.2.2", err: "requested IP address 10.244.2.2 is not available in range set 10.244.2.1-10.244.2.254"},
				{do: "reserve", id: "y", ip: "10.244.2.1", err: "requested IP address 10.244.2.1 is not available in range set 10.244.2.1-10.244.2.254"},
				{do: "reserve", id: "y", ip: "10.244.3.5", err: "requested IP address 10.244.3.5 is not available in range set 10.244.2.1-10.244.2.254"},
				{do: "reserve", id: "x", ip: "10.244.2.9", err: "10.244.2.2 has been allocated to x, duplicate allocation is not allowed"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHostLocal(netip.MustParsePrefix(tc.subnet))
			for i, s := range tc.steps {
				var got netip.Addr
				var err error
				switch s.do {
				case "alloc":
					got, err = h.Allocate(s.id)
				case "reserve":
					err = h.Reserve(s.id, netip.MustParseAddr(s.ip))
				case "release":
					h.Release(s.id)
				default:
					t.Fatalf("bad step %q", s.do)
				}
				if s.err != "" {
					if err == nil || err.Error() != s.err {
						t.Fatalf("step %d %s(%s): err = %v, want %q", i, s.do, s.id, err, s.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d %s(%s): %v", i, s.do, s.id, err)
				}
				if s.do == "alloc" && got.String() != s.ip {
					t.Errorf("step %d alloc(%s) = %s, want %s", i, s.id, got, s.ip)
				}
			}
			checkInvariants(t, h)
		})
	}
}

func TestGatewayAndCapacity(t *testing.T) {
	h := NewHostLocal(netip.MustParsePrefix("10.244.2.0/24"))
	if got := h.Gateway().String(); got != "10.244.2.1" {
		t.Errorf("Gateway() = %s, want 10.244.2.1", got)
	}
	if h.Capacity() != 253 {
		t.Errorf("Capacity() = %d, want 253", h.Capacity())
	}
	for i := 0; i < 253; i++ {
		if _, err := h.Allocate(fmt.Sprint("c", i)); err != nil {
			t.Fatalf("alloc %d: %v", i, err)
		}
	}
	_, err := h.Allocate("one-too-many")
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v, want ErrExhausted", err)
	}
}

// TestNeverTwoOwners runs seeded random alloc/release/reserve sequences
// against a reference model (a map plus the round-robin rule written the
// slow, obvious way) and checks after every step.
func TestNeverTwoOwners(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0))
			subnet := netip.MustParsePrefix("10.9.0.0/27") // 29 pod IPs: wraps often
			h := NewHostLocal(subnet)
			m := newModel(subnet)
			var live []string
			for i := 0; i < 400; i++ {
				switch r := rng.IntN(10); {
				case r < 6: // allocate
					id := fmt.Sprint("s", i)
					got, err := h.Allocate(id)
					want, ok := m.allocate(id)
					if !ok {
						if !errors.Is(err, ErrExhausted) {
							t.Fatalf("seed %d step %d: alloc = %v, %v; model says full", seed, i, got, err)
						}
						continue
					}
					if err != nil || got != want {
						t.Fatalf("seed %d step %d: alloc = %v, %v; want %v", seed, i, got, err, want)
					}
					live = append(live, id)
				case r < 9 && len(live) > 0: // release
					k := rng.IntN(len(live))
					h.Release(live[k])
					m.release(live[k])
					live = append(live[:k], live[k+1:]...)
				default: // double release / unknown release is a no-op
					h.Release("ghost")
				}
				if i%25 != 24 {
					continue
				}
				checkInvariants(t, h)
				if diff := cmp.Diff(m.leases(), h.Leases(), addrCmp); diff != "" {
					t.Fatalf("seed %d step %d: leases (-model +got):\n%s", seed, i, diff)
				}
			}
		})
	}
}

// model is the reference: a linear scan from last+1 over .2–.(n-2).
type model struct {
	ips  []netip.Addr
	own  map[netip.Addr]string
	last int // index into ips, -1 before the first allocation
}

func newModel(p netip.Prefix) *model {
	m := &model{own: map[netip.Addr]string{}, last: -1}
	a := p.Addr().Next().Next() // .2
	n := (1 << (32 - p.Bits())) - 3
	for i := 0; i < n; i++ {
		m.ips = append(m.ips, a)
		a = a.Next()
	}
	return m
}

func (m *model) allocate(id string) (netip.Addr, bool) {
	for k := 1; k <= len(m.ips); k++ {
		i := (m.last + k) % len(m.ips)
		if _, taken := m.own[m.ips[i]]; !taken {
			m.own[m.ips[i]] = id
			m.last = i
			return m.ips[i], true
		}
	}
	return netip.Addr{}, false
}

func (m *model) release(id string) {
	for ip, o := range m.own {
		if o == id {
			delete(m.own, ip)
		}
	}
}

func (m *model) leases() []Lease {
	var out []Lease
	for _, ip := range m.ips {
		if id, ok := m.own[ip]; ok {
			out = append(out, Lease{IP: ip, ID: id})
		}
	}
	if out == nil {
		out = []Lease{}
	}
	return out
}

func checkInvariants(t *testing.T, h *HostLocal) {
	t.Helper()
	seenIP := map[netip.Addr]bool{}
	seenID := map[string]bool{}
	for _, l := range h.Leases() {
		if seenIP[l.IP] || seenID[l.ID] {
			t.Fatalf("duplicate lease %v", l)
		}
		seenIP[l.IP], seenID[l.ID] = true, true
		if l.IP == h.Gateway() || !h.Subnet().Contains(l.IP) {
			t.Fatalf("lease %v outside the pod range", l)
		}
		if ip, ok := h.Lookup(l.ID); !ok || ip != l.IP {
			t.Fatalf("Lookup(%s) = %v, %v; want %v", l.ID, ip, ok, l.IP)
		}
	}
}

func TestUnusableSubnets(t *testing.T) {
	for _, p := range []string{"10.0.0.0/31", "10.0.0.1/32", "fd00::/64"} {
		t.Run(p, func(t *testing.T) {
			h := NewHostLocal(netip.MustParsePrefix(p))
			if _, err := h.Allocate("a"); err == nil {
				t.Error("Allocate succeeded")
			}
			if err := h.Reserve("a", netip.MustParsePrefix(p).Addr()); err == nil {
				t.Error("Reserve succeeded")
			}
			if h.Capacity() != 0 {
				t.Errorf("Capacity = %d", h.Capacity())
			}
		})
	}
}
