package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lazyOpts encode an object (a string) as its bytes and decode it back.
func lazyOpts(path string) Options {
	return Options{
		Path:   path,
		Encode: func(dst []byte, _ string, obj any) ([]byte, error) { return append(dst, obj.(string)...), nil },
		Decode: func(_ string, v []byte) (any, error) { return string(v), nil },
	}
}

// TestLazyValues: values passed as objects only are encoded by the commit,
// survive a reopen, and the index never holds their bytes.
func TestLazyValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(lazyOpts(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"/a/1", "/a/2", "/a/3"} {
		if _, err := s.Create(k, nil, "v"+k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Update("/a/2", nil, "changed", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("/a/eager", []byte("bytes"), "ignored"); err != nil {
		t.Fatal(err)
	}
	kv, err := s.Get("/a/1")
	if err != nil || kv.Value != nil {
		t.Fatalf("Get(/a/1) = %+v, %v; want a nil Value", kv, err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(lazyOpts(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[string]any{}
	kvs, _ := s.List("/a/", nil)
	for _, kv := range kvs {
		if kv.Value != nil {
			t.Errorf("%s: Value kept after decoding at Open", kv.Key)
		}
		got[kv.Key] = kv.Obj
	}
	want := map[string]any{"/a/1": "v/a/1", "/a/2": "changed", "/a/3": "v/a/3", "/a/eager": "bytes"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects after reopen (-want +got):\n%s", diff)
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check after reopen: %v", err)
	}
}

// TestLazyEncodeError: an object that cannot be encoded fails the commit
// (Sync reports it) instead of writing a broken value.
func TestLazyEncodeError(t *testing.T) {
	opts := lazyOpts(filepath.Join(t.TempDir(), "store.db"))
	boom := errors.New("boom")
	opts.Encode = func([]byte, string, any) ([]byte, error) { return nil, boom }
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Create("/a/1", nil, "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(); !errors.Is(err, boom) {
		t.Errorf("Sync = %v, want an error wrapping %v", err, boom)
	}
}

// TestSmallCommitAllocates: a commit of one small put allocates about what
// it writes. The arena's first chunk used to be sized without the headroom
// a record asks for, so every such commit allocated (and zeroed) a fresh
// 1 MiB chunk: most of a sequential durable put's CPU.
func TestSmallCommitAllocates(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		opts := lazyOpts(filepath.Join(t.TempDir(), "store.db"))
		opts.NoSync = true
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		value := strings.Repeat("v", 1024)
		put := func(i int) {
			var raw []byte
			if !lazy {
				raw = []byte(value)
			}
			if _, err := s.Create(fmt.Sprintf("/a/%06d", i), raw, value); err != nil {
				t.Fatal(err)
			}
			if err := s.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 { // the arena settles
			put(i)
		}
		const n = 200
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 10; i < 10+n; i++ {
			put(i)
		}
		runtime.ReadMemStats(&after)
		// bbolt's own transaction takes ~20-30 KiB per commit; 1 MiB chunks
		// would be 1,024 KiB.
		if perPut := (after.TotalAlloc - before.TotalAlloc) / n; perPut > 128<<10 {
			t.Errorf("lazy=%v: %d KiB allocated per one-put commit, want < 128 KiB", lazy, perPut>>10)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
