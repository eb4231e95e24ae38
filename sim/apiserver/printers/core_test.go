package printers

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Expected rows from kube-apiserver's own tests, aojea/kubernetes@5c75e9e917bbdd0689512886cc7a61e6facab2fc
// pkg/printers/internalversion/printers_test.go: TestPrintNodeInternalIP,
// TestPrintNodeExternalIP and TestPrintServiceLoadBalancer (wide cases; the
// server always prints wide, so load-balancer lists are never clipped).
func TestNodeAndServiceUpstreamRows(t *testing.T) {
	c := mustContext(t, "v1.29.0")
	nodes := []struct {
		addrs []corev1.NodeAddress
		want  []interface{}
	}{
		{[]corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "1.1.1.1"}},
			[]interface{}{"n", "Unknown", "<none>", "<unknown>", "", "1.1.1.1", "<none>", "<unknown>", "<unknown>", "<unknown>"}},
		{[]corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "2.2.2.2"}, {Type: corev1.NodeExternalIP, Address: "3.3.3.3"}, {Type: corev1.NodeInternalIP, Address: "4.4.4.4"}},
			[]interface{}{"n", "Unknown", "<none>", "<unknown>", "", "2.2.2.2", "3.3.3.3", "<unknown>", "<unknown>", "<unknown>"}},
		{[]corev1.NodeAddress{{Type: corev1.NodeExternalIP, Address: "2.2.2.2"}, {Type: corev1.NodeInternalIP, Address: "3.3.3.3"}, {Type: corev1.NodeExternalIP, Address: "4.4.4.4"}},
			[]interface{}{"n", "Unknown", "<none>", "<unknown>", "", "3.3.3.3", "2.2.2.2", "<unknown>", "<unknown>", "<unknown>"}},
	}
	for i, tt := range nodes {
		got := printNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{Addresses: tt.addrs}}, c).Cells
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("node %d (-want +got):\n%s", i, diff)
		}
	}
	lb := func(ingress ...corev1.LoadBalancerIngress) *corev1.Service {
		return &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "service4"},
			Spec: corev1.ServiceSpec{ClusterIPs: []string{"1.5.6.7"}, Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"foo": "bar"},
				Ports: []corev1.ServicePort{{Port: 80, Protocol: "TCP"}, {Port: 8090, Protocol: "UDP"}, {Port: 8000, Protocol: "TCP"}}},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: ingress}},
		}
	}
	services := []struct {
		svc  *corev1.Service
		want []interface{}
	}{
		{lb(corev1.LoadBalancerIngress{IP: "2.3.4.5"}, corev1.LoadBalancerIngress{IP: "3.4.5.6"}, corev1.LoadBalancerIngress{IP: "5.6.7.8", Hostname: "host5678"}),
			[]interface{}{"service4", "LoadBalancer", "1.5.6.7", "2.3.4.5,3.4.5.6,5.6.7.8", "80/TCP,8090/UDP,8000/TCP", "<unknown>", "foo=bar"}},
		{lb(), []interface{}{"service4", "LoadBalancer", "1.5.6.7", "<pending>", "80/TCP,8090/UDP,8000/TCP", "<unknown>", "foo=bar"}},
	}
	for i, tt := range services {
		if diff := cmp.Diff(tt.want, printService(tt.svc, c).Cells); diff != "" {
			t.Errorf("service %d (-want +got):\n%s", i, diff)
		}
	}
}
