package gossip

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// Port is memberlist's default bind port (DefaultLANConfig's BindPort).
const Port = 7946

// queueLen bounds each transport's inbound packet and stream queues; a
// send to a full queue is dropped, as a kernel drops UDP on a full buffer.
const queueLen = 1024

// ErrUnreachable is returned by stream dials to a partitioned, stopped or
// unknown peer.
var ErrUnreachable = errors.New("gossip: peer unreachable")

// Network is an in-memory network of memberlist transports. Safe for
// concurrent use.
type Network struct {
	// Now stamps received packets (memberlist measures probe RTTs with
	// it). Set before creating transports; defaults to the wall clock.
	Now func() time.Time

	mu          sync.RWMutex
	byAddr      map[string]*Transport
	byName      map[string]*Transport
	partitioned map[netip.Addr]bool
	dropped     uint64
}

// NewNetwork returns an empty network.
func NewNetwork() *Network {
	return &Network{
		Now:         time.Now, // memberlist's real time: see the package doc
		byAddr:      map[string]*Transport{},
		byName:      map[string]*Transport{},
		partitioned: map[netip.Addr]bool{},
	}
}

// NewTransport creates the transport of node name at addr:7946. Each name
// and address may be used once until its transport shuts down.
func (n *Network) NewTransport(name string, addr netip.Addr) (*Transport, error) {
	if name == "" || !addr.IsValid() {
		return nil, fmt.Errorf("gossip: transport needs a name and an address")
	}
	t := &Transport{
		net:      n,
		name:     name,
		addr:     addr,
		hostport: net.JoinHostPort(addr.String(), strconv.Itoa(Port)),
		packetCh: make(chan *memberlist.Packet, queueLen),
		streamCh: make(chan net.Conn, queueLen),
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.byName[name]; ok {
		return nil, fmt.Errorf("gossip: node %q already has a transport", name)
	}
	if _, ok := n.byAddr[t.hostport]; ok {
		return nil, fmt.Errorf("gossip: address %s already in use", t.hostport)
	}
	n.byName[name] = t
	n.byAddr[t.hostport] = t
	return t, nil
}

// Partition cuts addr off (true) or reconnects it (false): while cut,
// every packet to or from it is dropped and stream dials fail.
func (n *Network) Partition(addr netip.Addr, cut bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if cut {
		n.partitioned[addr] = true
	} else {
		delete(n.partitioned, addr)
	}
}

// Partitioned reports whether addr is cut off.
func (n *Network) Partitioned(addr netip.Addr) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.partitioned[addr]
}

// Dropped counts packets dropped so far (partitions, stopped or full
// peers).
func (n *Network) Dropped() uint64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.dropped
}

// peer finds the live, reachable destination for a send from src.
func (n *Network) peer(src *Transport, a memberlist.Address) (*Transport, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var dst *Transport
	if a.Name != "" {
		dst = n.byName[a.Name]
	}
	if dst == nil {
		dst = n.byAddr[a.Addr]
	}
	if dst == nil || n.partitioned[src.addr] || n.partitioned[dst.addr] {
		n.dropped++
		return nil, false
	}
	return dst, true
}

func (n *Network) drop() {
	n.mu.Lock()
	n.dropped++
	n.mu.Unlock()
}

func (n *Network) remove(t *Transport) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byName[t.name] == t {
		delete(n.byName, t.name)
	}
	if n.byAddr[t.hostport] == t {
		delete(n.byAddr, t.hostport)
	}
}

// Transport is one node's memberlist transport on a Network. It
// implements memberlist.NodeAwareTransport. memberlist calls it from
// several goroutines; every method is safe for that.
type Transport struct {
	net      *Network
	name     string
	addr     netip.Addr
	hostport string
	packetCh chan *memberlist.Packet
	streamCh chan net.Conn

	mu   sync.Mutex
	down bool
}

var _ memberlist.NodeAwareTransport = (*Transport)(nil)

// Addr is the node's address.
func (t *Transport) Addr() netip.Addr { return t.addr }

// FinalAdvertiseAddr returns the address other members reach this node
// at: its simulated IP and Port, whatever memberlist's config asked for.
func (t *Transport) FinalAdvertiseAddr(string, int) (net.IP, int, error) {
	return net.IP(t.addr.AsSlice()), Port, nil
}

// WriteTo sends a packet to "ip:port", UDP-style: it never blocks, and a
// packet to a cut-off, unknown, stopped or backed-up peer is silently
// lost. The returned time is when the packet left.
func (t *Transport) WriteTo(b []byte, addr string) (time.Time, error) {
	return t.WriteToAddress(b, memberlist.Address{Addr: addr})
}

// WriteToAddress is WriteTo addressed by node name first, then address.
func (t *Transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	now := t.net.Now()
	if t.stopped() {
		return now, errors.New("gossip: transport shut down")
	}
	dst, ok := t.net.peer(t, a)
	if !ok {
		return now, nil
	}
	buf := append([]byte(nil), b...) // the caller reuses b
	if !dst.deliverPacket(&memberlist.Packet{Buf: buf, From: t.udpAddr(), Timestamp: now}) {
		t.net.drop()
	}
	return now, nil
}

// PacketCh delivers inbound packets. It is never closed.
func (t *Transport) PacketCh() <-chan *memberlist.Packet { return t.packetCh }

// DialTimeout opens a stream to "ip:port". A peer that cannot be reached
// fails at once with ErrUnreachable rather than after timeout: the
// simulation has nothing to wait for.
func (t *Transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	return t.DialAddressTimeout(memberlist.Address{Addr: addr}, timeout)
}

// DialAddressTimeout is DialTimeout addressed by node name first.
func (t *Transport) DialAddressTimeout(a memberlist.Address, _ time.Duration) (net.Conn, error) {
	if t.stopped() {
		return nil, errors.New("gossip: transport shut down")
	}
	dst, ok := t.net.peer(t, a)
	if !ok {
		return nil, fmt.Errorf("dial %s: %w", a.Addr, ErrUnreachable)
	}
	local, remote := net.Pipe()
	if !dst.deliverStream(&conn{Conn: remote, local: dst.tcpAddr(), remote: t.tcpAddr()}) {
		local.Close()
		remote.Close()
		return nil, fmt.Errorf("dial %s: %w", a.Addr, ErrUnreachable)
	}
	return &conn{Conn: local, local: t.tcpAddr(), remote: dst.tcpAddr()}, nil
}

// StreamCh delivers inbound streams. It is never closed.
func (t *Transport) StreamCh() <-chan net.Conn { return t.streamCh }

// Shutdown stops delivery to this transport and frees its name and
// address. Queued packets and streams are dropped.
func (t *Transport) Shutdown() error {
	t.mu.Lock()
	t.down = true
	t.mu.Unlock()
	t.net.remove(t)
	for {
		select {
		case <-t.packetCh:
		case c := <-t.streamCh:
			c.Close()
		default:
			return nil
		}
	}
}

func (t *Transport) stopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.down
}

func (t *Transport) deliverPacket(p *memberlist.Packet) bool { return deliver(t, t.packetCh, p) }

func (t *Transport) deliverStream(c net.Conn) bool { return deliver(t, t.streamCh, c) }

// deliver hands v to one of t's channels unless t is down or the channel
// is full (a packet or connection memberlist is not reading is dropped).
func deliver[T any](t *Transport, ch chan T, v T) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.down {
		return false
	}
	select {
	case ch <- v:
		return true
	default:
		return false
	}
}

func (t *Transport) udpAddr() net.Addr {
	return &net.UDPAddr{IP: net.IP(t.addr.AsSlice()), Port: Port}
}

func (t *Transport) tcpAddr() net.Addr {
	return &net.TCPAddr{IP: net.IP(t.addr.AsSlice()), Port: Port}
}

// conn is a pipe end that reports the nodes' addresses (memberlist logs
// them and may check them against CIDRsAllowed).
type conn struct {
	net.Conn
	local, remote net.Addr
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

// Config returns a memberlist configuration for node name on t:
// DefaultLocalConfig with intervals cut tenfold so that a 3-node cluster
// declares a cut-off member dead within a few seconds, logging discarded.
// Events, Delegate and the like are the caller's to set.
func Config(name string, t *Transport) *memberlist.Config {
	c := memberlist.DefaultLocalConfig()
	c.Name = name
	c.Transport = t
	c.BindAddr = t.addr.String()
	c.BindPort = Port
	c.AdvertiseAddr = t.addr.String()
	c.AdvertisePort = Port
	c.ProbeInterval = 100 * time.Millisecond
	c.ProbeTimeout = 50 * time.Millisecond
	c.GossipInterval = 20 * time.Millisecond
	c.PushPullInterval = 1500 * time.Millisecond
	c.TCPTimeout = 200 * time.Millisecond
	c.GossipToTheDeadTime = 1500 * time.Millisecond
	c.LogOutput = nil
	c.Logger = log.New(io.Discard, "", 0)
	return c
}
