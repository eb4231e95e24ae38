package shell

import (
	"strings"
	"testing"
	"time"

	"kubesim/runtime/containerfs"
)

// TestLivenessScript drives the documentation's liveness example through
// its steps on a fake clock: nothing sleeps.
func TestLivenessScript(t *testing.T) {
	now := t0
	f := containerfs.New(layerFor(Busybox), func() time.Time { return now })
	p := Start(Config{FS: f, Start: t0}, []string{"/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"})
	healthy := func() bool { _, err := f.Stat("/tmp/healthy"); return err == nil }

	st := p.Advance(now)
	if st.Exited || !st.Wake.Equal(t0.Add(30*time.Second)) || !healthy() {
		t.Fatalf("after start: %+v healthy=%v", st, healthy())
	}
	now = t0.Add(10 * time.Second) // a probe at 10 s: nothing due yet
	if st = p.Advance(now); !st.Wake.Equal(t0.Add(30*time.Second)) || !healthy() {
		t.Fatalf("at 10s: %+v", st)
	}
	now = t0.Add(30 * time.Second)
	st = p.Advance(now)
	if !st.Wake.Equal(t0.Add(630*time.Second)) || healthy() {
		t.Fatalf("at 30s: %+v healthy=%v", st, healthy())
	}
	now = t0.Add(630 * time.Second)
	if st = p.Advance(now); !st.Exited || st.Code != 0 {
		t.Fatalf("at 630s: %+v", st)
	}
}

// TestPollingLoopParks: a loop waiting for a file parks after two idle
// passes and wakes at the first period boundary after the file appears.
func TestPollingLoopParks(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	f := containerfs.New(layerFor(Busybox), clock)
	vol := containerfs.NewVolume(clock, 0o777)
	f.Mount("/data", vol, "/", false)
	var out strings.Builder
	p := Start(Config{FS: f, Start: t0, Stdout: &out}, []string{"sh", "-c", "while [ ! -f /data/ready ]; do sleep 1; done; echo ready at $(date +%T)"})
	st := p.Advance(t0.Add(time.Hour))
	if !st.Parked {
		t.Fatalf("not parked: %+v", st)
	}
	// Another container writes the file at 1h 00m 02.5s.
	now = t0.Add(time.Hour + 2500*time.Millisecond)
	vol.WriteFile("/ready", nil, 0o644)
	st = p.Advance(t0.Add(time.Hour + 2*time.Second))
	if st.Parked || !st.Wake.Equal(t0.Add(time.Hour+3*time.Second)) {
		t.Fatalf("after the write: %+v", st)
	}
	if st = p.Advance(t0.Add(2 * time.Hour)); !st.Exited {
		t.Fatalf("did not finish: %+v", st)
	}
	if got := out.String(); got != "ready at 11:00:03\n" {
		t.Errorf("output %q", got)
	}
}

// TestCountingLoopDoesNotPark: a loop with an effect runs every pass.
func TestCountingLoopDoesNotPark(t *testing.T) {
	now := t0
	f := containerfs.New(layerFor(Busybox), func() time.Time { return now })
	var out strings.Builder
	p := Start(Config{FS: f, Start: t0, Stdout: &out}, []string{"sh", "-c", "i=0; while true; do echo $i; i=$((i+1)); sleep 10; done"})
	st := p.Advance(t0.Add(35 * time.Second))
	if st.Parked || !st.Wake.Equal(t0.Add(40*time.Second)) {
		t.Fatalf("%+v", st)
	}
	if out.String() != "0\n1\n2\n3\n" {
		t.Errorf("output %q", out.String())
	}
	p.Kill()
	if st := p.Advance(t0.Add(time.Hour)); !st.Exited || st.Code != 137 {
		t.Errorf("after kill: %+v", st)
	}
}

// TestSleepForever: sleep infinity waits a hundred years.
func TestSleepForever(t *testing.T) {
	p := Start(Config{FS: newFS(Busybox), Start: t0}, []string{"sleep", "infinity"})
	if st := p.Advance(t0.Add(24 * time.Hour)); st.Exited || st.Wake.Before(t0.AddDate(99, 0, 0)) {
		t.Errorf("%+v", st)
	}
	p.Kill()
}

// BenchmarkSleepLoop: `while true; do sleep 1; done` for a simulated day,
// advanced hour by hour as a kubelet's timers would. The figure is CPU per
// simulated hour.
func BenchmarkSleepLoop(b *testing.B) {
	for _, script := range []string{"while true; do sleep 1; done", "while [ ! -f /data/ready ]; do sleep 1; done"} {
		b.Run(script, func(b *testing.B) {
			for b.Loop() {
				now := t0
				f := containerfs.New(layerFor(Busybox), func() time.Time { return now })
				p := Start(Config{FS: f, Start: t0}, []string{"sh", "-c", script})
				for h := 1; h <= 24; h++ {
					now = t0.Add(time.Duration(h) * time.Hour)
					if st := p.Advance(now); st.Exited {
						b.Fatal("exited")
					}
				}
				p.Kill()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/24/1e3, "µs/simhour")
		})
	}
}

// BenchmarkUnparkedLoop is the same day for a loop that does work each
// pass (a counter), which cannot park: every pass runs the interpreter.
func BenchmarkUnparkedLoop(b *testing.B) {
	for b.Loop() {
		now := t0
		f := containerfs.New(layerFor(Busybox), func() time.Time { return now })
		p := Start(Config{FS: f, Start: t0}, []string{"sh", "-c", "i=0; while true; do i=$((i+1)); sleep 1; done"})
		now = t0.Add(time.Hour)
		p.Advance(now)
		p.Kill()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e3, "µs/simhour")
}

// TestBusyLoop: a loop that never sleeps still advances the clock and
// yields, so it cannot hold the simulation; Kill ends it.
func TestBusyLoop(t *testing.T) {
	p := Start(Config{FS: newFS(Busybox), Start: t0}, []string{"sh", "-c", "while :; do :; done"})
	st := p.Advance(t0.Add(10 * time.Second))
	if st.Exited || st.Wake.After(t0.Add(11*time.Second)) || st.Wake.Before(t0.Add(10*time.Second)) {
		t.Fatalf("%+v", st)
	}
	p.Kill()
	if code := Run(Config{FS: newFS(Busybox), Start: t0}, []string{"sh", "-c", "while :; do :; done"}, 5*time.Second); code != 137 {
		t.Errorf("busy exec: exit %d, want 137", code)
	}
}

// TestLongCountingLoopKeepsTime: a loop that sleeps every pass is never
// charged as busy, however many passes it makes.
func TestLongCountingLoopKeepsTime(t *testing.T) {
	var out strings.Builder
	code := Run(Config{FS: newFS(Busybox), Start: t0, Stdout: &out}, []string{"sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); sleep 1; done; date +%T"}, 2*time.Hour)
	if code != 0 || out.String() != "10:50:00\n" {
		t.Errorf("exit %d, %q; want 10:50:00 (3000 s after start)", code, out.String())
	}
}
