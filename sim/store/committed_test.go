package store

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ready(w *Watcher) bool {
	select {
	case <-w.Ready():
		return true
	default:
		return false
	}
}

// TestWatchCommittedWaitsForSync: a committed watcher is signalled and
// handed events only once a Sync has made them durable; a plain watcher
// sees them at once.
func TestWatchCommittedWaitsForSync(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	cw, err := s.WatchCommitted("/p/", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cw.Stop()
	pw, err := s.Watch("/p/", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Stop()
	mustApply(t, s, watchSetup[:3]) // revisions 1..3
	if !ready(pw) || len(pw.Pull()) != 2 {
		t.Error("plain watcher: want a signal and /p/a's two events before Sync")
	}
	if ready(cw) || len(cw.Pull()) != 0 {
		t.Fatal("committed watcher: signalled or handed events before Sync")
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, watchSetup[3:]) // revisions 4..6, not synced
	if !ready(cw) {
		t.Fatal("committed watcher: no signal after Sync")
	}
	want := []ev{
		{Type: "PUT", Rev: 1, Key: "/p/a", Value: "a1", ModRev: 1},
		{Type: "PUT", Rev: 3, Key: "/p/a", Value: "a2", ModRev: 3, PrevVal: "a1"},
	}
	if diff := cmp.Diff(want, summarize(cw.Pull())); diff != "" {
		t.Errorf("after the first Sync (-want +got):\n%s", diff)
	}
	if ready(cw) || len(cw.Pull()) != 0 {
		t.Error("committed watcher: revisions 4..6 before their Sync")
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if !ready(cw) {
		t.Fatal("committed watcher: no signal after the second Sync")
	}
	want = []ev{
		{Type: "PUT", Rev: 4, Key: "/p/b", Value: "b1", ModRev: 4},
		{Type: "DELETE", Rev: 5, Key: "/p/a", Value: "a2", ModRev: 5, PrevVal: "a2"},
	}
	if diff := cmp.Diff(want, summarize(cw.Pull())); diff != "" {
		t.Errorf("after the second Sync (-want +got):\n%s", diff)
	}
}

// TestWatchCommittedResume: a committed watch resumed from a revision gets
// the retained history up to the committed revision, the rest after the
// next Sync.
func TestWatchCommittedResume(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	mustApply(t, s, watchSetup[:3])
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, watchSetup[3:]) // 4..6 not durable
	w, err := s.WatchCommitted("/p/", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	want := []ev{{Type: "PUT", Rev: 3, Key: "/p/a", Value: "a2", ModRev: 3, PrevVal: "a1"}}
	if diff := cmp.Diff(want, summarize(w.Pull())); diff != "" {
		t.Errorf("before Sync (-want +got):\n%s", diff)
	}
	if got := w.Pull(); len(got) != 0 {
		t.Errorf("second pull before Sync: %v", summarize(got))
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if !ready(w) {
		t.Fatal("no signal after Sync")
	}
	want = []ev{
		{Type: "PUT", Rev: 4, Key: "/p/b", Value: "b1", ModRev: 4},
		{Type: "DELETE", Rev: 5, Key: "/p/a", Value: "a2", ModRev: 5, PrevVal: "a2"},
	}
	if diff := cmp.Diff(want, summarize(w.Pull())); diff != "" {
		t.Errorf("after Sync (-want +got):\n%s", diff)
	}
}

// TestWatchCommittedConcurrent: writers and group commits race with
// committed watchers; each watcher gets every revision once, in order,
// never one beyond the durable revision at the time it pulled, and is
// woken for all of them (no lost signal).
func TestWatchCommittedConcurrent(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	const writers, each, watchers = 8, 200, 4
	const total = writers * each
	var readers sync.WaitGroup
	for r := range watchers {
		w, err := s.WatchCommitted("/registry/", 0)
		if err != nil {
			t.Fatal(err)
		}
		readers.Go(func() {
			defer w.Stop()
			var got []Event
			for len(got) < total {
				<-w.Ready()
				evs := w.Pull()
				for _, e := range evs {
					if e.Rev > s.committed.Load() {
						t.Errorf("watcher %d: revision %d handed before it was durable", r, e.Rev)
						return
					}
				}
				got = append(got, evs...)
			}
			for i, e := range got {
				if e.Rev != int64(i+1) {
					t.Errorf("watcher %d: event %d has revision %d", r, i, e.Rev)
					return
				}
			}
		})
	}
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range each {
				if _, err := s.Create(fmt.Sprintf("/registry/k%d-%d", g, i), []byte("v"), nil); err != nil {
					t.Error(err)
					return
				}
				if rng.IntN(4) == 0 {
					if err := s.Sync(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	readers.Wait()
}
