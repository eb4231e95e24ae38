package store

import (
	"bytes"
	"fmt"
	"strings"
)

// Values kept as bytes only (Options.BytesOnly).
//
// A lazy value (Options.Encode) is held decoded until its commit encodes
// it. Under a BytesOnly prefix the commit keeps a copy of that encoding,
// and once the commit is durable the index entry (if the key has not
// changed since) is replaced by one holding the bytes and no decoded form:
// a few hundred bytes instead of the object's kilobytes. Every read of
// such an entry decodes it again (Options.Decode) into a fresh object:
// Get, List and their Snapshot forms, the KV of a Delete's event and the
// PrevKV of an Update's or Delete's. Events already in the history or on
// their way to watchers keep the object they were made with.

// compaction is a committed lazy value under a BytesOnly prefix: its
// entry and a copy of the bytes the commit encoded.
type compaction struct {
	kv    *KV
	value []byte
}

// bytesOnly says whether key's committed values are kept as bytes only.
func (s *Store) bytesOnly(key string) bool {
	for _, p := range s.opts.BytesOnly {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// noteCompaction records, during a commit, that kv (under a BytesOnly
// prefix, its stored value being value) may drop its decoded form.
// Only the commit leader calls it.
func (s *Store) noteCompaction(kv *KV, value []byte) {
	if len(s.opts.BytesOnly) == 0 || kv.Obj == nil || !s.bytesOnly(kv.Key) {
		return
	}
	if kv.Value == nil {
		value = bytes.Clone(value) // value is in the commit's scratch buffer
	} else {
		value = kv.Value
	}
	s.compacted = append(s.compacted, compaction{kv, value})
}

// compact replaces the entries of a durable commit's compactions that are
// still current with their bytes-only form, and the snapshot of that
// commit (at rev) too if nothing was written since (else the next
// commit's snapshot has them). Only the commit leader calls it, without
// holding mu, before the commit's writers are released.
func (s *Store) compact(rev int64, compacted []compaction) {
	if len(compacted) == 0 {
		return
	}
	s.mu.Lock()
	defer func() {
		if s.rev == rev {
			s.snap.Store(&Snapshot{rev: rev, index: s.index.Clone(), decode: s.decoder()})
		}
		s.mu.Unlock()
	}()
	for _, c := range compacted {
		if s.keys[c.kv.Key] != c.kv {
			continue // changed or deleted since: its own commit compacts it
		}
		kv := &KV{Key: c.kv.Key, Value: c.value, CreateRev: c.kv.CreateRev, ModRev: c.kv.ModRev}
		s.index.ReplaceOrInsert(kv)
		s.keys[kv.Key] = kv
	}
}

// decoded returns kv with its decoded form: kv itself, or for a bytes-only
// entry a copy with a freshly decoded Obj.
func decoded(decode func(string, []byte) (any, error), kv *KV) (*KV, error) {
	if kv.Obj != nil || kv.Value == nil || decode == nil {
		return kv, nil
	}
	obj, err := decode(kv.Key, kv.Value)
	if err != nil {
		return nil, fmt.Errorf("decode %q: %w", kv.Key, err)
	}
	d := *kv
	d.Obj = obj
	return &d, nil
}

// decoder is Options.Decode when some entries may be bytes only.
func (s *Store) decoder() func(string, []byte) (any, error) {
	if len(s.opts.BytesOnly) == 0 {
		return nil
	}
	return s.opts.Decode
}

// eventPrev is prev as an event carries it: decoded if it is bytes only
// (watchers read PrevKV.Obj). A value that no longer decodes (it did at
// Open and at its commit) is carried as bytes.
func (s *Store) eventPrev(prev *KV) *KV {
	if d, err := decoded(s.decoder(), prev); err == nil {
		return d
	}
	return prev
}
