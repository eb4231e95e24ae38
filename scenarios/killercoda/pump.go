package killercoda

import (
	"sync"
	"sync/atomic"
	"time"

	"kubesim/scenarios"
)

// DefaultClockRate is how much faster than the wall clock the virtual clock
// runs while a script or block runs, when the config leaves it zero.
const DefaultClockRate = 10

// pumpTick is the wall-clock period of the clock pump.
const pumpTick = 250 * time.Millisecond

// clock serialises the runners' calls into the Env (Env's contract: Run,
// Advance and Directive never concurrently) and, while at least one script
// runs, moves the virtual clock along with the wall clock. Scripts poll —
// `until kubectl wait …; do sleep 2; done`, `kubectl rollout status` — and
// on a cluster whose clock only moves on Advance they would wait forever.
type clock struct {
	env  scenarios.Env
	mu   sync.Mutex // held for every Env call
	rate float64

	active atomic.Int32 // scripts running
	stop   chan struct{}
	done   chan struct{}
	err    atomic.Pointer[error]
}

// newClock starts the pump when rate > 0; close stops it.
func newClock(env scenarios.Env, rate float64) *clock {
	c := &clock{env: env, rate: rate, stop: make(chan struct{}), done: make(chan struct{})}
	if rate <= 0 {
		close(c.done)
		return c
	}
	go c.pump()
	return c
}

func (c *clock) pump() {
	defer close(c.done)
	t := time.NewTicker(pumpTick)
	defer t.Stop()
	step := time.Duration(float64(pumpTick) * c.rate)
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if c.active.Load() == 0 {
				continue
			}
			c.mu.Lock()
			err := c.env.Advance(step)
			c.mu.Unlock()
			if err != nil {
				c.err.CompareAndSwap(nil, &err)
				return
			}
		}
	}
}

// scriptRunning marks a script as running until the returned func is called.
func (c *clock) scriptRunning() func() {
	c.active.Add(1)
	return func() { c.active.Add(-1) }
}

// advance calls Env.Advance, never at the same time as the pump or Run.
func (c *clock) advance(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.env.Advance(d)
}

// locked runs f (an Env.Run) with the Env to itself.
func (c *clock) locked(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
}

// pumpErr is the first error the pump got from Env.Advance, if any.
func (c *clock) pumpErr() error {
	if p := c.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *clock) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}
