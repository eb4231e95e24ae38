package benchmarks

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"testing"

	"kubesim/internal/curl"
	"kubesim/net/fabric"
	"kubesim/net/ipam"
	"kubesim/net/overlay"
	"kubesim/net/service"
)

// BenchmarkNetOverlayAssign registers n nodes (a /24 each) on a fresh
// allocator: the node IPAM cost of bringing up an n-node cluster.
func BenchmarkNetOverlayAssign(b *testing.B) {
	for _, n := range []int{3, 256, 5000} {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("node-%05d", i)
		}
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				a, err := overlay.New(overlay.Config{ClusterCIDR: "10.0.0.0/8", SubnetLen: 24})
				if err != nil {
					b.Fatal(err)
				}
				for _, name := range names {
					if _, err := a.Assign(name); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkNetHostLocalChurn allocates and releases one pod IP on a node
// whose /24 already holds `pods` IPs (the scan for a free address grows
// with occupancy).
func BenchmarkNetHostLocalChurn(b *testing.B) {
	for _, pods := range []int{10, 110, 250} {
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			h := ipam.NewHostLocal(netip.MustParsePrefix("10.244.2.0/24"))
			ids := make([]string, pods)
			for i := range ids {
				ids[i] = fmt.Sprintf("sandbox-%d", i)
				if _, err := h.Allocate(ids[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Replace the oldest pod: release it, start a new one.
				k := i % pods
				h.Release(ids[k])
				if _, err := h.Allocate(ids[k]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// netFabric builds a cluster network with `nodes` nodes and `perNode`
// pods on each, every pod serving port 80, plus a Service over the first
// `backends` pods.
func netFabric(b *testing.B, nodes, perNode, backends int) (*fabric.Fabric, []netip.Addr) {
	b.Helper()
	f := fabric.New(fabric.WithRand(rand.New(rand.NewPCG(1, 1))))
	f.AddRoute(netip.MustParsePrefix("192.168.0.0/16"), netip.Addr{})
	ok := func(fabric.Request) fabric.Response { return fabric.Response{Body: []byte("ok")} }
	var pods []netip.Addr
	for n := 0; n < nodes; n++ {
		node := netip.AddrFrom4([4]byte{192, 168, byte(n >> 8), byte(n)})
		f.AddHost(node, fabric.HostNode)
		f.AddRoute(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n >> 8), byte(n), 0}), 24), node)
		for p := 0; p < perNode; p++ {
			ip := netip.AddrFrom4([4]byte{10, byte(n >> 8), byte(n), byte(2 + p)})
			f.Register(ip, 80, ok)
			pods = append(pods, ip)
		}
	}
	var bs []fabric.Backend
	for _, ip := range pods[:backends] {
		bs = append(bs, fabric.Backend{IP: ip, Port: 80})
	}
	if err := f.SetService(fabric.Service{Namespace: "default", Name: "web", ClusterIP: netip.MustParseAddr("10.96.0.20"),
		Ports: []fabric.ServicePort{{Port: 80, Backends: bs}}}); err != nil {
		b.Fatal(err)
	}
	return f, pods
}

// BenchmarkNetFabricDo is one virtual HTTP request: straight to a pod IP,
// through a Service VIP (kube-proxy's random pick), and to an unknown IP in
// a pod subnet (the unreachable path). Sizes: nodes and routes count
// (routes are scanned linearly), pods registered.
func BenchmarkNetFabricDo(b *testing.B) {
	for _, sz := range []struct{ nodes, perNode int }{{3, 10}, {100, 30}, {1000, 100}} {
		f, pods := netFabric(b, sz.nodes, sz.perNode, 10)
		client := fabric.Client{Addr: netip.MustParseAddr("192.168.0.0")}
		vip := netip.MustParseAddr("10.96.0.20")
		last := pods[len(pods)-1]
		missing := netip.AddrFrom4([4]byte{10, byte((sz.nodes - 1) >> 8), byte(sz.nodes - 1), 250})
		name := fmt.Sprintf("nodes=%d/pods=%d", sz.nodes, sz.nodes*sz.perNode)
		b.Run(name+"/pod", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := f.Do(client, last, 80, fabric.Request{Path: "/"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/service", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := f.Do(client, vip, 80, fabric.Request{Path: "/"}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/unreachable", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := f.Do(client, missing, 80, fabric.Request{Path: "/"}); err == nil {
					b.Fatal("reached a missing pod")
				}
			}
		})
	}
}

// BenchmarkNetCurl is a whole `curl` command line against the lecture-size
// network: parse, resolve, connect, request, print.
func BenchmarkNetCurl(b *testing.B) {
	f, pods := netFabric(b, 3, 10, 10)
	c, err := curl.New(curl.Config{Client: fabric.Client{Addr: netip.MustParseAddr("192.168.0.0")}, IsTTY: true})
	if err != nil {
		b.Fatal(err)
	}
	url := "http://" + pods[0].String()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"get", []string{url}},
		{"verbose", []string{"-v", url}},
		{"write-out", []string{"-s", "-o", "/dev/null", "-w", "%{http_code}", url}},
		{"refused", []string{"http://192.168.0.1"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.Run(context.Background(), f, tc.args, io.Discard, io.Discard)
			}
		})
	}
}

// BenchmarkNetClusterIP allocates `services` ClusterIPs from 10.96.0.0/12.
func BenchmarkNetClusterIP(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				a, err := service.New(service.DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
				r := rand.New(rand.NewPCG(uint64(i), 0))
				for k := 0; k < n; k++ {
					if _, err := a.AllocateNext(r); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
