package hosts

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// transcript runs each step on host as its own ssh command and records it
// as a terminal would: the command, its output (stderr interleaved after
// stdout) and a non-zero exit code.
func transcript(t *testing.T, hs *Hosts, host string, steps ...string) string {
	t.Helper()
	var b strings.Builder
	for _, s := range steps {
		out, errs, code := run(t, hs, host, s)
		fmt.Fprintf(&b, "$ %s\n%s%s", s, out, errs)
		if code != 0 {
			fmt.Fprintf(&b, "[exit %d]\n", code)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func kubeletVersion(t *testing.T, c *sim.Cluster, node string) string {
	t.Helper()
	res, _ := lookupResource("nodes")
	var v string
	c.Locked(func() {
		obj, err := c.Registry.Get(res, "", node)
		if err != nil {
			t.Fatal(err)
		}
		v = obj.(*corev1.Node).Status.NodeInfo.KubeletVersion
	})
	return v
}

func serverVersion(t *testing.T, c *sim.Cluster) string {
	t.Helper()
	api, err := apiserver.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/version", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), `"gitVersion": "`); ok {
			return strings.TrimSuffix(v, `",`)
		}
	}
	t.Fatalf("no gitVersion in %s", rec.Body.String())
	return ""
}

// TestUpgradeControlPlane is the CKA exercise on the control plane: the
// packages held, the repository switched to v1.28, kubeadm upgraded past
// its hold, plan, apply, then kubelet and kubectl; the API server reports
// the new version once its pod runs, the node's kubelet only after the
// kubelet restarts.
func TestUpgradeControlPlane(t *testing.T) {
	c, hs := newCluster(t)
	got := transcript(t, hs, "m",
		"kubeadm version -o short; kubelet --version",
		"dpkg -l | grep kube; apt-mark showhold",
		"apt-get update",
		"apt-cache madison kubeadm | head -3",
		"kubeadm upgrade apply v1.28.15 -y",
		"sed -i 's/v1.27/v1.28/' /etc/apt/sources.list.d/kubernetes.list; apt-get update",
		"apt-cache madison kubeadm | head -3; apt-cache policy kubeadm | head -4",
		"apt list --installed 2>/dev/null | grep kube",
		"apt-get install -y kubeadm=1.28.99-1.1",
		"apt-get install -y kubeadm=1.28.15-1.1",
		"apt-get install kubeadm=1.28.15-1.1",
		"apt-mark unhold kubeadm && apt-get install -y kubeadm='1.28.15-*' && apt-mark hold kubeadm",
		"kubeadm version",
		"kubeadm upgrade plan",
		"kubeadm upgrade apply v1.29.0 -y",
		"kubeadm upgrade apply v1.28.15 </dev/null",
		"kubeadm upgrade apply v1.28.15 --dry-run | tail -2; grep image: /etc/kubernetes/manifests/kube-apiserver.yaml",
		"kubeadm upgrade apply v1.28.15 -y",
		"grep image: /etc/kubernetes/manifests/kube-apiserver.yaml; ls /etc/kubernetes/tmp",
		"apt-get upgrade",
		"apt-mark unhold kubelet kubectl && apt-get install -y kubelet=1.28.15-1.1 kubectl=1.28.15-1.1 && apt-mark hold kubelet kubectl",
	)
	if v := serverVersion(t, c); v != "v1.28.15" {
		t.Errorf("after apply the API server reports %s, want v1.28.15", v)
	}
	if v := kubeletVersion(t, c, "m.example.com"); v != "v1.27.1" {
		t.Errorf("before the kubelet restarts, m reports kubelet %s, want v1.27.1", v)
	}
	got += transcript(t, hs, "m",
		"systemctl daemon-reload && systemctl restart kubelet",
		"journalctl -u kubelet | grep 'Kubelet version' | tail -1 | sed 's/.*\\] //'",
		"dpkg -l | grep kube",
		"kubeadm upgrade plan | tail -n +6",
		"kubeadm upgrade node --certificate-renewal=false",
	)
	golden(t, "upgrade-controlplane.golden", got)
	if v := kubeletVersion(t, c, "m.example.com"); v != "v1.28.15" {
		t.Errorf("after the kubelet restart m reports kubelet %s, want v1.28.15", v)
	}
	if v := kubeletVersion(t, c, "w1.example.com"); v != "v1.27.1" {
		t.Errorf("w1 reports kubelet %s, want v1.27.1 (not upgraded)", v)
	}
}

// TestUpgradeWorker: kubeadm upgrade node on a worker, then its kubelet.
func TestUpgradeWorker(t *testing.T) {
	c, hs := newCluster(t)
	got := transcript(t, hs, "w1",
		"kubeadm upgrade plan",
		"sed -i 's/v1.27/v1.28/' /etc/apt/sources.list.d/kubernetes.list && apt-get update >/dev/null",
		"apt-mark unhold kubeadm kubelet kubectl && apt-get install -y kubeadm=1.28.15-1.1 >/dev/null && kubeadm upgrade node",
		"apt-get install -y kubelet=1.28.15-1.1 kubectl=1.28.15-1.1 | tail -4; apt-mark hold kubeadm kubelet kubectl",
		"kubelet --version",
	)
	if v := kubeletVersion(t, c, "w1.example.com"); v != "v1.27.1" {
		t.Errorf("before the restart w1 reports kubelet %s, want v1.27.1", v)
	}
	got += transcript(t, hs, "w1", "systemctl restart kubelet")
	golden(t, "upgrade-worker.golden", got)
	if v := kubeletVersion(t, c, "w1.example.com"); v != "v1.28.15" {
		t.Errorf("after the restart w1 reports kubelet %s, want v1.28.15", v)
	}
	if v := serverVersion(t, c); v != "v1.27.1" {
		t.Errorf("a worker's upgrade changed the API server's version to %s", v)
	}
}

// TestVersionCompare orders the repository's package versions.
func TestVersionCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.28.15-1.1", "1.28.9-2.1", 1},
		{"1.28.9-2.1", "1.28.9-1.1", 1},
		{"1.27.16-1.1", "1.28.0-1.1", -1},
		{"1.28.0-1.1", "1.28.0", 1},
		{"1.28.0-1.1", "1.28.0-1.1", 0},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for in, want := range map[float64]string{1186: "1,186 ", 22531: "22.5 k", 10100000: "10.1 M", 369000: "369 k", 2494000: "2,494 k", 0: "0 "} {
		if got := sizeToStr(in); got != want {
			t.Errorf("sizeToStr(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestUpgradeSurvivesStopStart: after kubesim stop and start the packages
// are the upgraded ones, the upgraded kubelet still reports its version and
// the API server its own; a kubelet installed but not restarted still runs
// the old binary.
func TestUpgradeSurvivesStopStart(t *testing.T) {
	dir := t.TempDir()
	c, hs := openCluster(t, dir)
	steps := "sed -i 's/v1.27/v1.28/' /etc/apt/sources.list.d/kubernetes.list && apt-get update >/dev/null && " +
		"apt-get install -y --allow-change-held-packages kubeadm=1.28.15-1.1 kubelet=1.28.15-1.1 >/dev/null && kubeadm upgrade apply v1.28.15 -y >/dev/null"
	if _, errs, code := run(t, hs, "m", steps+" && systemctl restart kubelet"); code != 0 {
		t.Fatalf("upgrade on m: %d %s", code, errs)
	}
	if _, errs, code := run(t, hs, "w1", "sed -i 's/v1.27/v1.28/' /etc/apt/sources.list.d/kubernetes.list && apt-get update >/dev/null && apt-get install -y --allow-change-held-packages kubelet=1.28.15-1.1 >/dev/null"); code != 0 {
		t.Fatalf("install on w1: %d %s", code, errs)
	}
	c, hs = reopen(t, c, dir)
	if out, _, _ := run(t, hs, "m", "kubeadm version -o short; apt-cache policy kubelet | head -2; apt-mark showhold"); out != "v1.28.15\nkubelet:\n  Installed: 1.28.15-1.1\nkubeadm\nkubectl\nkubelet\n" {
		t.Errorf("packages after the restart:\n%s", out)
	}
	c.Advance(time.Minute)
	if v := kubeletVersion(t, c, "m.example.com"); v != "v1.28.15" {
		t.Errorf("after stop/start m reports kubelet %s, want v1.28.15", v)
	}
	if v := kubeletVersion(t, c, "w1.example.com"); v != "v1.27.1" {
		t.Errorf("after stop/start w1 reports kubelet %s, want v1.27.1 (installed, never restarted)", v)
	}
	if v := serverVersion(t, c); v != "v1.28.15" {
		t.Errorf("after stop/start the API server reports %s, want v1.28.15", v)
	}
	run(t, hs, "w1", "systemctl restart kubelet")
	if v := kubeletVersion(t, c, "w1.example.com"); v != "v1.28.15" {
		t.Errorf("after its restart w1 reports kubelet %s, want v1.28.15", v)
	}
}

// TestSudo: a Vagrant user's sudo runs the command as the root the host's
// shell already is, with VAR=value words, and refuses other users.
func TestSudo(t *testing.T) {
	_, hs := newCluster(t)
	got := transcript(t, hs, "w1",
		"sudo kubeadm version -o short && sudo -E apt-mark showhold | head -1",
		"sudo FOO=bar env | grep FOO; sudo -u root id -u",
		"sudo -u vagrant id",
		"sudo",
	)
	want := "$ sudo kubeadm version -o short && sudo -E apt-mark showhold | head -1\nv1.27.1\nkubeadm\n" +
		"$ sudo FOO=bar env | grep FOO; sudo -u root id -u\nFOO=bar\n0\n" +
		"$ sudo -u vagrant id\nsudo: unknown user vagrant\nsudo: error initializing audit plugin sudoers_audit\n[exit 1]\n"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "$ sudo\nusage: sudo -h | -K | -k | -V\n") {
		t.Errorf("sudo:\n%s", got)
	}
}

// TestAptErrors: what apt and dpkg say to bad input, never a panic.
func TestAptErrors(t *testing.T) {
	_, hs := newCluster(t)
	got := transcript(t, hs, "w1",
		"apt-get install -y nosuchpkg",
		"apt-get install -y kubeadm=1.28.15",
		"apt-mark hold nosuchpkg",
		"apt-get frobnicate",
		"apt-get --bogus update",
		"dpkg -l nosuchpkg",
		"dpkg -s nosuchpkg",
		"echo 'deb' > /etc/apt/sources.list.d/kubernetes.list; apt-get update",
		"echo 'dep https://pkgs.k8s.io/core:/stable:/v1.28/deb/ /' > /etc/apt/sources.list.d/kubernetes.list; apt-get update",
		"echo 'deb https://pkgs.k8s.io/core:/stable:/v1.99/deb/ /' > /etc/apt/sources.list.d/kubernetes.list; apt-get update",
		"rm /etc/apt/sources.list.d/kubernetes.list; apt-get update >/dev/null; apt-cache madison kubeadm; apt-get install -y kubeadm",
		"kubeadm upgrade apply v1.2x -y",
		"kubeadm upgrade frob",
	)
	golden(t, "apt-errors.golden", got)
}
