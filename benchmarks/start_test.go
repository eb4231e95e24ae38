package benchmarks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStart: `kubesim start` from a fresh state directory until the API
// answers /readyz (start returns only then), then `kubesim delete`. Reports
// the server's resident memory right after start (VmRSS).
func BenchmarkStart(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "kubesim")
	if out, err := exec.Command("go", "build", "-o", bin, "kubesim/cmd/kubesim").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "KUBESIM_STATE="+filepath.Join(dir, "state"), "KUBECONFIG="+filepath.Join(dir, "kubeconfig"))
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("kubesim %v: %v\n%s", args, err, out)
		}
	}
	var rssKB int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run("start")
		b.StopTimer()
		if pid, err := os.ReadFile(filepath.Join(dir, "state", "kubesim.pid")); err == nil {
			if st, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/status"); err == nil {
				for _, l := range strings.Split(string(st), "\n") {
					if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
						rssKB, _ = strconv.Atoi(f[1])
					}
				}
			}
		}
		run("delete")
		b.StartTimer()
	}
	b.ReportMetric(float64(rssKB)/1024, "RSS-MiB")
}
