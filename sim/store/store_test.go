package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// openStore opens a store in a fresh temporary file (or at opts.Path if
// set). On cleanup it checks the file against the index and closes it.
func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "store.db")
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			if !errors.Is(err, ErrClosed) {
				t.Errorf("consistency check: %v", err)
			}
			return
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// reopen checks and closes s, then opens its file again.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	if err := s.Check(); err != nil {
		t.Fatalf("consistency check before reopen: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return openStore(t, s.opts)
}

var kvOpts = cmpopts.EquateEmpty()

// op is one step of a table-driven case.
type op struct {
	kind   string // create, update, delete
	key    string
	value  string
	expect int64
}

func apply(s *Store, o op) (KV, error) {
	switch o.kind {
	case "create":
		return s.Create(o.key, []byte(o.value), o.value)
	case "update":
		return s.Update(o.key, []byte(o.value), o.value, o.expect)
	case "delete":
		return s.Delete(o.key, o.expect)
	}
	panic("unknown op " + o.kind)
}

func mustApply(t *testing.T, s *Store, ops []op) {
	t.Helper()
	for _, o := range ops {
		if _, err := apply(s, o); err != nil {
			t.Fatalf("setup %+v: %v", o, err)
		}
	}
}

func TestMutations(t *testing.T) {
	tests := []struct {
		name    string
		setup   []op
		op      op
		want    KV
		wantErr error
		wantRev int64
	}{
		{
			name:    "create on empty store",
			op:      op{kind: "create", key: "/registry/pods/default/a", value: "v1"},
			want:    KV{Key: "/registry/pods/default/a", Value: []byte("v1"), Obj: "v1", CreateRev: 1, ModRev: 1},
			wantRev: 1,
		},
		{
			name:    "create existing key",
			setup:   []op{{kind: "create", key: "a", value: "v1"}},
			op:      op{kind: "create", key: "a", value: "v2"},
			wantErr: ErrExists,
			wantRev: 1,
		},
		{
			name:    "create after delete gets a new create revision",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "delete", key: "a"}},
			op:      op{kind: "create", key: "a", value: "v2"},
			want:    KV{Key: "a", Value: []byte("v2"), Obj: "v2", CreateRev: 3, ModRev: 3},
			wantRev: 3,
		},
		{
			name:    "update unconditionally",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "create", key: "b", value: "x"}},
			op:      op{kind: "update", key: "a", value: "v2"},
			want:    KV{Key: "a", Value: []byte("v2"), Obj: "v2", CreateRev: 1, ModRev: 3},
			wantRev: 3,
		},
		{
			name:    "update with the current mod revision",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "update", key: "a", value: "v2"}},
			op:      op{kind: "update", key: "a", value: "v3", expect: 2},
			want:    KV{Key: "a", Value: []byte("v3"), Obj: "v3", CreateRev: 1, ModRev: 3},
			wantRev: 3,
		},
		{
			name:    "update with a stale mod revision",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "update", key: "a", value: "v2"}},
			op:      op{kind: "update", key: "a", value: "v3", expect: 1},
			wantErr: ErrConflict,
			wantRev: 2,
		},
		{
			name:    "update missing key",
			setup:   []op{{kind: "create", key: "a", value: "v1"}},
			op:      op{kind: "update", key: "b", value: "v1"},
			wantErr: ErrNotFound,
			wantRev: 1,
		},
		{
			name:    "update missing key with a revision",
			op:      op{kind: "update", key: "b", value: "v1", expect: 7},
			wantErr: ErrNotFound,
		},
		{
			name:    "delete unconditionally",
			setup:   []op{{kind: "create", key: "a", value: "v1"}},
			op:      op{kind: "delete", key: "a"},
			want:    KV{Key: "a", Value: []byte("v1"), Obj: "v1", CreateRev: 1, ModRev: 2},
			wantRev: 2,
		},
		{
			name:    "delete with the current mod revision",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "update", key: "a", value: "v2"}},
			op:      op{kind: "delete", key: "a", expect: 2},
			want:    KV{Key: "a", Value: []byte("v2"), Obj: "v2", CreateRev: 1, ModRev: 3},
			wantRev: 3,
		},
		{
			name:    "delete with a stale mod revision",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "update", key: "a", value: "v2"}},
			op:      op{kind: "delete", key: "a", expect: 1},
			wantErr: ErrConflict,
			wantRev: 2,
		},
		{
			name:    "delete missing key",
			setup:   []op{{kind: "create", key: "a", value: "v1"}, {kind: "delete", key: "a"}},
			op:      op{kind: "delete", key: "a"},
			wantErr: ErrNotFound,
			wantRev: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, Options{NoSync: true})
			mustApply(t, s, tc.setup)
			got, err := apply(s, tc.op)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("%+v: error %v, want %v", tc.op, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, kvOpts); diff != "" {
				t.Errorf("%+v: KV mismatch (-want +got):\n%s", tc.op, diff)
			}
			if got := s.Rev(); got != tc.wantRev {
				t.Errorf("Rev() = %d, want %d", got, tc.wantRev)
			}
			// The index answers Get as the mutation said.
			cur, err := s.Get(tc.op.key)
			switch {
			case tc.wantErr != nil:
			case tc.op.kind == "delete":
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("Get after delete: %v, want ErrNotFound", err)
				}
			default:
				if diff := cmp.Diff(tc.want, cur, kvOpts); diff != "" {
					t.Errorf("Get after %s (-want +got):\n%s", tc.op.kind, diff)
				}
			}
		})
	}
}

func TestGet(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	mustApply(t, s, []op{
		{kind: "create", key: "/registry/nodes/w1", value: "n1"},
		{kind: "create", key: "/registry/nodes/w2", value: "n2"},
	})
	tests := []struct {
		name    string
		key     string
		want    KV
		wantErr error
	}{
		{name: "present", key: "/registry/nodes/w2", want: KV{Key: "/registry/nodes/w2", Value: []byte("n2"), Obj: "n2", CreateRev: 2, ModRev: 2}},
		{name: "absent", key: "/registry/nodes/w3", wantErr: ErrNotFound},
		{name: "prefix of a key is not a key", key: "/registry/nodes/w", wantErr: ErrNotFound},
		{name: "empty key", key: "", wantErr: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Get(tc.key)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get(%q) error %v, want %v", tc.key, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, kvOpts); diff != "" {
				t.Errorf("Get(%q) (-want +got):\n%s", tc.key, diff)
			}
		})
	}
}

func TestListAndCount(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	// Created out of order: List must sort.
	mustApply(t, s, []op{
		{kind: "create", key: "/registry/pods/kube-system/etcd", value: "e"},
		{kind: "create", key: "/registry/pods/default/b", value: "b"},
		{kind: "create", key: "/registry/pods/default/a", value: "a"},
		{kind: "create", key: "/registry/nodes/w1", value: "w1"},
		{kind: "create", key: "/registry/pods/default2/c", value: "c"},
		{kind: "create", key: "/registry/pods/default/gone", value: "g"},
		{kind: "delete", key: "/registry/pods/default/gone"},
	})
	tests := []struct {
		name     string
		prefix   string
		filter   func(*KV) bool
		wantKeys []string
	}{
		{name: "all", prefix: "", wantKeys: []string{
			"/registry/nodes/w1", "/registry/pods/default/a", "/registry/pods/default/b",
			"/registry/pods/default2/c", "/registry/pods/kube-system/etcd"}},
		{name: "one namespace", prefix: "/registry/pods/default/", wantKeys: []string{
			"/registry/pods/default/a", "/registry/pods/default/b"}},
		{name: "all pods", prefix: "/registry/pods/", wantKeys: []string{
			"/registry/pods/default/a", "/registry/pods/default/b",
			"/registry/pods/default2/c", "/registry/pods/kube-system/etcd"}},
		{name: "filter", prefix: "/registry/pods/", filter: func(kv *KV) bool { return kv.CreateRev%2 == 1 },
			wantKeys: []string{"/registry/pods/default/a", "/registry/pods/default2/c", "/registry/pods/kube-system/etcd"}},
		{name: "no match", prefix: "/registry/services/"},
		{name: "past the last key", prefix: "/zzz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kvs, rev := s.List(tc.prefix, tc.filter)
			if rev != 7 {
				t.Errorf("List rev = %d, want 7", rev)
			}
			var keys []string
			for _, kv := range kvs {
				keys = append(keys, kv.Key)
				if string(kv.Value) != kv.Obj.(string) {
					t.Errorf("%s: Value %q, Obj %q", kv.Key, kv.Value, kv.Obj)
				}
			}
			if diff := cmp.Diff(tc.wantKeys, keys); diff != "" {
				t.Errorf("List(%q) keys (-want +got):\n%s", tc.prefix, diff)
			}
			if tc.filter == nil {
				if got := s.Count(tc.prefix); got != len(tc.wantKeys) {
					t.Errorf("Count(%q) = %d, want %d", tc.prefix, got, len(tc.wantKeys))
				}
			}
		})
	}
}

func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "empty path", opts: Options{}, wantErr: "store: Options.Path is empty"},
		{name: "negative history", opts: Options{Path: filepath.Join(dir, "a"), HistorySize: -1},
			wantErr: "store: Options.HistorySize -1 is negative"},
		{name: "directory missing", opts: Options{Path: filepath.Join(dir, "no", "such", "dir")},
			wantErr: "store: open " + filepath.Join(dir, "no", "such", "dir") + ": open " +
				filepath.Join(dir, "no", "such", "dir") + ": no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%+v) succeeded, want error %q", tc.opts, tc.wantErr)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("Open error %q, want %q", err, tc.wantErr)
			}
		})
	}
	if got, want := DefaultOptions("/x"), (Options{Path: "/x", HistorySize: 100000}); !cmp.Equal(got, want, cmpopts.IgnoreFields(Options{}, "Decode")) {
		t.Errorf("DefaultOptions = %+v, want %+v", got, want)
	}
}

func TestDecodeAtOpen(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	mustApply(t, s, []op{
		{kind: "create", key: "/registry/nodes/w1", value: "n1"},
		{kind: "create", key: "/registry/nodes/w2", value: "bad"},
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	decode := func(key string, value []byte) (any, error) { return "decoded:" + key + "=" + string(value), nil }
	s2 := openStore(t, Options{Path: s.opts.Path, Decode: decode})
	kvs, _ := s2.List("", nil)
	var objs []any
	for _, kv := range kvs {
		objs = append(objs, kv.Obj)
	}
	want := []any{"decoded:/registry/nodes/w1=n1", "decoded:/registry/nodes/w2=bad"}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("decoded objects (-want +got):\n%s", diff)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	failing := func(key string, value []byte) (any, error) {
		if string(value) == "bad" {
			return nil, errors.New("cannot decode")
		}
		return nil, nil
	}
	_, err := Open(Options{Path: s.opts.Path, Decode: failing})
	want2 := fmt.Sprintf("store: %s: object /registry/nodes/w2 cannot be decoded: cannot decode", s.opts.Path)
	if err == nil || err.Error() != want2 || !errors.Is(err, ErrUndecodable) {
		t.Errorf("Open with failing Decode: error %v, want %q (ErrUndecodable)", err, want2)
	}

	// Repair leaves the bad object out, names it, and keeps it aside: the
	// next Open (without Repair) works, and the file checks.
	s3, err := Open(Options{Path: s.opts.Path, Decode: failing, Repair: true})
	if err != nil {
		t.Fatalf("Open with Repair: %v", err)
	}
	if diff := cmp.Diff([]Skipped{{Key: "/registry/nodes/w2", Problem: "cannot decode"}}, s3.Skipped()); diff != "" {
		t.Errorf("Skipped (-want +got):\n%s", diff)
	}
	if _, err := s3.Get("/registry/nodes/w2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of the skipped object: %v, want ErrNotFound", err)
	}
	if err := s3.Check(); err != nil {
		t.Errorf("Check after Repair: %v", err)
	}
	s3.Close()
	s4, err := Open(Options{Path: s.opts.Path, Decode: failing})
	if err != nil {
		t.Fatalf("Open after Repair: %v", err)
	}
	if len(s4.Skipped()) != 0 || s4.Count("/registry/") != 1 {
		t.Errorf("after Repair: %d skipped, %d keys; want 0 and 1", len(s4.Skipped()), s4.Count("/registry/"))
	}
	s4.Close()
}

func TestClosed(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	mustApply(t, s, []op{{kind: "create", key: "a", value: "v"}})
	w, err := s.Watch("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.Done():
	default:
		t.Error("watcher not done after Close")
	}
	calls := []struct {
		name string
		call func() error
	}{
		{"Close", s.Close},
		{"Sync", s.Sync},
		{"Check", s.Check},
		{"Get", func() error { _, err := s.Get("a"); return err }},
		{"Create", func() error { _, err := s.Create("b", nil, nil); return err }},
		{"Update", func() error { _, err := s.Update("a", nil, nil, 0); return err }},
		{"Delete", func() error { _, err := s.Delete("a", 0); return err }},
		{"Watch", func() error { _, err := s.Watch("", 0); return err }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", c.name, err)
		}
	}
	w.Stop() // after Close: must not panic or block
}

func TestEventTypeString(t *testing.T) {
	for typ, want := range map[EventType]string{Put: "PUT", Delete: "DELETE", EventType(9): "EventType(9)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(typ), got, want)
		}
	}
}
