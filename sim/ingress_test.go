package sim

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/net/fabric"
	"kubesim/net/ingress"
	"kubesim/sim/registry"
)

// TestIngressNginx: with ingress-nginx installed, an Ingress of class
// nginx routing two hosts to two Services gets the controller node's
// address in its status and a Sync event, and requests to that address on
// port 80 reach httpd or nginx by Host header; an unknown host gets
// ingress-nginx's 404 page; a pod reaches the controller too.
func TestIngressNginx(t *testing.T) {
	spec := DefaultClusterSpec()
	spec.Ingress = IngressNginx
	c, err := New(spec, Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prefix := networkingv1.PathTypePrefix
	rule := func(host, svc string) networkingv1.IngressRule {
		return networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
			Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: svc, Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}
	}
	c.Do(func() {
		for name, image := range map[string]string{"apache": "httpd:2.4", "web": "nginx"} {
			labels := map[string]string{"app": name}
			dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: name, Image: image}}}}}}
			if _, err := c.Registry.Create(c.res("apps", "deployments"), "default", dep, false); err != nil {
				t.Fatal(err)
			}
			svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Selector: labels,
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}}}}
			if _, err := c.Registry.Create(c.res("", "services"), "default", svc, false); err != nil {
				t.Fatal(err)
			}
		}
		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "two-hosts"}, Spec: networkingv1.IngressSpec{
			IngressClassName: ptr("nginx"), Rules: []networkingv1.IngressRule{rule("apache.example.com", "apache"), rule("web.example.com", "web")}}}
		if _, err := c.Registry.Create(c.res("networking.k8s.io", "ingresses"), "default", ing, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(2 * time.Minute)
	var got *networkingv1.Ingress
	var sync bool
	c.Do(func() {
		o, _ := c.Registry.Get(c.res("networking.k8s.io", "ingresses"), "default", "two-hosts")
		got = o.(*networkingv1.Ingress)
		evs, _, _ := c.Registry.List(c.res("", "events"), "default", registry.ListOptions{})
		for _, e := range evs {
			ev := e.(*corev1.Event)
			sync = sync || ev.InvolvedObject.Name == "two-hosts" && ev.Reason == "Sync" && ev.Message == "Scheduled for sync" && ev.Source.Component == "nginx-ingress-controller"
		}
	})
	if lb := got.Status.LoadBalancer.Ingress; len(lb) != 1 || lb[0].IP != "192.168.56.11" {
		t.Errorf("status.loadBalancer.ingress = %v, want 192.168.56.11", lb)
	}
	if !sync {
		t.Error("no Sync event from nginx-ingress-controller")
	}
	node := netip.MustParseAddr("192.168.56.11")
	from := fabric.Client{Addr: netip.MustParseAddr("192.168.56.10")}
	for host, want := range map[string]string{"apache.example.com": "It works!", "web.example.com": "Welcome to nginx!", "other.example.com": string(ingress.ErrorPage(404))} {
		resp, err := c.Fabric().Do(from, node, 80, fabric.Request{Host: host, Path: "/"})
		if err != nil || !strings.Contains(string(resp.Body), want) {
			t.Errorf("GET http://%s/ via the controller: %v %s %q, want %q", host, err, resp.StatusLine(), resp.Body, want)
		}
	}
	var pod fabric.Client
	c.Do(func() {
		pods, _, _ := c.Registry.List(c.res("", "pods"), "default", registry.ListOptions{})
		p := pods[0].(*corev1.Pod)
		pod = fabric.Client{Addr: netip.MustParseAddr(p.Status.PodIP), Namespace: "default"}
	})
	if resp, err := c.Fabric().Do(pod, node, 80, fabric.Request{Host: "web.example.com", Path: "/"}); err != nil || resp.Status != 200 {
		t.Errorf("from a pod: %v %s", err, resp.StatusLine())
	}
}
