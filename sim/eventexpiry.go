package sim

import (
	"time"

	"kubesim/sim/events"
	"kubesim/sim/store"
)

// eventExpiry hands the recorder every store event (and, on resume, every
// stored object) so that it knows when each event expires without listing
// them all each minute (events/expire.go). It never writes: the
// "event-ttl" periodic job does, through Recorder.Expire.
type eventExpiry struct{ r *events.Recorder }

func (e eventExpiry) Name() string           { return "event-ttl" }
func (e eventExpiry) Handle(ev store.Event)  { e.r.Observe(ev) }
func (e eventExpiry) Run(now time.Time) bool { return false }
