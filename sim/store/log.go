package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"kubesim/sim/store/wal"
)

// The write-ahead log (durable stores; NoSync stores write bbolt directly).
//
// A commit appends its batch to the log (package wal: one record, one
// fdatasync of a contiguous append) and is durable then: writers are
// released, committed watchers signalled, the snapshot moves. The batch
// goes on a queue to the checkpointer, a goroutine that writes queued
// batches to bbolt in one transaction (sorted by key, the last write of a
// key winning) once checkpointBytes of them have gathered, or when asked
// (Checkpoint, Check, Backup, Close); bbolt's own commit makes that durable, and the
// log segments it covers are then released for reuse. Open replays the
// records past bbolt's revision into bbolt before it loads the index, and
// Close checkpoints everything and removes the log, so a closed store is
// its bbolt file alone.
//
// Record payload: per mutation, one byte (opPut, opDelete), the key
// (uvarint length, bytes) and for a put the stored value (uvarint length,
// the 16-byte revisions header and the value, as in bucketKV).

const (
	opPut    = 1
	opDelete = 2
)

var (
	// checkpointBytes of queued batches start a checkpoint.
	checkpointBytes = 16 << 20
	// maxBacklog of queued batches holds commits until the checkpointer
	// has caught up (it bounds memory and the log's length).
	maxBacklog = 64 << 20
	// segmentSize is the log's segment size (tests make it small).
	segmentSize int64 = wal.DefaultSegmentSize
)

// SkippedLog is the Key of the Skipped entry that says Options.Repair
// opened the store without the records of a damaged write-ahead log
// beyond the damage (Problem says which revisions and where the log is).
const SkippedLog = "(write-ahead log)"

// logDir is the log directory of the store file at path.
func logDir(path string) string { return path + ".wal" }

// queued is a batch in the log, not yet in bbolt.
type queued struct {
	to      int64
	payload []byte
}

// kvop is one mutation of a checkpoint: val nil for a delete; seq orders
// the mutations of one key.
type kvop struct {
	key, val []byte
	seq      int
}

// checkpointer is the state shared by the commit leader and the
// checkpoint goroutine.
type checkpointer struct {
	mu      sync.Mutex
	cond    sync.Cond
	queue   []queued
	bytes   int // payload bytes queued
	want    int64
	applied int64 // bbolt holds every revision up to here
	err     error // sticky
	stop    bool
	crash   bool // stop without applying the queue
	done    chan struct{}
	spare   [][]byte // payload buffers to reuse
	count   int64    // checkpoints made
	ops     []kvop   // the checkpointer's scratch
	base    int64    // the revision the log started at
}

// startLog creates the log after load (which replayed and removed any
// old one) and starts the checkpointer.
func (s *Store) startLog() error {
	l, err := wal.Create(logDir(s.opts.Path), s.rev, segmentSize)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	s.wal = l
	s.cp = &checkpointer{applied: s.rev, base: s.rev, done: make(chan struct{})}
	s.cp.cond.L = &s.cp.mu
	go s.checkpointLoop()
	return nil
}

// logBatch appends a sorted batch to the log as the record (from, to] and
// queues it for bbolt. Only the commit leader calls it.
func (s *Store) logBatch(batch []pendingOp, from, to int64) error {
	cp := s.cp
	cp.mu.Lock()
	for cp.bytes > maxBacklog && cp.err == nil {
		cp.want = max(cp.want, cp.applied+1)
		cp.cond.Broadcast()
		cp.cond.Wait()
	}
	err := cp.err
	var buf []byte
	if n := len(cp.spare); n > 0 {
		buf, cp.spare = cp.spare[n-1][:0], cp.spare[:n-1]
	}
	cp.mu.Unlock()
	if err != nil {
		return err
	}
	size := 0
	for _, op := range batch {
		size += 1 + binary.MaxVarintLen32 + len(op.key)
		if op.kv != nil {
			size += binary.MaxVarintLen32 + headerLen + len(op.kv.Value)
			if op.kv.Value == nil {
				size += max(s.lazyAvg, 512)
			}
		}
	}
	if cap(buf) < size {
		buf = make([]byte, 0, size*9/8)
	}
	lazyBytes, lazy := 0, 0
	for i, op := range batch {
		if i+1 < len(batch) && batch[i+1].key == op.key {
			continue // superseded within this batch
		}
		if op.kv == nil {
			buf = append(buf, opDelete)
			buf = binary.AppendUvarint(buf, uint64(len(op.key)))
			buf = append(buf, op.key...)
			continue
		}
		buf = append(buf, opPut)
		buf = binary.AppendUvarint(buf, uint64(len(op.key)))
		buf = append(buf, op.key...)
		if op.kv.Value != nil || s.opts.Encode == nil {
			buf = binary.AppendUvarint(buf, uint64(headerLen+len(op.kv.Value)))
			buf = binary.BigEndian.AppendUint64(buf, uint64(op.kv.CreateRev))
			buf = binary.BigEndian.AppendUint64(buf, uint64(op.kv.ModRev))
			buf = append(buf, op.kv.Value...)
			continue
		}
		// A lazy value's length is known once it is encoded: reserve the
		// longest uvarint, then move the value back if it was shorter.
		lenAt := len(buf)
		buf = append(buf, make([]byte, binary.MaxVarintLen32)...)
		start := len(buf)
		var err error
		if buf, err = s.appendValue(buf, op.kv); err != nil {
			return err
		}
		lazy++
		lazyBytes += len(buf) - start - headerLen
		var lb [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(lb[:], uint64(len(buf)-start))
		copy(buf[lenAt:], lb[:k])
		buf = append(buf[:lenAt+k], buf[start:]...)
	}
	if lazy > 0 {
		s.lazyAvg = lazyBytes / lazy
	}
	if err := s.wal.Append(from, to, buf); err != nil {
		return fmt.Errorf("store: commit up to revision %d: %w", to, err)
	}
	cp.mu.Lock()
	cp.queue = append(cp.queue, queued{to: to, payload: buf})
	cp.bytes += len(buf)
	if cp.bytes >= checkpointBytes {
		cp.cond.Broadcast()
	}
	cp.mu.Unlock()
	return nil
}

// eachOp calls fn for each mutation of a payload (val nil: a delete).
func eachOp(p []byte, fn func(key, val []byte) error) error {
	bad := errors.New("malformed record payload")
	for len(p) > 0 {
		op := p[0]
		p = p[1:]
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return bad
		}
		key := p[k : k+int(n)]
		p = p[k+int(n):]
		switch op {
		case opDelete:
			if err := fn(key, nil); err != nil {
				return err
			}
		case opPut:
			n, k := binary.Uvarint(p)
			if k <= 0 || n > uint64(len(p)-k) || n < headerLen {
				return bad
			}
			if err := fn(key, p[k:k+int(n)]); err != nil {
				return err
			}
			p = p[k+int(n):]
		default:
			return bad
		}
	}
	return nil
}

// checkpointLoop writes queued batches to bbolt until the store closes.
func (s *Store) checkpointLoop() {
	cp := s.cp
	defer close(cp.done)
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for {
		for !cp.stop && (len(cp.queue) == 0 || cp.bytes < checkpointBytes && cp.want <= cp.applied) {
			cp.cond.Wait()
		}
		if cp.stop && (cp.crash || len(cp.queue) == 0) {
			return
		}
		q := cp.queue
		cp.queue = nil
		cp.mu.Unlock()
		err := s.checkpoint(q)
		cp.mu.Lock()
		if err != nil {
			cp.err = err
			cp.cond.Broadcast()
			cp.mu.Unlock()
			s.syncMu.Lock()
			if s.syncErr == nil {
				s.syncErr = err
			}
			s.syncMu.Unlock()
			cp.mu.Lock()
			return
		}
		to := q[len(q)-1].to
		cp.applied = to
		cp.count++
		for _, b := range q {
			cp.bytes -= len(b.payload)
			if cap(b.payload) <= 1<<20 && len(cp.spare) < 8 {
				cp.spare = append(cp.spare, b.payload[:0])
			}
		}
		cp.cond.Broadcast()
		cp.mu.Unlock()
		// bbolt's commit made it durable: the log up to it is spare.
		relErr := s.wal.Release(to)
		cp.mu.Lock()
		if relErr != nil && cp.err == nil {
			cp.err = fmt.Errorf("store: release the log up to revision %d: %w", to, relErr)
		}
	}
}

// checkpoint writes the batches q (in revision order) to bbolt in one
// transaction, which bbolt makes durable.
func (s *Store) checkpoint(q []queued) error {
	ops := s.cp.ops[:0]
	defer func() { clear(ops); s.cp.ops = ops[:0] }()
	for _, b := range q {
		if err := eachOp(b.payload, func(key, val []byte) error {
			ops = append(ops, kvop{key, val, len(ops)})
			return nil
		}); err != nil {
			return fmt.Errorf("store: checkpoint: %w", err)
		}
	}
	// Sorted puts touch each page once; by key, then by position, so that
	// the last write of a key is the one kept.
	slices.SortFunc(ops, func(a, b kvop) int {
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	to := q[len(q)-1].to
	err := s.db.Update(func(tx *bolt.Tx) error {
		kvb := tx.Bucket(bucketKV)
		kvb.FillPercent = 0.9
		for i, op := range ops {
			if i+1 < len(ops) && bytes.Equal(ops[i+1].key, op.key) {
				continue
			}
			var err error
			if op.val == nil {
				err = kvb.Delete(op.key)
			} else {
				err = kvb.Put(op.key, op.val)
			}
			if err != nil {
				return err
			}
		}
		var rb [8]byte
		binary.BigEndian.PutUint64(rb[:], uint64(to))
		return tx.Bucket(bucketMeta).Put(metaRev, rb[:])
	})
	if err != nil {
		return fmt.Errorf("store: checkpoint up to revision %d: %w", to, err)
	}
	return nil
}

// flush has the checkpointer write bbolt up to rev (which must be
// durable in the log) and waits for it.
func (s *Store) flush(rev int64) error {
	cp := s.cp
	if cp == nil {
		return nil
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.want = max(cp.want, rev)
	cp.cond.Broadcast()
	for cp.applied < rev && cp.err == nil && !cp.stop {
		cp.cond.Wait()
	}
	if cp.err == nil && cp.applied < rev {
		return ErrClosed
	}
	return cp.err
}

// stopLog stops the checkpointer: after writing the queue to bbolt, or
// (crash) at once. A clean stop removes the log.
func (s *Store) stopLog(crash bool) error {
	cp := s.cp
	if cp == nil {
		return nil
	}
	cp.mu.Lock()
	cp.stop, cp.crash = true, crash
	cp.cond.Broadcast()
	cp.mu.Unlock()
	<-cp.done
	err := errors.Join(cp.err, s.wal.Close())
	if crash || err != nil {
		return err
	}
	return wal.RemoveAll(logDir(s.opts.Path))
}

// replayLog writes the log's records past the file's revision into bbolt
// (one transaction, made durable) and removes the log. Called by load,
// the buckets existing. With Repair, a damaged log's good records are
// kept and the log is moved aside.
func (s *Store) replayLog() error {
	dir := logDir(s.opts.Path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var fileRev int64
	if err := s.db.View(func(tx *bolt.Tx) error {
		if rb := tx.Bucket(bucketMeta).Get(metaRev); len(rb) == 8 {
			fileRev = int64(binary.BigEndian.Uint64(rb))
		}
		return nil
	}); err != nil {
		return err
	}
	var recs []wal.Record
	rev, err := wal.Replay(dir, fileRev, func(r wal.Record) error {
		if err := eachOp(r.Payload, func([]byte, []byte) error { return nil }); err != nil {
			return &wal.DamageError{Path: dir, Problem: fmt.Sprintf("the record for revisions %d to %d: %v", r.From+1, r.To, err)}
		}
		recs = append(recs, r)
		return nil
	})
	var damage *wal.DamageError
	if errors.As(err, &damage) {
		if !s.opts.Repair {
			return &DamageError{Path: s.opts.Path, Problem: fmt.Sprintf("write-ahead log %s: %s (start with --repair to keep the revisions before the damage)", relLog(s.opts.Path, damage.Path), damage.Problem)}
		}
		s.skipped = append(s.skipped, Skipped{Key: SkippedLog, Problem: fmt.Sprintf("%s is damaged: %s; revisions after %d were left out (the log is kept in %s)", relLog(s.opts.Path, damage.Path), damage.Problem, rev, filepath.Base(dir)+".damaged")})
	} else if err != nil {
		return err
	}
	if len(recs) > 0 {
		if err := s.db.Update(func(tx *bolt.Tx) error {
			kvb := tx.Bucket(bucketKV)
			for _, r := range recs {
				if err := eachOp(r.Payload, func(key, val []byte) error {
					if val == nil {
						return kvb.Delete(key)
					}
					return kvb.Put(key, val)
				}); err != nil {
					return err
				}
			}
			var rb [8]byte
			binary.BigEndian.PutUint64(rb[:], uint64(rev))
			return tx.Bucket(bucketMeta).Put(metaRev, rb[:])
		}); err != nil {
			return fmt.Errorf("replay the write-ahead log: %w", err)
		}
		if s.opts.NoSync {
			if err := s.db.Sync(); err != nil {
				return err
			}
		}
	}
	if damage != nil {
		os.RemoveAll(dir + ".damaged")
		return os.Rename(dir, dir+".damaged")
	}
	return wal.RemoveAll(dir)
}

// checkLog verifies that the log reads back to the last commit, then
// checkpoints it (for Check, after a Sync).
func (s *Store) checkLog() error {
	if s.wal == nil {
		return nil
	}
	s.syncMu.Lock()
	rev, last := s.durableRev, s.wal.Last()
	s.syncMu.Unlock()
	got, err := wal.Scan(logDir(s.opts.Path))
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	if last != rev || got != last && !(got == 0 && last == s.cp.base) {
		return fmt.Errorf("store: check: the log reads back to revision %d, its last append was %d, the last commit %d", got, last, rev)
	}
	return s.flush(rev)
}

// relLog names a log path relative to the store file's directory.
func relLog(storePath, p string) string {
	if r, err := filepath.Rel(filepath.Dir(storePath), p); err == nil {
		return r
	}
	return p
}

// Checkpoint writes every committed mutation that is only in the log to
// the bbolt file (and releases the log up to it), and returns once that is
// durable. It commits nothing itself: mutations not yet synced stay
// pending. A NoSync store has no log: Checkpoint does nothing.
func (s *Store) Checkpoint() error {
	s.syncMu.Lock()
	rev, err := s.durableRev, s.syncErr
	if err == nil && s.dbClosed {
		err = ErrClosed
	}
	s.syncMu.Unlock()
	if err != nil {
		return err
	}
	return s.flush(rev)
}
