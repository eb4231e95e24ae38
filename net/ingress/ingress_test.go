package ingress

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/net/fabric"
)

func ptr[T any](v T) *T { return &v }

func path(p string, t networkingv1.PathType, svc string) networkingv1.HTTPIngressPath {
	return networkingv1.HTTPIngressPath{Path: p, PathType: &t, Backend: networkingv1.IngressBackend{
		Service: &networkingv1.IngressServiceBackend{Name: svc, Port: networkingv1.ServiceBackendPort{Number: 80}}}}
}

func rule(host string, paths ...networkingv1.HTTPIngressPath) networkingv1.IngressRule {
	return networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}}
}

func ing(name string, class *string, spec networkingv1.IngressSpec) *networkingv1.Ingress {
	spec.IngressClassName = class
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: spec}
}

func controller() *Controller {
	c := New()
	c.SetClass("nginx", &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "nginx"}, Spec: networkingv1.IngressClassSpec{Controller: ControllerName}})
	c.SetClass("other", &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "other"}, Spec: networkingv1.IngressClassSpec{Controller: "example.com/other"}})
	for _, n := range []string{"a", "b", "api", "exact", "wild", "def", "other"} {
		c.SetService("default", n, &corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}})
	}
	nginx := ptr("nginx")
	c.SetIngress("default", "hosts", ing("hosts", nginx, networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{
		rule("a.example.com", path("/", networkingv1.PathTypePrefix, "a"), path("/api", networkingv1.PathTypePrefix, "api"), path("/exact", networkingv1.PathTypeExact, "exact")),
		rule("b.example.com", path("/", networkingv1.PathTypePrefix, "b")),
		rule("*.wild.example.com", path("/", networkingv1.PathTypePrefix, "wild")),
	}}))
	c.SetIngress("default", "catch-all", ing("catch-all", nginx, networkingv1.IngressSpec{DefaultBackend: &networkingv1.IngressBackend{
		Service: &networkingv1.IngressServiceBackend{Name: "def", Port: networkingv1.ServiceBackendPort{Number: 80}}}}))
	c.SetIngress("default", "theirs", ing("theirs", ptr("other"), networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{
		rule("c.example.com", path("/", networkingv1.PathTypePrefix, "other"))}}))
	return c
}

// TestRoute: hosts, wildcard hosts, Exact before the longest Prefix
// (element-wise), the catch-all Ingress's default backend for unknown
// hosts, another class's Ingresses ignored.
func TestRoute(t *testing.T) {
	c := controller()
	tests := []struct {
		host, path string
		want       string // service, "" for the 404 default backend
	}{
		{"a.example.com", "/", "a"},
		{"A.Example.com:80", "/x", "a"},
		{"a.example.com", "/api", "api"},
		{"a.example.com", "/api/v1?x=1", "api"},
		{"a.example.com", "/apis", "a"},
		{"a.example.com", "/exact", "exact"},
		{"a.example.com", "/exact/x", "a"},
		{"b.example.com", "/anything", "b"},
		{"x.wild.example.com", "/", "wild"},
		{"x.y.wild.example.com", "/", "def"},
		{"nosuch.example.com", "/", "def"},
		{"192.168.56.11", "/", "def"},
		{"c.example.com", "/", "def"},
	}
	for _, tc := range tests {
		b, ok := c.Route(tc.host, tc.path)
		got := ""
		if ok {
			got = b.Service
		}
		if got != tc.want {
			t.Errorf("Route(%q, %q) = %q, want %q", tc.host, tc.path, got, tc.want)
		}
	}
	c.SetIngress("default", "catch-all", nil)
	if b, ok := c.Route("nosuch.example.com", "/"); ok {
		t.Errorf("without a default backend: routed to %v, want the 404 backend", b)
	}
	if got, want := c.Owned(), []string{"default/hosts"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("Owned() = %v, want %v", got, want)
	}
}

// TestErrorPage: nginx's 404 page with server_tokens off is 146 bytes.
func TestErrorPage(t *testing.T) {
	want := "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	if got := string(ErrorPage(404)); got != want || len(got) != 146 {
		t.Errorf("ErrorPage(404) = %q (%d bytes), want %q", got, len(got), want)
	}
}

// TestHandler: through the fabric, a routed request reaches the
// Service's endpoints round robin with nginx's Server header; a Service
// without endpoints is 503; an unknown host 404; a dead endpoint 504.
func TestHandler(t *testing.T) {
	f := fabric.New()
	node := netip.MustParseAddr("192.168.56.11")
	f.AddNode(node, netip.MustParsePrefix("10.244.1.0/24"))
	p1, p2 := netip.MustParseAddr("10.244.1.2"), netip.MustParseAddr("10.244.1.3")
	for _, p := range []netip.Addr{p1, p2} {
		f.Register(p, 80, func(r fabric.Request) fabric.Response {
			return fabric.Response{Header: []fabric.Field{{Name: "Server", Value: "Apache"}}, Body: []byte(r.Local.String() + " " + r.Host)}
		})
	}
	if err := f.SetService(fabric.Service{Namespace: "default", Name: "a", ClusterIP: netip.MustParseAddr("10.96.0.20"),
		Ports: []fabric.ServicePort{{Port: 80, Backends: []fabric.Backend{{IP: p1, Port: 80}, {IP: p2, Port: 80}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetService(fabric.Service{Namespace: "default", Name: "b", ClusterIP: netip.MustParseAddr("10.96.0.21"), Ports: []fabric.ServicePort{{Port: 80}}}); err != nil {
		t.Fatal(err)
	}
	c := controller()
	c.SetIngress("default", "catch-all", nil)
	f.Register(node, 80, c.Handler(f, node))
	get := func(host string) fabric.Response {
		t.Helper()
		resp, err := f.Do(fabric.Client{}, node, 80, fabric.Request{Host: host, Path: "/"})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var bodies []string
	for range 3 {
		r := get("a.example.com")
		if r.Status != 200 || r.Get("Server") != "nginx" {
			t.Errorf("a.example.com: %d, Server %q", r.Status, r.Get("Server"))
		}
		bodies = append(bodies, string(r.Body))
	}
	if want := []string{"10.244.1.2 a.example.com", "10.244.1.3 a.example.com", "10.244.1.2 a.example.com"}; bodies[0] != want[0] || bodies[1] != want[1] || bodies[2] != want[2] {
		t.Errorf("round robin bodies %q, want %q", bodies, want)
	}
	if r := get("b.example.com"); r.Status != 503 || r.StatusLine() != "HTTP/1.1 503 Service Temporarily Unavailable" {
		t.Errorf("b.example.com (no endpoints): %s", r.StatusLine())
	}
	if r := get("nosuch"); r.Status != 404 || string(r.Body) != string(ErrorPage(404)) || r.Get("Content-Length") != "146" {
		t.Errorf("unknown host: %s %q", r.StatusLine(), r.Body)
	}
	f.SetHostUp(p1, false)
	f.SetHostUp(p2, false)
	if r := get("a.example.com"); r.StatusLine() != "HTTP/1.1 504 Gateway Time-out" {
		t.Errorf("dead endpoints: %s", r.StatusLine())
	}
}
