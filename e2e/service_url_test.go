package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestServiceURL: kubesim service NAME --url opens a host tunnel to a
// NodePort Service and prints its URL, which a host HTTP client reaches
// (nginx's page); a ClusterIP Service has no node port (issue 13, item 6).
func TestServiceURL(t *testing.T) {
	s := startServed(t, "v1.33.0")
	for _, args := range [][]string{
		{"create", "deployment", "web", "--image=nginx"},
		{"expose", "deployment", "web", "--port=80", "--type=NodePort"},
		{"create", "service", "clusterip", "plain", "--tcp=80:80"},
	} {
		if out, code := s.run("kubectl", args...); code != 0 {
			t.Fatalf("kubectl %q: exit %d\n%s", args, code, out)
		}
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if out, code := s.run(s.bin, "service", "plain", "--url"); code != 1 || !strings.Contains(out, "Exiting due to SVC_UNREACHABLE: service not available: no node port") {
		t.Errorf("service plain --url: exit %d %q", code, out)
	}
	cmd := exec.Command(s.bin, "service", "web", "--url")
	cmd.Env = s.env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	var url string
	select {
	case url = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no URL after 30s")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>Welcome to nginx!</title>") {
		t.Errorf("GET %s: %d %q", url, resp.StatusCode, body)
	}
}
