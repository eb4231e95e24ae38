package store

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// msg is a decoded object of the bytes-only tests: a pointer, so that a
// read can be seen to return a fresh one.
type msg struct{ Text string }

func bytesOnlyOpts(path string, noSync bool) Options {
	return Options{
		Path:      path,
		NoSync:    noSync,
		Encode:    func(dst []byte, _ string, obj any) ([]byte, error) { return append(dst, obj.(*msg).Text...), nil },
		Decode:    func(_ string, v []byte) (any, error) { return &msg{string(v)}, nil },
		BytesOnly: []string{"/ev/"},
	}
}

// TestBytesOnly: under a BytesOnly prefix a committed lazy value is held
// as its bytes, with no object, and every read (Get, List with and without
// a filter, the snapshot's, an Update's PrevKV, a Delete's KV and PrevKV,
// after a reopen) decodes an equal, fresh object; other keys keep their
// object and no bytes.
func TestBytesOnly(t *testing.T) {
	for _, noSync := range []bool{false, true} {
		t.Run(map[bool]string{false: "durable", true: "nosync"}[noSync], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			s := openStore(t, bytesOnlyOpts(path, noSync))
			a, other := &msg{"scheduled a"}, &msg{"a pod"}
			mustCreate := func(key string, m *msg) {
				t.Helper()
				if _, err := s.Create(key, nil, m); err != nil {
					t.Fatal(err)
				}
			}
			mustCreate("/ev/ns/a", a)
			mustCreate("/ev/ns/b", &msg{"scheduled b"})
			mustCreate("/pods/ns/a", other)
			// Before the commit the object is the state.
			if kv := s.keys["/ev/ns/a"]; kv.Obj != a || kv.Value != nil {
				t.Fatalf("before the commit: %+v", kv)
			}
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
			if kv := s.keys["/ev/ns/a"]; kv.Obj != nil || string(kv.Value) != a.Text {
				t.Errorf("after the commit: /ev/ns/a holds %+v, want bytes only", kv)
			}
			if kv := s.keys["/pods/ns/a"]; kv.Obj != other || kv.Value != nil {
				t.Errorf("after the commit: /pods/ns/a holds %+v, want its object only", kv)
			}
			check := func(how string, got any, want *msg) {
				t.Helper()
				m, ok := got.(*msg)
				if !ok || m == want || *m != *want {
					t.Errorf("%s: %#v, want a fresh %#v", how, got, want)
				}
			}
			kv, err := s.Get("/ev/ns/a")
			if err != nil {
				t.Fatal(err)
			}
			check("Get", kv.Obj, a)
			kv, err = s.Snapshot().Get("/ev/ns/a")
			if err != nil {
				t.Fatal(err)
			}
			check("Snapshot.Get", kv.Obj, a)
			for _, list := range []func(string, func(*KV) bool) ([]KV, int64){s.List, s.Snapshot().List} {
				kvs, _ := list("/ev/", nil)
				if len(kvs) != 2 {
					t.Fatalf("List: %d entries", len(kvs))
				}
				check("List", kvs[0].Obj, a)
				kvs, _ = list("/ev/", func(kv *KV) bool { return kv.Obj.(*msg).Text == "scheduled b" })
				if len(kvs) != 1 || kvs[0].Obj.(*msg).Text != "scheduled b" {
					t.Errorf("List with a filter on the object: %+v", kvs)
				}
			}
			w, err := s.Watch("/ev/", 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			if _, err := s.Update("/ev/ns/a", nil, &msg{"scheduled a (x2)"}, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Delete("/ev/ns/b", 0); err != nil {
				t.Fatal(err)
			}
			evs := w.Pull()
			if len(evs) != 2 {
				t.Fatalf("%d events, want 2", len(evs))
			}
			check("Update's PrevKV", evs[0].PrevKV.Obj, a)
			check("Delete's KV", evs[1].KV.Obj, &msg{"scheduled b"})
			check("Delete's PrevKV", evs[1].PrevKV.Obj, &msg{"scheduled b"})
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
			s = reopen(t, s)
			if kv := s.keys["/ev/ns/a"]; kv.Obj != nil || string(kv.Value) != "scheduled a (x2)" {
				t.Errorf("after a reopen: /ev/ns/a holds %+v, want bytes only", kv)
			}
			if kv := s.keys["/pods/ns/a"]; kv.Value != nil || kv.Obj == nil {
				t.Errorf("after a reopen: /pods/ns/a holds %+v, want its object only", kv)
			}
			kv, err = s.Get("/ev/ns/a")
			if err != nil {
				t.Fatal(err)
			}
			check("Get after a reopen", kv.Obj, &msg{"scheduled a (x2)"})
		})
	}
}

// TestBytesOnlyChangedBeforeCompaction: a key written again after the
// commit took its batch keeps the newer object (only the entry the commit
// wrote is compacted).
func TestBytesOnlyChangedBeforeCompaction(t *testing.T) {
	s := openStore(t, bytesOnlyOpts(filepath.Join(t.TempDir(), "store.db"), false))
	if _, err := s.Create("/ev/a", nil, &msg{"one"}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	batch := len(s.pending)
	s.mu.Unlock()
	if batch != 1 {
		t.Fatalf("%d pending", batch)
	}
	// The commit's compaction of /ev/a, applied after a newer write.
	newer := &msg{"two"}
	first := s.keys["/ev/a"]
	if _, err := s.Update("/ev/a", nil, newer, 0); err != nil {
		t.Fatal(err)
	}
	s.compact(0, []compaction{{first, []byte("one")}})
	if kv := s.keys["/ev/a"]; kv.Obj != newer {
		t.Errorf("after a stale compaction: %+v, want the newer object", kv)
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	kv, _ := s.Get("/ev/a")
	if d := cmp.Diff(&msg{"two"}, kv.Obj); d != "" {
		t.Error(d)
	}
}

func TestBytesOnlyNeedsCodec(t *testing.T) {
	_, err := Open(Options{Path: filepath.Join(t.TempDir(), "store.db"), BytesOnly: []string{"/ev/"}})
	if err == nil {
		t.Fatal("Open with BytesOnly and no Encode/Decode: no error")
	}
}
