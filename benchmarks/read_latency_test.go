package benchmarks

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// BenchmarkReadUnderWrites: GETs of one pod through the API server's
// handler (in process, no TLS) while 16 clients create pods durably (fsync
// on): what a read waits for when writes hold the cluster and commit. The
// reads' p50 and p99 are reported, and the creates per second beside them.
//
//	go test ./benchmarks -run '^$' -bench ReadUnderWrites -benchtime 3s
func BenchmarkReadUnderWrites(b *testing.B) {
	// closed-loop: the reader reads as fast as it can, and so takes a core
	// from the writers once reads stop waiting for them; paced: one read
	// a millisecond, the writers' throughput undisturbed.
	b.Run("closed-loop", func(b *testing.B) { readUnderWrites(b, 0) })
	b.Run("paced=1ms", func(b *testing.B) { readUnderWrites(b, time.Millisecond) })
}

func readUnderWrites(b *testing.B, pace time.Duration) {
	const writers = 16
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	h, err := apiserver.ForCluster(c)
	if err != nil {
		b.Fatal(err)
	}
	create := func(name string) int {
		req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods", strings.NewReader(fmt.Sprintf(benchPod, name)))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if code := create("target"); code != http.StatusCreated {
		b.Fatalf("create: %d", code)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var n atomic.Int64
	for range writers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code := create(fmt.Sprintf("p%d", n.Add(1))); code != http.StatusCreated {
					b.Errorf("create: %d", code)
					return
				}
			}
		})
	}
	lat := make([]time.Duration, 0, b.N)
	var tick <-chan time.Time
	if pace > 0 {
		t := time.NewTicker(pace)
		defer t.Stop()
		tick = t.C
	}
	b.ResetTimer()
	for b.Loop() {
		if tick != nil {
			<-tick
		}
		start := time.Now()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/namespaces/default/pods/target", nil))
		if w.Code != http.StatusOK {
			b.Fatalf("get: %d", w.Code)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(pct(lat, 50)), "read-p50-ms")
	b.ReportMetric(ms(pct(lat, 99)), "read-p99-ms")
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "creates/s")
}
