package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// contents is everything a reader can see: all keys and the revision.
func contents(s *Store) ([]KV, int64) {
	kvs, rev := s.List("", nil)
	for i := range kvs {
		kvs[i].Obj = nil // not on disk
	}
	return kvs, rev
}

func TestReopen(t *testing.T) {
	s := openStore(t, Options{})
	mustApply(t, s, watchSetup)
	mustApply(t, s, []op{{kind: "delete", key: "/q/x"}}) // revision 7 moves only the meta revision
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	wantKVs, wantRev := contents(s)
	s = reopen(t, s)
	gotKVs, gotRev := contents(s)
	if gotRev != wantRev || gotRev != 7 {
		t.Errorf("revision after reopen = %d, want %d (7)", gotRev, wantRev)
	}
	if diff := cmp.Diff(wantKVs, gotKVs, kvOpts); diff != "" {
		t.Errorf("contents after reopen (-want +got):\n%s", diff)
	}
	// Revisions go on from where they stopped.
	kv, err := s.Create("/p/new", []byte("n"), nil)
	if err != nil || kv.ModRev != 8 {
		t.Errorf("Create after reopen = %+v, %v; want ModRev 8", kv, err)
	}
}

func TestCloseSyncs(t *testing.T) {
	s := openStore(t, Options{})
	mustApply(t, s, watchSetup) // never synced explicitly
	wantKVs, wantRev := contents(s)
	s = reopen(t, s)
	gotKVs, gotRev := contents(s)
	if gotRev != wantRev {
		t.Errorf("revision after Close+Open = %d, want %d", gotRev, wantRev)
	}
	if diff := cmp.Diff(wantKVs, gotKVs, kvOpts); diff != "" {
		t.Errorf("contents after Close+Open (-want +got):\n%s", diff)
	}
}

func TestCrashLosesOnlyUnsynced(t *testing.T) {
	tests := []struct {
		name      string
		synced    []op
		unsynced  []op
		wantKeys  []string
		wantRev   int64
		wantValue string // of key "a"
	}{
		{
			name:     "nothing synced",
			unsynced: []op{{kind: "create", key: "a", value: "1"}},
			wantRev:  0,
		},
		{
			name:      "unsynced update lost",
			synced:    []op{{kind: "create", key: "a", value: "1"}},
			unsynced:  []op{{kind: "update", key: "a", value: "2"}, {kind: "create", key: "b", value: "1"}},
			wantKeys:  []string{"a"},
			wantRev:   1,
			wantValue: "1",
		},
		{
			name:      "synced delete kept, unsynced recreate lost",
			synced:    []op{{kind: "create", key: "a", value: "1"}, {kind: "create", key: "b", value: "1"}, {kind: "delete", key: "b"}},
			unsynced:  []op{{kind: "create", key: "b", value: "2"}},
			wantKeys:  []string{"a"},
			wantRev:   3,
			wantValue: "1",
		},
		{
			name:      "everything synced",
			synced:    []op{{kind: "create", key: "a", value: "1"}, {kind: "update", key: "a", value: "2"}},
			wantKeys:  []string{"a"},
			wantRev:   2,
			wantValue: "2",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, Options{})
			mustApply(t, s, tc.synced)
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
			mustApply(t, s, tc.unsynced)
			if err := s.crash(); err != nil {
				t.Fatal(err)
			}
			s = openStore(t, s.opts)
			kvs, rev := contents(s)
			var keys []string
			for _, kv := range kvs {
				keys = append(keys, kv.Key)
			}
			if diff := cmp.Diff(tc.wantKeys, keys); diff != "" {
				t.Errorf("keys after crash (-want +got):\n%s", diff)
			}
			if rev != tc.wantRev {
				t.Errorf("revision after crash = %d, want %d", rev, tc.wantRev)
			}
			if tc.wantValue != "" {
				if kv, err := s.Get("a"); err != nil || string(kv.Value) != tc.wantValue {
					t.Errorf("Get(a) = %q, %v; want %q", kv.Value, err, tc.wantValue)
				}
			}
		})
	}
}

func TestConcurrentCreateSync(t *testing.T) {
	s := openStore(t, Options{})
	const writers, each = 64, 4
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("/registry/pods/ns%02d/p%d", g, i)
				if _, err := s.Create(key, []byte(key), nil); err != nil {
					errs[g] = err
					return
				}
				if err := s.Sync(); err != nil {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Mutations != writers*each || st.Commits < 1 || st.Commits > st.Mutations {
		t.Errorf("Stats = %+v, want %d mutations in 1..%[2]d commits", st, writers*each)
	}
	// Crash, not Close: only what Sync made durable may survive.
	if err := s.crash(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, s.opts)
	if got := s.Rev(); got != writers*each {
		t.Errorf("revision after reopen = %d, want %d", got, writers*each)
	}
	for g := range writers {
		for i := range each {
			key := fmt.Sprintf("/registry/pods/ns%02d/p%d", g, i)
			if kv, err := s.Get(key); err != nil || string(kv.Value) != key {
				t.Errorf("Get(%q) = %q, %v", key, kv.Value, err)
			}
		}
	}
}

func TestConcurrentWatchers(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	const writers, each = 8, 50
	const total = writers * each * 3
	w, err := s.Watch("/registry/", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var got []Event
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for len(got) < total {
			<-w.Ready()
			got = append(got, w.Pull()...)
		}
	}()
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("/registry/k%d-%d", g, i)
				if _, err := s.Create(key, nil, nil); err != nil {
					t.Error(err)
				}
				if _, err := s.Update(key, []byte("x"), nil, 0); err != nil {
					t.Error(err)
				}
				if _, err := s.Delete(key, 0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	<-readerDone
	// Every revision once, in order, and each key's events in the order
	// create, update, delete.
	phase := map[string]int{}
	for i, e := range got {
		if e.Rev != int64(i+1) {
			t.Fatalf("event %d has revision %d, want %d", i, e.Rev, i+1)
		}
		want := []string{"PUT", "PUT", "DELETE"}[phase[e.KV.Key]]
		if e.Type.String() != want {
			t.Errorf("event %d on %s: %s, want %s", i, e.KV.Key, e.Type, want)
		}
		phase[e.KV.Key]++
	}
	if len(got) != total || len(phase) != writers*each {
		t.Errorf("got %d events on %d keys, want %d on %d", len(got), len(phase), total, writers*each)
	}
}

func TestGroupCommitStats(t *testing.T) {
	s := openStore(t, Options{})
	steps := []struct {
		name string
		ops  []op
		want Stats
	}{
		{name: "nothing pending: no commit", want: Stats{}},
		{name: "three writes, one commit", ops: []op{
			{kind: "create", key: "a", value: "1"},
			{kind: "create", key: "b", value: "1"},
			{kind: "update", key: "a", value: "2"},
		}, want: Stats{Commits: 1, Mutations: 3}},
		{name: "a delete alone is a commit", ops: []op{{kind: "delete", key: "b"}},
			want: Stats{Commits: 2, Mutations: 4}},
		{name: "failed writes are not mutations", ops: nil, want: Stats{Commits: 2, Mutations: 4}},
	}
	for _, st := range steps {
		mustApply(t, s, st.ops)
		if st.ops == nil {
			if _, err := s.Delete("b", 0); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Delete(b) again: %v", err)
			}
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st.want, s.Stats()); diff != "" {
			t.Errorf("%s: Stats (-want +got):\n%s", st.name, diff)
		}
	}
}

// writeRaw makes a bbolt file by hand, for the tests of damaged files.
func writeRaw(t *testing.T, path string, fill func(kv, meta *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		kv, err := tx.CreateBucket(bucketKV)
		if err != nil {
			return err
		}
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return fill(kv, meta)
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDamagedFile(t *testing.T) {
	rev := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	value := func(create, mod uint64, v string) []byte {
		return append(binary.BigEndian.AppendUint64(rev(create), mod), v...)
	}
	tests := []struct {
		name    string
		fill    func(kv, meta *bolt.Bucket) error
		wantErr string
	}{
		{
			name: "short value",
			fill: func(kv, meta *bolt.Bucket) error {
				return errors.Join(meta.Put(metaRev, rev(3)), kv.Put([]byte("a"), []byte("xx")))
			},
			wantErr: `: object a cannot be decoded: key "a": stored value is 2 bytes, shorter than its header`,
		},
		{
			name:    "bad revision record",
			fill:    func(kv, meta *bolt.Bucket) error { return meta.Put(metaRev, []byte("3")) },
			wantErr: " is damaged: its revision record is 1 bytes, want 8",
		},
		{
			name: "key newer than the store",
			fill: func(kv, meta *bolt.Bucket) error {
				return errors.Join(meta.Put(metaRev, rev(3)), kv.Put([]byte("a"), value(2, 4, "v")))
			},
			wantErr: ": object a cannot be decoded: revisions create=2 mod=4 do not fit the store's revision 3",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "damaged.db")
			writeRaw(t, path, tc.fill)
			s, err := Open(Options{Path: path})
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if want := "store: " + path + tc.wantErr; err.Error() != want {
				t.Errorf("Open error:\n got %s\nwant %s", err, want)
			}
		})
	}
	// And a well-formed hand-made file opens with its contents.
	path := filepath.Join(t.TempDir(), "good.db")
	writeRaw(t, path, func(kv, meta *bolt.Bucket) error {
		return errors.Join(meta.Put(metaRev, rev(5)), kv.Put([]byte("a"), value(2, 4, "v")))
	})
	s := openStore(t, Options{Path: path})
	got, err := s.Get("a")
	if want := (KV{Key: "a", Value: []byte("v"), CreateRev: 2, ModRev: 4}); err != nil || !cmp.Equal(want, got) {
		t.Errorf("Get(a) = %+v, %v; want %+v", got, err, want)
	}
	if s.Rev() != 5 {
		t.Errorf("Rev() = %d, want 5", s.Rev())
	}
}

func TestLargeBatch(t *testing.T) {
	// Larger than the kept encoding buffer, then small again.
	s := openStore(t, Options{NoSync: true})
	big := make([]byte, 1024)
	const n = (maxKeptArena / 1024) + 500
	for i := range n {
		big[0] = byte(i)
		if _, err := s.Create(fmt.Sprintf("/registry/pods/big/%05d", i), bytes.Clone(big), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, []op{{kind: "update", key: "/registry/pods/big/00007", value: "small"}})
	s = reopen(t, s)
	if got := s.Count("/registry/pods/big/"); got != n {
		t.Errorf("Count after reopen = %d, want %d", got, n)
	}
	if kv, err := s.Get("/registry/pods/big/00007"); err != nil || string(kv.Value) != "small" {
		t.Errorf("Get = %q, %v; want \"small\"", kv.Value, err)
	}
}
