package builtin

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/scenarios/killercoda"
	"kubesim/scenarios/transcript"
)

func TestNames(t *testing.T) {
	if diff := cmp.Diff([]string{"autoscaling", "deployment-scale-expose", "lecture-04", "persistent-storage", "pods-volumes-probes", "scheduling-basics"}, ScenarioNames()); diff != "" {
		t.Errorf("ScenarioNames mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bare-machines", "bare-machines.ko", "lecture-04"}, TranscriptNames()); diff != "" {
		t.Errorf("TranscriptNames mismatch (-want +got):\n%s", diff)
	}
	if _, err := Scenario("nope"); err == nil || err.Error() != `no built-in scenario "nope" (built-in: autoscaling, deployment-scale-expose, lecture-04, persistent-storage, pods-volumes-probes, scheduling-basics)` {
		t.Errorf("Scenario(nope) error = %v", err)
	}
	if _, err := Transcript("nope"); err == nil || err.Error() != `no built-in transcript "nope" (built-in: bare-machines, bare-machines.ko, lecture-04)` {
		t.Errorf("Transcript(nope) error = %v", err)
	}
}

// TestScenariosLoad loads every built-in scenario in both languages and
// checks what the runners rely on: a known topology, text in the right
// language, the same {{exec}} blocks and scripts in both, and bash that
// parses (bash -n) in every verify script and block.
func TestScenariosLoad(t *testing.T) {
	wantNodes := map[string][]string{
		"lecture-04":              {"m.example.com", "w1.example.com", "w2.example.com"},
		"scheduling-basics":       {"controlplane", "node01"},
		"persistent-storage":      {"controlplane", "node01"},
		"pods-volumes-probes":     {"controlplane", "node01"},
		"autoscaling":             {"controlplane", "node01"},
		"deployment-scale-expose": {"controlplane"},
	}
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			langs, err := Languages(name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"en", "ko"}, langs); diff != "" {
				t.Fatalf("languages mismatch (-want +got):\n%s", diff)
			}
			en, err := Scenario(name)
			if err != nil {
				t.Fatal(err)
			}
			ko, err := ScenarioLang(name, "ko")
			if err != nil {
				t.Fatal(err)
			}
			var nodes []string
			for _, n := range en.Topology.Nodes {
				nodes = append(nodes, n.Name)
			}
			if diff := cmp.Diff(wantNodes[name], nodes); diff != "" {
				t.Errorf("nodes mismatch (-want +got):\n%s", diff)
			}
			if en.Source != "builtin:"+name {
				t.Errorf("Source = %q", en.Source)
			}
			if len(en.Steps) != len(ko.Steps) || en.ImageID != ko.ImageID {
				t.Fatalf("en has %d steps on %s, ko %d on %s", len(en.Steps), en.ImageID, len(ko.Steps), ko.ImageID)
			}
			type page struct {
				md     *killercoda.Markdown
				korean bool
			}
			pages := []page{{en.Intro.Text, false}, {en.Finish.Text, false}, {ko.Intro.Text, true}, {ko.Finish.Text, true}}
			for i := range en.Steps {
				e, k := en.Steps[i], ko.Steps[i]
				pages = append(pages, page{e.Text, false}, page{k.Text, true})
				if diff := cmp.Diff(e.Text.Execs, k.Text.Execs); diff != "" {
					t.Errorf("step %d: {{exec}} blocks differ between en and ko (-en +ko):\n%s", i+1, diff)
				}
				if e.Verify != k.Verify {
					t.Errorf("step %d: verify differs: %q vs %q", i+1, e.Verify.Path, k.Verify.Path)
				}
				if len(e.Text.Execs) == 0 {
					t.Errorf("step %d: no {{exec}} blocks", i+1)
				}
				if (len(e.Text.Details(true)) == 0) != (len(k.Text.Details(true)) == 0) ||
					(len(e.Text.Details(false)) == 0) != (len(k.Text.Details(false)) == 0) {
					t.Errorf("step %d: hints or solutions in one language only", i+1)
				}
				if !e.Verify.IsZero() {
					bashSyntax(t, e.Verify.Path, e.Verify.Body)
				}
				for _, x := range e.Text.Execs {
					bashSyntax(t, e.Title, x.Code)
				}
			}
			for _, p := range pages {
				if hasHangul(p.md.Source) != p.korean {
					t.Errorf("page in the wrong language (Korean: want %v):\n%s", p.korean, p.md.Source)
				}
			}
		})
	}
}

func hasHangul(s string) bool {
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			return true
		}
	}
	return false
}

func bashSyntax(t *testing.T, what, body string) {
	t.Helper()
	out, err := exec.Command(killercoda.Bash, "-n", "-c", body).CombinedOutput()
	if err != nil {
		t.Errorf("%s: bash -n: %v\n%s\n%s", what, err, out, body)
	}
}

// lectureEnv answers the lecture's commands the way the lecture's cluster
// did (names and suffixes as printed in the lecture), so the transcript's
// patterns are checked against real output.
type lectureEnv struct {
	out   map[string]string
	calls []string
}

func newLectureEnv() *lectureEnv {
	return &lectureEnv{out: map[string]string{
		"vagrant status": "Current machine states:\n\n" +
			"w1.example.com            running (virtualbox)\n" +
			"w2.example.com            running (virtualbox)\n" +
			"m.example.com             running (virtualbox)\n\n" +
			"This environment represents multiple VMs. The VMs are all listed\n" +
			"above with their current state. For more information about a specific\n" +
			"VM, run `vagrant status NAME`.\n",
		"kubectl get nodes": "NAME             STATUS   ROLES           AGE     VERSION\n" +
			"m.example.com    Ready    control-plane   2d12h   v1.27.1\n" +
			"w1.example.com   Ready    <none>          2d12h   v1.27.1\n" +
			"w2.example.com   Ready    <none>          2d12h   v1.27.1\n",
		"kubectl get pods": "No resources found in default namespace.\n",
		"kubectl get pods -n kube-system": "NAME                                    READY   STATUS    RESTARTS     AGE\n" +
			"coredns-5d78c9869d-ghdvp                1/1     Running   0            2d12h\n" +
			"coredns-5d78c9869d-hvn88                1/1     Running   0            2d12h\n" +
			"etcd-m.example.com                      1/1     Running   0            2d12h\n" +
			"kube-apiserver-m.example.com            1/1     Running   0            2d12h\n" +
			"kube-controller-manager-m.example.com   1/1     Running   0            2d12h\n" +
			"kube-proxy-9xf77                        1/1     Running   1 (9h ago)   2d12h\n" +
			"kube-proxy-gm5dd                        1/1     Running   0            2d12h\n" +
			"kube-proxy-rdlgr                        1/1     Running   0            2d12h\n" +
			"kube-scheduler-m.example.com            1/1     Running   0            2d12h\n",
		"kubectl get ns": "NAME              STATUS   AGE\n" +
			"default           Active   2d12h\n" +
			"kube-flannel      Active   2d12h\n" +
			"kube-node-lease   Active   2d12h\n" +
			"kube-public       Active   2d12h\n" +
			"kube-system       Active   2d12h\n",
		"kubectl get pods -n kube-flannel": "NAME                    READY   STATUS    RESTARTS     AGE\n" +
			"kube-flannel-ds-8pqh5   1/1     Running   1 (9h ago)   2d12h\n" +
			"kube-flannel-ds-jrszb   1/1     Running   0            2d12h\n" +
			"kube-flannel-ds-qr7tp   1/1     Running   0            2d12h\n",
		"kubectl run myapache --image httpd:2.4": "pod/myapache created\n",
		"kubectl get pods -o wide": "NAME       READY   STATUS    RESTARTS   AGE     IP           NODE             NOMINATED NODE   READINESS GATES\n" +
			"myapache   1/1     Running   0          2m22s   10.244.2.2   w2.example.com   <none>           <none>\n",
		"curl http://10.244.2.2": "<html><body><h1>It works!</h1></body></html>\n",
	}}
}

func (e *lectureEnv) Run(_ context.Context, line string, stdout, _ io.Writer) (int, error) {
	e.calls = append(e.calls, line)
	out, ok := e.out[line]
	if !ok {
		return 127, nil
	}
	io.WriteString(stdout, out)
	return 0, nil
}

func (e *lectureEnv) Advance(d time.Duration) error {
	e.calls = append(e.calls, "advance "+d.String())
	return nil
}

func (e *lectureEnv) Directive(name string, args []string) error {
	e.calls = append(e.calls, name+" "+strings.Join(args, " "))
	return nil
}

func (e *lectureEnv) ScriptEnv() []string { return nil }

func TestLectureTranscriptReplays(t *testing.T) {
	tr, err := Transcript("lecture-04")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.HasSeed {
		t.Errorf("the lecture transcript sets no seed: its random names and node choices would vary")
	}
	env := newLectureEnv()
	if err := transcript.Replay(context.Background(), tr, env, nil); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	want := []string{
		"advance 51h0m0s", "restart-node w1.example.com", "advance 9h0m0s",
		"vagrant status", "kubectl get nodes", "kubectl get pods", "kubectl get pods -n kube-system",
		"kubectl get ns", "kubectl get pods -n kube-flannel", "kubectl run myapache --image httpd:2.4",
		"advance 2m22s", "kubectl get pods -o wide", "curl http://10.244.2.2",
	}
	if diff := cmp.Diff(want, env.calls); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
}

func TestLectureTranscriptCatchesChanges(t *testing.T) {
	tests := []struct {
		name, cmd, from, to string
	}{
		// The lecture's retyped curl output: the real httpd page differs.
		{"retyped It Works", "curl http://10.244.2.2", "<html><body><h1>It works!</h1></body></html>\n", "It Works!\n"},
		{"one character in a table", "kubectl get nodes", "v1.27.1\nw2", "v1.27.2\nw2"},
		{"suffix with a vowel", "kubectl get pods -n kube-flannel", "8pqh5", "8pqa5"},
		{"restart count", "kubectl get pods -n kube-system", "1 (9h ago)", "1 (8h ago)"},
		{"age", "kubectl get pods -o wide", "2m22s", "2m23s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Transcript("lecture-04")
			if err != nil {
				t.Fatal(err)
			}
			env := newLectureEnv()
			if !strings.Contains(env.out[tt.cmd], tt.from) {
				t.Fatalf("output of %q lacks %q", tt.cmd, tt.from)
			}
			env.out[tt.cmd] = strings.Replace(env.out[tt.cmd], tt.from, tt.to, 1)
			err = transcript.Replay(context.Background(), tr, env, nil)
			var me *transcript.MismatchError
			if !errors.As(err, &me) {
				t.Fatalf("Replay error = %v, want a mismatch", err)
			}
			if me.Command != tt.cmd || me.Diff == "" {
				t.Errorf("mismatch on %q with diff %q, want %q with a diff", me.Command, me.Diff, tt.cmd)
			}
			t.Logf("the learner sees:\n%v", err)
			if !strings.HasPrefix(err.Error(), "lecture-04.txt:") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}
