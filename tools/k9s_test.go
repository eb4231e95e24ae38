package tools

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kubesim/kubesimtest"
)

// TestK9s: k9s (built from the module proxy, or $K9S_BINARY) opens on
// kubesim in a tmux pane (a real terminal: k9s is a full-screen program)
// and lists the pods of every namespace, Running. The test reads the
// pane with tmux capture-pane until the pods show, within a bound.
func TestK9s(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: k9s needs a terminal to draw in")
	}
	k9s := tool(t, "K9S_BINARY", "github.com/derailed/k9s", "v0.50.16")
	c := kubesimtest.Start(t, kubesimtest.Options{})
	home := t.TempDir()
	sock := filepath.Join(home, "tmux.sock")
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "K9S_CONFIG_DIR=" + filepath.Join(home, "k9s"), "TERM=xterm-256color"}
	cmd := "env " + strings.Join(env, " ") + " " + k9s + " --kubeconfig " + c.Kubeconfig + " --readonly --logoless -A -c pods"
	tmux("new-session", "-d", "-s", "k9s", "-x", "200", "-y", "50", cmd)
	var screen string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		screen = tmux("capture-pane", "-p", "-t", "k9s")
		if strings.Contains(screen, "kube-apiserver-m.example.com") && strings.Contains(screen, "coredns-") && strings.Contains(screen, "Running") {
			t.Logf("k9s:\n%s", screen)
			return
		}
	}
	t.Errorf("k9s did not list the kube-system pods in a minute; its screen:\n%s", screen)
}
