package sim

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// policyCluster runs web (two nginx pods behind Service web) and a busybox
// pod bb (run=bb) on a cluster whose NetworkPolicy mode is mode, and
// returns a function that runs a command in bb.
func policyCluster(t *testing.T, mode string) (*Cluster, func(cmd ...string) (string, string, int)) {
	t.Helper()
	spec := DefaultClusterSpec()
	spec.NetworkPolicy = mode
	c, err := New(spec, Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	labels := map[string]string{"app": "web"}
	c.Do(func() {
		dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "nginx", Image: "nginx", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}}}}}}}}
		if _, err := c.Registry.Create(c.res("apps", "deployments"), "default", dep, false); err != nil {
			t.Fatal(err)
		}
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{Selector: labels,
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}}}}
		if _, err := c.Registry.Create(c.res("", "services"), "default", svc, false); err != nil {
			t.Fatal(err)
		}
		bb := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "bb", Labels: map[string]string{"run": "bb"}}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "bb", Image: "busybox:1.28", Command: []string{"sleep", "3600"}}}}}
		if _, err := c.Registry.Create(c.res("", "pods"), "default", bb, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(2 * time.Minute)
	return c, func(cmd ...string) (string, string, int) {
		var o, e string
		var code int
		var err error
		c.Do(func() { o, e, code, err = c.PodExec("default", "bb", "bb", cmd) })
		if err != nil {
			t.Fatalf("exec %q: %v", cmd, err)
		}
		return o, e, code
	}
}

func createPolicy(t *testing.T, c *Cluster, np *networkingv1.NetworkPolicy) {
	t.Helper()
	c.Do(func() {
		if _, err := c.Registry.Create(c.res("networking.k8s.io", "networkpolicies"), "default", np, false); err != nil {
			t.Fatal(err)
		}
	})
}

func deletePolicy(t *testing.T, c *Cluster, name string) {
	t.Helper()
	c.Do(func() {
		if _, err := c.Registry.Delete(c.res("networking.k8s.io", "networkpolicies"), "default", name, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNetworkPolicyEnforced: on the default (Calico-like) cluster a
// default-deny ingress policy makes `wget -T 2 web` time out as busybox
// says it, an allow rule for run=bb on the named port restores it, and a
// default-deny egress policy takes DNS away (bad address) until UDP 53 is
// allowed.
func TestNetworkPolicyEnforced(t *testing.T) {
	c, exec := policyCluster(t, "")
	wget := func(want string) {
		t.Helper()
		o, e, code := exec("wget", "-T", "2", "-qO-", "http://web")
		if want == "" {
			if code != 0 || !strings.Contains(o, "Welcome to nginx!") {
				t.Errorf("wget: code %d, stdout %q, stderr %q; want nginx's page", code, o, e)
			}
			return
		}
		if code != 1 || e != want {
			t.Errorf("wget: code %d, stderr %q; want 1, %q", code, e, want)
		}
	}
	wget("")
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny"}})
	var stored *networkingv1.NetworkPolicy
	c.Do(func() {
		o, _ := c.Registry.Get(c.res("networking.k8s.io", "networkpolicies"), "default", "deny")
		stored = o.(*networkingv1.NetworkPolicy)
	})
	if got := stored.Spec.PolicyTypes; len(got) != 1 || got[0] != networkingv1.PolicyTypeIngress {
		t.Errorf("defaulted policyTypes = %v, want [Ingress]", got)
	}
	wget("wget: download timed out\n")
	http := intstr.FromString("http")
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "allow-bb"}, Spec: networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Ingress: []networkingv1.NetworkPolicyIngressRule{{
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"run": "bb"}}}},
			Ports: []networkingv1.NetworkPolicyPort{{Port: &http}}}}}})
	wget("")
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "no-egress"}, Spec: networkingv1.NetworkPolicySpec{
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}}})
	wget("wget: bad address 'web'\n")
	udp := corev1.ProtocolUDP
	dns := intstr.FromInt32(53)
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "dns"}, Spec: networkingv1.NetworkPolicySpec{
		Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}}}}}})
	wget("wget: download timed out\n")
	deletePolicy(t, c, "no-egress")
	wget("wget: download timed out\n") // "dns" isolates egress on its own
	deletePolicy(t, c, "dns")
	wget("")
}

// TestNetworkPolicyFlannelOnly: with networkPolicy "none" (flannel alone)
// policies are stored and change nothing.
func TestNetworkPolicyFlannelOnly(t *testing.T) {
	c, exec := policyCluster(t, NetworkPolicyNone)
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny"}})
	if o, e, code := exec("wget", "-T", "2", "-qO-", "http://web"); code != 0 || !strings.Contains(o, "Welcome to nginx!") {
		t.Errorf("wget under flannel alone: code %d, stdout %q, stderr %q", code, o, e)
	}
}
