package sim

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/registry"
)

// TestTrafficFromPods: a busybox pod's shell reaches a Service by name,
// its ClusterIP, a backend's pod IP and a NodePort, and nslookup prints
// busybox 1.28's answer from cluster DNS.
func TestTrafficFromPods(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	labels := map[string]string{"app": "web"}
	c.Do(func() {
		dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}}}}
		if _, err := c.Registry.Create(c.res("apps", "deployments"), "default", dep, false); err != nil {
			t.Fatal(err)
		}
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: labels,
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80), NodePort: 30080}}}}
		if _, err := c.Registry.Create(c.res("", "services"), "default", svc, false); err != nil {
			t.Fatal(err)
		}
		bb := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bb"}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "bb", Image: "busybox:1.28", Command: []string{"sleep", "3600"}}}}}
		if _, err := c.Registry.Create(c.res("", "pods"), "default", bb, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(2 * time.Minute)
	var svcIP, podIP, nodeIP string
	c.Do(func() {
		s, _ := c.Registry.Get(c.res("", "services"), "default", "web")
		svcIP = s.(*corev1.Service).Spec.ClusterIP
		pods, _, _ := c.Registry.List(c.res("", "pods"), "default", registry.ListOptions{})
		for _, o := range pods {
			p := o.(*corev1.Pod)
			if p.Labels["app"] == "web" && p.Status.PodIP != "" {
				podIP, nodeIP = p.Status.PodIP, p.Status.HostIP
			}
		}
	})
	if svcIP == "" || podIP == "" {
		t.Fatalf("service IP %q, pod IP %q", svcIP, podIP)
	}
	exec := func(cmd ...string) (string, string, int) {
		var o, e string
		var code int
		var err error
		c.Do(func() { o, e, code, err = c.PodExec("default", "bb", "bb", cmd) })
		if err != nil {
			t.Fatalf("exec %q: %v", cmd, err)
		}
		return o, e, code
	}
	for _, url := range []string{"http://web", "http://web.default.svc.cluster.local/", "http://" + svcIP, "http://" + podIP, "http://" + nodeIP + ":30080"} {
		o, e, code := exec("wget", "-qO-", url)
		if code != 0 || !strings.Contains(o, "Welcome to nginx!") {
			t.Errorf("wget %s: code %d, stdout %q, stderr %q", url, code, o, e)
		}
	}
	o, e, code := exec("nslookup", "kubernetes.default")
	want := "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n"
	if o != want || e != "" || code != 0 {
		t.Errorf("nslookup kubernetes.default: code %d, stdout %q, stderr %q; want stdout %q", code, o, e, want)
	}
	if _, e, code := exec("nc", "-zv", "web", "80"); code != 0 || e != "web ("+svcIP+":80) open\n" {
		t.Errorf("nc -zv web 80: code %d, stderr %q", code, e)
	}
	if o, _, code := exec("ping", "-c", "1", podIP); code != 0 || !strings.Contains(o, "1 packets received") {
		t.Errorf("ping -c 1 %s: code %d, stdout %q", podIP, code, o)
	}

	// Service links: the Services that existed when the container
	// started, docker-link style; one created later is not there.
	c.Do(func() {
		late := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "late-svc"}, Spec: corev1.ServiceSpec{Selector: labels,
			Ports: []corev1.ServicePort{{Port: 8080}}}}
		if _, err := c.Registry.Create(c.res("", "services"), "default", late, false); err != nil {
			t.Fatal(err)
		}
	})
	o, _, _ = exec("env")
	var got []string
	for _, l := range strings.Split(o, "\n") {
		if strings.HasPrefix(l, "KUBERNETES_") || strings.HasPrefix(l, "WEB_") || strings.HasPrefix(l, "LATE_") {
			got = append(got, l)
		}
	}
	wantEnv := []string{
		"KUBERNETES_PORT=tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1",
		"KUBERNETES_PORT_443_TCP_PORT=443", "KUBERNETES_PORT_443_TCP_PROTO=tcp", "KUBERNETES_SERVICE_HOST=10.96.0.1",
		"KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
		"WEB_PORT=tcp://" + svcIP + ":80", "WEB_PORT_80_TCP=tcp://" + svcIP + ":80", "WEB_PORT_80_TCP_ADDR=" + svcIP,
		"WEB_PORT_80_TCP_PORT=80", "WEB_PORT_80_TCP_PROTO=tcp", "WEB_SERVICE_HOST=" + svcIP, "WEB_SERVICE_PORT=80",
	}
	if d := cmp.Diff(wantEnv, got); d != "" {
		t.Errorf("service variables (-want +got):\n%s", d)
	}
}

// TestHeadlessAndExternalNames: a headless Service answers with its ready
// endpoints, a StatefulSet's pods by web-0.web, an ExternalName Service by
// its CNAME's target.
func TestHeadlessAndExternalNames(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	labels := map[string]string{"app": "web"}
	c.Do(func() {
		for _, svc := range []*corev1.Service{
			{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}}},
			{ObjectMeta: metav1.ObjectMeta{Name: "ext"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "web-1.web.default.svc.cluster.local"}},
		} {
			if _, err := c.Registry.Create(c.res("", "services"), "default", svc, false); err != nil {
				t.Fatal(err)
			}
		}
		sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.StatefulSetSpec{
			ServiceName: "web", Replicas: ptr(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}}}}
		if _, err := c.Registry.Create(c.res("apps", "statefulsets"), "default", sts, false); err != nil {
			t.Fatal(err)
		}
		bb := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bb"}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "bb", Image: "busybox:1.28", Command: []string{"sleep", "3600"}}}}}
		if _, err := c.Registry.Create(c.res("", "pods"), "default", bb, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(5 * time.Minute)
	ips := map[string]string{}
	c.Do(func() {
		for _, n := range []string{"web-0", "web-1"} {
			if o, err := c.Registry.Get(c.res("", "pods"), "default", n); err == nil {
				ips[n] = o.(*corev1.Pod).Status.PodIP
			}
		}
	})
	if ips["web-0"] == "" || ips["web-1"] == "" {
		t.Fatalf("pod IPs %v", ips)
	}
	exec := func(cmd ...string) (string, string, int) {
		var o, e string
		var code int
		var err error
		c.Do(func() { o, e, code, err = c.PodExec("default", "bb", "bb", cmd) })
		if err != nil {
			t.Fatalf("exec %q: %v", cmd, err)
		}
		return o, e, code
	}
	first, second := ips["web-0"], ips["web-1"]
	if netip.MustParseAddr(second).Less(netip.MustParseAddr(first)) {
		first, second = second, first
	}
	names := map[string]string{ips["web-0"]: "web-0.web.default.svc.cluster.local", ips["web-1"]: "web-1.web.default.svc.cluster.local"}
	tests := []struct {
		cmd  []string
		want string
	}{
		{[]string{"nslookup", "web"}, "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web\nAddress 1: " + first + " " + names[first] + "\nAddress 2: " + second + " " + names[second] + "\n"},
		{[]string{"nslookup", "web-0.web"}, "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web-0.web\nAddress 1: " + ips["web-0"] + " web-0.web.default.svc.cluster.local\n"},
		{[]string{"nslookup", "ext"}, "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      ext\nAddress 1: " + ips["web-1"] + " web-1.web.default.svc.cluster.local\n"},
	}
	for _, tt := range tests {
		if o, e, code := exec(tt.cmd...); o != tt.want || code != 0 {
			t.Errorf("%q: code %d, stderr %q, stdout (-want +got):\n%s", tt.cmd, code, e, cmp.Diff(tt.want, o))
		}
	}
	for _, url := range []string{"http://web-0.web.default.svc.cluster.local", "http://web-1.web", "http://web", "http://ext"} {
		if o, e, code := exec("wget", "-qO-", url); code != 0 || !strings.Contains(o, "Welcome to nginx!") {
			t.Errorf("wget %s: code %d, stderr %q", url, code, e)
		}
	}
}
