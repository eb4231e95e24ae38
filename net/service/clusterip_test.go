package service

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

func mustNew(t *testing.T, cidr string) *Allocator {
	t.Helper()
	a, err := New(Config{CIDR: cidr})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestKubeadmAddresses(t *testing.T) {
	a := mustNew(t, DefaultConfig().CIDR)
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "10.96.0.1"}, {9, "10.96.0.10"}} {
		if got := a.Nth(tc.n).String(); got != tc.want {
			t.Errorf("Nth(%d) = %s, want %s", tc.n, got, tc.want)
		}
		if err := a.Allocate(a.Nth(tc.n)); err != nil {
			t.Errorf("Allocate(%s): %v", tc.want, err)
		}
	}
	if a.offset != 256 {
		t.Errorf("lower band of a /12 = %d, want 256", a.offset)
	}
}

func TestAllocateSpecific(t *testing.T) {
	a := mustNew(t, "10.96.0.0/12")
	tests := []struct {
		name string
		ip   string
		want string // error text, "" for success
	}{
		{"first", "10.96.0.1", ""},
		{"again", "10.96.0.1", "provided IP is already allocated"},
		{"network address", "10.96.0.0", "the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
		{"broadcast", "10.111.255.255", "the provided IP (10.111.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
		{"last usable", "10.111.255.254", ""},
		{"outside", "1.1.1.1", "the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Allocate(netip.MustParseAddr(tc.ip))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Allocate(%s) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
	var nr *ErrNotInRange
	if err := a.Allocate(netip.MustParseAddr("1.1.1.1")); !errors.As(err, &nr) {
		t.Errorf("not-in-range error has type %T", err)
	}
}

func TestAllocateNextPrefersUpperBand(t *testing.T) {
	a := mustNew(t, "10.96.0.0/12")
	r := rand.New(rand.NewPCG(42, 0))
	lowest := a.Nth(a.offset)
	for i := 0; i < 200; i++ {
		ip, err := a.AllocateNext(r)
		if err != nil {
			t.Fatal(err)
		}
		if ip.Less(lowest) {
			t.Fatalf("dynamic allocation %s fell in the static band (< %s)", ip, lowest)
		}
	}
}

func TestAllocateNextDeterministicForSeed(t *testing.T) {
	run := func(seed uint64) []netip.Addr {
		a := mustNew(t, "10.96.0.0/12")
		r := rand.New(rand.NewPCG(seed, 0))
		var out []netip.Addr
		for i := 0; i < 20; i++ {
			ip, err := a.AllocateNext(r)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ip)
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 7 allocation %d: %s then %s", i, a[i], b[i])
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Errorf("seeds 7 and 8 gave the same addresses %v", a)
	}
}

func TestExhaustionAndFallback(t *testing.T) {
	// A /27 has 30 usable addresses and a 16-address lower band.
	a := mustNew(t, "10.0.0.0/27")
	r := rand.New(rand.NewPCG(1, 2))
	if a.offset != 16 || a.max != 30 {
		t.Fatalf("offset %d max %d, want 16 30", a.offset, a.max)
	}
	seen := map[netip.Addr]bool{}
	for i := 0; i < 30; i++ {
		ip, err := a.AllocateNext(r)
		if err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
		if seen[ip] {
			t.Fatalf("%s handed out twice", ip)
		}
		seen[ip] = true
		upper := !ip.Less(a.Nth(16))
		if i < 14 && !upper {
			t.Fatalf("allocation %d = %s from the lower band while the upper had room", i, ip)
		}
	}
	if _, err := a.AllocateNext(r); !errors.Is(err, ErrFull) {
		t.Fatalf("err = %v, want ErrFull", err)
	}
	a.Release(netip.MustParseAddr("10.0.0.5"))
	if a.Has(netip.MustParseAddr("10.0.0.5")) || a.Free() != 1 {
		t.Fatalf("Release did not free 10.0.0.5 (free %d)", a.Free())
	}
	ip, err := a.AllocateNext(r)
	if err != nil || ip.String() != "10.0.0.5" {
		t.Fatalf("AllocateNext after release = %s, %v", ip, err)
	}
	if _, err := a.AllocateNext(nil); err == nil {
		t.Error("AllocateNext(nil) succeeded")
	}
}

func TestConfigValidation(t *testing.T) {
	for _, c := range []string{"", "10.96.0.0", "10.96.0.1/12", "fd00::/108", "10.0.0.0/31"} {
		t.Run(fmt.Sprintf("%q", c), func(t *testing.T) {
			if _, err := New(Config{CIDR: c}); err == nil {
				t.Errorf("New(%q) succeeded", c)
			}
		})
	}
}
