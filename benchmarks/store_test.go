package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"kubesim/sim/store"
)

// etcdBinary is Debian's etcd-server (3.4): apt-get install -y etcd-server.
const etcdBinary = "/usr/bin/etcd"

// storeWriters is the number of concurrent writers in the parallel shapes.
const storeWriters = 64

// storeListKeys is the size of the list shape.
const storeListKeys = 10000

var storeValue = bytes.Repeat([]byte("x"), 1024)

// backend is one side of the comparison: the kubesim store or etcd.
type backend interface {
	// put durably writes a new key (store: Create+Sync; etcd: Put).
	put(key string) error
	// createTxn creates a key only if absent, as kube-apiserver's Create
	// (store: Create+Sync; etcd: Txn If(CreateRevision==0) Then Put).
	createTxn(key string) error
	// list returns the number of keys under prefix.
	list(prefix string) (int, error)
}

type storeBackend struct{ s *store.Store }

func (sb storeBackend) put(key string) error {
	if _, err := sb.s.Create(key, storeValue, nil); err != nil {
		return err
	}
	return sb.s.Sync()
}

func (sb storeBackend) createTxn(key string) error { return sb.put(key) }

func (sb storeBackend) list(prefix string) (int, error) {
	kvs, _ := sb.s.List(prefix, nil)
	return len(kvs), nil
}

// bboltBackend is bare bbolt, one transaction (two fdatasyncs) per put:
// the fsync limit that the store's sequential puts are held against.
type bboltBackend struct{ db *bolt.DB }

func (bb bboltBackend) put(key string) error {
	return bb.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("kv")).Put([]byte(key), storeValue)
	})
}

func (bb bboltBackend) createTxn(key string) error { return bb.put(key) }

func (bb bboltBackend) list(prefix string) (int, error) {
	n := 0
	err := bb.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("kv")).Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

type etcdBackend struct{ c *clientv3.Client }

func (eb etcdBackend) put(key string) error {
	_, err := eb.c.Put(context.Background(), key, string(storeValue))
	return err
}

func (eb etcdBackend) createTxn(key string) error {
	resp, err := eb.c.Txn(context.Background()).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(storeValue))).
		Commit()
	if err != nil {
		return err
	}
	if !resp.Succeeded {
		return fmt.Errorf("create %s: already exists", key)
	}
	return nil
}

func (eb etcdBackend) list(prefix string) (int, error) {
	resp, err := eb.c.Get(context.Background(), prefix, clientv3.WithPrefix())
	if err != nil {
		return 0, err
	}
	return len(resp.Kvs), nil
}

// freePort asks the kernel for a free loopback port.
func freePort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startEtcd runs a one-member etcd on loopback in a temporary data dir and
// returns a client; both are stopped when b finishes. It returns nil when
// the binary is missing.
func startEtcd(b *testing.B) *clientv3.Client {
	if _, err := os.Stat(etcdBinary); err != nil {
		return nil
	}
	dir := b.TempDir()
	client := fmt.Sprintf("http://127.0.0.1:%d", freePort(b))
	peer := fmt.Sprintf("http://127.0.0.1:%d", freePort(b))
	cmd := exec.Command(etcdBinary,
		"--name", "bench",
		"--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "bench="+peer,
		"--quota-backend-bytes", "8589934592",
		"--log-level", "error", "--logger", "zap")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatalf("start etcd: %v", err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c, err := clientv3.New(clientv3.Config{
		Endpoints: []string{client}, DialTimeout: 10 * time.Second, Logger: zap.NewNop(),
	})
	if err != nil {
		b.Fatalf("etcd client: %v\n%s", err, logs.String())
	}
	b.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		// Each Status call waits for the connection; a failure before the
		// deadline means etcd is still starting.
		sctx, scancel := context.WithTimeout(ctx, time.Second)
		_, err := c.Status(sctx, client)
		scancel()
		if err == nil {
			return c
		}
		if ctx.Err() != nil {
			b.Fatalf("etcd did not become ready: %v\n%s", err, logs.String())
		}
	}
}

// results collects ops/s per shape and side, for the ratio lines.
type results struct {
	mu sync.Mutex
	m  map[string]float64
}

func (r *results) record(b *testing.B, key string, opsPerSec float64) {
	b.ReportMetric(opsPerSec, "ops/s")
	r.mu.Lock()
	r.m[key] = opsPerSec
	r.mu.Unlock()
}

var benchSeq atomic.Int64 // unique key suffixes across runs

// BenchmarkStoreVsEtcd runs the same shapes against the kubesim store and a
// real etcd, both durable (fsync on), and prints the ratio store/etcd.
//
//	go test ./benchmarks -run '^$' -bench StoreVsEtcd -benchmem -benchtime 3s
func BenchmarkStoreVsEtcd(b *testing.B) {
	etcd := startEtcd(b)
	res := &results{m: map[string]float64{}}
	sides := []struct {
		name string
		open func(b *testing.B) backend
	}{
		{"store", func(b *testing.B) backend {
			s, err := store.Open(store.DefaultOptions(filepath.Join(b.TempDir(), "store.db")))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return storeBackend{s}
		}},
		{"bbolt", func(b *testing.B) backend {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "bolt.db"), 0o600, &bolt.Options{
				NoFreelistSync: true, FreelistType: bolt.FreelistMapType,
			})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if err := db.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("kv"))
				return err
			}); err != nil {
				b.Fatal(err)
			}
			return bboltBackend{db}
		}},
		{"etcd", func(b *testing.B) backend {
			if etcd == nil {
				b.Skipf("%s not found: install Debian's etcd-server (apt-get install -y etcd-server) to compare with etcd", etcdBinary)
			}
			return etcdBackend{etcd}
		}},
	}
	shapes := []struct {
		name string
		run  func(b *testing.B, be backend, prefix string)
	}{
		{"put-sequential", func(b *testing.B, be backend, prefix string) {
			for i := 0; b.Loop(); i++ {
				if err := be.put(fmt.Sprintf("%s%08d", prefix, i)); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{fmt.Sprintf("put-writers=%d", storeWriters), func(b *testing.B, be backend, prefix string) {
			parallel(b, func(i int64) error { return be.put(fmt.Sprintf("%s%08d", prefix, i)) })
			reportBatch(b, be)
		}},
		{fmt.Sprintf("put-writers=%d-random-keys", storeWriters), func(b *testing.B, be backend, prefix string) {
			// Keys spread over the key space, as pods with generated names
			// across namespaces are: each put dirties its own bbolt page.
			parallel(b, func(i int64) error {
				return be.put(fmt.Sprintf("%s%08x-%d", prefix, uint32(i)*2654435761, i))
			})
			reportBatch(b, be)
		}},
		{fmt.Sprintf("create-txn-writers=%d", storeWriters), func(b *testing.B, be backend, prefix string) {
			parallel(b, func(i int64) error { return be.createTxn(fmt.Sprintf("%s%08d", prefix, i)) })
			reportBatch(b, be)
		}},
		{fmt.Sprintf("list-keys=%d", storeListKeys), func(b *testing.B, be backend, prefix string) {
			preload(b, be, prefix, storeListKeys)
			for b.Loop() {
				n, err := be.list(prefix)
				if err != nil || n != storeListKeys {
					b.Fatalf("list = %d, %v; want %d", n, err, storeListKeys)
				}
			}
		}},
	}
	// Sides alternate within each shape, so that both meet the same load on
	// a shared machine; etcd goes first, so whatever it still writes in the
	// background after its run counts against the store, not for it.
	for _, shape := range shapes {
		for _, side := range slices.Backward(sides) {
			if side.name == "bbolt" && shape.name != "put-sequential" {
				continue // the fsync reference is only meaningful for one writer
			}
			b.Run(shape.name+"/"+side.name, func(b *testing.B) {
				be := side.open(b)
				prefix := fmt.Sprintf("/registry/bench/%s/%d/", shape.name, benchSeq.Add(1))
				shape.run(b, be, prefix)
				b.StopTimer()
				res.record(b, shape.name+"/"+side.name, float64(b.N)/b.Elapsed().Seconds())
				if sb, ok := be.(storeBackend); ok && b.N > 1 {
					// The store's commits are in its log; the bbolt file
					// catches up in the background. Counting the time to
					// write what is left gives the rate with nothing
					// deferred.
					elapsed, start := b.Elapsed(), time.Now()
					if err := sb.s.Checkpoint(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(b.N)/(elapsed+time.Since(start)).Seconds(), "ops/s-checkpointed")
				}
			})
		}
	}
	var names []string
	for k := range res.m {
		if name, ok := strings.CutSuffix(k, "/store"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		st, et := res.m[name+"/store"], res.m[name+"/etcd"]
		if bt := res.m[name+"/bbolt"]; bt != 0 {
			fmt.Printf("store-vs-bbolt %-25s store %10.1f ops/s   bbolt %9.1f ops/s   store/bbolt %5.2fx\n", name, st, bt, st/bt)
		}
		if et == 0 {
			fmt.Printf("store-vs-etcd %-26s store %10.1f ops/s   etcd (skipped)\n", name, st)
			continue
		}
		fmt.Printf("store-vs-etcd %-26s store %10.1f ops/s   etcd %10.1f ops/s   store/etcd %6.1fx\n", name, st, et, st/et)
	}
}

// reportBatch reports the store's mean group-commit batch.
func reportBatch(b *testing.B, be backend) {
	if sb, ok := be.(storeBackend); ok {
		st := sb.s.Stats()
		if st.Commits > 0 {
			b.ReportMetric(float64(st.Mutations)/float64(st.Commits), "writes/commit")
		}
	}
}

// parallel runs fn for b.N distinct indexes on storeWriters goroutines.
func parallel(b *testing.B, fn func(i int64) error) {
	var next atomic.Int64
	b.SetParallelism((storeWriters + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := fn(next.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// preload durably writes n keys under prefix from storeWriters goroutines.
func preload(b *testing.B, be backend, prefix string, n int) {
	var wg sync.WaitGroup
	errs := make(chan error, storeWriters)
	for g := range storeWriters {
		wg.Go(func() {
			for i := g; i < n; i += storeWriters {
				if err := be.put(fmt.Sprintf("%s%08d", prefix, i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkStoreMemory measures the heap per stored object: n keys shaped
// like pods with 1 KiB values, held in the index and the default history.
//
//	go test ./benchmarks -run '^$' -bench StoreMemory -benchtime 1x
func BenchmarkStoreMemory(b *testing.B) {
	for _, c := range []struct{ objects, updates int }{{100000, 0}, {150000, 0}, {100000, 100000}} {
		name := fmt.Sprintf("objects=%d", c.objects)
		if c.updates > 0 {
			// Every object updated once: the history now holds each
			// previous value too (as with pod status churn).
			name += fmt.Sprintf("/updates=%d", c.updates)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				perObject := storeMemory(b, c.objects, c.updates)
				b.ReportMetric(perObject, "bytes/object")
				b.ReportMetric(perObject-float64(len(storeValue)), "overhead-bytes/object")
			}
		})
	}
}

func storeMemory(b *testing.B, n, updates int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := store.Open(store.Options{Path: filepath.Join(b.TempDir(), "mem.db"), NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	key := func(i int) string { return fmt.Sprintf("/registry/pods/ns-%03d/pod-%07d", i%100, i) }
	for i := range n + updates {
		// Each object owns its value, as the apiserver's encoded objects do.
		var err error
		if i < n {
			_, err = s.Create(key(i), bytes.Clone(storeValue), nil)
		} else {
			_, err = s.Update(key(i%n), bytes.Clone(storeValue), nil, 0)
		}
		if err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			if err := s.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := s.Sync(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := s.Count("/registry/pods/"); got != n {
		b.Fatalf("Count = %d, want %d", got, n)
	}
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

// BenchmarkStoreWatchFanout measures a write seen by w watchers of the same
// prefix (as every kubelet's pod watch): ns/op is a write plus its share of
// draining every watcher with PullAppend; write-ns/op is the write alone
// (what holds the store's lock and delays other writers).
//
//	go test ./benchmarks -run '^$' -bench StoreWatchFanout -benchmem
func BenchmarkStoreWatchFanout(b *testing.B) {
	for _, w := range []int{1, 100, 5000} {
		b.Run(fmt.Sprintf("watchers=%d", w), func(b *testing.B) {
			s, err := store.Open(store.Options{Path: filepath.Join(b.TempDir(), "fanout.db"), NoSync: true, HistorySize: 1000})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ws := make([]*store.Watcher, w)
			bufs := make([][]store.Event, w)
			for i := range ws {
				if ws[i], err = s.Watch("/registry/pods/", 0); err != nil {
					b.Fatal(err)
				}
			}
			const drainEvery = 100
			delivered := 0
			var drain time.Duration
			drainAll := func() {
				start := time.Now()
				for i, x := range ws {
					bufs[i] = x.PullAppend(bufs[i][:0])
					delivered += len(bufs[i])
				}
				drain += time.Since(start)
			}
			for i := 0; b.Loop(); i++ {
				if _, err := s.Create(fmt.Sprintf("/registry/pods/default/p%08d", i), storeValue, nil); err != nil {
					b.Fatal(err)
				}
				if i%drainEvery == drainEvery-1 {
					drainAll()
				}
			}
			drainAll()
			if delivered != b.N*w {
				b.Fatalf("delivered %d events, want %d", delivered, b.N*w)
			}
			b.ReportMetric(float64(b.Elapsed()-drain)/float64(b.N), "write-ns/op")
			b.ReportMetric(float64(drain.Nanoseconds())/float64(b.N), "drain-ns/write")
		})
	}
}

// BenchmarkStoreReopen measures Open of a file holding n 1 KiB objects (what
// a restarted cluster pays before its first request), without Decode.
//
//	go test ./benchmarks -run '^$' -bench StoreReopen -benchtime 3x
func BenchmarkStoreReopen(b *testing.B) {
	for _, n := range []int{10000, 150000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "reopen.db")
			s, err := store.Open(store.Options{Path: path, NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				key := fmt.Sprintf("/registry/pods/ns-%03d/pod-%07d", i%100, i)
				if _, err := s.Create(key, storeValue, nil); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				s, err := store.Open(store.Options{Path: path})
				if err != nil {
					b.Fatal(err)
				}
				if got := s.Count(""); got != n {
					b.Fatalf("Count = %d, want %d", got, n)
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n)*1000, "ns/object")
		})
	}
}
