package store

import (
	"fmt"
	"strings"
	"sync"

	"github.com/google/btree"
)

// Snapshot is the store as the last commit left it: every key at one
// durable revision. Reads from it take no lock and never wait for a writer
// or a commit; a Snapshot never changes, so it is safe for any number of
// goroutines. The API server serves GET and LIST from it, as kube-apiserver
// serves them from what etcd committed: a client never reads a write that a
// crash could take back.
type Snapshot struct {
	rev   int64
	index index // a copy-on-write clone of the index at rev
	// decode decodes bytes-only entries (nil: there are none).
	decode func(string, []byte) (any, error)
}

type index = *btree.BTreeG[*KV]

// Snapshot returns the last committed snapshot (Open's state until the
// first commit).
func (s *Store) Snapshot() *Snapshot { return s.snap.Load() }

// Rev is the revision of the snapshot.
func (sn *Snapshot) Rev() int64 { return sn.rev }

// Get returns the key's state, or ErrNotFound.
func (sn *Snapshot) Get(key string) (KV, error) {
	p := pivots.Get().(*KV)
	p.Key = key
	kv, ok := sn.index.Get(p)
	p.Key = ""
	pivots.Put(p)
	if !ok {
		return KV{}, notFoundErr(key)
	}
	kv, err := decoded(sn.decode, kv)
	if err != nil {
		return KV{}, fmt.Errorf("store: get: %w", err)
	}
	return *kv, nil
}

// List is Store.List on the snapshot; filter may run concurrently with
// other readers (it must not modify the KV).
func (sn *Snapshot) List(prefix string, filter func(*KV) bool) ([]KV, int64) {
	return listIndex(sn.index, prefix, filter, sn.decode), sn.rev
}

// Count returns the number of keys with the prefix.
func (sn *Snapshot) Count(prefix string) int {
	if prefix == "" {
		return sn.index.Len()
	}
	n := 0
	ascend(sn.index, prefix, func(*KV) bool { n++; return true })
	return n
}

// listIndex lists the entries with the prefix for which filter is true;
// decode (if not nil) decodes bytes-only entries first (one that fails to
// is left out).
func listIndex(ix index, prefix string, filter func(*KV) bool, decode func(string, []byte) (any, error)) []KV {
	var out []KV
	if filter == nil {
		// Counting first is cheaper than growing the result by doubling.
		n := 0
		ascend(ix, prefix, func(*KV) bool { n++; return true })
		out = make([]KV, 0, n)
	}
	ascend(ix, prefix, func(kv *KV) bool {
		kv, err := decoded(decode, kv)
		if err != nil {
			return true
		}
		if filter == nil || filter(kv) {
			out = append(out, *kv)
		}
		return true
	})
	return out
}

// ascend calls fn for each entry whose key has the prefix, in key order.
func ascend(ix index, prefix string, fn func(*KV) bool) {
	p := pivots.Get().(*KV)
	p.Key = prefix
	ix.AscendGreaterOrEqual(p, func(kv *KV) bool {
		if !strings.HasPrefix(kv.Key, prefix) {
			return false
		}
		return fn(kv)
	})
	p.Key = ""
	pivots.Put(p)
}

// pivots are the search keys of index walks and lookups, reused: each
// was an allocation (two lists per create, in the registry's admission,
// 211 MB at 300,000 pods).
var pivots = sync.Pool{New: func() any { return new(KV) }}
