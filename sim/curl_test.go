package sim

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCurlFromPod: curlimages/curl's curl reaches a Service by name from
// the pod (as its main process and through exec), prints curl 8's
// resolve error for an unknown name, and times out under a default-deny
// policy as a dropped SYN makes it.
func TestCurlFromPod(t *testing.T) {
	c, _ := policyCluster(t, "")
	c.Do(func() {
		for name, cmd := range map[string][]string{"once": {"curl", "-s", "http://web"}, "cu": {"sleep", "3600"}} {
			p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
				Containers: []corev1.Container{{Name: name, Image: "curlimages/curl", Command: cmd}}}}
			if _, err := c.Registry.Create(c.res("", "pods"), "default", p, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	c.Advance(time.Minute)
	var logs []byte
	var err error
	c.Do(func() { logs, err = c.PodLogs("default", "once", "once", false, false, nil) })
	if err != nil || !strings.Contains(string(logs), "<title>Welcome to nginx!</title>") {
		t.Errorf("logs of curl -s http://web: %v %q", err, logs)
	}
	exec := func(cmd ...string) (string, string, int) {
		var o, e string
		var code int
		c.Do(func() { o, e, code, err = c.PodExec("default", "cu", "cu", cmd) })
		if err != nil {
			t.Fatal(err)
		}
		return o, e, code
	}
	if o, e, code := exec("curl", "-sS", "http://nosuch"); code != 6 || e != "curl: (6) Could not resolve host: nosuch\n" {
		t.Errorf("curl nosuch: %d %q %q", code, o, e)
	}
	createPolicy(t, c, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny"}, Spec: networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}})
	if _, e, code := exec("curl", "-sS", "--connect-timeout", "2", "http://web"); code != 28 || !strings.Contains(e, "Timeout was reached") {
		t.Errorf("curl under deny: %d %q", code, e)
	}
}
