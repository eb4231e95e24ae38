package sim

import (
	"fmt"
	"io"

	"kubesim/sim/kubelet"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// What the nodes' hosts (package hosts) need from the cluster: a place to
// keep their state for the cluster's lifetime, the kubelet as a service
// that stops and starts without the machine, and the control-plane
// components as processes of their static pods.

// Extension returns the value kept under key for this cluster, made by mk
// on first use. Packages above sim keep per-cluster state here (the hosts'
// filesystems and units).
func (c *Cluster) Extension(key any, mk func() any) any {
	if v, ok := c.ext.Load(key); ok {
		return v
	}
	v, _ := c.ext.LoadOrStore(key, mk())
	return v
}

// LookupExtension returns the value Extension made for key, if it made one.
func (c *Cluster) LookupExtension(key any) (any, bool) { return c.ext.Load(key) }

// OnClose registers fn to run when the cluster closes (kubesim stop), with
// the cluster lock held, before the store's last commit: the hosts save
// their state into the state directory then. Its error is Close's.
func (c *Cluster) OnClose(fn func() error) {
	c.locked(func() { c.onClose = append(c.onClose, fn) })
}

// StopKubelet stops node name's kubelet service (systemctl stop kubelet):
// its containers keep running, its lease and status are no longer renewed,
// so the node goes NotReady after the node monitor grace period. Call it
// with the cluster lock held (inside Do).
func (c *Cluster) StopKubelet(name string) error {
	return c.service(name, (*kubelet.Kubelet).StopService)
}

// StartKubelet starts a stopped kubelet service again. Call it with the
// cluster lock held (inside Do).
func (c *Cluster) StartKubelet(name string) error {
	return c.service(name, (*kubelet.Kubelet).StartService)
}

func (c *Cluster) service(name string, do func(*kubelet.Kubelet)) error {
	k := c.kubelets[name]
	if k == nil {
		return fmt.Errorf("node %q not found", name)
	}
	do(k)
	c.memberChanged(name)
	return nil
}

// Component names of the control plane's processes, for SetGate.
const (
	SchedulerComponent         = "kube-scheduler"
	ControllerManagerComponent = "kube-controller-manager"
	// APIServerComponent gates the Kubernetes API as clients reach it
	// (APIServing): the served listener and the hosts' kubectl.
	APIServerComponent = "kube-apiserver"
)

// SetGate makes a control-plane component (SchedulerComponent or
// ControllerManagerComponent) run only while up reports true: the
// hosts give it "its static pod's container is running". Nil removes the
// gate. A gated component still receives every event, and catches up when
// it runs again, as a restarted kube-scheduler relists. up is called on the
// loop with the cluster lock held.
func (c *Cluster) SetGate(component string, up func() bool) {
	c.locked(func() {
		if c.gates == nil {
			c.gates = map[string]func() bool{}
		}
		var names []string
		switch component {
		case SchedulerComponent:
			names = []string{"default-scheduler"}
		case ControllerManagerComponent:
			names = c.ctrlNames
		case APIServerComponent:
			names = []string{APIServerComponent}
		}
		for _, n := range names {
			if up == nil {
				delete(c.gates, n)
			} else {
				c.gates[n] = up
			}
		}
	})
}

// gated reports whether a component's gate holds it back. Caller holds c.mu.
func (c *Cluster) gated(name string) bool {
	g := c.gates[name]
	return g != nil && !g()
}

// APIServing reports whether the Kubernetes API answers clients: true
// unless the hosts gate it (the kube-apiserver static pod does not run, or
// cannot reach etcd). Components inside the cluster write through the
// registry whatever it says. Call it with the cluster lock held.
func (c *Cluster) APIServing() bool { return !c.gated(APIServerComponent) }

// StateDir is the directory of the cluster's state file: what belongs
// to the cluster on the user's machine lives below it.
func (c *Cluster) StateDir() string { return c.opts.Dir }

// EtcdSnapshot commits and writes a copy of the cluster's store (a bbolt
// file, as etcd's snapshot is its backend) to w; it returns its size and
// the store's revision and key count in it.
func (c *Cluster) EtcdSnapshot(w io.Writer) (size, rev int64, keys int, err error) {
	c.commit()
	c.locked(func() {
		rev, keys = c.Store.Rev(), c.Store.Count("")
	})
	size, err = c.Store.Backup(w)
	return size, rev, keys, err
}

// EtcdRestore makes the cluster's objects those of the snapshot at path (a
// file EtcdSnapshot wrote), as pointing etcd at a restored data directory
// does: objects written since are deleted, objects deleted since come back
// as they were, changed ones get their old state back. The changes are
// writes at new revisions, so every component sees them as events. Call
// it with the cluster lock held (inside Do).
func (c *Cluster) EtcdRestore(path string) error {
	snap, err := store.Open(store.Options{Path: path, NoSync: true, Decode: registry.DecodeStorage, Repair: true})
	if err != nil {
		return err
	}
	defer snap.Close()
	old, _ := snap.List("/registry/", nil)
	cur, _ := c.Store.List("/registry/", nil)
	want := map[string]store.KV{}
	for _, kv := range old {
		want[kv.Key] = kv
	}
	for _, kv := range cur {
		if _, ok := want[kv.Key]; !ok {
			c.Store.Delete(kv.Key, 0)
		}
	}
	have := map[string]store.KV{}
	for _, kv := range cur {
		have[kv.Key] = kv
	}
	for _, kv := range old {
		h, ok := have[kv.Key]
		switch {
		case !ok:
			c.Store.Create(kv.Key, kv.Value, kv.Obj)
		case h.ModRev != kv.ModRev:
			c.Store.Update(kv.Key, kv.Value, kv.Obj, 0)
		}
	}
	return nil
}

// SnapshotInfo reads a snapshot file's revision, key count and content hash
// (store.ContentHash, etcdutl snapshot status's HASH).
func (c *Cluster) SnapshotInfo(path string) (rev int64, keys int, hash uint32, err error) {
	snap, err := store.Open(store.Options{Path: path, NoSync: true, Decode: registry.DecodeStorage, Repair: true})
	if err != nil {
		return 0, 0, 0, err
	}
	defer snap.Close()
	hash, err = snap.ContentHash()
	return snap.Rev(), snap.Count(""), hash, err
}

// SetKubeletVersion makes node name's kubelet the given version (v1.28.15)
// from now on: the host's kubelet service started a new kubelet binary.
// Call it with the cluster lock held (inside Do).
func (c *Cluster) SetKubeletVersion(name, version string) error {
	return c.service(name, func(k *kubelet.Kubelet) { k.SetVersion(version) })
}

// KubeletVersion is node name's kubelet version ("" for no such node).
func (c *Cluster) KubeletVersion(name string) string {
	if k := c.kubelets[name]; k != nil {
		return k.Version()
	}
	return ""
}
