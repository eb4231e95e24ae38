package fabric

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	cp   = netip.MustParseAddr("192.168.56.10")
	w1   = netip.MustParseAddr("192.168.56.11")
	w2   = netip.MustParseAddr("192.168.56.12")
	pod  = netip.MustParseAddr("10.244.2.2")
	pod1 = netip.MustParseAddr("10.244.1.2")
	vip  = netip.MustParseAddr("10.96.100.1")
)

func text(s string) Handler {
	return func(r Request) Response {
		return Response{Header: []Field{{"Content-Type", "text/plain"}}, Body: []byte(s)}
	}
}

// lecture builds the three-node network: node network, flannel routes,
// an httpd pod on w2 and a busybox pod (no ports) on w1.
func lecture(opts ...Option) *Fabric {
	f := New(opts...)
	f.AddRoute(netip.MustParsePrefix("192.168.56.0/24"), netip.Addr{})
	for i, n := range []netip.Addr{cp, w1, w2} {
		f.AddHost(n, HostNode)
		f.AddRoute(netip.MustParsePrefix(fmt.Sprintf("10.244.%d.0/24", i)), n)
	}
	f.SetName("m.example.com", cp)
	f.SetName("w1.example.com", w1)
	f.SetName("w2.example.com", w2)
	f.Register(pod, 80, text("It works!"))
	f.AddHost(pod1, HostPod)
	return f
}

func TestDial(t *testing.T) {
	onCP := Client{Addr: cp}
	tests := []struct {
		name    string
		setup   func(f *Fabric)
		client  Client
		ip      string
		port    int32
		wantErr error
		after   time.Duration
		body    string
	}{
		{name: "pod port answers", client: onCP, ip: "10.244.2.2", port: 80, body: "It works!"},
		{name: "pod without listener refuses", client: onCP, ip: "10.244.1.2", port: 80, wantErr: ErrRefused},
		{name: "other port on the httpd pod refuses", client: onCP, ip: "10.244.2.2", port: 8080, wantErr: ErrRefused},
		{name: "unknown pod IP in a routed subnet is unreachable", client: onCP, ip: "10.244.2.9", port: 80, wantErr: ErrHostUnreachable, after: ARPTimeout},
		{name: "unknown node-network IP is unreachable", client: onCP, ip: "192.168.56.99", port: 22, wantErr: ErrHostUnreachable, after: ARPTimeout},
		{name: "outside every route is a black hole", client: onCP, ip: "8.8.8.8", port: 80, wantErr: ErrTimeout},
		{name: "pod behind a halted node times out", setup: func(f *Fabric) { f.SetHostUp(w2, false) },
			client: onCP, ip: "10.244.2.2", port: 80, wantErr: ErrTimeout},
		{name: "halted node itself times out", setup: func(f *Fabric) { f.SetHostUp(w2, false) },
			client: onCP, ip: "192.168.56.12", port: 22, wantErr: ErrTimeout},
		{name: "down pod times out", setup: func(f *Fabric) { f.SetHostUp(pod, false) },
			client: onCP, ip: "10.244.2.2", port: 80, wantErr: ErrTimeout},
		{name: "unregistered port refuses", setup: func(f *Fabric) { f.Unregister(pod, 80) },
			client: onCP, ip: "10.244.2.2", port: 80, wantErr: ErrRefused},
		{name: "deleted pod is unreachable", setup: func(f *Fabric) { f.UnregisterIP(pod) },
			client: onCP, ip: "10.244.2.2", port: 80, wantErr: ErrHostUnreachable, after: ARPTimeout},
		{name: "loopback reaches the client's own ports", setup: func(f *Fabric) { f.Register(cp, 6443, text("apiserver")) },
			client: onCP, ip: "127.0.0.1", port: 6443, body: "apiserver"},
		{name: "loopback without a listener refuses", client: onCP, ip: "127.0.0.1", port: 80, wantErr: ErrRefused},
		{name: "loopback with no client address refuses", client: Client{}, ip: "127.0.0.1", port: 80, wantErr: ErrRefused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := lecture()
			if tc.setup != nil {
				tc.setup(f)
			}
			resp, err := f.Do(tc.client, netip.MustParseAddr(tc.ip), tc.port, Request{Method: "GET", Path: "/"})
			if tc.wantErr != nil {
				var de *DialError
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &de) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if de.After != tc.after || de.Addr.String() != tc.ip || de.Port != tc.port {
					t.Errorf("DialError = %+v, want addr %s port %d after %v", de, tc.ip, tc.port, tc.after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if string(resp.Body) != tc.body || resp.StatusLine() != "HTTP/1.1 200 OK" {
				t.Errorf("got %q %q, want 200 %q", resp.StatusLine(), resp.Body, tc.body)
			}
		})
	}
}

func TestRequestFields(t *testing.T) {
	at := time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)
	f := lecture(WithClock(func() time.Time { return at }))
	var got Request
	f.Register(pod, 8080, func(r Request) Response { got = r; return Response{Status: 404, Body: []byte("x")} })
	resp, err := f.Do(Client{Addr: cp}, pod, 8080, Request{Method: "HEAD", Host: "10.244.2.2:8080", Path: "/nope"})
	if err != nil {
		t.Fatal(err)
	}
	want := Request{Method: "HEAD", Host: "10.244.2.2:8080", Path: "/nope", Time: at, From: cp, Local: pod, Port: 8080}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if resp.StatusLine() != "HTTP/1.1 404 Not Found" || resp.Body != nil {
		t.Errorf("HEAD answer = %q body %q; want 404 without body", resp.StatusLine(), resp.Body)
	}
}

func TestResolve(t *testing.T) {
	f := lecture()
	if err := f.SetService(Service{Namespace: "prod", Name: "web", ClusterIP: vip,
		Ports: []ServicePort{{Port: 80}}}); err != nil {
		t.Fatal(err)
	}
	pods := func(ns string) Client { return Client{Addr: pod, Namespace: ns} }
	tests := []struct {
		name   string
		client Client
		query  string
		want   string
	}{
		{"fqdn from a pod", pods("default"), "web.prod.svc.cluster.local", "10.96.100.1"},
		{"svc.ns from a pod", pods("default"), "web.prod", "10.96.100.1"},
		{"bare svc in its namespace", pods("prod"), "web", "10.96.100.1"},
		{"bare svc from another namespace", pods("default"), "web", ""},
		{"ip literal", Client{Addr: cp}, "10.244.2.2", "10.244.2.2"},
		{"node name on a host", Client{Addr: cp}, "W2.example.com", "192.168.56.12"},
		{"localhost on a host", Client{Addr: cp}, "localhost", "127.0.0.1"},
		{"localhost in a pod", pods("default"), "localhost", "127.0.0.1"},
		{"service names do not resolve on a host", Client{Addr: cp}, "web.prod.svc.cluster.local", ""},
		{"node names do not resolve in a pod", pods("default"), "w2.example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ip, ok := f.ResolveFrom(tc.client, tc.query)
			if (tc.want == "") == ok || (ok && ip.String() != tc.want) {
				t.Errorf("ResolveFrom(%q) = %v, %v; want %q", tc.query, ip, ok, tc.want)
			}
		})
	}
	if ip, ok := f.Resolve("web.prod"); !ok || ip != vip {
		t.Errorf("Resolve(web.prod) = %v, %v", ip, ok)
	}
	f.RemoveService("prod", "web")
	if _, ok := f.Resolve("web.prod"); ok {
		t.Error("Resolve after RemoveService still answers")
	}
}

// backendsFabric has a Service with three backends that say who they are.
func backendsFabric(seed uint64) *Fabric {
	f := lecture(WithRand(rand.New(rand.NewPCG(seed, 0))))
	var bs []Backend
	for i := 2; i <= 4; i++ {
		ip := netip.MustParseAddr(fmt.Sprintf("10.244.1.%d", i))
		f.Register(ip, 8080, text(ip.String()))
		bs = append(bs, Backend{IP: ip, Port: 8080})
	}
	// Given out of order on purpose: the fabric sorts them.
	bs[0], bs[2] = bs[2], bs[0]
	if err := f.SetService(Service{Namespace: "default", Name: "web", ClusterIP: vip,
		Ports: []ServicePort{{Port: 80, NodePort: 30080, Backends: bs}}}); err != nil {
		panic(err)
	}
	return f
}

func picks(t *testing.T, f *Fabric, c Client, ip netip.Addr, port int32, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		resp, err := f.Do(c, ip, port, Request{})
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		out = append(out, string(resp.Body))
	}
	return out
}

func TestServiceDeterministicForSeed(t *testing.T) {
	c := Client{Addr: cp}
	a := picks(t, backendsFabric(7), c, vip, 80, 12)
	b := picks(t, backendsFabric(7), c, vip, 80, 12)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different picks (-first +second):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, p := range a {
		seen[p] = true
	}
	if len(seen) != 3 {
		t.Errorf("12 picks hit %d of 3 backends: %v", len(seen), a)
	}
	other := picks(t, backendsFabric(8), c, vip, 80, 12)
	if cmp.Equal(a, other) {
		t.Errorf("seeds 7 and 8 gave the same 12 picks %v", a)
	}
}

func TestServiceRouting(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *Fabric)
		client  Client
		ip      netip.Addr
		port    int32
		wantErr error
	}{
		{name: "cluster IP", client: Client{Addr: cp}, ip: vip, port: 80},
		{name: "cluster IP from a pod", client: Client{Addr: pod, Namespace: "default"}, ip: vip, port: 80},
		{name: "port the service does not expose hangs", client: Client{Addr: cp}, ip: vip, port: 81, wantErr: ErrTimeout},
		{name: "node port on any node", client: Client{Addr: cp}, ip: w2, port: 30080},
		{name: "node port on localhost of a node", client: Client{Addr: w1}, ip: netip.MustParseAddr("127.0.0.1"), port: 30080},
		{name: "node port is not on pod IPs", client: Client{Addr: cp}, ip: pod, port: 30080, wantErr: ErrRefused},
		{name: "no endpoints is rejected", setup: func(f *Fabric) {
			if err := f.SetBackends("default", "web", 80, nil); err != nil {
				panic(err)
			}
		}, client: Client{Addr: cp}, ip: vip, port: 80, wantErr: ErrRefused},
		{name: "backends behind a halted node time out", setup: func(f *Fabric) { f.SetHostUp(w1, false) },
			client: Client{Addr: cp}, ip: vip, port: 80, wantErr: ErrTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := backendsFabric(1)
			if tc.setup != nil {
				tc.setup(f)
			}
			resp, err := f.Do(tc.client, tc.ip, tc.port, Request{})
			if tc.wantErr != nil {
				var de *DialError
				if !errors.Is(err, tc.wantErr) || !errors.As(err, &de) || de.Addr != tc.ip || de.Port != tc.port {
					t.Fatalf("err = %#v, want %v against %s:%d", err, tc.wantErr, tc.ip, tc.port)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Body) == 0 {
				t.Error("empty answer from a backend")
			}
		})
	}
}

func TestServiceConflicts(t *testing.T) {
	f := backendsFabric(1)
	err := f.SetService(Service{Namespace: "x", Name: "y", ClusterIP: vip})
	if err == nil || err.Error() != "fabric: cluster IP 10.96.100.1 already used by service default/web" {
		t.Errorf("VIP conflict: %v", err)
	}
	err = f.SetService(Service{Namespace: "x", Name: "y", ClusterIP: netip.MustParseAddr("10.96.0.2"), Ports: []ServicePort{{Port: 1, NodePort: 30080}}})
	if err == nil || err.Error() != "fabric: node port 30080 already used by service default/web" {
		t.Errorf("NodePort conflict: %v", err)
	}
	if err := f.SetBackends("x", "nope", 80, nil); err == nil {
		t.Error("SetBackends on an unknown service succeeded")
	}
	if err := f.SetBackends("default", "web", 99, nil); err == nil {
		t.Error("SetBackends on an unknown port succeeded")
	}
	if diff := cmp.Diff([]string{"default/web"}, f.Services()); diff != "" {
		t.Errorf("Services (-want +got):\n%s", diff)
	}
}

func TestListening(t *testing.T) {
	f := lecture()
	f.Register(pod, 443, text("tls"))
	f.Register(pod, 8080, text("alt"))
	if diff := cmp.Diff([]int32{80, 443, 8080}, f.Listening(pod)); diff != "" {
		t.Errorf("Listening (-want +got):\n%s", diff)
	}
	if !f.HostUp(pod) || f.HostUp(netip.MustParseAddr("10.9.9.9")) {
		t.Error("HostUp wrong")
	}
}

func TestRoutesLongestPrefix(t *testing.T) {
	f := New()
	gw := netip.MustParseAddr("172.16.0.1")
	f.AddHost(gw, HostNode)
	f.AddRoute(netip.MustParsePrefix("10.0.0.0/8"), gw)
	f.AddRoute(netip.MustParsePrefix("10.1.0.0/16"), netip.Addr{})
	f.AddRoute(netip.MustParsePrefix("10.1.0.0/16"), netip.Addr{}) // again: no duplicate
	f.SetHostUp(gw, false)
	c := Client{Addr: gw}
	tests := []struct {
		name  string
		setup func()
		ip    string
		want  error
	}{
		{name: "most specific route is direct", ip: "10.1.0.5", want: ErrHostUnreachable},
		{name: "wider route is behind a down node", ip: "10.2.0.5", want: ErrTimeout},
		{name: "node back up: unreachable", setup: func() { f.SetHostUp(gw, true) }, ip: "10.2.0.5", want: ErrHostUnreachable},
		{name: "route removed: black hole", setup: func() { f.RemoveRoute(netip.MustParsePrefix("10.1.0.0/16")) }, ip: "10.1.0.5", want: ErrHostUnreachable},
		{name: "all routes removed", setup: func() { f.RemoveRoute(netip.MustParsePrefix("10.0.0.0/8")) }, ip: "10.1.0.5", want: ErrTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			_, err := f.Dial(c, netip.MustParseAddr(tc.ip), 80)
			if !errors.Is(err, tc.want) {
				t.Errorf("Dial(%s) = %v, want %v", tc.ip, err, tc.want)
			}
		})
	}
}

func TestClusterDNSNeedsCoreDNS(t *testing.T) {
	f := lecture()
	if err := f.SetService(Service{Namespace: "prod", Name: "web", ClusterIP: vip, Ports: []ServicePort{{Port: 80}}}); err != nil {
		t.Fatal(err)
	}
	inPod := Client{Addr: pod, Namespace: "prod"}
	if _, ok := f.ResolveFrom(inPod, "web"); !ok {
		t.Fatal("no DNS Service registered: the zone should answer")
	}
	kubeDNS := Service{Namespace: "kube-system", Name: "kube-dns", ClusterIP: netip.MustParseAddr("10.96.0.10"),
		Ports: []ServicePort{{Name: "dns", Port: 53}, {Name: "dns-tcp", Port: 53}}}
	if err := f.SetService(kubeDNS); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.ResolveFrom(inPod, "web"); ok {
		t.Error("kube-dns without endpoints still resolves")
	}
	if ip, ok := f.ResolveFrom(inPod, "localhost"); !ok || ip.String() != "127.0.0.1" {
		t.Error("localhost needs no DNS server")
	}
	if err := f.SetBackends("kube-system", "kube-dns", 53, []Backend{{IP: netip.MustParseAddr("10.244.0.2"), Port: 53}}); err != nil {
		t.Fatal(err)
	}
	if ip, ok := f.ResolveFrom(inPod, "web"); !ok || ip != vip {
		t.Errorf("with a CoreDNS backend: %v %v", ip, ok)
	}
}

func TestAddRemoveNode(t *testing.T) {
	f := New()
	n := netip.MustParseAddr("192.168.56.13")
	f.AddNode(n, netip.MustParsePrefix("10.244.3.0/24"))
	if _, err := f.Dial(Client{}, netip.MustParseAddr("10.244.3.7"), 80); !errors.Is(err, ErrHostUnreachable) {
		t.Errorf("missing pod behind a new node: %v", err)
	}
	if _, err := f.Dial(Client{}, n, 22); !errors.Is(err, ErrRefused) {
		t.Errorf("node address: %v", err)
	}
	f.RemoveNode(n, netip.MustParsePrefix("10.244.3.0/24"))
	for _, ip := range []string{"10.244.3.7", "192.168.56.13"} {
		if _, err := f.Dial(Client{}, netip.MustParseAddr(ip), 80); !errors.Is(err, ErrTimeout) {
			t.Errorf("%s after RemoveNode: %v", ip, err)
		}
	}
}

// TestConcurrentUse has writers (kubelets, the endpoints controller) and
// readers (curl) share the fabric; run with -race to make it bite.
func TestConcurrentUse(t *testing.T) {
	f := backendsFabric(3)
	done := make(chan struct{})
	errs := make(chan error, 4)
	go func() {
		defer close(done)
		for i := 0; i < 300; i++ {
			ip := netip.AddrFrom4([4]byte{10, 244, 2, byte(10 + i%200)})
			f.Register(ip, 80, text("x"))
			_ = f.SetBackends("default", "web", 80, []Backend{{IP: ip, Port: 80}})
			f.SetHostUp(w1, i%2 == 0)
			f.UnregisterIP(ip)
		}
	}()
	for r := 0; r < 3; r++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				_, err := f.Do(Client{Addr: cp}, vip, 80, Request{})
				if err != nil && !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrHostUnreachable) && !errors.Is(err, ErrRefused) {
					errs <- err
					return
				}
				f.ResolveFrom(Client{Namespace: "default"}, "web")
			}
		}()
	}
	for r := 0; r < 3; r++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
