package kubelet

import (
	"time"
)

// Scripted main processes (runtime/chain's script.go): the kubelet drives a
// container's shell script on the virtual clock. Advance runs it up to now;
// it then wants to run again at a time (a timer), when its filesystem
// changes (a loop that only polls: fsWatch), or it has exited (the
// container exits with its status).

// drive runs a container's scripted process up to now and arms what wakes
// it next.
func (k *Kubelet) drive(ps *podState, c *ctrState) {
	run := c.run
	now := k.cfg.Clock.Now()
	st, ok := k.cfg.Runtime.Advance(c.id, now)
	if !ok || c.run != run || c.running == nil {
		return
	}
	k.noteMemory(c)
	again := func() {
		if c.run == run && c.running != nil {
			k.drive(ps, c)
		}
	}
	switch {
	case st.Exited && st.OOMKilled:
		k.exited(ps, c, st.Code, "OOMKilled")
	case st.Exited:
		k.exited(ps, c, st.Code, "")
	case !st.Wake.IsZero():
		k.after(ps, max(st.Wake.Sub(now), 0), again)
	case st.Parked:
		gen, _, _ := k.cfg.Runtime.Changed(c.id)
		k.watchFS(ps, c, gen, func(time.Time) { again() })
	}
}

// fsWatch waits for a container's filesystem to change from gen (its own
// writes, or a volume it mounts written by any container).
type fsWatch struct {
	ps  *podState
	c   *ctrState
	run int
	gen uint64
	fn  func(changed time.Time)
}

func (k *Kubelet) watchFS(ps *podState, c *ctrState, gen uint64, fn func(changed time.Time)) {
	k.watches = append(k.watches, &fsWatch{ps: ps, c: c, run: c.run, gen: gen, fn: fn})
}

// checkWatches fires the watches whose filesystem changed, in the order
// they were set, and drops those of containers that stopped; it reports
// whether any fired.
func (k *Kubelet) checkWatches() bool {
	if len(k.watches) == 0 {
		return false
	}
	var fire []*fsWatch
	var changed []time.Time
	keep := k.watches[:0]
	for _, w := range k.watches {
		if w.c.run != w.run || w.c.running == nil || k.pods[w.ps.uid] != w.ps || w.ps.killing {
			continue
		}
		gen, at, ok := k.cfg.Runtime.Changed(w.c.id)
		if !ok {
			continue
		}
		if gen != w.gen {
			fire = append(fire, w)
			changed = append(changed, at)
			continue
		}
		keep = append(keep, w)
	}
	clear(k.watches[len(keep):])
	k.watches = keep
	for i, w := range fire {
		w.fn(changed[i])
	}
	return len(fire) > 0
}
