package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestIngress: on a cluster started with ingress-nginx, the system kubectl
// (1.27 and 1.33) creates an Ingress routing two hosts to two Services;
// get shows its class, hosts and the controller node's address, and
// kubesim curl with a Host header reaches httpd or nginx through the
// controller, an unknown host ingress-nginx's 404 page (issue 13, item 5).
func TestIngress(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			s := startServedWith(t, version, "--ingress", "nginx")
			for _, args := range [][]string{
				{"create", "deployment", "apache", "--image=httpd:2.4"},
				{"expose", "deployment", "apache", "--port=80"},
				{"create", "deployment", "web", "--image=nginx"},
				{"expose", "deployment", "web", "--port=80"},
				{"create", "ingress", "two-hosts", "--class=nginx", "--rule=apache.example.com/*=apache:80", "--rule=web.example.com/*=web:80"},
			} {
				if out, code := s.run("kubectl", args...); code != 0 {
					t.Fatalf("kubectl %q: exit %d\n%s", args, code, out)
				}
			}
			if err := s.Advance(2 * time.Minute); err != nil {
				t.Fatal(err)
			}
			out, code := s.run("kubectl", "get", "ingressclass")
			if !regexp.MustCompile(`^NAME    CONTROLLER             PARAMETERS   AGE\nnginx   k8s.io/ingress-nginx   <none>       \S+\n$`).MatchString(out) || code != 0 {
				t.Errorf("get ingressclass: exit %d\n%s", code, out)
			}
			out, code = s.run("kubectl", "get", "ingress")
			if !regexp.MustCompile(`^NAME        CLASS   HOSTS                                ADDRESS         PORTS   AGE\ntwo-hosts   nginx   apache.example.com,web.example.com   192.168.56.11   80      \S+\n$`).MatchString(out) || code != 0 {
				t.Errorf("get ingress: exit %d\n%s", code, out)
			}
			out, _ = s.run("kubectl", "describe", "ingress", "two-hosts")
			for _, want := range []string{"Ingress Class:    nginx\n", "apache.example.com  \n", "/   apache:80 (10.244.", "Normal  Sync", "nginx-ingress-controller  Scheduled for sync"} {
				if !strings.Contains(out, want) {
					t.Errorf("describe ingress lacks %q:\n%s", want, out)
				}
			}
			for host, want := range map[string]string{"apache.example.com": "<html><body><h1>It works!</h1></body></html>\n", "web.example.com": "<title>Welcome to nginx!</title>",
				"nosuch.example.com": "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>"} {
				out, _ := s.run(s.bin, "curl", "-s", "-H", "Host: "+host, "http://192.168.56.11")
				if !strings.Contains(out, want) {
					t.Errorf("curl -H 'Host: %s': %q, want %q", host, out, want)
				}
			}
		})
	}
}
