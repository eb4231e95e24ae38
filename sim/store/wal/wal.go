package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Layout. A segment starts with a header:
//
//	magic [16]byte | base uint64 | crc uint32 (of magic and base) | 4 zero bytes
//
// and is followed by records:
//
//	length uint32 | crc uint32 | from uint64 | to uint64 | payload [length]byte
//
// all little-endian. A record covers the revisions (from, to]; its crc is a
// CRC-32C of the length and everything after the crc field. The first
// record of a segment has from == base, each later one from == the to of
// the record before it. A length of 0 ends the segment (zeros are what a
// segment is grown with).
const (
	headerLen = 32
	recHead   = 24
	// growChunk is how far ahead of its records a segment is zeroed.
	growChunk = 256 << 10
	// DefaultSegmentSize is the size at which the log moves to the next
	// segment (a record bigger than that gets a segment of its own size).
	DefaultSegmentSize = 16 << 20
	// maxFree is the number of checkpointed segments kept for reuse.
	maxFree = 2
	suffix  = ".wal"
)

var magic = [16]byte{'k', 'u', 'b', 'e', 's', 'i', 'm', ' ', 'w', 'a', 'l', ' ', 'v', '1', '\n', 0}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Log appends records to the segments of one directory. Append is called
// by one goroutine at a time; Release may run concurrently with it.
type Log struct {
	dir     string
	segSize int64

	// The current segment, written by Append only.
	cur  *segment
	off  int64 // where the next record goes
	last int64 // to of the last record appended

	mu     sync.Mutex // guards full, free, nextID
	full   []*segment // segments before cur, oldest first
	free   []*segment // checkpointed segments for reuse
	nextID int
}

type segment struct {
	f    *os.File
	path string
	size int64 // bytes written (records and zeros)
	last int64 // to of its last record
}

// Create starts an empty log in dir, which must hold no segments (Replay,
// then RemoveAll, after a crash). The first record must have from == rev,
// the store's revision.
func Create(dir string, rev int64, segSize int64) (*Log, error) {
	if segSize <= 0 {
		segSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return nil, err
	}
	if names, err := segments(dir); err != nil {
		return nil, err
	} else if len(names) > 0 {
		return nil, fmt.Errorf("wal: %s already holds segments", dir)
	}
	return &Log{dir: dir, segSize: segSize, last: rev, off: -1}, nil
}

// RecordHead is the size of a record's header: a buffer handed to
// AppendRecord starts with this many bytes of room for it.
const RecordHead = recHead

// Pos is where a record's payload lies in the log, for reading it back
// (ReadAt) until Release frees its segment.
type Pos struct {
	seg *segment
	off int64 // of the payload
	n   int64
}

// Len is the payload's length.
func (p Pos) Len() int64 { return p.n }

// Adjoins says whether q's record starts where p's payload ends, in the
// same segment (one read covers both).
func (p Pos) Adjoins(q Pos) bool { return p.seg == q.seg && q.off == p.off+p.n+recHead }

// Append writes the record (from, to] and makes it durable. from must be
// the to of the last record (or Create's rev).
func (l *Log) Append(from, to int64, payload []byte) error {
	rec := make([]byte, recHead, recHead+len(payload))
	_, err := l.AppendRecord(from, to, append(rec, payload...))
	return err
}

// AppendRecord is Append of the payload rec[RecordHead:]: the header is
// written into rec's first RecordHead bytes, and the record goes to the
// file from rec as it is, with no copy.
func (l *Log) AppendRecord(from, to int64, rec []byte) (Pos, error) {
	w, err := l.Begin(from, len(rec))
	if err != nil {
		return Pos{}, err
	}
	w.rec = rec
	w.n = int64(len(rec) - recHead)
	return w.Commit(to)
}

// Writer writes one record whose payload is not in memory at once: the
// payload goes to the file in pieces (Write), the header and the sync
// when it is complete (Commit). A record not committed is not in the
// log: its header slot is not written, so the chain ends before it.
type Writer struct {
	l    *Log
	from int64
	at   int64  // the record's offset
	n    int64  // payload bytes written
	crc  uint32 // of the payload written
	rec  []byte // AppendRecord's whole record (header room and payload), written by Commit
	err  error
}

// Begin starts the record that follows from; sizeHint (its expected size)
// decides whether it starts a new segment. Only one record is written at
// a time.
func (l *Log) Begin(from int64, sizeHint int) (*Writer, error) {
	if from != l.last {
		return nil, fmt.Errorf("wal: append after %d, the log is at %d", from, l.last)
	}
	if l.cur == nil || l.off+int64(recHead+sizeHint) > l.segSize && l.off > headerLen {
		if l.cur != nil {
			// A record still being synced there must not be torn behind a
			// whole one in the next segment (WriteRecord).
			if err := fdatasync(l.cur.f); err != nil {
				return nil, fmt.Errorf("wal: sync %s: %w", l.cur.path, err)
			}
		}
		if err := l.rotate(from); err != nil {
			return nil, err
		}
	}
	if l.off == headerLen {
		// Before the record, in the same page: a crash leaves the header
		// without the record (an empty segment), never the reverse.
		if _, err := l.cur.f.WriteAt(appendHeader(nil, from), 0); err != nil {
			return nil, fmt.Errorf("wal: write %s: %w", l.cur.path, err)
		}
	}
	return &Writer{l: l, from: from, at: l.off}, nil
}

// Write appends p to the record's payload in the file (not yet durable).
func (w *Writer) Write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.l.cur.f.WriteAt(p, w.at+recHead+w.n); err != nil {
		w.err = fmt.Errorf("wal: write %s: %w", w.l.cur.path, err)
		return w.err
	}
	w.crc = crc32.Update(w.crc, castagnoli, p)
	w.n += int64(len(p))
	return nil
}

// Commit writes the record's header as (from, to], zeros ahead of it, and
// makes it durable.
func (w *Writer) Commit(to int64) (Pos, error) {
	p, err := w.Finish(to)
	if err != nil {
		return p, err
	}
	return p, w.l.Sync(p)
}

// WriteRecord is AppendRecord without the sync: the record is written and
// the next one may follow it; it is durable once Sync(pos) returns.
//
// At most two records may be unsynced at once (the caller's rule): a
// crash can then leave the first torn and the second whole, which Replay
// takes for a torn tail (neither was acknowledged: the second is
// acknowledged only after the first is durable). A record that starts a
// segment is written only once the segment before is durable.
func (l *Log) WriteRecord(from, to int64, rec []byte) (Pos, error) {
	w, err := l.Begin(from, len(rec))
	if err != nil {
		return Pos{}, err
	}
	w.rec = rec
	w.n = int64(len(rec) - recHead)
	return w.Finish(to)
}

// Sync makes the record at p durable, with every record written before it
// in its segment. Several may run at once, and while later records are
// written.
func (l *Log) Sync(p Pos) error {
	if err := fdatasync(p.seg.f); err != nil {
		return fmt.Errorf("wal: sync %s: %w", p.seg.path, err)
	}
	return nil
}

// Finish is Commit without the sync (WriteRecord).
func (w *Writer) Finish(to int64) (Pos, error) {
	l := w.l
	if w.err != nil {
		return Pos{}, w.err
	}
	if to < w.from || w.n > 1<<32-1 {
		return Pos{}, fmt.Errorf("wal: record (%d, %d] of %d bytes", w.from, to, w.n)
	}
	rec := w.rec
	if rec == nil {
		rec = make([]byte, recHead) // the payload is in the file already
	}
	binary.LittleEndian.PutUint32(rec[0:], uint32(w.n))
	binary.LittleEndian.PutUint64(rec[8:], uint64(w.from))
	binary.LittleEndian.PutUint64(rec[16:], uint64(to))
	// The checksum covers the length and everything after the crc field.
	c := crc32.Update(0, castagnoli, rec[0:4])
	c = crc32.Update(c, castagnoli, rec[8:recHead])
	if w.rec != nil {
		c = crc32.Update(c, castagnoli, rec[recHead:])
	} else {
		c = crc32Combine(c, w.crc, w.n)
	}
	binary.LittleEndian.PutUint32(rec[4:], c)
	if _, err := l.cur.f.WriteAt(rec, w.at); err != nil {
		return Pos{}, fmt.Errorf("wal: write %s: %w", l.cur.path, err)
	}
	end := w.at + recHead + w.n
	if end > l.cur.size {
		// Zero ahead, so that the next records overwrite written blocks.
		size := min(end+growChunk, max(l.segSize, end))
		for at := end; at < size; {
			n := min(int64(len(zeros)), size-at)
			if _, err := l.cur.f.WriteAt(zeros[:n], at); err != nil {
				return Pos{}, fmt.Errorf("wal: write %s: %w", l.cur.path, err)
			}
			at += n
		}
		l.cur.size = size
	}
	l.off = end
	l.last = to
	l.cur.last = to
	w.err = errors.New("wal: record already committed")
	return Pos{seg: l.cur, off: w.at + recHead, n: w.n}, nil
}

// zeros is what segments are grown with.
var zeros = make([]byte, growChunk)

// ReadAt reads len(dst) bytes of the payload at p, from its byte off. The
// record must not have been released.
func (l *Log) ReadAt(p Pos, off int64, dst []byte) error {
	if off < 0 || off+int64(len(dst)) > p.n {
		return fmt.Errorf("wal: read %d bytes at %d of a %d-byte payload", len(dst), off, p.n)
	}
	if _, err := p.seg.f.ReadAt(dst, p.off+off); err != nil {
		return fmt.Errorf("wal: read %s: %w", p.seg.path, err)
	}
	return nil
}

// ReadRecords reads the payloads of ps, each record adjoining the one
// before it (Pos.Adjoins), with one read appended to dst (grown if short),
// and appends them to out: slices of the returned buffer.
func (l *Log) ReadRecords(ps []Pos, dst []byte, out [][]byte) ([]byte, [][]byte, error) {
	if len(ps) == 0 {
		return dst, out, nil
	}
	first, last := ps[0], ps[len(ps)-1]
	for i := 1; i < len(ps); i++ {
		if !ps[i-1].Adjoins(ps[i]) {
			return dst, out, errors.New("wal: read of records that do not adjoin")
		}
	}
	start := len(dst)
	dst = slices.Grow(dst, int(last.off+last.n-first.off))
	dst = dst[:start+int(last.off+last.n-first.off)]
	if _, err := first.seg.f.ReadAt(dst[start:], first.off); err != nil {
		return dst[:start], out, fmt.Errorf("wal: read %s: %w", first.seg.path, err)
	}
	for _, p := range ps {
		at := start + int(p.off-first.off)
		out = append(out, dst[at:at+int(p.n):at+int(p.n)])
	}
	return dst, out, nil
}

// Span is the bytes a read of ps (adjoining records) takes.
func Span(ps []Pos) int64 {
	if len(ps) == 0 {
		return 0
	}
	return ps[len(ps)-1].off + ps[len(ps)-1].n - ps[0].off
}

// rotate moves to a free segment, or a new one, whose header will say base.
func (l *Log) rotate(base int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil {
		l.full = append(l.full, l.cur)
		l.cur = nil
	}
	if n := len(l.free); n > 0 {
		l.cur = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		path := filepath.Join(l.dir, fmt.Sprintf("%016d%s", l.nextID, suffix))
		l.nextID++
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("wal: %w", err)
		}
		// The name must survive a crash before a record in it is acknowledged.
		if err := syncDir(l.dir); err != nil {
			f.Close()
			return fmt.Errorf("wal: %w", err)
		}
		l.cur = &segment{f: f, path: path}
	}
	l.cur.last = base
	l.off = headerLen
	return nil
}

// Release frees the segments whose records all lie at or below rev (the
// store has made them durable elsewhere): they are reused by later
// appends, or removed beyond a few. The current segment is never freed.
func (l *Log) Release(rev int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	keep := l.full[:0]
	for _, s := range l.full {
		switch {
		case s.last > rev:
			keep = append(keep, s)
		case len(l.free) < maxFree && s.size <= 2*l.segSize:
			l.free = append(l.free, s)
		default:
			// A crash before the removal is durable leaves records that
			// Replay skips (all at or below rev).
			errs = append(errs, s.f.Close(), os.Remove(s.path))
		}
	}
	clear(l.full[len(keep):])
	l.full = keep
	return errors.Join(errs...)
}

// Last returns the to of the last record appended.
func (l *Log) Last() int64 { return l.last }

// Close closes the segment files, leaving them as they are.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, s := range slices.Concat(l.full, l.free, []*segment{l.cur}) {
		if s != nil {
			errs = append(errs, s.f.Close())
		}
	}
	l.full, l.free, l.cur = nil, nil, nil
	return errors.Join(errs...)
}

// RemoveAll removes the log directory dir and its segments (after the store
// has made every record durable elsewhere). A missing dir is fine.
func RemoveAll(dir string) error {
	names, err := segments(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// segments lists the segment file names in dir, in name order.
func segments(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), suffix) {
			if _, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), suffix), 10, 64); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	return names, nil
}

func appendHeader(b []byte, base int64) []byte {
	start := len(b)
	b = append(b, magic[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(base))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
	return binary.LittleEndian.AppendUint32(b, 0)
}

// recordCRC is the checksum of the record r (its crc field is skipped).
func recordCRC(r []byte) uint32 {
	c := crc32.Update(0, castagnoli, r[0:4])
	return crc32.Update(c, castagnoli, r[8:])
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
