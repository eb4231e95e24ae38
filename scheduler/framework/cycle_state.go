package framework

import "fmt"

// StateKey names a piece of cycle state.
type StateKey string

// StateData is a piece of cycle state; Clone must deep-copy whatever
// PreFilterExtensions mutate.
type StateData interface {
	Clone() StateData
}

// CycleState carries data between the extension points of one scheduling
// cycle. Writes happen on the scheduler goroutine (PreFilter, PreScore);
// Filter and Score only read.
type CycleState struct {
	// PodInfo is the pod being scheduled, with its derived data.
	PodInfo *PodInfo
	// SkipFilterPlugins and SkipScorePlugins hold plugins that returned Skip.
	SkipFilterPlugins map[string]struct{}
	SkipScorePlugins  map[string]struct{}
	// data is a short list scanned linearly: a cycle holds a dozen entries
	// at most, and Read runs per node in Filter and Score.
	data []entry
}

type entry struct {
	key StateKey
	val StateData
}

// NewCycleState returns an empty state for pi.
func NewCycleState(pi *PodInfo) *CycleState {
	return &CycleState{PodInfo: pi, data: make([]entry, 0, 12)}
}

// Reset empties c for a new cycle of pi, keeping its memory. Only for a
// state nothing else holds any more.
func (c *CycleState) Reset(pi *PodInfo) {
	c.PodInfo = pi
	clear(c.data)
	c.data = c.data[:0]
	clear(c.SkipFilterPlugins)
	clear(c.SkipScorePlugins)
}

// Write stores v under k.
func (c *CycleState) Write(k StateKey, v StateData) {
	for i := range c.data {
		if c.data[i].key == k {
			c.data[i].val = v
			return
		}
	}
	c.data = append(c.data, entry{k, v})
}

// Read returns the data under k or an error naming the key.
func (c *CycleState) Read(k StateKey) (StateData, error) {
	for i := range c.data {
		if c.data[i].key == k {
			return c.data[i].val, nil
		}
	}
	return nil, fmt.Errorf("reading %q from cycleState: %w", k, ErrNotFound)
}

// ErrNotFound is returned by Read for a missing key.
var ErrNotFound = fmt.Errorf("not found")

// Clone deep-copies the state via each StateData's Clone.
func (c *CycleState) Clone() *CycleState {
	if c == nil {
		return nil
	}
	o := &CycleState{PodInfo: c.PodInfo, SkipFilterPlugins: c.SkipFilterPlugins, SkipScorePlugins: c.SkipScorePlugins,
		data: make([]entry, len(c.data), cap(c.data))}
	for i, e := range c.data {
		o.data[i].key = e.key
		if e.val != nil {
			o.data[i].val = e.val.Clone()
		}
	}
	return o
}
