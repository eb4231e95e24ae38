package e2e

import (
	"strings"
	"testing"

	"kubesim/scenarios/builtin"
	"kubesim/scenarios/transcript"
)

// TestBareMachinesReplay: the course's previous class (kubeadm init on m,
// join on w1 and w2, flannel) replays from bare machines, in English and
// Korean, twice with the same bytes.
func TestBareMachinesReplay(t *testing.T) {
	for _, name := range []string{"bare-machines", "bare-machines.ko"} {
		t.Run(name, func(t *testing.T) {
			tr, err := builtin.Transcript(name)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Cluster != "bare-machines" {
				t.Fatalf("cluster %q, want bare-machines", tr.Cluster)
			}
			first, err := replay(t, tr)
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			second, err := replay(t, tr)
			if err != nil {
				t.Fatalf("second replay: %v", err)
			}
			if first != second {
				t.Errorf("two replays printed different bytes:\n%s\n---\n%s", first, second)
			}
			for _, want := range []string{"Your Kubernetes control-plane has initialized successfully!", "This node has joined the cluster:",
				"w2.example.com   NotReady   <none>", "w2.example.com   Ready    <none>", "FLANNEL_SUBNET=10.244.1.1/24"} {
				if !strings.Contains(first, want) {
					t.Errorf("replay output lacks %q", want)
				}
			}
		})
	}
}

// TestBareMachinesReplayDetectsChange: one changed expected character
// (w1's flannel subnet) fails with a diff that names the line.
func TestBareMachinesReplayDetectsChange(t *testing.T) {
	src, err := builtin.TranscriptSource("bare-machines")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "FLANNEL_SUBNET=10.244.1.1/24", "FLANNEL_SUBNET=10.244.2.1/24", 1)
	tr, err := transcript.Parse("bare-machines.txt", strings.NewReader(changed))
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay(t, tr)
	if err == nil {
		t.Fatal("a changed expected output replayed without error")
	}
	for _, want := range []string{"bare-machines.txt:", "cat /run/flannel/subnet.env", "-want +got", "10.244.2.1", "10.244.1.1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("mismatch report lacks %q:\n%s", want, err)
		}
	}
}

// TestBareServed: `kubesim start --bare` serves the machines with no
// cluster: the system kubectl is refused until kubeadm init on m (through
// kubesim ssh), then lists m NotReady; after a join and flannel's
// manifest, both nodes are Ready.
func TestBareServed(t *testing.T) {
	s := startServedWith(t, "v1.27.1", "--bare")
	if out, code := s.run("kubectl", "get", "nodes"); code == 0 || !strings.Contains(out, "was refused") {
		t.Fatalf("kubectl before kubeadm init: exit %d\n%s", code, out)
	}
	out, code := s.run(s.bin, "ssh", "m.example.com", "--", "kubeadm", "init", "--apiserver-advertise-address=192.168.56.10", "--pod-network-cidr=10.244.0.0/16")
	if code != 0 || !strings.Contains(out, "Your Kubernetes control-plane has initialized successfully!") {
		t.Fatalf("kubeadm init: exit %d\n%s", code, out)
	}
	var join []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "kubeadm join") && i+1 < len(lines) {
			join = append(strings.Fields(strings.TrimSuffix(l, "\\")), strings.Fields(lines[i+1])...)
		}
	}
	if out, code := s.run("kubectl", "get", "nodes"); code != 0 || !strings.Contains(out, "m.example.com   NotReady   control-plane") {
		t.Fatalf("kubectl get nodes after init: exit %d\n%s", code, out)
	}
	if out, code := s.run(s.bin, append([]string{"ssh", "w1.example.com", "--"}, join...)...); code != 0 || !strings.Contains(out, "This node has joined the cluster:") {
		t.Fatalf("%v: exit %d\n%s", join, code, out)
	}
	if out, code := s.run(s.bin, "ssh", "m.example.com", "--", "KUBECONFIG=/etc/kubernetes/admin.conf", "kubectl", "apply", "-f",
		"https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml"); code != 0 || !strings.Contains(out, "daemonset.apps/kube-flannel-ds created") {
		t.Fatalf("kubectl apply flannel: exit %d\n%s", code, out)
	}
	if out, code := s.run(s.bin, "advance", "1m"); code != 0 {
		t.Fatalf("kubesim advance: %s", out)
	}
	out, code = s.run("kubectl", "get", "nodes")
	if code != 0 || strings.Count(out, " Ready ") != 2 {
		t.Fatalf("after flannel, want m and w1 Ready: exit %d\n%s", code, out)
	}
}
