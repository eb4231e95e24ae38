package practice

import (
	"testing"
	"time"

	"kubesim/sim"
)

// TestPaceAdoptsAdvance: a jump of the cluster's clock made around the
// Pace (kubesim advance from the practice shell reaches the cluster
// directly) is kept, and the clock follows the wall clock from there; it
// used to stand still until the wall clock had caught up with it.
func TestPaceAdoptsAdvance(t *testing.T) {
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	wall := start
	p := NewPace(func() time.Time { return wall })
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true, Start: start, Wait: p.Wait})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.Bind(c)
	c.Advance(time.Hour)
	p.CatchUp() // Follow's next tick, within a second
	wall = wall.Add(time.Minute)
	p.CatchUp()
	if got, want := c.Clock.Now(), start.Add(time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("after advance 1h and a minute of wall time the cluster reads %v, want %v", got, want)
	}
	if got, want := p.Now(), start.Add(time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("Pace.Now = %v, want %v", got, want)
	}
}
