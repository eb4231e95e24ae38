package store

import (
	"hash/crc32"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the store's bbolt file as of its last
// commit to w (etcd's snapshot: the backend database itself) and returns
// its size. Commit first for the latest writes.
func (s *Store) Backup(w io.Writer) (int64, error) {
	// The file holds what the last checkpoint wrote: bring it up to the
	// last commit first.
	s.syncMu.Lock()
	rev := s.durableRev
	s.syncMu.Unlock()
	if err := s.flush(rev); err != nil {
		return 0, err
	}
	var n int64
	if s.cp != nil {
		// Not between the pieces of a record.
		s.cp.whole.RLock()
		defer s.cp.whole.RUnlock()
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// ContentHash is what etcdutl snapshot status prints as the file's HASH:
// a CRC-32C over each bucket's name and then its keys and values in order.
// It depends on what the file holds, not on where its pages lie (which
// follows the timing of checkpoints), so the same cluster gives the same
// hash run after run.
func (s *Store) ContentHash() (uint32, error) {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			h.Write(name)
			return b.ForEach(func(k, v []byte) error {
				h.Write(k)
				h.Write(v)
				return nil
			})
		})
	})
	return h.Sum32(), err
}
