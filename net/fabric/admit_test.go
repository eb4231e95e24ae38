package fabric

import (
	"errors"
	"net/netip"
	"testing"
)

// TestAdmit: a policy filter drops connections to pods it refuses (the
// client times out, even on a closed port, as a dropped SYN does), sees
// the client's address and the pod's after DNAT, and leaves node
// addresses and refusals it admits alone.
func TestAdmit(t *testing.T) {
	f := lecture()
	if err := f.SetService(Service{Namespace: "default", Name: "web", ClusterIP: vip,
		Ports: []ServicePort{{Port: 80, NodePort: 30080, Backends: []Backend{{IP: pod, Port: 80}}}}}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	f.SetAdmit(func(from, to netip.Addr, port int32) bool {
		seen = append(seen, from.String()+">"+to.String())
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
		{pod1, w2, 22, ErrRefused},    // node addresses are not filtered
	}
	for _, tc := range tests {
		_, err := f.Do(Client{Addr: tc.from, Namespace: "default"}, tc.ip, tc.port, Request{})
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s -> %s:%d: err %v, want %v", tc.from, tc.ip, tc.port, err, tc.wantErr)
		}
	}
	if seen[0] != "192.168.56.10>10.244.2.2" || seen[3] != "10.244.1.2>10.244.2.2" {
		t.Errorf("filter saw %v", seen)
	}
	f.SetAdmit(nil)
	if _, err := f.Do(Client{Addr: pod1}, pod, 80, Request{}); err != nil {
		t.Errorf("without a filter: %v", err)
	}
}
