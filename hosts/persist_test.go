package hosts

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim"
)

// reopen closes c and resumes its state as `kubesim stop` and `kubesim
// start` do (the wall-clock gap is no cluster time).
func reopen(t *testing.T, c *sim.Cluster, dir string) (*sim.Cluster, *Hosts) {
	t.Helper()
	stopped := c.Clock.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: dir, NoSync: true, Start: stopped.Add(time.Hour), ResumeAt: stopped, KubeletStopped: KubeletStopped(dir)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := Resume(c); err != nil {
		t.Fatal(err)
	}
	return c, For(c)
}

func openCluster(t *testing.T, dir string) (*sim.Cluster, *Hosts) {
	t.Helper()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Advance(time.Minute)
	return c, For(c)
}

// TestStopStartKeepsHosts: what users did on the hosts survives a stop
// and start: files written and edited (a backup in /root, a changed
// manifest, a removed file), a stopped and disabled kubelet (the node stays
// NotReady), the journal, and the static pods the kubelet runs (the edited
// scheduler manifest is not taken for a new change).
func TestStopStartKeepsHosts(t *testing.T) {
	dir := t.TempDir()
	c, hs := openCluster(t, dir)
	script := `echo backup > /root/backup.db; chmod 600 /root/backup.db
sed -i 's/--leader-elect=true/--leader-elect=false/' /etc/kubernetes/manifests/kube-scheduler.yaml
rm /etc/kubernetes/super-admin.conf 2>/dev/null; rm /etc/kubernetes/scheduler.conf.bak 2>/dev/null
mkdir -p /opt/data && ln -s /root/backup.db /opt/data/link
sleep 20`
	if _, errs, code := run(t, hs, "m", script); code != 0 {
		t.Fatalf("m: %d %s", code, errs)
	}
	if _, errs, code := run(t, hs, "w1", "systemctl disable --now kubelet; sleep 50"); code != 0 {
		t.Fatalf("w1: %d %s", code, errs)
	}
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionUnknown {
		t.Fatalf("before the stop: w1 Ready=%s, want Unknown", got)
	}
	if _, errs, code := run(t, hs, "w2", "systemctl stop containerd"); code != 0 {
		t.Fatalf("w2: %d %s", code, errs)
	}
	schedBefore := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com").UID
	journalBefore, _, _ := run(t, hs, "w1", "journalctl -u kubelet --no-pager")

	c, hs = reopen(t, c, dir)
	c.Advance(time.Minute)
	out, errs, code := run(t, hs, "m", "cat /root/backup.db; ls -l /root/backup.db; grep -c leader-elect=false /etc/kubernetes/manifests/kube-scheduler.yaml; readlink /opt/data/link; cat /etc/kubernetes/pki/ca.crt | head -1")
	if want := "backup\n-rw------- 1 root root 7 Apr 19 13:01 /root/backup.db\n1\n/root/backup.db\n-----BEGIN CERTIFICATE-----\n"; code != 0 || out != want {
		t.Errorf("m after start: code %d, stderr %q\n%s want\n%s", code, errs, out, want)
	}
	if p := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com"); p == nil || p.UID != schedBefore {
		t.Errorf("the scheduler's mirror pod was replaced across the stop: %v", p)
	}
	out, _, _ = run(t, hs, "w1", "systemctl is-active kubelet; systemctl is-enabled kubelet")
	if out != "inactive\ndisabled\n" {
		t.Errorf("w1's kubelet after start:\n%s want inactive, disabled", out)
	}
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionUnknown {
		t.Errorf("after the start: w1 Ready=%s, want Unknown (its kubelet is stopped)", got)
	}
	out, errs, _ = run(t, hs, "w2", "systemctl is-active containerd; crictl ps")
	if out != "inactive\n" || !strings.Contains(errs, "validate service connection") {
		t.Errorf("w2's containerd after start: %q, crictl: %q; want inactive and refused", out, errs)
	}
	if got := nodeReady(t, c, "w2.example.com"); got != corev1.ConditionFalse {
		t.Errorf("a minute after the start: w2 Ready=%s, want False (its runtime is down)", got)
	}
	journalAfter, _, _ := run(t, hs, "w1", "journalctl -u kubelet --no-pager")
	if journalAfter != journalBefore {
		t.Errorf("w1's kubelet journal after start:\n%s\nbefore:\n%s", journalAfter, journalBefore)
	}
	run(t, hs, "w1", "systemctl enable --now kubelet; sleep 10")
	if got := nodeReady(t, c, "w1.example.com"); got != corev1.ConditionTrue {
		t.Errorf("after systemctl start: w1 Ready=%s, want True", got)
	}
}

// TestHostsFileDeterministic: the same cluster and commands give the same
// hosts file, byte for byte.
func TestHostsFileDeterministic(t *testing.T) {
	var files [][]byte
	for range 2 {
		dir := t.TempDir()
		c, hs := openCluster(t, dir)
		run(t, hs, "m", "echo hi > /root/x; systemctl restart kubelet; sleep 5")
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, stateFile))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("two identical runs wrote different hosts files (%d and %d bytes)", len(files[0]), len(files[1]))
	}
}

// TestHostsFileDamaged: a damaged hosts file is one line of error for
// every shell, and is left as it was for the user to look at.
func TestHostsFileDamaged(t *testing.T) {
	dir := t.TempDir()
	c, hs := openCluster(t, dir)
	run(t, hs, "m", "echo hi > /root/x")
	p := filepath.Join(dir, stateFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	stopped := c.Clock.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)/2],
		"flipped":   append(append(append([]byte(nil), b[:len(b)-12]...), b[len(b)-12]^0xff), b[len(b)-11:]...),
		"not gzip":  []byte("hello"),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(p, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: dir, NoSync: true, ResumeAt: stopped})
			if err != nil {
				t.Fatal(err)
			}
			err = Resume(c)
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "hosts.tar.gz is damaged (") {
				t.Errorf("Resume: %v", err)
			}
			if _, err := For(c).Run(context.Background(), "m", "true", RunOptions{}); err == nil {
				t.Error("a shell ran on hosts whose state could not be read")
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, bad) {
				t.Error("the damaged file was overwritten")
			}
		})
	}
}
