package cni

import (
	"errors"
	"net/netip"
	"testing"

	"kubesim/net/fabric"
)

var (
	node   = netip.MustParseAddr("192.168.56.12")
	subnet = netip.MustParsePrefix("10.244.2.0/24")
)

func dial(f *fabric.Fabric, ip string) error {
	_, err := f.Dial(fabric.Client{Addr: node}, netip.MustParseAddr(ip), 80)
	return err
}

// TestAddDel: not ready before the subnet; ADD hands out .2, .3 in order
// and puts the pod on the fabric (a known host refuses, an unknown one in
// the subnet is unreachable); DEL from the holding sandbox frees the IP,
// a DEL from any other sandbox does not.
func TestAddDel(t *testing.T) {
	f := fabric.New()
	p := New(f, node)
	if p.Ready() {
		t.Fatal("ready before SetSubnet")
	}
	if _, err := p.Add("default", "web", "uid-web", "sb1"); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Add before SetSubnet: %v, want ErrNotReady", err)
	}
	if !p.SetSubnet(subnet) || p.SetSubnet(netip.MustParsePrefix("10.244.9.0/24")) || !p.Ready() {
		t.Fatal("SetSubnet: the first subnet must be taken and kept")
	}
	ip, err := p.Add("default", "web", "uid-web", "sb1")
	if err != nil || ip != "10.244.2.2" {
		t.Fatalf("Add = %q, %v; want 10.244.2.2", ip, err)
	}
	if ip, _ := p.Add("default", "db", "uid-db", "sb2"); ip != "10.244.2.3" {
		t.Fatalf("second Add = %q, want 10.244.2.3", ip)
	}
	if err := dial(f, "10.244.2.2"); !errors.Is(err, fabric.ErrRefused) {
		t.Errorf("dial the pod: %v, want refused (a host with nothing listening)", err)
	}
	p.Del("default", "web", "uid-web", "old-sandbox")
	if err := dial(f, "10.244.2.2"); !errors.Is(err, fabric.ErrRefused) {
		t.Errorf("after another sandbox's DEL: %v, want the pod still there", err)
	}
	p.Del("default", "web", "uid-web", "sb1")
	if err := dial(f, "10.244.2.2"); !errors.Is(err, fabric.ErrHostUnreachable) {
		t.Errorf("after DEL: %v, want host unreachable", err)
	}
	// host-local round-robin: the freed .2 waits for the wrap.
	if ip, _ := p.Add("default", "web", "uid-web", "sb3"); ip != "10.244.2.4" {
		t.Errorf("Add after DEL = %q, want 10.244.2.4", ip)
	}
}

// TestRestore: a reserved pod's sandbox gets its recorded IP back;
// Forget frees a reservation no sandbox took, never a held one.
func TestRestore(t *testing.T) {
	p := New(nil, node)
	if err := p.Restore("uid-a", netip.MustParseAddr("10.244.2.5")); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Restore before SetSubnet: %v", err)
	}
	p.SetSubnet(subnet)
	p.Restore("uid-a", netip.MustParseAddr("10.244.2.5"))
	p.Restore("uid-b", netip.MustParseAddr("10.244.2.6"))
	if ip, _ := p.Add("default", "a", "uid-a", "sb-a"); ip != "10.244.2.5" {
		t.Errorf("adopted pod's IP = %q, want its recorded 10.244.2.5", ip)
	}
	p.Forget("uid-a") // held by sb-a: kept
	p.Forget("uid-b") // never re-added: freed
	if ip, _ := p.Add("default", "c", "uid-c", "sb-c"); ip != "10.244.2.7" {
		t.Errorf("next IP = %q, want 10.244.2.7 (after the last reserved)", ip)
	}
	if ip, _ := p.Add("default", "a2", "uid-a", "sb-a2"); ip != "10.244.2.5" {
		t.Errorf("uid-a lost its IP to Forget: got %q", ip)
	}
}
