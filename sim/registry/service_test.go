package registry

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newService(name, clusterIP string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{ClusterIP: clusterIP, Ports: []corev1.ServicePort{{Port: 80}}}}
}

// TestClusterIPErrors: the allocator's refusals reach the client with
// kube-apiserver's codes and texts (pkg/registry/core/service/storage
// alloc.go), and nothing is stored.
func TestClusterIPErrors(t *testing.T) {
	for _, tc := range []struct {
		name, ip string
		cidr     string
		fill     int // services created first, automatic addresses
		code     int32
		reason   metav1.StatusReason
		msg      string
	}{
		{name: "taken", ip: "10.96.0.10", code: 422, reason: metav1.StatusReasonInvalid,
			msg: `Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated`},
		{name: "outside", ip: "1.2.3.4", code: 422, reason: metav1.StatusReasonInvalid,
			msg: `Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"1.2.3.4"}: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12`},
		{name: "full", cidr: "10.96.0.0/28", fill: 14 - 1, code: 500, reason: metav1.StatusReasonInternalError,
			msg: `Internal error occurred: failed to allocate a serviceIP: range is full`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, st, _ := newTestRegistry(t)
			if tc.cidr != "" {
				r.serviceCIDR = netip.MustParsePrefix(tc.cidr)
			}
			svcs := mustRes(t, "", "services")
			if _, err := r.Create(svcs, "default", newService("dns", "10.96.0.10"), false); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tc.fill; i++ {
				if _, err := r.Create(svcs, "default", newService(fmt.Sprintf("s%d", i), ""), false); err != nil {
					t.Fatalf("service %d of %d: %v", i, tc.fill, err)
				}
			}
			before := st.Rev()
			_, err := r.Create(svcs, "default", newService(tc.name, tc.ip), false)
			s := statusOf(t, err)
			if diff := cmp.Diff([]any{tc.code, tc.reason, tc.msg}, []any{s.Code, s.Reason, s.Message}); diff != "" {
				t.Errorf("code/reason/message (-want +got):\n%s", diff)
			}
			if st.Rev() != before {
				t.Errorf("a refused service was stored")
			}
		})
	}
}

// TestClusterIPAllocation: automatic addresses come from the upper band
// and never repeat; a requested free address is granted; an update keeps
// the address; a deleted Service's address is free again.
func TestClusterIPAllocation(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	svcs := mustRes(t, "", "services")
	seen := map[string]bool{}
	upper := netip.MustParseAddr("10.96.1.1") // the lower band, kept for asked-for addresses, is 10.96.0.1-10.96.1.0
	for i := 0; i < 50; i++ {
		out, err := r.Create(svcs, "default", newService(fmt.Sprintf("s%d", i), ""), false)
		if err != nil {
			t.Fatal(err)
		}
		ip := out.(*corev1.Service).Spec.ClusterIP
		addr := netip.MustParseAddr(ip)
		if seen[ip] || !ServiceCIDR.Contains(addr) || addr.Less(upper) {
			t.Fatalf("service %d got %s (repeat %v, or outside the upper band)", i, ip, seen[ip])
		}
		seen[ip] = true
	}
	out, err := r.Create(svcs, "default", newService("asked", "10.96.0.10"), false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.96.0.10"}, out.(*corev1.Service).Spec.ClusterIPs); diff != "" {
		t.Errorf("clusterIPs (-want +got):\n%s", diff)
	}
	cp := out.(*corev1.Service).DeepCopy()
	cp.ResourceVersion = ""
	cp.Labels = map[string]string{"a": "b"}
	if _, err := r.Update(svcs, "default", cp, ""); err != nil {
		t.Errorf("update keeping the address: %v", err)
	}
	if _, err := r.Delete(svcs, "default", "asked", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Create(svcs, "default", newService("again", "10.96.0.10"), false); err != nil {
		t.Errorf("the deleted service's address: %v", err)
	}
}
