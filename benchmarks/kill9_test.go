package benchmarks

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"kubesim/sim/store"
)

// TestKill9 is the crash measurement of the reliability issue: a served
// cluster in a child process takes creates from concurrent writers while a
// client watches; after a random number of acknowledged creates it gets
// SIGKILL, is started again on the same state, and must hold:
//   - every acknowledged create (lost = 0);
//   - every object a watch event carried, at that resourceVersion
//     (phantom = 0: the stream carried only committed revisions);
//   - a revision beyond every resourceVersion a client saw, so that no
//     resourceVersion is handed out twice (reused = 0);
//   - a bbolt file that passes the store's consistency check.
//
// CI runs 2 trials; the measurement in benchmarks/README.md runs more:
//
//	KUBESIM_KILL9_TRIALS=100 go test -timeout 60m ./benchmarks -run TestKill9 -v
//
// (each trial lists every object made so far twice and restarts the
// cluster: on a loaded machine 100 trials outlast go test's default
// 10-minute timeout)
func TestKill9(t *testing.T) {
	trials := 2
	if v := os.Getenv("KUBESIM_KILL9_TRIALS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("KUBESIM_KILL9_TRIALS=%q: want a positive number", v)
		}
		trials = n
	}
	const writers = 4
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 11))
	c := startChild(t, dir)
	defer func() { c.kill() }()
	var acked, seen, lost, phantom, reused int
	for trial := range trials {
		// Watch the namespace from the current list's revision.
		var list meta
		if code, err := c.do("GET", "/api/v1/namespaces/default/configmaps", nil, &list); err != nil || code != 200 {
			t.Fatalf("trial %d: list: %d %v", trial, code, err)
		}
		type seenEv struct{ typ, name, rv string }
		var (
			mu      sync.Mutex
			events  []seenEv
			ackedRV = map[string]string{}
		)
		watchDone := make(chan struct{})
		go func() {
			defer close(watchDone)
			c.watchStream("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion="+list.Metadata.ResourceVersion, func(ev watchEventLine) bool {
				mu.Lock()
				events = append(events, seenEv{ev.Type, ev.Object.Metadata.Name, ev.Object.Metadata.ResourceVersion})
				mu.Unlock()
				return true
			})
		}()
		killAfter := int64(20 + rng.IntN(180))
		var n atomic.Int64
		killed := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := 0; ; i++ {
					name := fmt.Sprintf("t%d-w%d-%d", trial, w, i)
					var out meta
					code, err := c.do("POST", "/api/v1/namespaces/default/configmaps", map[string]any{
						"apiVersion": "v1", "kind": "ConfigMap",
						"metadata": map[string]any{"name": name}, "data": map[string]string{"k": name},
					}, &out)
					if err != nil || code != 201 {
						return // the server is gone (or going): this create is not acknowledged
					}
					mu.Lock()
					ackedRV[name] = out.Metadata.ResourceVersion
					mu.Unlock()
					if n.Add(1) == killAfter {
						once.Do(func() { c.kill(); close(killed) })
					}
				}
			})
		}
		<-killed
		wg.Wait()
		<-watchDone

		// The file as the crash left it.
		st, err := store.Open(store.Options{Path: filepath.Join(dir, "store.db")})
		if err != nil {
			t.Fatalf("trial %d: reopen the store: %v", trial, err)
		}
		if err := st.Check(); err != nil {
			t.Errorf("trial %d: store check after kill -9: %v", trial, err)
		}
		st.Close()

		c = startChild(t, dir)
		var after meta
		if code, err := c.do("GET", "/api/v1/namespaces/default/configmaps", nil, &after); err != nil || code != 200 {
			t.Fatalf("trial %d: list after restart: %d %v", trial, code, err)
		}
		have := map[string]string{}
		for _, it := range after.Items {
			have[it.Metadata.Name] = it.Metadata.ResourceVersion
		}
		maxSeen := int64(0)
		note := func(rv string) {
			if v, err := strconv.ParseInt(rv, 10, 64); err == nil && v > maxSeen {
				maxSeen = v
			}
		}
		for name, rv := range ackedRV {
			note(rv)
			if have[name] != rv {
				lost++
				t.Errorf("trial %d: acknowledged create %s (rv %s) not in the store after restart (have %q)", trial, name, rv, have[name])
			}
		}
		for _, ev := range events {
			note(ev.rv)
			if ev.typ == "ADDED" && have[ev.name] != ev.rv {
				phantom++
				t.Errorf("trial %d: watch saw %s %s at rv %s; after restart the store has %q", trial, ev.typ, ev.name, ev.rv, have[ev.name])
			}
		}
		// The next write must get a revision no client has seen.
		var next meta
		if code, err := c.do("POST", "/api/v1/namespaces/default/configmaps", map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": fmt.Sprintf("t%d-next", trial)},
		}, &next); err != nil || code != 201 {
			t.Fatalf("trial %d: create after restart: %d %v", trial, code, err)
		}
		if rv, _ := strconv.ParseInt(next.Metadata.ResourceVersion, 10, 64); rv <= maxSeen {
			reused++
			t.Errorf("trial %d: the first create after restart got rv %d, a client had already seen %d", trial, rv, maxSeen)
		}
		acked += len(ackedRV)
		seen += len(events)
	}
	t.Logf("kill -9: %d trials, %d writers: %d acknowledged creates, %d watch events; lost %d, phantom %d, reused resourceVersions %d",
		trials, writers, acked, seen, lost, phantom, reused)
}
