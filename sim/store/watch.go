package store

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// eventLog is the live event stream shared by all watchers: a chain of
// chunks that the store appends to (under its mu) and watchers read without
// locks. A chunk is kept alive only by the watchers still reading it, so a
// slow watcher costs memory, never the writer's time.
type eventLog struct {
	tail *logChunk
}

const logChunkSize = 256

type logChunk struct {
	events [logChunkSize]Event
	n      atomic.Int32 // events[:n] are published
	next   atomic.Pointer[logChunk]
}

// append publishes an event; the store holds its mu.
func (l *eventLog) append(ev Event) {
	c := l.tail
	n := c.n.Load()
	if n == logChunkSize {
		next := &logChunk{}
		c.next.Store(next)
		l.tail, c, n = next, next, 0
	}
	c.events[n] = ev
	c.n.Store(n + 1)
}

// watchGroup holds the watchers of one prefix, so a write tests each
// distinct prefix once.
type watchGroup struct {
	prefix   string
	watchers []*Watcher // plain watchers, signalled by each write
	// committed watchers, signalled by the commit that covers lastRev,
	// the revision of the group's last event; queued says whether the
	// group is on the store's waiting list. The slice is replaced, never
	// modified (the commit reads it without mu).
	committed atomic.Pointer[[]*Watcher]
	lastRev   atomic.Int64
	queued    atomic.Bool
}

// committedList returns the group's committed watchers.
func (g *watchGroup) committedList() []*Watcher {
	if p := g.committed.Load(); p != nil {
		return *p
	}
	return nil
}

// handed notes an event at rev for the group's committed watchers and puts
// the group on the store's waiting list unless it is there already (order:
// lastRev first, then queued, so wakeCommitted never drops a group with an
// event it has not covered). The caller holds s.mu.
func (s *Store) handed(g *watchGroup, rev int64) {
	g.lastRev.Store(rev)
	if !g.queued.Load() && g.queued.CompareAndSwap(false, true) {
		s.sigMu.Lock()
		s.waiting = append(s.waiting, g)
		s.sigMu.Unlock()
	}
}

// wakeCommitted signals the committed watchers of the waiting groups once
// rev is durable; groups whose last event is beyond rev stay waiting.
func (s *Store) wakeCommitted(rev int64) {
	s.sigMu.Lock()
	defer s.sigMu.Unlock()
	keep := s.waiting[:0]
	for _, g := range s.waiting {
		g.queued.Store(false)
		if g.lastRev.Load() > rev && g.queued.CompareAndSwap(false, true) {
			keep = append(keep, g)
		}
		for _, w := range g.committedList() {
			w.signal()
		}
	}
	clear(s.waiting[len(keep):])
	s.waiting = keep
}

// Watcher receives the events of the keys under one prefix, in revision
// order, with no gaps. Its queue is unbounded: writers never wait for it.
type Watcher struct {
	s      *Store
	prefix string
	after  int64        // only events with Rev > after are delivered
	until  atomic.Int64 // nor any with Rev > until (set by Stop)
	// committed: events are delivered only once a commit has made their
	// revision durable (WatchCommitted).
	committed bool

	signalled atomic.Bool   // a Ready signal is pending since the last Pull
	ready     chan struct{} // capacity 1: a coalesced "events waiting" signal
	done      chan struct{} // closed by Stop or Store.Close

	mu      sync.Mutex // serialises Pull and stop
	initial []Event    // replayed from the history at Watch
	chunk   *logChunk  // where the next live event will be
	pos     int32
	stopped bool
}

// Watch returns a watcher for keys with the prefix. fromRev 0 means events
// from now on. Otherwise the watcher first gets every retained event with
// Rev > fromRev, then live ones; if events after fromRev have already left
// the history (or, after a reopen, were never in it), Watch returns
// ErrCompacted. fromRev at or beyond the current revision is always fine.
func (s *Store) Watch(prefix string, fromRev int64) (*Watcher, error) {
	return s.watch(prefix, fromRev, false)
}

// WatchCommitted is Watch for a watcher that sees an event only once its
// revision is durable (a Sync has written it), as an etcd watch only sees
// what the raft log committed: after a crash, nothing it was sent is
// missing from the reopened store, and no revision it saw is reused. Its
// Ready signal comes from the commit, not the write, so it never delays a
// writer; events not yet committed stay queued for the next Pull.
func (s *Store) WatchCommitted(prefix string, fromRev int64) (*Watcher, error) {
	return s.watch(prefix, fromRev, true)
}

func (s *Store) watch(prefix string, fromRev int64, committed bool) (*Watcher, error) {
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
		chunk:  s.log.tail,
		pos:    s.log.tail.n.Load(),

		committed: committed,
	}
	w.until.Store(math.MaxInt64)
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
				w.initial = append(w.initial, *ev)
			}
		}
		if len(w.initial) > 0 {
			w.signal()
		}
	}
	g := s.groups[prefix]
	if g == nil {
		g = &watchGroup{prefix: prefix}
		s.groups[prefix] = g
		s.groupList = append(s.groupList, g)
	}
	if !committed {
		g.watchers = append(g.watchers, w)
		return w, nil
	}
	ws := append(slices.Clip(g.committedList()), w)
	g.committed.Store(&ws)
	if n := len(w.initial); n > 0 && w.initial[n-1].Rev > g.lastRev.Load() {
		s.handed(g, w.initial[n-1].Rev) // history not yet durable: the commit wakes it
	}
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

// publish hands an event to the watchers; the store holds its mu.
func (s *Store) publish(ev Event) {
	if len(s.groupList) == 0 {
		return // nobody reads the log; a new watcher starts at its tail
	}
	s.log.append(ev)
	for _, g := range s.groupList {
		if !strings.HasPrefix(ev.KV.Key, g.prefix) {
			continue
		}
		for _, w := range g.watchers {
			if ev.Rev > w.after && !w.signalled.Load() {
				w.signal()
			}
		}
		if g.committed.Load() != nil {
			s.handed(g, ev.Rev)
		}
	}
}

// signal sends one coalesced Ready signal.
func (w *Watcher) signal() {
	if w.signalled.CompareAndSwap(false, true) {
		select {
		case w.ready <- struct{}{}:
		default:
		}
	}
}

// Ready is signalled (without blocking the writer, several events coalesced
// into one signal) when events are waiting. After a signal, call Pull; a
// signal may occasionally find nothing new.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Done is closed when the watcher stops: by Stop, or because the store was
// closed. Events made before that can still be pulled.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Pull returns every waiting event in revision order, or nil if there is
// none. It takes no store lock and never blocks on writers.
func (w *Watcher) Pull() []Event { return w.PullAppend(nil) }

// PullAppend is Pull appending to dst, so that a reader can reuse one
// buffer. It returns dst unchanged if no event is waiting.
func (w *Watcher) PullAppend(dst []Event) []Event { return w.PullAppendMax(dst, 0) }

// PullAppendMax is PullAppend taking at most max events (0: no limit); the
// rest stay waiting, signalled, for the next pull.
func (w *Watcher) PullAppendMax(dst []Event, max int) []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	// Cleared before reading: an event published after this point signals
	// again, so none is left waiting unsignalled.
	w.signalled.Store(false)
	until := w.until.Load()
	if w.committed {
		until = min(until, w.s.committed.Load())
	}
	out := dst
	if len(w.initial) > 0 {
		i := len(w.initial)
		if w.committed {
			i, _ = slices.BinarySearchFunc(w.initial, until+1, func(ev Event, rev int64) int { return cmp.Compare(ev.Rev, rev) })
		}
		out = append(out, w.initial[:i]...)
		if w.initial = w.initial[i:]; len(w.initial) > 0 {
			return out // the rest waits for a commit (wakeCommitted signals)
		}
		w.initial = nil
	}
	limit := len(out) + max
	for {
		n := w.chunk.n.Load()
		for ; w.pos < n; w.pos++ {
			if max > 0 && len(out) >= limit {
				w.signal()
				return out
			}
			ev := &w.chunk.events[w.pos]
			if w.committed && ev.Rev > until {
				return out // not yet durable: wakeCommitted signals
			}
			if ev.Rev > w.after && ev.Rev <= until && strings.HasPrefix(ev.KV.Key, w.prefix) {
				out = append(out, *ev)
			}
		}
		if n < logChunkSize {
			break
		}
		next := w.chunk.next.Load()
		if next == nil {
			break
		}
		w.chunk, w.pos = next, 0
	}
	return out
}

// Stop unregisters the watcher. It is safe to call more than once.
func (w *Watcher) Stop() {
	s := w.s
	s.mu.Lock()
	w.until.Store(min(w.until.Load(), s.rev))
	if g := s.groups[w.prefix]; g != nil {
		if i := slices.Index(g.watchers, w); i >= 0 {
			g.watchers = slices.Delete(g.watchers, i, i+1)
		}
		if cws := g.committedList(); slices.Contains(cws, w) {
			rest := slices.DeleteFunc(slices.Clone(cws), func(x *Watcher) bool { return x == w })
			if len(rest) == 0 {
				g.committed.Store(nil)
			} else {
				g.committed.Store(&rest)
			}
		}
		if len(g.watchers) == 0 && g.committed.Load() == nil {
			delete(s.groups, w.prefix)
			s.groupList = slices.DeleteFunc(s.groupList, func(x *watchGroup) bool { return x == g })
		}
	}
	s.mu.Unlock()
	w.stop()
}

// stop closes done; the store's watchers no longer include w, or the store
// is closing (which holds mu while it sets until).
func (w *Watcher) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.stopped = true
		close(w.done)
	}
}
