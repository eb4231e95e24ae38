package containerfs

import (
	"io/fs"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAtomicWriterUpdate: the same payload again changes nothing; a new one
// swaps ..data to a new directory, drops the old directory and the links of
// removed keys; a whole-volume mount sees the new files, a subPath mount of
// a key keeps the file it mounted.
func TestAtomicWriterUpdate(t *testing.T) {
	now := t0
	clock := clockAt(&now)
	v := NewVolume(clock, 0o1777)
	if !WriteAtomic(v, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, nil) {
		t.Fatal("first write reported no change")
	}
	f := New(testLayer(), clock)
	f.Mount("/cfg", v, "/", true)
	f.Mount("/etc/a", v, "/a", true)
	now = now.Add(time.Second)
	if WriteAtomic(v, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, nil) {
		t.Error("an equal payload reported a change")
	}
	if WriteAtomic(v, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, map[string]fs.FileMode{"a": 0o400}) != true {
		t.Error("a mode change reported no change")
	}
	now = now.Add(time.Second)
	WriteAtomic(v, map[string][]byte{"a": []byte("new"), "c": []byte("3")}, nil)
	if got := names(t, f, "/cfg"); !cmp.Equal(got, []string{"..2023_05_02_10_00_02.000000000", "..data", "a", "c"}) {
		t.Errorf("ls -a /cfg = %v", got)
	}
	if b, _ := f.ReadFile("/cfg/a"); string(b) != "new" {
		t.Errorf("/cfg/a = %q", b)
	}
	if _, err := f.Stat("/cfg/b"); errno(err) != syscall.ENOENT {
		t.Errorf("removed key: %v", err)
	}
	if b, err := f.ReadFile("/etc/a"); string(b) != "1" || err != nil {
		t.Errorf("subPath mount after the update: %q, %v", b, err)
	}
	// An empty payload (an optional ConfigMap that is missing) is an empty
	// directory behind ..data.
	e := NewVolume(clock, 0o1777)
	WriteAtomic(e, nil, nil)
	g := New(nil, clock)
	g.Mount("/e", e, "/", true)
	if got := names(t, g, "/e/..data"); len(got) != 0 {
		t.Errorf("ls /e/..data = %v", got)
	}
}
