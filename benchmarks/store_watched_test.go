package benchmarks

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"kubesim/sim/store"
)

// watchForBench is the kind of watcher the API server's watch streams use.
var watchForBench = (*store.Store).WatchCommitted

// BenchmarkStoreWatchedWrites: durable creates from 64 writers (each
// Create then Sync, as an API request does) while w watchers of the same
// prefix drain their events concurrently: the API server with watch
// streams open. The watchers are the API server's kind (committed only),
// so this shows what watch-after-durable costs group commit.
//
//	go test ./benchmarks -run '^$' -bench StoreWatchedWrites -benchtime 3s
func BenchmarkStoreWatchedWrites(b *testing.B) {
	for _, w := range []int{0, 1, 500} {
		b.Run(fmt.Sprintf("writers=%d/watchers=%d", storeWriters, w), func(b *testing.B) {
			s, err := store.Open(store.DefaultOptions(filepath.Join(b.TempDir(), "store.db")))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var delivered atomic.Int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for range w {
				wt, err := watchForBench(s, "/registry/pods/", 0)
				if err != nil {
					b.Fatal(err)
				}
				wg.Go(func() {
					defer wt.Stop()
					var buf []store.Event
					for {
						select {
						case <-wt.Ready():
							buf = wt.PullAppend(buf[:0])
							delivered.Add(int64(len(buf)))
							clear(buf)
						case <-stop:
							return
						}
					}
				})
			}
			prefix := fmt.Sprintf("/registry/pods/bench%d/", benchSeq.Add(1))
			parallel(b, func(i int64) error {
				if _, err := s.Create(fmt.Sprintf("%s%08d", prefix, i), storeValue, nil); err != nil {
					return err
				}
				return s.Sync()
			})
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			reportBatch(b, storeBackend{s})
		})
	}
}
