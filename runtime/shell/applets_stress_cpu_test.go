package shell

import (
	"testing"
	"time"
)

func TestCPUWorkers(t *testing.T) {
	for _, tt := range []struct {
		script string
		want   int64
	}{
		{"while true; do :; done", 1},
		{"stress --cpu 2", 2},
		{"while true; do sleep 1; done", 0},
	} {
		fs := podFS()
		fs.WriteFile("/bin/stress", nil, 0o755)
		p := Start(Config{FS: fs, Flavor: Busybox, Start: t0, Env: []string{"PATH=/bin"}}, []string{"sh", "-c", tt.script})
		p.Advance(t0.Add(10 * time.Second))
		if got := p.CPUWorkers(); got != tt.want {
			t.Errorf("%s: %d CPUs busy, want %d", tt.script, got, tt.want)
		}
		p.Kill()
	}
}
