package practice

import (
	"strings"
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

// TestPacedEndpointShifts: after the paced cluster's clock moves ahead of
// the wall clock (advance, a scenario's settle before verify), its endpoint
// shifts what kubectl reads back by the lead, as the live server does, so
// that ages kubectl computes from its own clock (describe's events) read
// as the cluster's time says instead of <invalid>.
func TestPacedEndpointShifts(t *testing.T) {
	start := time.Now().UTC().Truncate(time.Second)
	p := NewPace(nil)
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true, Start: start, Wait: p.Wait})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.Bind(c)
	e, err := New(c, t.TempDir(), "/bin/false") // the binary is never run here
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Pace = p
	created := func() time.Time {
		t.Helper()
		var out, errOut strings.Builder
		if code := e.streamKubectl([]string{"get", "ns", "default", "-o", "jsonpath={.metadata.creationTimestamp}"}, &out, &errOut); code != 0 {
			t.Fatalf("kubectl: %s", errOut.String())
		}
		ts, err := time.Parse(time.RFC3339, out.String())
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	before := created()
	c.Advance(time.Hour) // kubesim advance 1h through the endpoint
	if got, want := before.Sub(created()), time.Hour; got < want-2*time.Second || got > want+2*time.Second {
		t.Errorf("after advance 1h the namespace reads %v older, want %v", got, want)
	}
}
