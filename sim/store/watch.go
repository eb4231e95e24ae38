package store

import (
	"fmt"
	"strings"
	"sync"
)

// EventType says what a mutation did.
type EventType int

const (
	// Put: a key was created or updated (PrevKV nil on create).
	Put EventType = iota
	// Delete: a key was removed.
	Delete
)

func (t EventType) String() string {
	switch t {
	case Put:
		return "PUT"
	case Delete:
		return "DELETE"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// Event is one mutation, at revision Rev.
//
// For a Put, KV is the new state and PrevKV the previous one (nil on create).
// For a Delete, KV is the deleted state with ModRev set to the delete's
// revision (what Delete returned), and PrevKV the state before the delete.
// PrevKV points into the store: never modify it.
type Event struct {
	Type   EventType
	Rev    int64
	KV     KV
	PrevKV *KV
}

// history is a ring of the most recent events, in revision order. Revisions
// are contiguous (every mutation makes one event).
type history struct {
	max   int
	buf   []Event
	start int // index of the oldest event once buf is full
}

func (h *history) add(ev Event) {
	if h.max == 0 {
		return
	}
	if len(h.buf) < h.max {
		h.buf = append(h.buf, ev)
		return
	}
	h.buf[h.start] = ev
	h.start++
	if h.start == len(h.buf) {
		h.start = 0
	}
}

func (h *history) len() int { return len(h.buf) }

func (h *history) at(i int) *Event {
	i += h.start
	if i >= len(h.buf) {
		i -= len(h.buf)
	}
	return &h.buf[i]
}

// Watcher receives the events of the keys under one prefix, in revision
// order, with no gaps. Its queue is unbounded: writers never wait for it.
type Watcher struct {
	s      *Store
	prefix string
	after  int64 // only events with Rev > after are delivered

	mu      sync.Mutex
	queue   []Event
	stopped bool
	ready   chan struct{} // capacity 1: a coalesced "events waiting" signal
	done    chan struct{} // closed by Stop or Store.Close
}

// Watch returns a watcher for keys with the prefix. fromRev 0 means events
// from now on. Otherwise the watcher first gets every retained event with
// Rev > fromRev, then live ones; if events after fromRev have already left
// the history (or, after a reopen, were never in it), Watch returns
// ErrCompacted. fromRev at or beyond the current revision is always fine.
func (s *Store) Watch(prefix string, fromRev int64) (*Watcher, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if fromRev < 0 {
		return nil, fmt.Errorf("watch %q from revision %d: negative revision", prefix, fromRev)
	}
	w := &Watcher{
		s:      s,
		prefix: prefix,
		after:  max(fromRev, s.rev),
		ready:  make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	if fromRev != 0 && fromRev < s.rev {
		w.after = fromRev
		n := s.hist.len()
		compact := s.compactRev()
		if fromRev < compact {
			return nil, fmt.Errorf("watch %q from revision %d (history starts after %d): %w",
				prefix, fromRev, compact, ErrCompacted)
		}
		oldest := compact + 1 // revision of the oldest retained event
		for i := int(fromRev + 1 - oldest); i < n; i++ {
			if ev := s.hist.at(i); strings.HasPrefix(ev.KV.Key, prefix) {
				w.queue = append(w.queue, *ev)
			}
		}
		if len(w.queue) > 0 {
			w.ready <- struct{}{}
		}
	}
	s.watchers = append(s.watchers, w)
	return w, nil
}

// CompactRev returns the oldest revision a watch can resume from: Watch
// with a fromRev below it (and not 0) returns ErrCompacted. It is the
// revision just before the oldest event in the history, or the current
// revision when the history is empty (a fresh or reopened store). This is
// the second number of kube-apiserver's "too old resource version: X (Y)".
func (s *Store) CompactRev() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.compactRev()
}

func (s *Store) compactRev() int64 { return s.rev - int64(s.hist.len()) }

// push appends an event; the store holds its mu.
func (w *Watcher) push(ev Event) {
	w.mu.Lock()
	w.queue = append(w.queue, ev)
	w.mu.Unlock()
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// Ready is signalled (without blocking the writer, several events coalesced
// into one signal) when events are waiting. After a signal, call Pull.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Done is closed when the watcher stops: by Stop, or because the store was
// closed. Events queued before that can still be pulled.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Pull returns every queued event in revision order, or nil if there is none.
// It never blocks on the store.
func (w *Watcher) Pull() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

// Stop unregisters the watcher. It is safe to call more than once.
func (w *Watcher) Stop() {
	s := w.s
	s.mu.Lock()
	for i, x := range s.watchers {
		if x == w {
			last := len(s.watchers) - 1
			s.watchers[i] = s.watchers[last]
			s.watchers[last] = nil
			s.watchers = s.watchers[:last]
			break
		}
	}
	s.mu.Unlock()
	w.stop()
}

func (w *Watcher) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		close(w.done)
	}
}
