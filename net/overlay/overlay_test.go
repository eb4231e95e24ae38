package overlay

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustNew(t *testing.T, cfg Config) *Allocator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return a
}

// op is one step of a table test: assign, restore or release a node.
type op struct {
	do     string // "assign", "restore", "release"
	node   string
	cidr   string // restore input / assign expectation
	errSub string // expected error text, "" for none
}

func TestAllocator(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ops  []op
	}{
		{
			name: "lecture registration order",
			cfg:  DefaultConfig(),
			ops: []op{
				{do: "assign", node: "m.example.com", cidr: "10.244.0.0/24"},
				{do: "assign", node: "w1.example.com", cidr: "10.244.1.0/24"},
				{do: "assign", node: "w2.example.com", cidr: "10.244.2.0/24"},
			},
		},
		{
			name: "assign is idempotent per node",
			cfg:  DefaultConfig(),
			ops: []op{
				{do: "assign", node: "a", cidr: "10.244.0.0/24"},
				{do: "assign", node: "b", cidr: "10.244.1.0/24"},
				{do: "assign", node: "a", cidr: "10.244.0.0/24"},
				{do: "assign", node: "c", cidr: "10.244.2.0/24"},
			},
		},
		{
			name: "released subnet waits for the wrap",
			cfg:  Config{ClusterCIDR: "10.244.0.0/22", SubnetLen: 24},
			ops: []op{
				{do: "assign", node: "a", cidr: "10.244.0.0/24"},
				{do: "assign", node: "b", cidr: "10.244.1.0/24"},
				{do: "release", node: "a"},
				{do: "assign", node: "c", cidr: "10.244.2.0/24"},
				{do: "assign", node: "d", cidr: "10.244.3.0/24"},
				{do: "assign", node: "e", cidr: "10.244.0.0/24"},
			},
		},
		{
			name: "exhaustion gives the controller-manager text",
			cfg:  Config{ClusterCIDR: "10.244.0.0/23", SubnetLen: 24},
			ops: []op{
				{do: "assign", node: "a", cidr: "10.244.0.0/24"},
				{do: "assign", node: "b", cidr: "10.244.1.0/24"},
				{do: "assign", node: "c", errSub: "failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"},
				{do: "release", node: "b"},
				{do: "assign", node: "c", cidr: "10.244.1.0/24"},
			},
		},
		{
			name: "restore does not move the cursor and blocks reuse",
			cfg:  DefaultConfig(),
			ops: []op{
				{do: "restore", node: "m", cidr: "10.244.0.0/24"},
				{do: "restore", node: "w2", cidr: "10.244.2.0/24"},
				{do: "restore", node: "w2", cidr: "10.244.2.0/24"},
				{do: "assign", node: "w1", cidr: "10.244.1.0/24"},
				{do: "assign", node: "w3", cidr: "10.244.3.0/24"},
				{do: "assign", node: "w2", cidr: "10.244.2.0/24"},
			},
		},
		{
			name: "restore conflicts and bad prefixes",
			cfg:  DefaultConfig(),
			ops: []op{
				{do: "restore", node: "m", cidr: "10.244.0.0/24"},
				{do: "restore", node: "w1", cidr: "10.244.0.0/24", errSub: `failed to mark cidr[10.244.0.0/24] at idx [0] as occupied for node: w1: already assigned to node "m"`},
				{do: "restore", node: "w1", cidr: "10.245.0.0/24", errSub: "cidr 10.245.0.0/24 is out the range of cluster cidr 10.244.0.0/16"},
				{do: "restore", node: "w1", cidr: "10.244.1.0/25", errSub: "cidr 10.244.1.0/25 is out the range of cluster cidr 10.244.0.0/16"},
				{do: "restore", node: "m", cidr: "10.244.5.0/24", errSub: `overlay: node "m" already owns 10.244.0.0/24, cannot restore 10.244.5.0/24`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, tc.cfg)
			for i, o := range tc.ops {
				var got netip.Prefix
				var err error
				switch o.do {
				case "assign":
					got, err = a.Assign(o.node)
				case "restore":
					err = a.Restore(o.node, netip.MustParsePrefix(o.cidr))
				case "release":
					a.Release(o.node)
				default:
					t.Fatalf("bad op %q", o.do)
				}
				if o.errSub != "" {
					if err == nil || err.Error() != o.errSub {
						t.Fatalf("op %d %s(%s): error = %v, want %q", i, o.do, o.node, err, o.errSub)
					}
					continue
				}
				if err != nil {
					t.Fatalf("op %d %s(%s): %v", i, o.do, o.node, err)
				}
				if o.do == "assign" && got.String() != o.cidr {
					t.Errorf("op %d assign(%s) = %s, want %s", i, o.node, got, o.cidr)
				}
			}
			checkInvariants(t, a)
		})
	}
}

func TestExhaustionWrapsSentinel(t *testing.T) {
	a := mustNew(t, Config{ClusterCIDR: "10.0.0.0/24", SubnetLen: 25})
	for _, n := range []string{"a", "b"} {
		if _, err := a.Assign(n); err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.Assign("c")
	if !errors.Is(err, ErrNoCIDRsRemaining) {
		t.Fatalf("err = %v, want ErrNoCIDRsRemaining", err)
	}
	if a.Free() != 0 {
		t.Errorf("Free() = %d, want 0", a.Free())
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error // nil means any error with a message is fine
	}{
		{"not a prefix", Config{ClusterCIDR: "10.244.0.0", SubnetLen: 24}, nil},
		{"host bits set", Config{ClusterCIDR: "10.244.1.0/16", SubnetLen: 24}, nil},
		{"ipv6", Config{ClusterCIDR: "fd00::/48", SubnetLen: 64}, nil},
		{"node mask not longer", Config{ClusterCIDR: "10.244.0.0/16", SubnetLen: 16}, ErrInvalidMask},
		{"too many subnets", Config{ClusterCIDR: "10.0.0.0/8", SubnetLen: 25}, ErrSubNetTooBig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAssignmentsAndOwner(t *testing.T) {
	a := mustNew(t, DefaultConfig())
	for _, n := range []string{"m.example.com", "w1.example.com", "w2.example.com"} {
		if _, err := a.Assign(n); err != nil {
			t.Fatal(err)
		}
	}
	want := []Assignment{
		{"m.example.com", netip.MustParsePrefix("10.244.0.0/24")},
		{"w1.example.com", netip.MustParsePrefix("10.244.1.0/24")},
		{"w2.example.com", netip.MustParsePrefix("10.244.2.0/24")},
	}
	if diff := cmp.Diff(want, a.Assignments(), cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })); diff != "" {
		t.Errorf("Assignments (-want +got):\n%s", diff)
	}
	if n, ok := a.Owner(netip.MustParsePrefix("10.244.2.0/24")); !ok || n != "w2.example.com" {
		t.Errorf("Owner(10.244.2.0/24) = %q, %v", n, ok)
	}
	if _, ok := a.Lookup("nope"); ok {
		t.Error("Lookup(nope) found a subnet")
	}
}

// checkInvariants: no subnet has two owners and the maps agree.
func checkInvariants(t *testing.T, a *Allocator) {
	t.Helper()
	seen := map[netip.Prefix]string{}
	for _, as := range a.Assignments() {
		if prev, dup := seen[as.Subnet]; dup {
			t.Errorf("subnet %s owned by %s and %s", as.Subnet, prev, as.Node)
		}
		seen[as.Subnet] = as.Node
		if got, ok := a.Lookup(as.Node); !ok || got != as.Subnet {
			t.Errorf("Lookup(%s) = %s, %v; want %s", as.Node, got, ok, as.Subnet)
		}
	}
	if a.Free() != a.max-len(seen) {
		t.Errorf("Free() = %d, want %d", a.Free(), a.max-len(seen))
	}
}
