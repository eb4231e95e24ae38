package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"kubesim/sim/store"
)

// The apiserver's use in brief: write, make durable once per step, watch
// from a list's revision, and resume a watch after a reopen.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example")
	defer os.RemoveAll(dir)
	s, err := store.Open(store.DefaultOptions(filepath.Join(dir, "cluster.db")))
	if err != nil {
		panic(err)
	}

	s.Create("/registry/nodes/w1", []byte(`{"name":"w1"}`), nil)
	kv, _ := s.Create("/registry/pods/default/web", []byte(`{"phase":"Pending"}`), nil)

	// A list, then a watch from the list's revision: no event is missed.
	pods, rev := s.List("/registry/pods/", nil)
	w, _ := s.Watch("/registry/pods/", rev)
	fmt.Println("listed", len(pods), "pods at revision", rev)

	// An update guarded by the mod revision the writer read.
	s.Update("/registry/pods/default/web", []byte(`{"phase":"Running"}`), nil, kv.ModRev)
	_, err = s.Update("/registry/pods/default/web", []byte(`{"phase":"Failed"}`), nil, kv.ModRev)
	fmt.Println("stale update:", errors.Is(err, store.ErrConflict))
	s.Delete("/registry/pods/default/web", 0)

	// The simulation loop commits once per step.
	if err := s.Sync(); err != nil {
		panic(err)
	}
	<-w.Ready()
	for _, ev := range w.Pull() {
		fmt.Println(ev.Type, ev.Rev, ev.KV.Key, string(ev.KV.Value))
	}
	w.Stop()
	s.Close()

	// Reopened: same keys and revision, but no history to resume from.
	s, _ = store.Open(store.DefaultOptions(filepath.Join(dir, "cluster.db")))
	defer s.Close()
	_, err = s.Watch("/registry/pods/", 3)
	fmt.Println("revision", s.Rev(), "keys", s.Count(""), "watch from 3:", errors.Is(err, store.ErrCompacted))
	// Output:
	// listed 1 pods at revision 2
	// stale update: true
	// PUT 3 /registry/pods/default/web {"phase":"Running"}
	// DELETE 4 /registry/pods/default/web {"phase":"Running"}
	// revision 4 keys 1 watch from 3: true
}
