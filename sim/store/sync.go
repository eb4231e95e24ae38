package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"kubesim/sim/store/wal"
)

// On-disk layout: bucket "kv" maps each key to a 16-byte header (create
// revision, mod revision; big-endian uint64) followed by the value. Bucket
// "meta" holds "rev", the global revision as of the last commit (a delete
// moves it too, so it is not derivable from the keys).
var (
	bucketKV   = []byte("kv")
	bucketMeta = []byte("meta")
	// bucketDamaged keeps what Options.Repair took out of bucketKV.
	bucketDamaged = []byte("damaged")
	metaRev       = []byte("rev")
)

const headerLen = 16

// maxKeptArena bounds the encoding buffer the store keeps between commits.
const maxKeptArena = 16 << 20

// arenaChunk is the size of the arena's further chunks in a big commit.
const arenaChunk = 1 << 20

// Sync makes durable every mutation made before the call. Many goroutines may
// call it at once: one of them (the leader) takes everything pending and
// writes it as one commit, while those arriving meanwhile wait and are
// written together by the next leader. With the log, commits overlap: a
// leader writes its record while the commit before is still being synced
// (at most maxFlights commits at once, their syncs running together), and
// each is released only after the one before it (flight). A failed commit
// is sticky: the file is then behind the index, and every later Sync
// returns the error.
func (s *Store) Sync() error {
	s.mu.RLock()
	target := s.rev
	s.mu.RUnlock()

	for {
		s.syncMu.Lock()
		if s.syncErr != nil || s.dbClosed {
			err := s.syncErr
			if err == nil {
				err = ErrClosed
			}
			s.syncMu.Unlock()
			return err
		}
		if s.durableRev >= target {
			s.syncMu.Unlock()
			return nil
		}
		// Follower: wait, without holding a lock, for the commit that
		// carries our writes, for the leader taking a batch now, or for
		// room for another commit; then look again.
		wait := s.carrying(target)
		var ch chan struct{}
		switch {
		case wait != nil:
			ch = wait.done
		case s.writing != nil:
			wait, ch = s.writing, s.writing.written
		case s.flights >= maxFlights:
			wait = s.oldest()
			ch = wait.done
		}
		if wait != nil {
			wait.followers++
			s.syncMu.Unlock()
			<-ch
			continue
		}
		// Leader.
		f := &flight{written: make(chan struct{}), done: make(chan struct{}), prev: s.last}
		if f.prev != nil && f.prev.finished {
			f.prev = nil
		}
		s.writing, s.last = f, f
		s.flights++
		grouped := s.lastFollowers > 0
		s.syncMu.Unlock()

		if grouped {
			s.gather()
		}
		s.lead(f)
	}
}

// maxFlights is how many commits may be written and not yet durable at
// once (wal.WriteRecord's rule).
const maxFlights = 2

// flight is one commit. Its leader takes the batch and writes it (then
// written is closed; rev and taken are set), syncs it, waits for the
// flight before (prev), and publishes it (then done is closed; finished
// and err are set). Fields are guarded by syncMu.
type flight struct {
	written   chan struct{}
	done      chan struct{}
	rev       int64
	taken     bool
	finished  bool
	err       error
	followers int     // writers that waited for it
	prev      *flight // the flight before it, until this one finishes
}

// carrying returns the oldest unfinished flight whose batch holds target,
// or nil. The caller holds syncMu.
func (s *Store) carrying(target int64) *flight {
	var c *flight
	for f := s.last; f != nil && !f.finished; f = f.prev {
		if !f.taken {
			continue
		}
		if f.rev < target {
			break
		}
		c = f
	}
	return c
}

// oldest returns the oldest unfinished flight (there is one). The caller
// holds syncMu.
func (s *Store) oldest() *flight {
	f := s.last
	for f.prev != nil && !f.prev.finished {
		f = f.prev
	}
	return f
}

// lead runs the flight f, whose leader is the caller.
func (s *Store) lead(f *flight) {
	rev, n, pos, snap, compacted, err := s.commit()
	s.syncMu.Lock()
	f.rev, f.taken = rev, true
	s.writing = nil
	if err != nil && s.syncErr == nil {
		// At once: no later leader may write a record after a batch
		// that is not in the log.
		s.syncErr = err
	}
	s.syncMu.Unlock()
	close(f.written)

	if err == nil && n > 0 && s.wal != nil {
		err = s.wal.Sync(pos)
	}
	if p := f.prev; p != nil {
		<-p.done
		if err == nil && p.err != nil {
			err = p.err
		}
	}
	if err == nil {
		if n > 0 && s.wal != nil {
			s.queueRecord(rev, pos)
		}
		if snap != nil {
			// Before the waiters are released: a client that wrote reads its write.
			s.snap.Store(snap)
		}
		s.compact(rev, compacted)
	}

	s.syncMu.Lock()
	f.err = err
	f.finished = true
	f.prev = nil
	s.flights--
	s.lastFollowers = f.followers
	if n > 0 {
		s.stats.Commits++
		s.stats.Mutations += int64(n)
	}
	if err != nil {
		if s.syncErr == nil {
			s.syncErr = err
		}
	} else {
		s.durableRev = rev
		s.committed.Store(rev)
	}
	s.syncMu.Unlock()
	close(f.done)
	if err == nil {
		// After the followers are released: signalling many watchers
		// delays only the leader's return.
		s.wakeCommitted(rev)
	}
}

// gather lets the writers that the previous commit just released add their
// next mutations to this batch before the leader takes it: it yields the
// processor until the pending batch stops growing (a bounded number of
// times). Without it, writers split into two cohorts that alternate, and
// each commit carries half of them. It only changes how mutations are
// grouped, never what is written. The leader gathers only when the last
// commit had followers: a lone writer has nobody to wait for, and a yield
// costs it a trip through the scheduler (a third of a sequential put's CPU
// on a loaded machine).
func (s *Store) gather() {
	const maxYields = 16
	last := s.pendingN.Load()
	for range maxYields {
		runtime.Gosched()
		n := s.pendingN.Load()
		if n == last {
			return
		}
		last = n
	}
}

// commit takes the pending batch and writes it: to the log (not yet
// synced: pos is its record), or with NoSync in one bbolt transaction.
// It returns the snapshot at rev and the bytes-only values to publish
// once the commit is durable. Only the leader holding the write turn
// (s.writing) calls it, without holding any lock.
func (s *Store) commit() (rev int64, n int, pos wal.Pos, snap *Snapshot, compacted []compaction, err error) {
	s.mu.Lock()
	batch := s.pending
	s.pending = s.spare
	s.spare = nil
	s.pendingN.Store(0)
	rev = s.rev
	if len(batch) > 0 {
		// O(1): the index copies a node on its next change instead.
		snap = &Snapshot{rev: rev, index: s.index.Clone(), decode: s.decoder()}
	}
	s.mu.Unlock()

	n = len(batch)
	if n > 0 {
		// Sorted puts touch each bbolt page once; a stable sort keeps the
		// order of mutations of one key, and only the last one is written.
		slices.SortStableFunc(batch, func(a, b pendingOp) int { return strings.Compare(a.key, b.key) })
		if s.wal != nil {
			pos, err = s.logBatch(batch, s.wal.Last(), rev)
		} else {
			err = s.write(batch, rev)
		}
	}
	compacted, s.compacted = s.compacted, nil
	clear(batch)
	s.mu.Lock()
	s.spare = batch[:0]
	s.mu.Unlock()
	return rev, n, pos, snap, compacted, err
}

// write applies a sorted batch and the revision to the file (NoSync: no log).
func (s *Store) write(batch []pendingOp, rev int64) error {
	size, lazy := 0, 0
	for _, op := range batch {
		if op.kv != nil {
			size += headerLen + len(op.kv.Value)
			if op.kv.Value == nil && s.opts.Encode != nil {
				lazy++
			}
		}
	}
	// Lazy values are sized by the last batch's average encoding; the arena
	// grows by appending if the guess is short.
	size += lazy * max(s.lazyAvg, 512) * 9 / 8
	// Plus the headroom a record asks for before it is appended (below): a
	// batch that fits its guess never starts a fresh chunk. (Without it, a
	// one-put commit allocated and zeroed a 1 MiB chunk: most of a
	// sequential put's CPU.)
	size += 2 * max(s.lazyAvg, 512)
	// The kept arena serves a batch up to maxKeptArena; a bigger one goes
	// on in fresh chunks.
	if size = min(size, maxKeptArena); cap(s.arena) < size {
		s.arena = make([]byte, 0, size)
	}
	arena := s.arena[:0]
	lazyBytes := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		kvb := tx.Bucket(bucketKV)
		// Values are typically 1-4 KiB: at 0.9, three 1 KiB entries share a
		// 4 KiB page (at bbolt's default 0.5, two), so fewer pages are
		// written per commit.
		kvb.FillPercent = 0.9
		for i, op := range batch {
			if i+1 < len(batch) && batch[i+1].key == op.key {
				continue // superseded within this batch
			}
			if op.kv == nil {
				if err := kvb.Delete([]byte(op.key)); err != nil {
					return err
				}
				continue
			}
			// A record is appended to the arena. When the arena is nearly
			// full a new chunk starts (records never move: bbolt references
			// them until the commit ends); a record longer than the guess
			// grows its chunk by copying.
			if need := headerLen + len(op.kv.Value) + 2*max(s.lazyAvg, 512); cap(arena)-len(arena) < need {
				arena = make([]byte, 0, max(arenaChunk, need))
			}
			start := len(arena)
			var err error
			if arena, err = s.appendValue(arena, op.kv); err != nil {
				return err
			}
			if op.kv.Value == nil {
				lazyBytes += len(arena) - start - headerLen
			}
			s.noteCompaction(op.kv, arena[start+headerLen:])
			if err := kvb.Put([]byte(op.key), arena[start:len(arena):len(arena)]); err != nil {
				return err
			}
		}
		var rb [8]byte
		binary.BigEndian.PutUint64(rb[:], uint64(rev))
		return tx.Bucket(bucketMeta).Put(metaRev, rb[:])
	})
	if err != nil {
		return fmt.Errorf("store: commit up to revision %d: %w", rev, err)
	}
	if lazy > 0 {
		s.lazyAvg = lazyBytes / lazy
	}
	return nil
}

// appendValue appends kv's stored form to dst: the revisions header, then
// the value.
func (s *Store) appendValue(dst []byte, kv *KV) ([]byte, error) {
	dst = binary.BigEndian.AppendUint64(dst, uint64(kv.CreateRev))
	dst = binary.BigEndian.AppendUint64(dst, uint64(kv.ModRev))
	return s.appendData(dst, kv)
}

// appendData appends kv's value to dst, encoding it now if it is lazy.
func (s *Store) appendData(dst []byte, kv *KV) ([]byte, error) {
	if kv.Value == nil && kv.Obj != nil && s.opts.Encode != nil {
		out, err := s.opts.Encode(dst, kv.Key, kv.Obj)
		if err != nil {
			return dst, fmt.Errorf("encode %q: %w", kv.Key, err)
		}
		return out, nil
	}
	return append(dst, kv.Value...), nil
}

// decodeValue parses a stored value; the returned Value is a copy (bbolt's
// memory is only valid inside the transaction).
func decodeValue(key, raw []byte) (*KV, error) {
	if len(raw) < headerLen {
		return nil, fmt.Errorf("key %q: stored value is %d bytes, shorter than its header", key, len(raw))
	}
	return &KV{
		Key:       string(key),
		Value:     bytes.Clone(raw[headerLen:]),
		CreateRev: int64(binary.BigEndian.Uint64(raw[0:8])),
		ModRev:    int64(binary.BigEndian.Uint64(raw[8:16])),
	}, nil
}

// load creates the buckets of a new file (the only write at Open), then
// reads the file into the index. Called by Open only.
func (s *Store) load() error {
	var fresh bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		fresh = tx.Bucket(bucketKV) == nil || tx.Bucket(bucketMeta) == nil
		return nil
	}); err != nil {
		return err
	}
	if fresh {
		if err := s.db.Update(func(tx *bolt.Tx) error {
			if _, err := tx.CreateBucketIfNotExists(bucketKV); err != nil {
				return err
			}
			_, err := tx.CreateBucketIfNotExists(bucketMeta)
			return err
		}); err != nil {
			return err
		}
	}
	// What a crash left in the log goes to the file before it is read.
	if err := s.replayLog(); err != nil {
		return err
	}
	type bad struct {
		key, raw []byte
		problem  string
	}
	var bads []bad
	if err := s.db.View(func(tx *bolt.Tx) error {
		if rb := tx.Bucket(bucketMeta).Get(metaRev); rb != nil {
			if len(rb) != 8 {
				return &DamageError{Path: s.opts.Path, Problem: fmt.Sprintf("its revision record is %d bytes, want 8", len(rb))}
			}
			s.rev = int64(binary.BigEndian.Uint64(rb))
		}
		return tx.Bucket(bucketKV).ForEach(func(k, v []byte) error {
			kv, problem := s.loadValue(k, v)
			if problem != "" {
				if !s.opts.Repair {
					return &DamageError{Path: s.opts.Path, Key: string(k), Problem: problem}
				}
				bads = append(bads, bad{bytes.Clone(k), bytes.Clone(v), problem})
				return nil
			}
			s.index.ReplaceOrInsert(kv)
			s.keys[kv.Key] = kv
			return nil
		})
	}); err != nil || len(bads) == 0 {
		return err
	}
	// Repair: the bad objects move to a bucket of their own, kept for
	// inspection, so the store holds only what it can serve.
	for _, b := range bads {
		s.skipped = append(s.skipped, Skipped{Key: string(b.key), Problem: b.problem})
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		dmg, err := tx.CreateBucketIfNotExists(bucketDamaged)
		if err != nil {
			return err
		}
		kvb := tx.Bucket(bucketKV)
		for _, b := range bads {
			if err := dmg.Put(b.key, b.raw); err != nil {
				return err
			}
			if err := kvb.Delete(b.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// loadValue decodes one stored value at Open; a non-empty problem says
// why it cannot be served.
func (s *Store) loadValue(k, v []byte) (*KV, string) {
	kv, err := decodeValue(k, v)
	if err != nil {
		return nil, err.Error()
	}
	if kv.ModRev > s.rev || kv.CreateRev > kv.ModRev || kv.CreateRev <= 0 {
		return nil, fmt.Sprintf("revisions create=%d mod=%d do not fit the store's revision %d", kv.CreateRev, kv.ModRev, s.rev)
	}
	if s.opts.Decode != nil {
		if kv.Obj, err = s.opts.Decode(kv.Key, kv.Value); err != nil {
			return nil, err.Error()
		}
		if s.opts.Encode != nil && s.bytesOnly(kv.Key) {
			kv.Obj = nil // decoded to check it; kept as bytes
		} else if s.opts.Encode != nil {
			kv.Value = nil // lazy from now on: the object is the state
		}
	}
	return kv, ""
}

// Check syncs, then verifies the log (it reads back to the last commit),
// writes it to the file, and verifies the file (bbolt's tx.Check) and that
// the file holds exactly the index: same keys, values, revisions, and
// global revision. It needs a quiet store: writes racing with it make it
// fail.
func (s *Store) Check() error {
	if err := s.Sync(); err != nil {
		return err
	}
	if err := s.checkLog(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.dbClosed {
		return ErrClosed
	}
	if s.last != nil && !s.last.finished || s.durableRev != s.rev {
		return fmt.Errorf("store: check: writes in flight (durable %d, index %d)", s.durableRev, s.rev)
	}
	if s.cp != nil {
		s.cp.whole.RLock()
		defer s.cp.whole.RUnlock()
	}
	if len(s.keys) != s.index.Len() {
		return fmt.Errorf("store: check: %d keys by name, %d in the ordered index", len(s.keys), s.index.Len())
	}
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("store: check: bbolt: %w", errors.Join(errs...))
		}
		var rev int64
		if rb := tx.Bucket(bucketMeta).Get(metaRev); len(rb) == 8 {
			rev = int64(binary.BigEndian.Uint64(rb))
		}
		if rev != s.rev {
			return fmt.Errorf("store: check: file revision %d, index revision %d", rev, s.rev)
		}
		c := tx.Bucket(bucketKV).Cursor()
		k, v := c.First()
		var mismatch error
		s.index.Ascend(func(want *KV) bool {
			if k == nil {
				mismatch = fmt.Errorf("store: check: key %q in index, not in file", want.Key)
				return false
			}
			got, err := decodeValue(k, v)
			if err != nil {
				mismatch = fmt.Errorf("store: check: %w", err)
				return false
			}
			wantValue, err := s.appendData(nil, want)
			if err != nil {
				mismatch = fmt.Errorf("store: check: %w", err)
				return false
			}
			if s.keys[want.Key] != want {
				mismatch = fmt.Errorf("store: check: key %q: the by-name index holds another entry", want.Key)
				return false
			}
			if got.Key != want.Key || got.CreateRev != want.CreateRev || got.ModRev != want.ModRev ||
				!bytes.Equal(got.Value, wantValue) {
				mismatch = fmt.Errorf("store: check: file has %q (create %d, mod %d, %d bytes), index has %q (create %d, mod %d, %d bytes)",
					got.Key, got.CreateRev, got.ModRev, len(got.Value), want.Key, want.CreateRev, want.ModRev, len(wantValue))
				return false
			}
			k, v = c.Next()
			return true
		})
		if mismatch != nil {
			return mismatch
		}
		if k != nil {
			return fmt.Errorf("store: check: key %q in file, not in index", k)
		}
		return nil
	})
}
