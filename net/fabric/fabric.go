package fabric

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"kubesim/net/dns"
)

// Sentinel errors; every dial error is a *DialError wrapping one of them.
var (
	// ErrRefused: the host answered with a reset (ECONNREFUSED,
	// "Connection refused").
	ErrRefused = errors.New("connection refused")
	// ErrTimeout: nothing answered; the caller's connect timeout (or the
	// kernel's SYN retries) decides when it gives up (ETIMEDOUT,
	// "Connection timed out").
	ErrTimeout = errors.New("connection timed out")
	// ErrHostUnreachable: the last hop found no host for the address (ARP
	// failed) and said so with ICMP (EHOSTUNREACH, "No route to host").
	ErrHostUnreachable = errors.New("no route to host")
	// ErrResolve: the name is not known to the client's resolver.
	ErrResolve = errors.New("could not resolve host")
)

// ARPTimeout is how long a Linux host waits before it reports an address on
// a connected subnet unreachable: 3 multicast solicitations one second
// apart (net.ipv4.neigh.default.mcast_solicit = 3, retrans_time_ms = 1000).
const ARPTimeout = 3 * time.Second

// DialError says why a connection failed and how much virtual time the
// failure took to show (0 for a refusal; ARPTimeout for an unreachable
// host; 0 for a timeout, whose length the caller decides).
type DialError struct {
	Addr  netip.Addr
	Port  int32
	After time.Duration
	Err   error
}

func (e *DialError) Error() string {
	return fmt.Sprintf("dial %s:%d: %v", e.Addr, e.Port, e.Err)
}

func (e *DialError) Unwrap() error { return e.Err }

// Field is one header line; order is kept as the handler gave it.
type Field struct{ Name, Value string }

// Request is one HTTP request as the endpoint sees it.
type Request struct {
	Method string // "GET", "HEAD", …
	Host   string // the Host header: "10.244.2.2", "web:8080"
	Path   string // request target: "/", "/a?b=c"
	Header []Field
	Body   []byte
	// Filled in by the fabric:
	Time  time.Time  // the fabric's clock (virtual); zero without a clock
	From  netip.Addr // client address (zero for a client outside the cluster)
	Local netip.Addr // address the endpoint is registered on (after DNAT)
	Port  int32      // port the endpoint is registered on (after DNAT)
	TLS   bool       // the client completed a TLS handshake first
}

// Get returns the first header named name (case-insensitive).
func (r Request) Get(name string) string { return get(r.Header, name) }

// Response is what a Handler answers.
type Response struct {
	Proto  string // "HTTP/1.1" when empty
	Status int    // 200 when zero
	Reason string // net/http's StatusText when empty
	Header []Field
	Body   []byte
}

// Get returns the first header named name (case-insensitive).
func (r Response) Get(name string) string { return get(r.Header, name) }

// StatusLine is "HTTP/1.1 200 OK".
func (r Response) StatusLine() string {
	return r.Proto + " " + fmt.Sprint(r.Status) + " " + r.Reason
}

func get(h []Field, name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Handler is a simulated server: a container's behaviour behind a port.
// It is called on the caller's goroutine, possibly concurrently with other
// calls; it must not block on real time.
type Handler func(Request) Response

// Client is where a connection starts.
type Client struct {
	// Addr is the client's own address (a node IP for the host network, a
	// pod IP for a pod). 127.0.0.0/8 and "localhost" mean this address.
	// Zero: a client with no address in the cluster.
	Addr netip.Addr
	// Namespace, when set, makes the client a ClusterFirst pod in that
	// namespace: names resolve through cluster DNS with the pod search
	// list. Empty: a node's host resolver (/etc/hosts entries only).
	Namespace string
}

// HostKind says what a known address is.
type HostKind int

const (
	// HostPod is a pod IP (or any plain host).
	HostPod HostKind = iota
	// HostNode is a node address: NodePorts answer on it.
	HostNode
)

type host struct {
	kind HostKind
	up   bool
}

// routeTable does longest-prefix matching with one map probe per prefix
// length in use (a handful), so lookups stay flat at thousands of nodes.
type routeTable struct {
	via  map[netip.Prefix]netip.Addr // zero Addr: directly connected
	lens []int                       // prefix lengths in use, longest first
}

// lookup returns the most specific route containing ip.
func (t *routeTable) lookup(ip netip.Addr) (subnet netip.Prefix, via netip.Addr, ok bool) {
	for _, l := range t.lens {
		p, err := ip.Prefix(l)
		if err != nil {
			continue
		}
		if v, found := t.via[p]; found {
			return p, v, true
		}
	}
	return netip.Prefix{}, netip.Addr{}, false
}

func (t *routeTable) set(p netip.Prefix, via netip.Addr) {
	if _, ok := t.via[p]; !ok {
		t.via[p] = via
		t.relen()
		return
	}
	t.via[p] = via
}

func (t *routeTable) remove(p netip.Prefix) {
	if _, ok := t.via[p]; ok {
		delete(t.via, p)
		t.relen()
	}
}

func (t *routeTable) relen() {
	seen := map[int]bool{}
	t.lens = t.lens[:0]
	for p := range t.via {
		if !seen[p.Bits()] {
			seen[p.Bits()] = true
			t.lens = append(t.lens, p.Bits())
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(t.lens)))
}

type endpoint struct {
	h      Handler
	stream StreamServer // a non-HTTP protocol (RegisterStream)
	tls    bool
}

// StreamServer serves one TCP connection's byte stream for a protocol
// that is not HTTP (redis's RESP): it reads the client's bytes from r and
// writes its answers to w (flushing after each), until r ends or it closes
// the connection (returns). locked runs work that must hold the cluster's
// loop. It must not block on real time.
type StreamServer func(r *bufio.Reader, w *bufio.Writer, locked func(func())) error

// RegisterStream puts a stream server behind (ip, port): byte streams
// (port-forward, nc) reach it; an HTTP request gets an empty reply (the
// server closes on bytes it does not understand).
func (f *Fabric) RegisterStream(ip netip.Addr, port int32, s StreamServer) {
	f.register(ip, port, endpoint{stream: s, h: func(Request) Response { return Response{Status: 0, Header: []Field{{Name: emptyReply, Value: "1"}}} }})
}

// emptyReply marks a Response that stands for a connection closed without
// an answer.
const emptyReply = "X-Kubesim-Empty-Reply"

// EmptyReply reports whether resp stands for a connection the server
// closed without answering.
func (r Response) EmptyReply() bool { return r.Get(emptyReply) != "" }

type epKey struct {
	ip   netip.Addr
	port int32
}

// Fabric is the virtual network. Safe for concurrent use.
type Fabric struct {
	mu         sync.RWMutex
	rngMu      sync.Mutex
	rng        *rand.Rand
	clock      func() time.Time
	endpoints  map[epKey]endpoint
	hosts      map[netip.Addr]*host
	routes     routeTable
	services   map[string]*Service // "ns/name"
	byVIP      map[netip.Addr]*Service
	nodePorts  map[int32]*Service
	names      map[string]netip.Addr // /etc/hosts
	zone       *dns.Zone
	nameserver netip.Addr
	admit      Admit
}

// Admit is a policy-enforcing CNI's filter (Calico's or Cilium's
// NetworkPolicy rules): whether a connection of protocol proto ("TCP",
// "UDP" for DNS, "ICMP" for ping) from a client address to (ip, port) may
// pass, judged after kube-proxy's DNAT (on the backend pod's address). A
// connection it refuses has its packets dropped: the client sees
// ErrTimeout. It is not asked about a host talking to itself. It is called
// with the fabric's lock held and must not call back into the fabric.
type Admit func(from, to netip.Addr, proto string, port int32) bool

// SetAdmit installs the filter (nil: none, as with flannel alone, which
// does not enforce NetworkPolicy).
func (f *Fabric) SetAdmit(a Admit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.admit = a
}

// Option configures a Fabric.
type Option func(*Fabric)

// WithRand sets the source kube-proxy's backend choice draws from (the
// cluster's seeded source). Without it the fabric uses a fixed-seed PCG.
func WithRand(r *rand.Rand) Option { return func(f *Fabric) { f.rng = r } }

// WithClock sets the clock that stamps Request.Time (the virtual clock).
func WithClock(now func() time.Time) Option { return func(f *Fabric) { f.clock = now } }

// WithNameserver sets cluster DNS's Service IP (default 10.96.0.10).
func WithNameserver(ip netip.Addr) Option { return func(f *Fabric) { f.nameserver = ip } }

// WithClusterDomain sets the DNS domain (default "cluster.local").
func WithClusterDomain(d string) Option { return func(f *Fabric) { f.zone = dns.NewZone(d) } }

// New returns an empty network.
func New(opts ...Option) *Fabric {
	f := &Fabric{
		endpoints: map[epKey]endpoint{},
		hosts:     map[netip.Addr]*host{},
		services:  map[string]*Service{},
		byVIP:     map[netip.Addr]*Service{},
		nodePorts: map[int32]*Service{},
		names:     map[string]netip.Addr{"localhost": netip.MustParseAddr("127.0.0.1")},
		routes:    routeTable{via: map[netip.Prefix]netip.Addr{}},
	}
	for _, o := range opts {
		o(f)
	}
	if f.rng == nil {
		f.rng = rand.New(rand.NewPCG(0x6b756265, 0x73696d))
	}
	if f.zone == nil {
		f.zone = dns.NewZone(dns.DefaultClusterDomain)
	}
	if !f.nameserver.IsValid() {
		f.nameserver = dns.DefaultNameserver
	}
	return f
}

// Zone is the cluster DNS zone (for records beyond Services).
func (f *Fabric) Zone() *dns.Zone { return f.zone }

// AddHost makes ip a known, up host of the given kind. Adding a known host
// again changes its kind and leaves its up state alone.
func (f *Fabric) AddHost(ip netip.Addr, kind HostKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.hosts[ip]; ok {
		h.kind = kind
		return
	}
	f.hosts[ip] = &host{kind: kind, up: true}
}

// SetHostUp marks a host up or down (adding it as a HostPod if unknown).
// A down host times out instead of refusing; a down node also takes its
// routed pod subnet down.
func (f *Fabric) SetHostUp(ip netip.Addr, up bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.hosts[ip]
	if !ok {
		h = &host{kind: HostPod}
		f.hosts[ip] = h
	}
	h.up = up
}

// HostUp reports whether ip is a known host that is up.
func (f *Fabric) HostUp(ip netip.Addr) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	h, ok := f.hosts[ip]
	return ok && h.up
}

// AddRoute tells the fabric that subnet lives behind node via (flannel's
// route to a node's podCIDR), or is directly connected when via is zero
// (the node network). Unknown addresses in a routed subnet are unreachable
// rather than black holes; every address behind a down node times out.
func (f *Fabric) AddRoute(subnet netip.Prefix, via netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes.set(subnet.Masked(), via)
}

// RemoveRoute forgets a subnet.
func (f *Fabric) RemoveRoute(subnet netip.Prefix) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes.remove(subnet.Masked())
}

// Register puts h behind (ip, port), replacing what was there, and makes ip
// a known host (up, unless it was known and down).
func (f *Fabric) Register(ip netip.Addr, port int32, h Handler) {
	f.register(ip, port, endpoint{h: h})
}

// RegisterTLS is Register for a port that speaks TLS (the apiserver's
// 6443, an https container): a client must handshake first, and a
// plain-HTTP request reaches the handler with Request.TLS false.
func (f *Fabric) RegisterTLS(ip netip.Addr, port int32, h Handler) {
	f.register(ip, port, endpoint{h: h, tls: true})
}

func (f *Fabric) register(ip netip.Addr, port int32, ep endpoint) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.endpoints[epKey{ip, port}] = ep
	if _, ok := f.hosts[ip]; !ok {
		f.hosts[ip] = &host{kind: HostPod, up: true}
	}
}

// Unregister removes the endpoint at (ip, port); the host stays known, so
// the port now refuses.
func (f *Fabric) Unregister(ip netip.Addr, port int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.endpoints, epKey{ip, port})
}

// UnregisterIP removes every endpoint on ip and forgets the host (the pod
// is gone): its address becomes unreachable, or a black hole outside any
// route.
func (f *Fabric) UnregisterIP(ip netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.endpoints {
		if k.ip == ip {
			delete(f.endpoints, k)
		}
	}
	delete(f.hosts, ip)
}

// Listening lists the ports with an endpoint on ip, ascending.
func (f *Fabric) Listening(ip netip.Addr) []int32 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var out []int32
	for k := range f.endpoints {
		if k.ip == ip {
			out = append(out, k.port)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// SetName adds an /etc/hosts entry every node carries (the Vagrant boxes'
// "192.168.56.10 m.example.com"). Names are case-insensitive.
func (f *Fabric) SetName(name string, ip netip.Addr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[dns.Normalize(name)] = ip
}

// Resolve answers name as a pod in namespace "default" would: cluster DNS
// with the pod search list (<svc>, <svc>.<ns>, <svc>.<ns>.svc.cluster.local
// all work), then /etc/hosts-style names. IP literals resolve to
// themselves.
func (f *Fabric) Resolve(name string) (netip.Addr, bool) {
	return f.ResolveFrom(Client{Namespace: "default"}, name)
}

// ResolveFrom answers name as client c's resolver would. A pod
// (c.Namespace set) uses cluster DNS and "localhost"; a node host uses its
// /etc/hosts entries only — cluster names do not resolve on a node, as on a
// kubeadm node whose resolv.conf points at the outside world.
func (f *Fabric) ResolveFrom(c Client, name string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(name); err == nil {
		return ip.Unmap(), true
	}
	n := dns.Normalize(name)
	if n == "" {
		return netip.Addr{}, false
	}
	if c.Namespace != "" {
		if n == "localhost" {
			return netip.MustParseAddr("127.0.0.1"), true
		}
		if !f.dnsServing() || !f.dnsAdmitted(c) {
			return netip.Addr{}, false
		}
		return f.zone.Resolve(name, dns.SearchList(c.Namespace, f.zone.Domain()), dns.DefaultNdots)
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	ip, ok := f.names[n]
	return ip, ok
}

// dnsServing: cluster DNS answers unless its Service (the nameserver VIP)
// is known and has no backend on any port — CoreDNS scaled to zero or not
// ready, where kube-proxy rejects the queries. Without a registered DNS
// Service the zone answers directly.
func (f *Fabric) dnsServing() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	svc, ok := f.byVIP[f.nameserver]
	if !ok {
		return true
	}
	for _, p := range svc.Ports {
		if len(p.Backends) > 0 {
			return true
		}
	}
	return false
}

// admitted asks the policy filter, if any, about a connection between two
// different hosts. Caller holds f.mu.
func (f *Fabric) admitted(from, to netip.Addr, proto string, port int32) bool {
	return f.admit == nil || from == to || f.admit(from, to, proto, port)
}

// dnsAdmitted: a pod's DNS queries (UDP 53) reach some backend of the
// cluster DNS Service through the policy filter; true without a filter or
// without a known DNS Service. Caller holds no lock.
func (f *Fabric) dnsAdmitted(c Client) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	svc, ok := f.byVIP[f.nameserver]
	if f.admit == nil || !ok || !c.Addr.IsValid() {
		return true
	}
	for _, p := range svc.Ports {
		if p.Port != 53 {
			continue
		}
		for _, b := range p.Backends {
			if f.admitted(c.Addr, b.IP, "UDP", b.Port) {
				return true
			}
		}
	}
	return false
}

// AddNode is the wiring for one node: its address becomes a HostNode
// (NodePorts answer on it) and its pod subnet is routed through it, as
// flannel's route to the node's podCIDR does.
func (f *Fabric) AddNode(ip netip.Addr, podCIDR netip.Prefix) {
	f.AddHost(ip, HostNode)
	if podCIDR.IsValid() {
		f.AddRoute(podCIDR, ip)
	}
}

// RemoveNode undoes AddNode (the node was deleted): its address and the
// route to its pod subnet are forgotten, with its endpoints.
func (f *Fabric) RemoveNode(ip netip.Addr, podCIDR netip.Prefix) {
	f.UnregisterIP(ip)
	if podCIDR.IsValid() {
		f.RemoveRoute(podCIDR)
	}
}

// Conn is an established virtual connection.
type Conn struct {
	f       *Fabric
	client  Client
	handler Handler
	stream  StreamServer
	// TLS says the accepting endpoint speaks TLS.
	TLS bool
	// Local is the endpoint that accepted (after DNAT); Remote/RemotePort
	// what the client dialled.
	Remote     netip.Addr
	RemotePort int32
	Local      netip.Addr
	LocalPort  int32
}

// Dial opens a virtual connection from c to (ip, port). Errors are
// *DialError wrapping ErrRefused, ErrTimeout or ErrHostUnreachable.
func (f *Fabric) Dial(c Client, ip netip.Addr, port int32) (*Conn, error) {
	ip = ip.Unmap()
	f.mu.RLock()
	ep, local, lport, err := f.route(c, ip, port, 0)
	f.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return &Conn{f: f, client: c, handler: ep.h, stream: ep.stream, TLS: ep.tls, Remote: ip, RemotePort: port, Local: local, LocalPort: lport}, nil
}

// Do sends one request over the connection and returns the answer. A HEAD
// answer loses its body, as HTTP says.
func (cn *Conn) Do(req Request) Response {
	req.From = cn.client.Addr
	req.Local, req.Port = cn.Local, cn.LocalPort
	if cn.f.clock != nil {
		req.Time = cn.f.clock()
	}
	if req.Method == "" {
		req.Method = "GET"
	}
	resp := cn.handler(req)
	if resp.Proto == "" {
		resp.Proto = "HTTP/1.1"
	}
	if resp.Status == 0 {
		resp.Status = http.StatusOK
	}
	if resp.Reason == "" {
		resp.Reason = http.StatusText(resp.Status)
	}
	if req.Method == http.MethodHead {
		resp.Body = nil
	}
	return resp
}

// Do dials (ip, port) from c and sends req.
func (f *Fabric) Do(c Client, ip netip.Addr, port int32, req Request) (Response, error) {
	cn, err := f.Dial(c, ip, port)
	if err != nil {
		return Response{}, err
	}
	return cn.Do(req), nil
}

func dialErr(ip netip.Addr, port int32, err error) *DialError {
	d := &DialError{Addr: ip, Port: port, Err: err}
	if err == ErrHostUnreachable {
		d.After = ARPTimeout
	}
	return d
}

// route finds the handler for (ip, port) seen from c. Caller holds f.mu.
func (f *Fabric) route(c Client, ip netip.Addr, port int32, depth int) (endpoint, netip.Addr, int32, error) {
	if depth > 2 {
		return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
	}
	if ip.IsLoopback() {
		if !c.Addr.IsValid() {
			return endpoint{}, ip, port, dialErr(ip, port, ErrRefused)
		}
		// Loopback reaches the client itself, NodePorts included.
		if h, ok := f.hosts[c.Addr]; ok && h.kind == HostNode {
			if svc, ok := f.nodePorts[port]; ok {
				return f.dnat(c, ip, port, svc, svc.portByNodePort(port), depth)
			}
		}
		if h, ok := f.endpoints[epKey{c.Addr, port}]; ok {
			return h, c.Addr, port, nil
		}
		return endpoint{}, ip, port, dialErr(ip, port, ErrRefused)
	}
	if svc, ok := f.byVIP[ip]; ok {
		sp := svc.portByPort(port)
		if sp == nil {
			return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
		}
		return f.dnat(c, ip, port, svc, sp, depth)
	}
	// Behind a node that is down, everything is a black hole.
	_, via, routed := f.routes.lookup(ip)
	if routed && via.IsValid() && via != ip {
		if n, ok := f.hosts[via]; ok && !n.up {
			return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
		}
	}
	h, known := f.hosts[ip]
	if !known {
		if routed {
			return endpoint{}, ip, port, dialErr(ip, port, ErrHostUnreachable)
		}
		return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
	}
	if !h.up {
		return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
	}
	// kube-proxy's DNAT runs before any socket (or policy) sees the packet.
	if h.kind == HostNode {
		if svc, ok := f.nodePorts[port]; ok {
			return f.dnat(c, ip, port, svc, svc.portByNodePort(port), depth)
		}
	}
	if !f.admitted(c.Addr, ip, "TCP", port) {
		return endpoint{}, ip, port, dialErr(ip, port, ErrTimeout)
	}
	if ep, ok := f.endpoints[epKey{ip, port}]; ok {
		return ep, ip, port, nil
	}
	return endpoint{}, ip, port, dialErr(ip, port, ErrRefused)
}

// dnat picks a backend as kube-proxy's iptables rules do (uniformly at
// random) and routes to it. No backends: REJECT, seen as a refusal.
func (f *Fabric) dnat(c Client, ip netip.Addr, port int32, svc *Service, sp *ServicePort, depth int) (endpoint, netip.Addr, int32, error) {
	if sp == nil || len(sp.Backends) == 0 {
		return endpoint{}, ip, port, dialErr(ip, port, ErrRefused)
	}
	f.rngMu.Lock()
	i := f.rng.IntN(len(sp.Backends))
	f.rngMu.Unlock()
	b := sp.Backends[i]
	h, local, lport, err := f.route(c, b.IP, b.Port, depth+1)
	if err != nil {
		// The client sees the error against the address it dialled.
		var de *DialError
		if errors.As(err, &de) {
			return endpoint{}, ip, port, &DialError{Addr: ip, Port: port, After: de.After, Err: de.Err}
		}
		return endpoint{}, ip, port, err
	}
	return h, local, lport, nil
}

// LookupFrom is ResolveFrom for a pod that also wants the name that
// answered: the first search-list candidate with a record (the fully
// qualified name nslookup prints). ok is false when nothing answers or
// cluster DNS does not serve.
func (f *Fabric) LookupFrom(c Client, name string) (fqdn string, ip netip.Addr, ok bool) {
	if ip, err := netip.ParseAddr(name); err == nil {
		return name, ip.Unmap(), true
	}
	if c.Namespace == "" || !f.dnsServing() || !f.dnsAdmitted(c) {
		ip, ok := f.ResolveFrom(c, name)
		return dns.Normalize(name), ip, ok
	}
	for _, cand := range dns.Candidates(name, dns.SearchList(c.Namespace, f.zone.Domain()), dns.DefaultNdots) {
		if ip, ok := f.zone.Lookup(cand); ok {
			return cand, ip, true
		}
	}
	return "", netip.Addr{}, false
}

// Ping sends one ICMP echo from c to ip and says how many routers it
// crossed: 0 on the same host or bridge, 2 to a pod across flannel's VXLAN
// (the two nodes' forwarding), 1 to another node's own address. A Service ClusterIP has no host behind it
// (kube-proxy's iptables rules match TCP/UDP ports only), so it never
// answers: ErrTimeout, as for a down host or an address outside every
// route; an unknown address inside a routed subnet is ErrHostUnreachable.
func (f *Fabric) Ping(c Client, ip netip.Addr) (hops int, err error) {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip == c.Addr {
		if !c.Addr.IsValid() && !ip.IsLoopback() {
			return 0, dialErr(ip, 0, ErrTimeout)
		}
		return 0, nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if _, ok := f.byVIP[ip]; ok {
		return 0, dialErr(ip, 0, ErrTimeout)
	}
	_, via, routed := f.routes.lookup(ip)
	if routed && via.IsValid() && via != ip {
		if n, ok := f.hosts[via]; ok && !n.up {
			return 0, dialErr(ip, 0, ErrTimeout)
		}
	}
	h, known := f.hosts[ip]
	switch {
	case !known && routed:
		return 0, dialErr(ip, 0, ErrHostUnreachable)
	case !known || !h.up || !f.admitted(c.Addr, ip, "ICMP", 0):
		return 0, dialErr(ip, 0, ErrTimeout)
	}
	_, from, _ := f.routes.lookup(c.Addr)
	if !from.IsValid() {
		from = c.Addr
	}
	to := via
	if !to.IsValid() || h.kind == HostNode {
		to = ip
	}
	switch {
	case from == to:
		return 0, nil
	case h.kind == HostNode:
		return 1, nil
	}
	return 2, nil
}

// QueryA answers one A query from c for a fully qualified name as cluster
// DNS does: its addresses, ErrResolve (NXDOMAIN), or ErrTimeout when
// cluster DNS does not serve or c's queries are dropped by policy (no
// reply).
func (f *Fabric) QueryA(c Client, fqdn string) ([]netip.Addr, error) {
	if !f.dnsServing() || !f.dnsAdmitted(c) {
		return nil, ErrTimeout
	}
	if ips := f.zone.LookupAll(fqdn); len(ips) > 0 {
		return ips, nil
	}
	return nil, ErrResolve
}

// ReverseName is cluster DNS's PTR answer for ip: a Service's name for its
// ClusterIP, a headless Service's endpoint name for an endpoint address. ok is false for an address with no PTR record (CoreDNS falls
// through to the upstream resolver, which knows nothing of it).
func (f *Fabric) ReverseName(ip netip.Addr) (string, bool) {
	if !f.dnsServing() {
		return "", false
	}
	f.mu.RLock()
	svc, ok := f.byVIP[ip.Unmap()]
	f.mu.RUnlock()
	if !ok {
		return f.zone.Reverse(ip.Unmap())
	}
	return dns.ServiceFQDN(svc.Name, svc.Namespace, f.zone.Domain()), true
}
