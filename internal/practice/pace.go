package practice

import (
	"context"
	"sync"
	"time"

	"kubesim/hosts"
	"kubesim/sim"
)

// Pace makes a stepped cluster's time follow the wall clock, for a
// learner at a terminal: a watch with nothing to send (kubectl get -w,
// rollout status, wait, logs -f) waits for the wall clock to reach the
// cluster's next timer instead of jumping to it. In stepped mode a waiting
// watch moves virtual time to its next timer at once, so at the prompt
// `kubectl get pods -w` ran through kube-apiserver's 1800 s watch timeout
// in about 4 s of wall time, and ended by itself with the cluster half an
// hour older.
//
// The cluster's time is the wall clock plus an offset (Advance adds to it),
// as in the live server; between commands the prompt catches up (CatchUp).
// Pace is given to sim.Options.Wait before the cluster exists and bound to
// it after (Bind).
type Pace struct {
	wall func() time.Time

	mu     sync.Mutex
	c      *sim.Cluster
	offset time.Duration // cluster time minus wall time
	moved  chan struct{} // closed and replaced by Advance
}

// NewPace returns a Pace reading wall (nil: time.Now).
func NewPace(wall func() time.Time) *Pace {
	if wall == nil {
		wall = time.Now
	}
	return &Pace{wall: wall, moved: make(chan struct{})}
}

// Bind attaches the cluster; its clock now reads as the wall clock plus
// the difference at this moment.
func (p *Pace) Bind(c *sim.Cluster) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.c = c
	p.offset = c.Clock.Now().Sub(p.wall())
}

// Now is the time the cluster should have reached.
func (p *Pace) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.wall().Add(p.offset)
}

// Lead is how far the cluster's time runs ahead of the wall clock (after
// Advance, or an advance made around the Pace, which it adopts first);
// never negative: a cluster behind by the moment a catch-up takes needs
// no shift. The served endpoint shifts timestamps by it, so that ages
// kubectl computes from its own wall clock read as the cluster's time
// says (server.ShiftBy).
func (p *Pace) Lead() time.Duration {
	p.adopt()
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.offset, 0)
}

// CatchUp moves the cluster to Now, running what fell due on the way.
func (p *Pace) CatchUp() {
	p.adopt()
	if now := p.Now(); now.After(p.c.Clock.Now()) {
		p.c.AdvanceTo(now)
	}
}

// adopt takes over a jump of the cluster's clock made around the Pace
// (`kubesim advance` from the practice shell reaches the cluster through
// its endpoint, which advances it directly): the cluster's time never goes
// back, so following the wall clock goes on from there (from when it is
// noticed: Follow looks at least once a second) instead of standing
// still until the wall clock has caught up.
func (p *Pace) adopt() {
	p.mu.Lock()
	c := p.c
	p.mu.Unlock()
	if c == nil {
		return
	}
	cn := c.Clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if ahead := cn.Sub(p.wall().Add(p.offset)); ahead > time.Second {
		p.offset += ahead
		close(p.moved)
		p.moved = make(chan struct{})
	}
}

// Follow keeps the cluster caught up with the wall clock until stop is
// called: at each timer as it falls due, and at least once a second, as
// the live server's loop does. The practice shell needs it because its
// commands are the learner's own processes, which reach the cluster
// through its endpoint and never call CatchUp.
func (p *Pace) Follow() (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			d := time.Second
			if next, ok := p.c.NextWake(); ok {
				if until := next.Sub(p.Now()); until < d {
					d = until
				}
			}
			if d < time.Millisecond {
				d = time.Millisecond
			}
			p.mu.Lock()
			moved := p.moved
			p.mu.Unlock()
			t := time.NewTimer(d)
			select {
			case <-quit:
				t.Stop()
				return
			case <-moved:
			case <-t.C:
			}
			t.Stop()
			// Not while a host shell runs: a step reads the hosts'
			// filesystems (the control plane's gates), which a shell
			// writes without the cluster lock — the two together were a
			// concurrent map access in containerfs that killed the
			// process (TestPracticeScenario, 2 runs in 15). The shell's
			// own waits catch the clock up; this comes round again
			// within a second.
			hosts.TryQuiet(p.c, p.CatchUp)
		}
	}()
	return func() { close(quit); <-done }
}

// Advance jumps the cluster's time ahead by d (a scenario's advance, the
// clock pump of scripts) and keeps following the wall clock from there.
func (p *Pace) Advance(d time.Duration) {
	p.mu.Lock()
	p.offset += d
	close(p.moved)
	p.moved = make(chan struct{})
	p.mu.Unlock()
	p.CatchUp()
}

// Wait implements sim.Options.Wait (see apiserver.Driver): it returns true
// when ready fires or the cluster has caught up with a timer that fell
// due on the wall clock, false when ctx ends or the wall clock reaches the
// watch's deadline.
func (p *Pace) Wait(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool {
	select {
	case <-ready:
		return true
	case <-ctx.Done():
		return false
	default:
	}
	p.adopt()
	target := deadline
	if next, ok := p.c.NextWake(); ok && next.Before(target) {
		target = next
	}
	p.mu.Lock()
	moved := p.moved
	d := target.Sub(p.wall().Add(p.offset))
	p.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ready:
			return true
		case <-ctx.Done():
			return false
		case <-moved: // Advance jumped the clock
		case <-t.C:
		}
	}
	p.CatchUp()
	return p.Now().Before(deadline)
}
