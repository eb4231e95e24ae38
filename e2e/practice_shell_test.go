package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// practiceShell starts `kubesim ARGS...` on a terminal as a learner would,
// with HOME a fresh folder holding bashrc as .bashrc (before lists it), and
// TMPDIR (where the practice cluster lives) another; it skips where there
// is no bash.
func practiceShell(t *testing.T, bashrc string, args ...string) (p *ptyCmd, home, tmp string, before []string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine: kubesim shell falls back to its own prompt there (--builtin-prompt)")
	}
	bin := kubesimBinary(t)
	home, tmp = t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".bashrc"), []byte(bashrc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + home, "SHELL=" + bash, "TERM=xterm", "TMPDIR=" + tmp, "LANG=C.UTF-8",
		"PATH=" + os.Getenv("PATH"), "XDG_STATE_HOME=" + filepath.Join(tmp, "xdg")}
	before = tree(t, home)
	return startOnPTY(t, cmd), home, tmp, before
}

// tree lists the files under dir with their sizes.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			files = append(files, rel+"/")
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, rel+" "+st.Mode().String()+" "+strconv.FormatInt(st.Size(), 10))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

const testBashrc = "alias k=kubectl\nPS1='practice$ '\n"

// TestPracticeShell: `kubesim shell` on a terminal is the learner's own
// bash: their alias from ~/.bashrc reaches the cluster, Tab completes
// kubectl's words and the cluster's names (for k too), Ctrl-C ends a
// watch and not the shell, ssh reaches a node's host, and leaving asks
// before deleting the cluster. HOME gains nothing (history goes to the
// practice cluster's folder).
func TestPracticeShell(t *testing.T) {
	p, home, tmp, before := practiceShell(t, testBashrc, "shell")
	const prompt = "(kubesim) practice$ "
	p.expect(prompt)

	p.send("k get nodes\r")
	if got := p.expect(prompt); !strings.Contains(got, "w2.example.com   Ready    <none>") {
		t.Errorf("k get nodes: %q", got)
	}

	// po is ambiguous: the first Tab completes to pod, the third lists.
	p.send("kubectl get po\t\t\t")
	p.expect("poddisruptionbudgets")
	p.expect("kubectl get pod")
	p.send("\x15kubectl get pods -n kube-sy\t")
	p.expect("kube-system ")
	p.send("\x15k get node m\t")
	p.expect("m.example.com ")
	p.send("\x15\r")
	p.expect(prompt)

	p.send("kubectl get pods -A -w\r")
	p.expect("kube-scheduler-m.example.com")
	p.send("\x03")
	p.expect(prompt)
	p.send("echo $((6*7)); ssh w1 hostname\r")
	if got := p.expect(prompt); !strings.Contains(got, "42\r\nw1.example.com\r\n") {
		t.Errorf("after Ctrl-C: %q", got)
	}

	p.send("exit\r")
	p.expect("Delete the cluster? [y/N] ")
	p.send("y\r")
	if code, rest := p.wait(); code != 0 {
		t.Errorf("exit code %d; output %q", code, rest)
	}
	if diff := cmp.Diff(before, tree(t, home)); diff != "" {
		t.Errorf("HOME changed (-before +after):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "kubesim-*")); len(left) != 0 {
		t.Errorf("the cluster's folder is still there after yes: %v", left)
	}
}

// TestPracticeShellKeep: --keep leaves without asking and keeps the
// cluster's folder, with the shell's history in it.
func TestPracticeShellKeep(t *testing.T) {
	p, _, tmp, _ := practiceShell(t, testBashrc, "shell", "--keep")
	p.expect("(kubesim) practice$ ")
	p.send("echo remembered\r")
	p.expect("(kubesim) practice$ ")
	p.send("\x04") // Ctrl-D
	code, rest := p.wait()
	if code != 0 || strings.Contains(rest, "[y/N]") || !strings.Contains(rest, "The cluster is kept in ") {
		t.Errorf("exit code %d; output %q", code, rest)
	}
	hist, _ := filepath.Glob(filepath.Join(tmp, "kubesim-*", "bash_history"))
	if len(hist) != 1 {
		t.Fatalf("history files: %v", hist)
	}
	if b, _ := os.ReadFile(hist[0]); string(b) != "echo remembered\n" {
		t.Errorf("history: %q", b)
	}
}

// TestPracticeScenario: `kubesim scenario play` on a terminal shows the
// first step and gives the learner's bash with the scenario's commands:
// step shows the text again, verify fails (exit 1) until the step is done
// and then moves on, exec N runs a block, next finishes a step without a
// verify script; ssh node01 reaches the scenario's node. Answering the
// question with Enter keeps the cluster.
func TestPracticeScenario(t *testing.T) {
	sc := t.TempDir()
	files := map[string]string{
		"index.json": `{"title": "Practice shell", "details": {"intro": {"text": "intro.md"},
  "steps": [{"title": "Make a namespace", "text": "step1/text.md", "verify": "step1/verify.sh"},
            {"title": "Look around", "text": "step2/text.md"}],
  "finish": {"text": "finish.md"}}, "backend": {"imageid": "kubernetes-kubeadm-2nodes"}}`,
		"intro.md":        "Welcome to the practice.\n",
		"step1/text.md":   "Create the namespace `practice`.\n\n`kubectl create namespace practice`{{exec}}\n",
		"step1/verify.sh": "#!/bin/bash\nkubectl get namespace practice\n",
		"step2/text.md":   "Look at the nodes.\n",
		"finish.md":       "All done.\n",
	}
	for name, body := range files {
		os.MkdirAll(filepath.Join(sc, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(sc, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, home, tmp, before := practiceShell(t, testBashrc, "scenario", "play", sc)
	const prompt = "(kubesim) practice$ "
	p.expect("── Step 1 of 2: Make a namespace ──")
	p.expect(prompt)

	p.send("step\r")
	if got := p.expect(prompt); !strings.Contains(got, "Create the namespace `practice`.") {
		t.Errorf("step: %q", got)
	}
	p.send("verify; echo code=$?\r")
	if got := p.expect(prompt); !strings.Contains(got, "✗ Not yet") || !strings.Contains(got, "code=1\r\n") {
		t.Errorf("verify before: %q", got)
	}
	p.send("exec 1\r")
	if got := p.expect(prompt); !strings.Contains(got, "namespace/practice created") {
		t.Errorf("exec 1: %q", got)
	}
	p.send("verify; echo code=$?\r")
	if got := p.expect(prompt); !strings.Contains(got, "✔ Step 1 solved.") || !strings.Contains(got, "── Step 2 of 2: Look around ──") || !strings.Contains(got, "code=0\r\n") {
		t.Errorf("verify after: %q", got)
	}
	p.send("k get ns practice --no-headers -o name; ssh node01 hostname\r")
	if got := p.expect(prompt); !strings.Contains(got, "namespace/practice\r\nnode01\r\n") {
		t.Errorf("k and ssh: %q", got)
	}
	p.send("next\r")
	if got := p.expect(prompt); !strings.Contains(got, "All done.") || !strings.Contains(got, "Scenario complete: 2 of 2 steps done.") {
		t.Errorf("next: %q", got)
	}

	p.send("exit\r")
	p.expect("Delete the cluster? [y/N] ")
	p.send("\r")
	if code, rest := p.wait(); code != 0 || !strings.Contains(rest, "The cluster is kept in ") {
		t.Errorf("exit code %d; output %q", code, rest)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "kubesim-*", "state")); len(left) != 1 {
		t.Errorf("the kept cluster's folder: %v", left)
	}
	if diff := cmp.Diff(before, tree(t, home)); diff != "" {
		t.Errorf("HOME changed (-before +after):\n%s", diff)
	}
}

// TestPracticeShellHangup: a hang-up (SIGHUP, as the learner's login shell
// sends its jobs when the terminal closes) is passed on to bash, which
// saves its history and ends, and kubesim closes the cluster in order.
// (Closing the test's pty master instead does not reliably hang up: the
// reader goroutine's pending Read keeps it open.)
func TestPracticeShellHangup(t *testing.T) {
	p, _, tmp, _ := practiceShell(t, testBashrc, "shell")
	p.expect("(kubesim) practice$ ")
	p.send("echo before-hangup\r")
	p.expect("(kubesim) practice$ ")
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.expect("Delete the cluster? [y/N] ")
	p.send("n\r")
	if code, rest := p.wait(); code != 0 || !strings.Contains(rest, "The cluster is kept in ") {
		t.Errorf("exit code %d; output %q", code, rest)
	}
	hist, _ := filepath.Glob(filepath.Join(tmp, "kubesim-*", "bash_history"))
	if len(hist) != 1 {
		t.Fatalf("history files: %v", hist)
	}
	if b, _ := os.ReadFile(hist[0]); string(b) != "echo before-hangup\n" {
		t.Errorf("history: %q", b)
	}
}
