package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is what components read time from.
type Clock interface {
	Now() time.Time
}

// Timer is a pending callback on a Virtual clock.
type Timer struct {
	at    time.Time
	seq   uint64
	fn    func()
	index int // position in the heap, -1 when not queued
}

// When reports when the timer is due.
func (t *Timer) When() time.Time { return t.at }

// Virtual is a manually advanced clock with an ordered timer queue.
//
// Now may be called from any goroutine. Setting timers and advancing must be
// done by the single goroutine that drives the simulation; the callbacks run
// on that goroutine, with the clock already moved to the timer's time.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers timerHeap
}

// NewVirtual returns a clock that reads start until advanced.
func NewVirtual(start time.Time) *Virtual {
	return &Virtual{now: start}
}

// Now returns the current virtual time.
func (c *Virtual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules fn to run when the clock reaches now+d.
// A non-positive d makes the timer due at once (it runs on the next Fire).
func (c *Virtual) AfterFunc(d time.Duration, fn func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		d = 0
	}
	return c.addLocked(c.now.Add(d), fn)
}

// At schedules fn at an absolute time (the past means due at once).
func (c *Virtual) At(t time.Time, fn func()) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		t = c.now
	}
	return c.addLocked(t, fn)
}

func (c *Virtual) addLocked(at time.Time, fn func()) *Timer {
	c.seq++
	t := &Timer{at: at, seq: c.seq, fn: fn}
	heap.Push(&c.timers, t)
	return t
}

// Stop cancels a timer. It reports whether the timer was still pending.
func (c *Virtual) Stop(t *Timer) bool {
	if t == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index < 0 || t.index >= len(c.timers) || c.timers[t.index] != t {
		return false
	}
	heap.Remove(&c.timers, t.index)
	return true
}

// Next reports when the earliest pending timer is due.
func (c *Virtual) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	return c.timers[0].at, true
}

// Pending reports the number of pending timers.
func (c *Virtual) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// FireDue runs one timer that is due at the current time, if any, and
// reports whether it ran one. Callers loop on it so that work a callback
// triggers can be handled between timers.
func (c *Virtual) FireDue() bool {
	c.mu.Lock()
	if len(c.timers) == 0 || c.timers[0].at.After(c.now) {
		c.mu.Unlock()
		return false
	}
	t := heap.Pop(&c.timers).(*Timer)
	c.mu.Unlock()
	t.fn()
	return true
}

// Set moves the clock to t without firing anything. Moving backwards is
// ignored: virtual time never runs back.
func (c *Virtual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

// Step moves the clock to the earliest pending timer if it is due no later
// than limit, and reports whether it moved to one. Timers are not run: call
// FireDue afterwards.
func (c *Virtual) Step(limit time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	at := c.timers[0].at
	if at.After(limit) {
		return false
	}
	if at.After(c.now) {
		c.now = at
	}
	return true
}

type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}
