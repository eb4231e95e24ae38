package gossip

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// EventKind says what a member saw happen to another.
type EventKind int

const (
	// Join: the node became alive for the observer.
	Join EventKind = iota
	// Leave: the node left or was declared dead.
	Leave
	// Update: the node's metadata changed.
	Update
)

func (k EventKind) String() string {
	switch k {
	case Join:
		return "join"
	case Leave:
		return "leave"
	}
	return "update"
}

// Event is one membership change as one member (Observer) saw it.
type Event struct {
	Kind     EventKind
	Node     string
	Observer string
}

// Group runs one memberlist member per node (each kubelet's membership)
// on a Network, and merges what every member sees into one event stream.
// It starts goroutines; Close stops them. Safe for concurrent use.
type Group struct {
	net    *Network
	events chan Event
	done   chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	members map[string]*groupMember
	closed  bool
}

type groupMember struct {
	name   string
	addr   netip.Addr
	ml     *memberlist.Memberlist
	ch     chan memberlist.NodeEvent
	stop   chan struct{}
	halted bool
}

// NewGroup returns an empty group on n. Events() must be drained by the
// caller (the cluster loop); the buffer holds 4096 events.
func NewGroup(n *Network) *Group {
	return &Group{
		net:     n,
		events:  make(chan Event, 4096),
		done:    make(chan struct{}),
		members: map[string]*groupMember{},
	}
}

// Events is the merged stream. It is closed by Close.
func (g *Group) Events() <-chan Event { return g.events }

// Add starts node name's member at addr and joins it to the members
// already running (none for the first).
func (g *Group) Add(name string, addr netip.Addr) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return fmt.Errorf("gossip: group closed")
	}
	if _, ok := g.members[name]; ok {
		return fmt.Errorf("gossip: %s is already a member", name)
	}
	t, err := g.net.NewTransport(name, addr)
	if err != nil {
		return err
	}
	m := &groupMember{name: name, addr: addr, ch: make(chan memberlist.NodeEvent, 256), stop: make(chan struct{})}
	cfg := Config(name, t)
	cfg.Events = &memberlist.ChannelEventDelegate{Ch: m.ch}
	m.ml, err = memberlist.Create(cfg)
	if err != nil {
		_ = t.Shutdown()
		return fmt.Errorf("gossip: start %s: %w", name, err)
	}
	g.wg.Add(1)
	go g.forward(m)
	seeds := g.seedsLocked(name)
	g.members[name] = m
	if len(seeds) > 0 {
		if _, err := m.ml.Join(seeds); err != nil {
			return fmt.Errorf("gossip: %s join %v: %w", name, seeds, err)
		}
	}
	return nil
}

// forward copies one member's events into the group stream.
func (g *Group) forward(m *groupMember) {
	defer g.wg.Done()
	for {
		select {
		case ev := <-m.ch:
			kind := Update
			switch ev.Event {
			case memberlist.NodeJoin:
				kind = Join
			case memberlist.NodeLeave:
				kind = Leave
			}
			select {
			case g.events <- Event{Kind: kind, Node: ev.Node.Name, Observer: m.name}:
			case <-g.done:
				return
			case <-m.stop:
				return
			}
		case <-g.done:
			return
		case <-m.stop:
			return
		}
	}
}

// seedsLocked lists the addresses of the running, reachable members other
// than name.
func (g *Group) seedsLocked(name string) []string {
	names := slices.Sorted(maps.Keys(g.members))
	var out []string
	for _, n := range names {
		m := g.members[n]
		if n == name || m.halted {
			continue
		}
		out = append(out, netip.AddrPortFrom(m.addr, Port).String())
	}
	return out
}

// Halt cuts node name off the network (its VM stopped): the others
// declare it dead after memberlist's suspicion timeout.
func (g *Group) Halt(name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	m, ok := g.members[name]
	if !ok {
		return fmt.Errorf("gossip: no member %s", name)
	}
	m.halted = true
	g.net.Partition(m.addr, true)
	return nil
}

// Resume reconnects node name and has it join the others again (its
// kubelet came back): the others see it join once it has refuted its
// death.
func (g *Group) Resume(name string) error {
	g.mu.Lock()
	m, ok := g.members[name]
	if !ok {
		g.mu.Unlock()
		return fmt.Errorf("gossip: no member %s", name)
	}
	m.halted = false
	g.net.Partition(m.addr, false)
	seeds := g.seedsLocked(name)
	g.mu.Unlock()
	if len(seeds) == 0 {
		return nil
	}
	if _, err := m.ml.Join(seeds); err != nil {
		return fmt.Errorf("gossip: %s rejoin: %w", name, err)
	}
	return nil
}

// Remove stops node name's member for good (the node was deleted). It
// leaves gracefully, so the others see a Leave at once.
func (g *Group) Remove(name string) error {
	g.mu.Lock()
	m, ok := g.members[name]
	if ok {
		delete(g.members, name)
	}
	g.mu.Unlock()
	if !ok {
		return fmt.Errorf("gossip: no member %s", name)
	}
	return g.stopMember(m)
}

// leaveTimeout bounds how long a graceful Leave waits for its broadcast.
const leaveTimeout = 500 * time.Millisecond

func (g *Group) stopMember(m *groupMember) error {
	if !m.halted {
		_ = m.ml.Leave(leaveTimeout)
	}
	// Shut memberlist down while the forwarder still drains its events,
	// then stop the forwarder.
	err := m.ml.Shutdown()
	close(m.stop)
	g.net.Partition(m.addr, false)
	return err
}

// Members is the alive membership as observer sees it, sorted.
func (g *Group) Members(observer string) []string {
	g.mu.Lock()
	m, ok := g.members[observer]
	g.mu.Unlock()
	if !ok {
		return nil
	}
	var out []string
	for _, n := range m.ml.Members() {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}

// AwaitLeave waits until every running member other than node (and other
// than halted ones) has seen node leave, or ctx ends. It reads Events()
// itself, so call it only where nothing else drains them; it returns the
// events it consumed, in order. This is the one bounded real-time wait a
// stepped run makes when it halts a node.
func (g *Group) AwaitLeave(ctx context.Context, node string) ([]Event, error) {
	return g.await(ctx, node, Leave)
}

// AwaitJoin is AwaitLeave for a (re)join.
func (g *Group) AwaitJoin(ctx context.Context, node string) ([]Event, error) {
	return g.await(ctx, node, Join)
}

func (g *Group) await(ctx context.Context, node string, kind EventKind) ([]Event, error) {
	g.mu.Lock()
	pending := map[string]bool{}
	for n, m := range g.members {
		if n != node && !m.halted {
			pending[n] = true
		}
	}
	g.mu.Unlock()
	var seen []Event
	for len(pending) > 0 {
		select {
		case ev, ok := <-g.events:
			if !ok {
				return seen, fmt.Errorf("gossip: group closed")
			}
			seen = append(seen, ev)
			if ev.Node == node && ev.Kind == kind {
				delete(pending, ev.Observer)
			}
		case <-ctx.Done():
			return seen, fmt.Errorf("gossip: waiting for %s of %s: %w", kind, node, ctx.Err())
		}
	}
	return seen, nil
}

// Close stops every member and the forwarding goroutines, then closes
// Events().
func (g *Group) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	names := slices.Sorted(maps.Keys(g.members))
	ms := make([]*groupMember, 0, len(names))
	for _, n := range names {
		ms = append(ms, g.members[n])
	}
	g.members = map[string]*groupMember{}
	g.mu.Unlock()
	close(g.done)
	var first error
	for _, m := range ms {
		m.halted = true // no graceful leave on shutdown of the whole cluster
		if err := g.stopMember(m); err != nil && first == nil {
			first = err
		}
	}
	g.wg.Wait()
	close(g.events)
	return first
}
