package registry

import (
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/store"
)

// reader is what Get and List read from: the store's live index (the
// loop's view) or a committed snapshot (clients' reads).
type reader interface {
	Get(key string) (store.KV, error)
	List(prefix string, filter func(*store.KV) bool) ([]store.KV, int64)
}

// Committed is a read-only view of the registry at the store's last
// committed snapshot: what kube-apiserver would read from etcd. It takes
// no lock, so the API server serves GET and LIST from it without waiting
// for the loop or a commit; it never shows a write a crash could take back.
type Committed struct{ snap *store.Snapshot }

// Committed returns the view at the last commit.
func (r *Registry) Committed() Committed { return Committed{r.store.Snapshot()} }

// Get is Registry.Get on the committed snapshot.
func (c Committed) Get(res *Resource, ns, name string) (runtime.Object, error) {
	return get(c.snap, res, ns, name)
}

// List is Registry.List on the committed snapshot; the revision is the
// snapshot's.
func (c Committed) List(res *Resource, ns string, opts ListOptions) ([]runtime.Object, int64, error) {
	return list(c.snap, res, ns, opts)
}

// Rev is the revision of the snapshot.
func (c Committed) Rev() int64 { return c.snap.Rev() }
