package store

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	modelSeed = flag.Uint64("store.seed", 0, "run the model test with this seed only")
	modelOps  = flag.Int("store.ops", 4000, "operations per model test seed")
)

// model is the plain reference the store is checked against: a map, a
// revision, and every event ever made.
type model struct {
	kvs    map[string]KV
	rev    int64
	events []Event // events[i].Rev == i+1
	// floor is the revision at the last (re)open: history starts after it.
	floor int64
	// synced is the state as of the last Sync, restored by a crash.
	syncedKVs map[string]KV
	syncedRev int64
}

func (m *model) create(key, val string) (KV, error) {
	if _, ok := m.kvs[key]; ok {
		return KV{}, ErrExists
	}
	m.rev++
	kv := KV{Key: key, Value: []byte(val), Obj: val, CreateRev: m.rev, ModRev: m.rev}
	m.kvs[key] = kv
	m.events = append(m.events, Event{Type: Put, Rev: m.rev, KV: kv})
	return kv, nil
}

func (m *model) update(key, val string, expect int64) (KV, error) {
	prev, ok := m.kvs[key]
	if !ok {
		return KV{}, ErrNotFound
	}
	if expect != 0 && expect != prev.ModRev {
		return KV{}, ErrConflict
	}
	m.rev++
	kv := KV{Key: key, Value: []byte(val), Obj: val, CreateRev: prev.CreateRev, ModRev: m.rev}
	m.kvs[key] = kv
	m.events = append(m.events, Event{Type: Put, Rev: m.rev, KV: kv, PrevKV: &prev})
	return kv, nil
}

func (m *model) delete(key string, expect int64) (KV, error) {
	prev, ok := m.kvs[key]
	if !ok {
		return KV{}, ErrNotFound
	}
	if expect != 0 && expect != prev.ModRev {
		return KV{}, ErrConflict
	}
	m.rev++
	delete(m.kvs, key)
	kv := prev
	kv.ModRev = m.rev
	m.events = append(m.events, Event{Type: Delete, Rev: m.rev, KV: kv, PrevKV: &prev})
	return kv, nil
}

func (m *model) list(prefix string, filter func(*KV) bool) []KV {
	var out []KV
	for _, k := range slices.Sorted(maps.Keys(m.kvs)) {
		kv := m.kvs[k]
		if strings.HasPrefix(k, prefix) && (filter == nil || filter(&kv)) {
			out = append(out, kv)
		}
	}
	return out
}

// watch answers what Store.Watch must: the revision after which events are
// delivered, or ErrCompacted.
func (m *model) watch(from int64, historySize int) (int64, error) {
	if from == 0 || from >= m.rev {
		return max(from, m.rev), nil
	}
	if from < max(m.floor, m.rev-int64(historySize)) {
		return 0, ErrCompacted
	}
	return from, nil
}

func (m *model) eventsAfter(after int64, prefix string) []Event {
	var out []Event
	for _, e := range m.events[min(after, int64(len(m.events))):] {
		if strings.HasPrefix(e.KV.Key, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// errKind names the sentinel an error wraps, for comparing with the model.
func errKind(err error) string {
	for _, s := range []error{ErrNotFound, ErrExists, ErrConflict, ErrCompacted, ErrClosed} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	if err != nil {
		return "unexpected: " + err.Error()
	}
	return ""
}

type modelWatcher struct {
	w      *Watcher
	prefix string
	seen   int64 // events up to here have been compared
}

func TestModel(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if *modelSeed != 0 {
		seeds = []uint64{*modelSeed}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runModel(t, seed, *modelOps)
		})
	}
}

func runModel(t *testing.T, seed uint64, nops int) {
	const historySize = 16
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d (rerun: go test ./sim/store -run TestModel -store.seed=%d): %s",
			seed, seed, fmt.Sprintf(format, args...))
	}
	opts := Options{
		Path:        filepath.Join(t.TempDir(), "model.db"),
		HistorySize: historySize,
		NoSync:      true,
		Decode:      func(_ string, v []byte) (any, error) { return string(v), nil },
	}
	s := openStore(t, opts)
	m := &model{kvs: map[string]KV{}, syncedKVs: map[string]KV{}}
	var watchers []*modelWatcher

	prefixes := []string{"", "/a", "/a/", "/a/x", "/b/", "/ab/", "/c"}
	keys := []string{"/a/x1", "/a/x2", "/a/y", "/ab/1", "/ab/2", "/b/1", "/b/2", "/b/3", "/c", "/c/d"}
	pickRev := func(key string) int64 {
		switch rng.IntN(3) {
		case 0:
			return 0
		case 1:
			return m.kvs[key].ModRev // right (0 when absent)
		}
		return rng.Int64N(m.rev + 2)
	}
	checkWatchers := func() {
		for _, mw := range watchers {
			want := m.eventsAfter(mw.seen, mw.prefix)
			got := mw.w.Pull()
			if diff := cmp.Diff(want, got, kvOpts); diff != "" {
				fail("watch %q after %d: events (-want +got):\n%s", mw.prefix, mw.seen, diff)
			}
			mw.seen = max(mw.seen, m.rev)
		}
	}
	stopWatchers := func() {
		for _, mw := range watchers {
			select {
			case <-mw.w.Done():
			default:
				fail("watcher %q not done after the store closed", mw.prefix)
			}
		}
		watchers = nil
	}

	for i := range nops {
		key := keys[rng.IntN(len(keys))]
		val := fmt.Sprintf("v%d", i)
		switch r := rng.IntN(100); {
		case r < 25:
			want, wantErr := m.create(key, val)
			got, err := s.Create(key, []byte(val), val)
			if errKind(err) != errKind(wantErr) || !cmp.Equal(want, got, kvOpts) {
				fail("op %d Create(%q) = %+v, %v; want %+v, %v", i, key, got, err, want, wantErr)
			}
		case r < 45:
			expect := pickRev(key)
			want, wantErr := m.update(key, val, expect)
			got, err := s.Update(key, []byte(val), val, expect)
			if errKind(err) != errKind(wantErr) || !cmp.Equal(want, got, kvOpts) {
				fail("op %d Update(%q, %d) = %+v, %v; want %+v, %v", i, key, expect, got, err, want, wantErr)
			}
		case r < 58:
			expect := pickRev(key)
			want, wantErr := m.delete(key, expect)
			got, err := s.Delete(key, expect)
			if errKind(err) != errKind(wantErr) || !cmp.Equal(want, got, kvOpts) {
				fail("op %d Delete(%q, %d) = %+v, %v; want %+v, %v", i, key, expect, got, err, want, wantErr)
			}
		case r < 66:
			want, ok := m.kvs[key]
			got, err := s.Get(key)
			if (err == nil) != ok || !cmp.Equal(want, got, kvOpts) || (err != nil && !errors.Is(err, ErrNotFound)) {
				fail("op %d Get(%q) = %+v, %v; want %+v (present %v)", i, key, got, err, want, ok)
			}
		case r < 74:
			prefix := prefixes[rng.IntN(len(prefixes))]
			var filter func(*KV) bool
			if rng.IntN(2) == 0 {
				filter = func(kv *KV) bool { return kv.ModRev%2 == 0 }
			}
			want := m.list(prefix, filter)
			got, rev := s.List(prefix, filter)
			if diff := cmp.Diff(want, got, kvOpts); diff != "" || rev != m.rev {
				fail("op %d List(%q) at rev %d (model %d) (-want +got):\n%s", i, prefix, rev, m.rev, diff)
			}
			if got, want := s.Count(prefix), len(m.list(prefix, nil)); got != want {
				fail("op %d Count(%q) = %d, want %d", i, prefix, got, want)
			}
		case r < 80:
			prefix := prefixes[rng.IntN(len(prefixes))]
			var from int64 // 0: from now on
			switch rng.IntN(4) {
			case 0, 1: // near the edge of the history
				from = max(1, m.rev+2-rng.Int64N(historySize+4))
			case 2:
				from = 1 + rng.Int64N(m.rev+3)
			}
			if got, want := s.CompactRev(), max(m.floor, m.rev-historySize); got != want {
				fail("op %d CompactRev() = %d, want %d", i, got, want)
			}
			after, wantErr := m.watch(from, historySize)
			w, err := s.Watch(prefix, from)
			if errKind(err) != errKind(wantErr) {
				fail("op %d Watch(%q, %d) at rev %d: error %v, want %v", i, prefix, from, m.rev, err, wantErr)
			}
			if err == nil {
				watchers = append(watchers, &modelWatcher{w: w, prefix: prefix, seen: after})
			}
			if len(watchers) > 4 {
				watchers[0].w.Stop()
				watchers = watchers[1:]
			}
		case r < 88:
			checkWatchers()
		case r < 99 || rng.IntN(4) != 0:
			if err := s.Sync(); err != nil {
				fail("op %d Sync: %v", i, err)
			}
			m.syncedKVs, m.syncedRev = maps.Clone(m.kvs), m.rev
		case rng.IntN(2) == 0:
			checkWatchers()
			s = reopen(t, s)
			stopWatchers()
			m.syncedKVs, m.syncedRev = maps.Clone(m.kvs), m.rev
			m.floor = m.rev
		default:
			if err := s.crash(); err != nil {
				fail("op %d crash: %v", i, err)
			}
			s = openStore(t, opts)
			stopWatchers()
			m.kvs, m.rev = maps.Clone(m.syncedKVs), m.syncedRev
			m.events = m.events[:m.rev]
			m.floor = m.rev
			if got, want := s.Rev(), m.rev; got != want {
				fail("op %d revision after crash = %d, want %d", i, got, want)
			}
		}
		if got := s.Rev(); got != m.rev {
			fail("op %d: Rev() = %d, model %d", i, got, m.rev)
		}
	}
	checkWatchers()
	if diff := cmp.Diff(m.list("", nil), func() []KV { kvs, _ := s.List("", nil); return kvs }(), kvOpts); diff != "" {
		fail("final contents (-want +got):\n%s", diff)
	}
}
