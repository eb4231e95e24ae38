package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestDebug: kubectl debug -it with --target adds an ephemeral container
// the kubelet starts, attaches to its shell, and describe lists it; debug
// node/NAME runs the node-debugger pod with the node's filesystem at
// /host (issue 13, item 1).
func TestDebug(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			s := startServed(t, v)
			if out, code := s.run("kubectl", "run", "web", "--image=nginx"); code != 0 {
				t.Fatalf("run web: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			p := s.startPTY("debug", "-it", "web", "--image=busybox:1.28", "--target=web", "--container=dbg")
			p.expect("Targeting container \"web\". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\r\n")
			p.expect("If you don't see a command prompt, try pressing enter.\r\n")
			p.send("\r")
			p.expect("/ # ")
			p.send("hostname\r")
			if got := p.expect("/ # "); got != "hostname\r\nweb\r\n/ # " {
				t.Errorf("hostname in the debug container: %q", got)
			}
			p.send("exit\r")
			if code, _ := p.wait(); code != 0 {
				t.Errorf("debug -it: exit %d", code)
			}
			out, _ := s.run("kubectl", "describe", "pod", "web")
			for _, want := range []string{"Ephemeral Containers:\n  dbg:\n", "    Image:          busybox:1.28\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("describe pod lacks %q:\n%s", want, out)
				}
			}

			n := s.startPTY("debug", "node/w1.example.com", "-it", "--image=busybox:1.28")
			n.expect("Creating debugging pod node-debugger-w1.example.com-")
			n.expect("If you don't see a command prompt, try pressing enter.\r\n")
			n.send("\r")
			n.expect("/ # ")
			n.send("ls -d /host/etc /host/var/lib\r")
			if got := n.expect("/ # "); got != "ls -d /host/etc /host/var/lib\r\n/host/etc\r\n/host/var/lib\r\n/ # " {
				t.Errorf("ls in the node debugger: %q", got)
			}
			n.send("exit\r")
			if code, _ := n.wait(); code != 0 {
				t.Errorf("debug node: exit %d", code)
			}
		})
	}
}
