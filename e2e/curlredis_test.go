package e2e

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestCurlPodAndRedisForward: with the system kubectl (1.27, 1.33), a
// curlimages/curl pod's curl reaches a Service by name, and port-forward
// to a redis pod carries redis's protocol from a host client (PING →
// +PONG) (issue 13, items 2 and 3).
func TestCurlPodAndRedisForward(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			s := startServed(t, v)
			for _, args := range [][]string{
				{"create", "deployment", "web", "--image=nginx"},
				{"expose", "deployment", "web", "--port=80"},
				{"run", "redis", "--image=redis:7"},
			} {
				if out, code := s.run("kubectl", args...); code != 0 {
					t.Fatalf("kubectl %q: exit %d\n%s", args, code, out)
				}
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			if out, code := s.run("kubectl", "run", "c", "--image=curlimages/curl", "--restart=Never", "--", "curl", "-s", "http://web"); code != 0 {
				t.Fatalf("run c: exit %d\n%s", code, out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			out, code := s.run("kubectl", "logs", "c")
			if code != 0 || !strings.Contains(out, "<title>Welcome to nginx!</title>") {
				t.Errorf("curl from a pod: exit %d\n%s", code, out)
			}
			// kubectl run -i --rm: curl's output arrives (attach to a
			// non-shell falls back to the logs) and the pod goes.
			out, code = s.run("kubectl", "run", "c2", "--image=curlimages/curl", "--rm", "-i", "--restart=Never", "--", "curl", "-s", "http://web")
			if code != 0 || !strings.Contains(out, "<title>Welcome to nginx!</title>") || !strings.Contains(out, `pod "c2" deleted`) {
				t.Errorf("run -i --rm curl: exit %d\n%s", code, out)
			}
			pf := s.background("port-forward", "pod/redis", ":6379")
			port := pf.localPort()
			conn, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil || line != "+PONG\r\n" {
				t.Errorf("PING over port-forward: %q %v", line, err)
			}
		})
	}
}
