package proxy

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/net/fabric"
)

var (
	node = netip.MustParseAddr("192.168.56.10")
	pod  = netip.MustParseAddr("10.244.2.2")
	vip  = netip.MustParseAddr("10.96.100.1")
)

func network() *fabric.Fabric {
	f := fabric.New()
	f.AddRoute(netip.MustParsePrefix("192.168.56.0/24"), netip.Addr{})
	f.AddHost(node, fabric.HostNode)
	f.AddNode(node, netip.MustParsePrefix("10.244.2.0/24"))
	f.Register(pod, 8080, func(fabric.Request) fabric.Response { return fabric.Response{Body: []byte("It works!")} })
	return f
}

func service(ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: corev1.ServiceSpec{ClusterIP: vip.String(), Ports: ports}}
}

func endpoints(ports ...corev1.EndpointPort) *corev1.Endpoints {
	return &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: pod.String()}}, Ports: ports}}}
}

func get(f *fabric.Fabric, port int32) (string, error) {
	resp, err := f.Do(fabric.Client{Addr: node}, vip, port, fabric.Request{Path: "/"})
	return string(resp.Body), err
}

// TestSync: a Service and its Endpoints become a VIP that reaches the pod;
// deleting the Endpoints leaves a VIP with no backends (REJECT), deleting
// the Service removes the VIP; nothing changes the fabric before Sync.
func TestSync(t *testing.T) {
	f := network()
	p := New(f)
	p.OnService(service(corev1.ServicePort{Port: 80}))
	p.OnEndpoints(endpoints(corev1.EndpointPort{Port: 8080}))
	if got := f.Services(); len(got) != 0 {
		t.Fatalf("before Sync the fabric has services %v", got)
	}
	if !p.Pending() {
		t.Fatal("Pending() = false after a change")
	}
	p.Sync()
	if p.Pending() {
		t.Fatal("Pending() = true after Sync")
	}
	if diff := cmp.Diff([]string{"default/web"}, f.Services()); diff != "" {
		t.Fatalf("services (-want, +got):\n%s", diff)
	}
	if body, err := get(f, 80); err != nil || body != "It works!" {
		t.Fatalf("GET %s:80 = %q, %v; want It works!", vip, body, err)
	}

	p.OnEndpointsDelete("default", "web")
	p.Sync()
	if _, err := get(f, 80); !errors.Is(err, fabric.ErrRefused) {
		t.Fatalf("without endpoints: err = %v, want ErrRefused", err)
	}

	p.OnServiceDelete("default", "web")
	p.Sync()
	if got := f.Services(); len(got) != 0 {
		t.Fatalf("after delete the fabric has services %v", got)
	}
}

// TestNamedPorts: a Service port takes the endpoint ports of its name; a
// single unnamed Service port takes them all.
func TestNamedPorts(t *testing.T) {
	f := network()
	f.Register(pod, 9090, func(fabric.Request) fabric.Response { return fabric.Response{Body: []byte("metrics")} })
	p := New(f)
	p.OnService(service(corev1.ServicePort{Name: "http", Port: 80}, corev1.ServicePort{Name: "metrics", Port: 90}))
	p.OnEndpoints(endpoints(corev1.EndpointPort{Name: "metrics", Port: 9090}, corev1.EndpointPort{Name: "http", Port: 8080}))
	p.Sync()
	for port, want := range map[int32]string{80: "It works!", 90: "metrics"} {
		if body, err := get(f, port); err != nil || body != want {
			t.Errorf("GET %s:%d = %q, %v; want %q", vip, port, body, err, want)
		}
	}
}
