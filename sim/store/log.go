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
// released, committed watchers signalled, the snapshot moves. The record
// is encoded into one reused buffer, written from it in place, and a
// batch bigger than recordChunk goes to the file a chunk at a time as it
// is encoded, so a commit of any size holds a few MiB. Only the record's
// place in the log goes on a queue to the checkpointer, a goroutine that
// reads queued records back (from the page cache, as a rule) and writes
// them to bbolt, sorted by key, the last write of a key winning, in
// transactions of at most checkpointTx bytes of records, once
// checkpointBytes of them have gathered, or when asked (Checkpoint,
// Check, Backup, Close); bbolt's own commit makes that durable, and the
// log segments it covers are then released for reuse. A record bigger
// than checkpointTx is written in pieces of whole mutations, one
// transaction each, the file's revision moving with the last: a crash
// between them leaves keys ahead of it, which Open's replay of that
// record (its puts are final states) makes whole again, and Backup waits
// for the last piece. Open replays the
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
	// checkpointTx bounds the records one checkpoint transaction writes
	// (its dirty pages and nodes are in memory until it commits).
	checkpointTx = 32 << 20
	// recordChunk of a record's payload go to the file while the rest is
	// encoded.
	recordChunk = 4 << 20
	// checkpointPieceHook, if set, runs before each piece of a record
	// checkpointed in pieces (tests: a crash between pieces).
	checkpointPieceHook func() error
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
	to  int64
	pos wal.Pos
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
	count   int64 // checkpoints made
	base    int64 // the revision the log started at
	// The checkpointer's scratch: mutations, records read back, payloads.
	ops      []kvop
	buf      []byte
	payloads [][]byte
	// whole is held (read) by a reader of the bbolt file that must see
	// whole records only (Backup, Check), and by the checkpointer while
	// it writes a record in pieces.
	whole sync.RWMutex
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

// logBatch writes a sorted batch to the log as the record (from, to], not
// yet synced. Only the commit leader calls it.
func (s *Store) logBatch(batch []pendingOp, from, to int64) (wal.Pos, error) {
	cp := s.cp
	cp.mu.Lock()
	for cp.bytes > maxBacklog && cp.err == nil {
		cp.want = max(cp.want, cp.applied+1)
		cp.cond.Broadcast()
		cp.cond.Wait()
	}
	err := cp.err
	cp.mu.Unlock()
	if err != nil {
		return wal.Pos{}, err
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
	// The buffer holds a chunk at most (plus the mutation that crosses its
	// end); it is kept between commits.
	if want := wal.RecordHead + min(size, recordChunk+recordChunk/4); cap(s.arena) < want {
		s.arena = make([]byte, 0, want)
	}
	buf := append(s.arena[:0], make([]byte, wal.RecordHead)...)
	defer func() {
		if cap(buf) <= maxKeptArena {
			s.arena = buf[:0]
		}
	}()
	var w *wal.Writer
	lazyBytes, lazy := 0, 0
	for i, op := range batch {
		if i+1 < len(batch) && batch[i+1].key == op.key {
			continue // superseded within this batch
		}
		if len(buf) >= wal.RecordHead+recordChunk {
			if w == nil {
				if w, err = s.wal.Begin(from, size); err != nil {
					return wal.Pos{}, fmt.Errorf("store: commit up to revision %d: %w", to, err)
				}
			}
			if err := w.Write(buf[wal.RecordHead:]); err != nil {
				return wal.Pos{}, fmt.Errorf("store: commit up to revision %d: %w", to, err)
			}
			buf = buf[:wal.RecordHead]
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
			s.noteCompaction(op.kv, op.kv.Value)
			continue
		}
		// A lazy value's length is known once it is encoded: reserve the
		// longest uvarint, then move the value back if it was shorter.
		lenAt := len(buf)
		buf = append(buf, make([]byte, binary.MaxVarintLen32)...)
		start := len(buf)
		var err error
		if buf, err = s.appendValue(buf, op.kv); err != nil {
			return wal.Pos{}, err
		}
		lazy++
		lazyBytes += len(buf) - start - headerLen
		var lb [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(lb[:], uint64(len(buf)-start))
		copy(buf[lenAt:], lb[:k])
		buf = append(buf[:lenAt+k], buf[start:]...)
		s.noteCompaction(op.kv, buf[lenAt+k+headerLen:])
	}
	if lazy > 0 {
		s.lazyAvg = lazyBytes / lazy
	}
	var pos wal.Pos
	if w == nil {
		pos, err = s.wal.WriteRecord(from, to, buf)
	} else if err = w.Write(buf[wal.RecordHead:]); err == nil {
		pos, err = w.Finish(to)
	}
	if err != nil {
		return wal.Pos{}, fmt.Errorf("store: commit up to revision %d: %w", to, err)
	}
	return pos, nil
}

// queueRecord hands a durable record (up to revision to) to the
// checkpointer. Commits call it in revision order.
func (s *Store) queueRecord(to int64, pos wal.Pos) {
	cp := s.cp
	cp.mu.Lock()
	cp.queue = append(cp.queue, queued{to: to, pos: pos})
	cp.bytes += int(pos.Len())
	if cp.bytes >= checkpointBytes {
		cp.cond.Broadcast()
	}
	cp.mu.Unlock()
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

// wholeOps returns the length of p's longest prefix of whole mutations
// (p is a record's payload cut anywhere).
func wholeOps(p []byte) int {
	n := 0
	for n < len(p) {
		q := p[n+1:]
		kl, k := binary.Uvarint(q)
		if k <= 0 || kl > uint64(len(q)-k) {
			return n
		}
		q = q[k+int(kl):]
		end := len(p) - len(q)
		if p[n] == opPut {
			vl, k := binary.Uvarint(q)
			if k <= 0 || vl > uint64(len(q)-k) {
				return n
			}
			end += k + int(vl)
		}
		n = end
	}
	return n
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
			cp.bytes -= int(b.pos.Len())
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

// checkpoint writes the batches q (in revision order) to bbolt, which
// bbolt makes durable: as many whole records per transaction as
// checkpointTx allows, a bigger record in pieces.
func (s *Store) checkpoint(q []queued) error {
	cp := s.cp
	for len(q) > 0 {
		if q[0].pos.Len() > int64(checkpointTx) {
			if err := s.checkpointPieces(q[0]); err != nil {
				return err
			}
			q = q[1:]
			continue
		}
		n, size := 0, int64(0)
		for n < len(q) && size+q[n].pos.Len() <= int64(checkpointTx) {
			size += q[n].pos.Len()
			n++
		}
		// Adjoining records are read at once.
		need := int64(0)
		for i := 0; i < n; {
			j := i + 1
			for j < n && q[j-1].pos.Adjoins(q[j].pos) {
				j++
			}
			need += wal.Span(posOf(q[i:j]))
			i = j
		}
		buf, payloads := slices.Grow(cp.buf[:0], int(need)), cp.payloads[:0]
		var err error
		for i := 0; i < n && err == nil; {
			j := i + 1
			for j < n && q[j-1].pos.Adjoins(q[j].pos) {
				j++
			}
			buf, payloads, err = s.wal.ReadRecords(posOf(q[i:j]), buf, payloads)
			i = j
		}
		if err == nil {
			err = s.checkpointTx(payloads, q[n-1].to, true)
		}
		clear(payloads)
		cp.payloads = payloads[:0]
		if cap(buf) <= 2*checkpointTx {
			cp.buf = buf[:0]
		}
		if err != nil {
			return err
		}
		q = q[n:]
	}
	return nil
}

func posOf(q []queued) []wal.Pos {
	ps := make([]wal.Pos, len(q))
	for i, b := range q {
		ps[i] = b.pos
	}
	return ps
}

// checkpointPieces writes one record bigger than checkpointTx in pieces of
// whole mutations, one transaction each; the file's revision moves with
// the last. Readers that need whole records wait (cp.whole).
func (s *Store) checkpointPieces(b queued) error {
	cp := s.cp
	cp.whole.Lock()
	defer cp.whole.Unlock()
	window := int64(checkpointTx)
	for off := int64(0); off < b.pos.Len(); {
		m := min(window, b.pos.Len()-off)
		if int64(cap(cp.buf)) < m {
			cp.buf = make([]byte, m)
		}
		buf := cp.buf[:m]
		if err := s.wal.ReadAt(b.pos, off, buf); err != nil {
			return fmt.Errorf("store: checkpoint: %w", err)
		}
		k := wholeOps(buf)
		if k == 0 {
			if off+m == b.pos.Len() {
				return fmt.Errorf("store: checkpoint up to revision %d: malformed record payload", b.to)
			}
			window *= 2 // one mutation bigger than the window
			continue
		}
		last := off+int64(k) == b.pos.Len()
		if checkpointPieceHook != nil {
			if err := checkpointPieceHook(); err != nil {
				return err
			}
		}
		if err := s.checkpointTx([][]byte{buf[:k]}, b.to, last); err != nil {
			return err
		}
		off += int64(k)
	}
	if int64(cap(cp.buf)) > 2*int64(checkpointTx) {
		cp.buf = nil
	}
	return nil
}

// checkpointTx writes the mutations of payloads (in revision order) to
// bbolt in one transaction, and the file's revision to if setRev.
func (s *Store) checkpointTx(payloads [][]byte, to int64, setRev bool) error {
	ops := s.cp.ops[:0]
	defer func() { clear(ops); s.cp.ops = ops[:0] }()
	for _, p := range payloads {
		if err := eachOp(p, func(key, val []byte) error {
			ops = append(ops, kvop{key, val, len(ops)})
			return nil
		}); err != nil {
			return fmt.Errorf("store: checkpoint: %w", err)
		}
	}
	// Sorted puts touch each page once; by key, then by position, so that
	// the last write of a key is the one kept. (One record is sorted
	// already.)
	if len(payloads) > 1 {
		slices.SortFunc(ops, func(a, b kvop) int {
			if c := bytes.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
	}
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
		if !setRev {
			return nil
		}
		var rb [8]byte
		binary.BigEndian.PutUint64(rb[:], uint64(to))
		return tx.Bucket(bucketMeta).Put(metaRev, rb[:])
	})
	if err != nil {
		return fmt.Errorf("store: checkpoint up to revision %d: %w", to, err)
	}
	// What the transaction read through the mapping is not needed again
	// before the next checkpoint: out of the resident set with it.
	dropMappedPages(s.db)
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
