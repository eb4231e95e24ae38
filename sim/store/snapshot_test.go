package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSnapshotIsCommittedState: the snapshot is the index as the last
// commit left it, unchanged by later writes until the next commit.
func TestSnapshotIsCommittedState(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	if sn := s.Snapshot(); sn.Rev() != 0 || sn.Count("") != 0 {
		t.Fatalf("fresh snapshot: rev %d, %d keys", sn.Rev(), sn.Count(""))
	}
	mustApply(t, s, watchSetup[:4]) // /p/a=a2, /p/b=b1, /q/x=x1 at revision 4
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	sn := s.Snapshot()
	mustApply(t, s, watchSetup[4:]) // delete /p/a, /q/x=x2: not committed
	if sn2 := s.Snapshot(); sn2 != sn {
		t.Errorf("snapshot changed without a commit: rev %d", sn2.Rev())
	}
	if kv, err := sn.Get("/p/a"); err != nil || string(kv.Value) != "a2" || kv.ModRev != 3 {
		t.Errorf("snapshot Get(/p/a) = %+v, %v; want a2 at 3", kv, err)
	}
	if _, err := s.Get("/p/a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("index Get(/p/a) after the delete: %v", err)
	}
	kvs, rev := sn.List("/p/", nil)
	var keys []string
	for _, kv := range kvs {
		keys = append(keys, kv.Key+"="+string(kv.Value))
	}
	if diff := cmp.Diff([]string{"/p/a=a2", "/p/b=b1"}, keys); diff != "" || rev != 4 {
		t.Errorf("snapshot List(/p/) at %d (-want +got):\n%s", rev, diff)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	sn = s.Snapshot()
	if _, err := sn.Get("/p/a"); !errors.Is(err, ErrNotFound) || sn.Rev() != 6 || sn.Count("/q/") != 1 {
		t.Errorf("after the second commit: rev %d, Get(/p/a) %v", sn.Rev(), err)
	}
	want, wantRev := s.List("", nil)
	got, gotRev := sn.List("", nil)
	if diff := cmp.Diff(want, got, kvOpts); diff != "" || gotRev != wantRev {
		t.Errorf("committed snapshot vs index (-want +got):\n%s", diff)
	}
}

// TestSnapshotConcurrentReads: readers of snapshots race with writers and
// commits (run with -race); every snapshot they see is internally
// consistent: it holds exactly the keys written up to its revision.
func TestSnapshotConcurrentReads(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	const writes = 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				sn := s.Snapshot()
				// Key i is created at revision i+1 and never changed.
				if n := sn.Count("/k/"); int64(n) != sn.Rev() {
					t.Errorf("snapshot at %d holds %d keys", sn.Rev(), n)
					return
				}
				if sn.Rev() > 0 {
					if _, err := sn.Get(fmt.Sprintf("/k/%06d", sn.Rev()-1)); err != nil {
						t.Errorf("snapshot at %d: %v", sn.Rev(), err)
						return
					}
				}
			}
		})
	}
	for i := range writes {
		if _, err := s.Create(fmt.Sprintf("/k/%06d", i), []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// TestEmptyListAllocates: listing a prefix with no keys (the registry's
// quota and limit-range lookups on every create) allocates nothing.
func TestEmptyListAllocates(t *testing.T) {
	s := openStore(t, Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true})
	if _, err := s.Create("/a/1", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string]func(string, func(*KV) bool) ([]KV, int64){"Store": s.List, "Snapshot": s.Snapshot().List} {
		if n := testing.AllocsPerRun(100, func() { list("/registry/resourcequotas/default/", nil) }); n != 0 {
			t.Errorf("%s.List of an empty prefix: %v allocations, want 0", name, n)
		}
	}
}
