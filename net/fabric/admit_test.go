package fabric

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
)

// TestAdmit: a policy filter drops connections it refuses (the client
// times out, even on a closed port, as a dropped SYN does), sees the
// client's address and the pod's after DNAT (a NodePort's too), and
// leaves refusals it admits alone.
func TestAdmit(t *testing.T) {
	f := lecture()
	if err := f.SetService(Service{Namespace: "default", Name: "web", ClusterIP: vip,
		Ports: []ServicePort{{Port: 80, NodePort: 30080, Backends: []Backend{{IP: pod, Port: 80}}}}}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	f.SetAdmit(func(from, to netip.Addr, proto string, port int32) bool {
		seen = append(seen, proto+" "+from.String()+">"+to.String())
		return from == cp
	})
	tests := []struct {
		from    netip.Addr
		ip      netip.Addr
		port    int32
		wantErr error
	}{
		{cp, pod, 80, nil},
		{cp, vip, 80, nil},
		{cp, pod, 81, ErrRefused},
		{pod1, pod, 80, ErrTimeout},
		{pod1, vip, 80, ErrTimeout},
		{pod1, pod, 81, ErrTimeout},
		{pod1, w2, 30080, ErrTimeout}, // the NodePort's backend is a pod
		{pod1, w2, 22, ErrTimeout},    // egress to a node is judged too
		{cp, w2, 22, ErrRefused},
	}
	for _, tc := range tests {
		_, err := f.Do(Client{Addr: tc.from, Namespace: "default"}, tc.ip, tc.port, Request{})
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s -> %s:%d: err %v, want %v", tc.from, tc.ip, tc.port, err, tc.wantErr)
		}
	}
	if seen[0] != "TCP 192.168.56.10>10.244.2.2" || seen[3] != "TCP 10.244.1.2>10.244.2.2" {
		t.Errorf("filter saw %v", seen)
	}
	if _, err := f.Ping(Client{Addr: pod1}, pod); !errors.Is(err, ErrTimeout) {
		t.Errorf("ping through a refusing filter: %v, want ErrTimeout", err)
	}
	if _, err := f.Ping(Client{Addr: cp}, pod); err != nil {
		t.Errorf("ping through an admitting filter: %v", err)
	}
	if !slices.Contains(seen, "ICMP 10.244.1.2>10.244.2.2") {
		t.Errorf("filter saw %v, want the ping's ICMP", seen)
	}
	// DNS: queries go to the DNS Service's backends over UDP 53.
	dnsPod := netip.MustParseAddr("10.244.0.2")
	f.Register(dnsPod, 53, func(Request) Response { return Response{} })
	if err := f.SetService(Service{Namespace: "kube-system", Name: "kube-dns", ClusterIP: netip.MustParseAddr("10.96.0.10"),
		Ports: []ServicePort{{Name: "dns", Port: 53, Backends: []Backend{{IP: dnsPod, Port: 53}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.ResolveFrom(Client{Addr: pod1, Namespace: "default"}, "web"); ok {
		t.Error("a pod whose DNS queries are dropped resolved web")
	}
	if _, err := f.QueryA(Client{Addr: pod1, Namespace: "default"}, "web.default.svc.cluster.local"); !errors.Is(err, ErrTimeout) {
		t.Errorf("QueryA through a refusing filter: %v, want ErrTimeout", err)
	}
	if ip, ok := f.ResolveFrom(Client{Addr: cp, Namespace: "default"}, "web"); !ok || ip != vip {
		t.Errorf("resolve web from an admitted client: %v %v", ip, ok)
	}
	f.SetAdmit(nil)
	if _, err := f.Do(Client{Addr: pod1}, pod, 80, Request{}); err != nil {
		t.Errorf("without a filter: %v", err)
	}
}
