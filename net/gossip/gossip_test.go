package gossip

import (
	"errors"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/memberlist"
)

// waitLimit bounds every wait on memberlist's real-time machinery.
const waitLimit = 15 * time.Second

type member struct {
	name   string
	addr   netip.Addr
	ml     *memberlist.Memberlist
	events chan memberlist.NodeEvent
	seen   []memberlist.NodeEvent
}

func start(t *testing.T, n *Network, name string, addr netip.Addr) *member {
	t.Helper()
	tr, err := n.NewTransport(name, addr)
	if err != nil {
		t.Fatal(err)
	}
	m := &member{name: name, addr: addr, events: make(chan memberlist.NodeEvent, 64)}
	cfg := Config(name, tr)
	cfg.Events = &memberlist.ChannelEventDelegate{Ch: m.events}
	m.ml, err = memberlist.Create(cfg)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	t.Cleanup(func() { _ = m.ml.Shutdown() })
	return m
}

// waitFor looks through the events m has seen, then reads more until
// want(event) holds or waitLimit passes.
func (m *member) waitFor(t *testing.T, what string, want func(memberlist.NodeEvent) bool) {
	t.Helper()
	for _, ev := range m.seen {
		if want(ev) {
			return
		}
	}
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		select {
		case ev := <-m.events:
			m.seen = append(m.seen, ev)
			if want(ev) {
				return
			}
		case <-timer.C:
			t.Fatalf("%s: no %s within %v", m.name, what, waitLimit)
		}
	}
}

func names(m *memberlist.Memberlist) []string {
	var out []string
	for _, n := range m.Members() {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}

// TestPartitionedMemberLeaves: three kubelets join; w2 is cut off; the
// control plane and w1 both see w2 leave, and keep each other.
func TestPartitionedMemberLeaves(t *testing.T) {
	n := NewNetwork()
	cp := start(t, n, "m.example.com", netip.MustParseAddr("192.168.56.10"))
	w1 := start(t, n, "w1.example.com", netip.MustParseAddr("192.168.56.11"))
	w2 := start(t, n, "w2.example.com", netip.MustParseAddr("192.168.56.12"))

	for _, m := range []*member{w1, w2} {
		if _, err := m.ml.Join([]string{"192.168.56.10:7946"}); err != nil {
			t.Fatalf("%s join: %v", m.name, err)
		}
	}
	all := []string{"m.example.com", "w1.example.com", "w2.example.com"}
	for _, m := range []*member{cp, w1, w2} {
		for _, other := range all {
			if other == m.name {
				continue
			}
			other := other
			m.waitFor(t, "join of "+other, func(ev memberlist.NodeEvent) bool {
				return ev.Event == memberlist.NodeJoin && ev.Node.Name == other
			})
		}
		if diff := cmp.Diff(all, names(m.ml)); diff != "" {
			t.Fatalf("%s members (-want +got):\n%s", m.name, diff)
		}
	}
	if got := cp.ml.Members(); len(got) == 3 {
		for _, node := range got {
			if node.Port != Port {
				t.Errorf("%s advertises port %d, want %d", node.Name, node.Port, Port)
			}
		}
	}

	n.Partition(w2.addr, true)
	for _, m := range []*member{cp, w1} {
		m.waitFor(t, "leave of w2", func(ev memberlist.NodeEvent) bool {
			return ev.Event == memberlist.NodeLeave && ev.Node.Name == "w2.example.com"
		})
	}
	want := []string{"m.example.com", "w1.example.com"}
	for _, m := range []*member{cp, w1} {
		if diff := cmp.Diff(want, names(m.ml)); diff != "" {
			t.Errorf("%s members after the partition (-want +got):\n%s", m.name, diff)
		}
	}
	if n.Dropped() == 0 {
		t.Error("a partition that dropped no packets")
	}
}

func TestTransportRules(t *testing.T) {
	n := NewNetwork()
	a, err := n.NewTransport("a", netip.MustParseAddr("10.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.NewTransport("b", netip.MustParseAddr("10.0.0.2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.NewTransport("a", netip.MustParseAddr("10.0.0.3")); err == nil {
		t.Error("duplicate name accepted")
	}
	if _, err := n.NewTransport("c", netip.MustParseAddr("10.0.0.2")); err == nil {
		t.Error("duplicate address accepted")
	}
	ip, port, err := a.FinalAdvertiseAddr("", 0)
	if err != nil || ip.String() != "10.0.0.1" || port != Port {
		t.Errorf("FinalAdvertiseAddr = %v %d %v", ip, port, err)
	}

	tests := []struct {
		name      string
		cut       string // address to partition first
		to        string
		delivered bool
		dialErr   bool
	}{
		{name: "delivered", to: "10.0.0.2:7946", delivered: true},
		{name: "unknown address is lost", to: "10.0.0.9:7946", dialErr: true},
		{name: "receiver cut off", cut: "10.0.0.2", to: "10.0.0.2:7946", dialErr: true},
		{name: "sender cut off", cut: "10.0.0.1", to: "10.0.0.2:7946", dialErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cut != "" {
				n.Partition(netip.MustParseAddr(tc.cut), true)
				defer n.Partition(netip.MustParseAddr(tc.cut), false)
			}
			msg := []byte("ping " + tc.name)
			if _, err := a.WriteTo(msg, tc.to); err != nil {
				t.Fatalf("WriteTo: %v", err)
			}
			msg[0] = 'X' // the transport must have copied the buffer
			select {
			case p := <-b.PacketCh():
				if !tc.delivered {
					t.Fatalf("packet delivered: %q", p.Buf)
				}
				if string(p.Buf) != "ping "+tc.name || p.From.String() != "10.0.0.1:7946" {
					t.Errorf("packet %q from %s", p.Buf, p.From)
				}
			default:
				if tc.delivered {
					t.Fatal("packet not delivered")
				}
			}
			c, err := a.DialTimeout(tc.to, time.Second)
			if tc.dialErr {
				if !errors.Is(err, ErrUnreachable) {
					t.Fatalf("dial err = %v, want ErrUnreachable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var in interface{ Close() error }
			select {
			case s := <-b.StreamCh():
				in = s
				if s.RemoteAddr().String() != "10.0.0.1:7946" || c.RemoteAddr().String() != "10.0.0.2:7946" {
					t.Errorf("stream addresses %s / %s", s.RemoteAddr(), c.RemoteAddr())
				}
				go func() { _, _ = c.Write([]byte("hi")) }()
				buf := make([]byte, 2)
				if _, err := s.Read(buf); err != nil || string(buf) != "hi" {
					t.Errorf("stream read %q %v", buf, err)
				}
			default:
				t.Fatal("stream not delivered")
			}
			in.Close()
		})
	}

	if err := b.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteTo([]byte("late"), "10.0.0.2:7946"); err != nil {
		t.Fatalf("WriteTo a stopped peer: %v", err)
	}
	if _, err := a.DialTimeout("10.0.0.2:7946", time.Second); !errors.Is(err, ErrUnreachable) {
		t.Errorf("dial a stopped peer: %v", err)
	}
	if _, err := b.WriteTo([]byte("x"), "10.0.0.1:7946"); err == nil {
		t.Error("a stopped transport sent a packet")
	}
	if _, err := n.NewTransport("b", netip.MustParseAddr("10.0.0.2")); err != nil {
		t.Errorf("name not freed by Shutdown: %v", err)
	}
}
