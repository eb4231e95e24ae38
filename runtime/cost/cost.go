package cost

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Published holds the figures of the one public node benchmark comparing the
// chains: Kubernetes blog, "Kubernetes Containerd Integration Goes GA"
// (2018-05-24, Lantao Liu and Mike Brown),
// https://kubernetes.io/blog/2018/05/24/kubernetes-containerd-integration-goes-ga/ —
// containerd 1.1 (CRI plugin) vs Docker 18.03 CE + dockershim, 105 pods
// steady state, node e2e performance benchmark. Relative change of containerd
// against Docker; the post's pod start-up numbers exist only in a picture
// (latency.png): it says only that containerd's start-up latency was lower.
var Published = struct {
	Pods                                    int
	KubeletCPU, RuntimeCPU, KubeletRSS, RSS float64
	Source                                  string
	StartupLatencyLower                     bool
}{
	Pods:                105,
	KubeletCPU:          -0.3089,
	RuntimeCPU:          -0.6813,
	KubeletRSS:          -0.1130,
	RSS:                 -0.1278,
	StartupLatencyLower: true,
	Source:              "kubernetes.io/blog/2018/05/24/kubernetes-containerd-integration-goes-ga",
}

// Entry is the cost of one operation in one hop.
type Entry struct {
	Hop, Op string
	// Latency is the virtual time the operation takes in this hop, excluding
	// the hops it calls.
	Latency time.Duration
	// CPU is the CPU time spent by the hop's process per call, and PerItem
	// per object returned or handled (list operations).
	CPU, PerItem time.Duration
	Source       string
}

// Edge is the cost of one call crossing from one hop to the next.
type Edge struct {
	From, To  string
	Protocol  string
	Latency   time.Duration
	ClientCPU time.Duration // charged to From's process
	ServerCPU time.Duration // charged to To's process
	Source    string
}

// Table is a cost table. It is read-only after construction.
type Table struct {
	ops   map[[2]string]Entry
	edges map[[2]string]Edge
	// Jitter is the mean of the exponential extra fraction each latency
	// charge gets (0.1 = on average 10 % slower than the table).
	Jitter float64
}

// New builds a table from entries and edges; a duplicate key is an error.
func New(entries []Entry, edges []Edge, jitter float64) (*Table, error) {
	t := &Table{ops: map[[2]string]Entry{}, edges: map[[2]string]Edge{}, Jitter: jitter}
	for _, e := range entries {
		k := [2]string{e.Hop, e.Op}
		if _, dup := t.ops[k]; dup {
			return nil, fmt.Errorf("cost: duplicate entry %s/%s", e.Hop, e.Op)
		}
		t.ops[k] = e
	}
	for _, e := range edges {
		k := [2]string{e.From, e.To}
		if _, dup := t.edges[k]; dup {
			return nil, fmt.Errorf("cost: duplicate edge %s→%s", e.From, e.To)
		}
		t.edges[k] = e
	}
	return t, nil
}

// Default is the built-in table (table.go).
func Default() *Table {
	t, err := New(defaultEntries, defaultEdges, defaultJitter)
	if err != nil {
		panic(err)
	}
	return t
}

// Op returns the cost of op in hop: the exact entry, else the hop's "*"
// entry, else the zero Entry.
func (t *Table) Op(hop, op string) Entry {
	if e, ok := t.ops[[2]string{hop, op}]; ok {
		return e
	}
	if e, ok := t.ops[[2]string{hop, "*"}]; ok {
		return e
	}
	return Entry{Hop: hop, Op: op}
}

// Edge returns the cost of a call from → to, or the zero Edge.
func (t *Table) Edge(from, to string) Edge {
	return t.edges[[2]string{from, to}]
}

// Entries lists the table sorted by hop and op, for printing.
func (t *Table) Entries() []Entry {
	return slices.SortedFunc(maps.Values(t.ops), func(a, b Entry) int {
		return cmp.Or(strings.Compare(a.Hop, b.Hop), strings.Compare(a.Op, b.Op))
	})
}

// Edges lists the edges sorted, for printing.
func (t *Table) Edges() []Edge {
	return slices.SortedFunc(maps.Values(t.edges), func(a, b Edge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
}

// PullTime is the modelled time to pull and unpack an image of size bytes:
// a fixed registry round-trip part plus transfer and unpack at a fixed rate.
// No published figure: 500 ms for token, manifest and config requests, then
// 25 MB/s download+unpack, typical of a cloud VM pulling from Docker Hub
// [guess]. A 58 MB httpd image takes about 2.8 s.
func PullTime(size int64) time.Duration {
	const fixed = 500 * time.Millisecond
	const bytesPerSecond = 25_000_000
	return fixed + time.Duration(float64(size)/bytesPerSecond*float64(time.Second))
}
