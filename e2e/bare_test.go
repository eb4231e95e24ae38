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
