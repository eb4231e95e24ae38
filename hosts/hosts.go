package hosts

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"kubesim/runtime/containerfs"
	"kubesim/sim"
)

// Hosts are the machines of one cluster.
type Hosts struct {
	c     *sim.Cluster
	mu    sync.Mutex // serialises shells: one runs at a time
	hosts map[string]*Host
	order []string
	// loadErr is a damaged state file (persist.go): shells are refused
	// and the file is left as it is. saved is the digest of what the
	// file holds.
	loadErr   error
	saved     [32]byte
	savedMark string
}

type hostsKey struct{}

// For returns the hosts of c, building them on first use.
func For(c *sim.Cluster) *Hosts {
	return c.Extension(hostsKey{}, func() any { return newHosts(c) }).(*Hosts)
}

// Quiet runs f while no host shell runs, if the cluster has hosts. The live
// loop steps through it: a step evaluates the control plane's gates, which
// read the hosts' filesystems, and shells write those without the cluster
// lock (containerfs is not safe for concurrent use). Shells and steps both
// take hs.mu before the cluster lock.
func Quiet(c *sim.Cluster, f func()) {
	if hs := built(c); hs != nil {
		hs.mu.Lock()
		defer hs.mu.Unlock()
	}
	f()
}

// TryQuiet runs f, as Quiet does, if no host shell runs now, and reports
// whether it did. It is for pumps that come round again soon (the
// practice shell's clock) and must not wait behind a shell: a shell's own
// waits advance the clock themselves.
func TryQuiet(c *sim.Cluster, f func()) bool {
	if hs := built(c); hs != nil {
		if !hs.mu.TryLock() {
			return false
		}
		defer hs.mu.Unlock()
	}
	f()
	return true
}

// built returns c's hosts if something has built them (For), else nil.
func built(c *sim.Cluster) *Hosts {
	v, _ := c.LookupExtension(hostsKey{})
	hs, _ := v.(*Hosts)
	return hs
}

func newHosts(c *sim.Cluster) *Hosts {
	hs := &Hosts{c: c, hosts: map[string]*Host{}}
	saved, err := loadState(hs.statePath())
	hs.loadErr = err
	c.Locked(func() {
		for i, n := range c.Spec.Nodes {
			h := &Host{hs: hs, Name: n.Name, IP: n.IP, ControlPlane: n.Role == "control-plane", index: i,
				runtime: n.Runtime, pidNext: 900 + 37*i}
			if h.runtime == "" {
				h.runtime = c.Spec.Runtime
			}
			h.root = rootVolume(c, n.Name)
			h.fs = h.root.FS()
			hs.hosts[n.Name] = h
			hs.order = append(hs.order, n.Name)
		}
		for _, name := range hs.order {
			h := hs.hosts[name]
			if s := saved[name]; s != nil {
				h.restore(s)
				continue
			}
			h.writeFiles()
			h.bootUnits()
			if h.bare() {
				h.unsetUp()
			}
		}
		if saved != nil {
			// What the file holds now: no need to write it again.
			if data, err := hs.encodeState(); err == nil {
				hs.saved = sha256.Sum256(data)
			}
		}
	})
	hs.installGates()
	c.OnClose(func() error {
		// Two first uses at once may each build hosts; only the kept
		// one's state is the cluster's.
		if For(c) != hs {
			return nil
		}
		return hs.save()
	})
	return hs
}

// rootVolume is node's host filesystem, its "/": the one its runtime and
// kubelet use for hostPath volumes.
func rootVolume(c *sim.Cluster, node string) *containerfs.Volume {
	if v := c.NodeHostFS(node); v != nil {
		return v
	}
	return containerfs.NewVolume(c.Clock.Now, 0o755)
}

// Names lists the hosts in node registration order.
func (hs *Hosts) Names() []string { return append([]string(nil), hs.order...) }

// Lookup finds a host by node name, by its short name (w1 for
// w1.example.com, as Vagrant and /etc/hosts know it) or by IP.
func (hs *Hosts) Lookup(name string) (*Host, bool) {
	if h, ok := hs.hosts[name]; ok {
		return h, true
	}
	for _, n := range hs.order {
		h := hs.hosts[n]
		if h.Short() == name || h.IP == name {
			return h, true
		}
	}
	return nil, false
}

// Host is one machine: a node's filesystem, units and journal.
type Host struct {
	hs           *Hosts
	Name         string // the node's name
	IP           string
	ControlPlane bool
	index        int
	runtime      string

	root *containerfs.Volume
	fs   *containerfs.FS

	units   map[string]*unit
	journal []journalEntry
	pidNext int
	// manifests are the static pod manifests the kubelet runs, by file
	// name (staticpods.go).
	manifests map[string]string
	cwd       string // the interactive shell's directory
	etcdData  string // the host directory etcd's manifest uses
}

// Short is the host's name without its domain (w1).
func (h *Host) Short() string {
	short, _, _ := strings.Cut(h.Name, ".")
	return short
}

// FS is the host's filesystem.
func (h *Host) FS() *containerfs.FS { return h.fs }

func (h *Host) cluster() *sim.Cluster { return h.hs.c }

func (h *Host) now() time.Time { return h.hs.c.Clock.Now() }

// newPID hands out process ids as the kernel does, upwards.
func (h *Host) newPID() int {
	h.pidNext += 1 + (h.pidNext*7)%23
	return h.pidNext
}

func (h *Host) write(p, data string, perm uint32) {
	h.root.WriteFile(p, []byte(data), fsMode(perm))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ = fmt.Sprint
