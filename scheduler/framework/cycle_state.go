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
	data              map[StateKey]StateData
}

// NewCycleState returns an empty state for pi.
func NewCycleState(pi *PodInfo) *CycleState {
	return &CycleState{PodInfo: pi, data: make(map[StateKey]StateData, 8)}
}

// Write stores v under k.
func (c *CycleState) Write(k StateKey, v StateData) { c.data[k] = v }

// Read returns the data under k or an error naming the key.
func (c *CycleState) Read(k StateKey) (StateData, error) {
	if v, ok := c.data[k]; ok {
		return v, nil
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
		data: make(map[StateKey]StateData, len(c.data))}
	for k, v := range c.data {
		if v != nil {
			o.data[k] = v.Clone()
		}
	}
	return o
}
