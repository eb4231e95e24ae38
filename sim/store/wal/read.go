package wal

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
)

// DamageError says what is wrong with a log: not a torn tail (what a crash
// leaves, and Replay stops at) but records missing or damaged before the
// end, which Replay cannot recover.
type DamageError struct {
	Path    string // the segment concerned, or the directory
	Problem string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("write-ahead log %s is damaged: %s", e.Path, e.Problem)
}

// Record is one record read back. Payload points into the segment as read.
type Record struct {
	From, To int64
	Payload  []byte
}

// Replay calls fn, in revision order, for every record with To > after,
// and returns the revision the last one reached (after if none). The first
// such record must have From == after, each next From == the previous To;
// a gap is damage (reported as the damaged record that made it, if one
// did). A damaged record whose revisions the store already holds (at or
// below after) is no error: the records past it are replayed. A missing
// dir is an empty log.
func Replay(dir string, after int64, fn func(Record) error) (int64, error) {
	segs, err := read(dir)
	if err != nil {
		return after, err
	}
	rev := after
	for _, s := range segs {
		for _, r := range s.recs {
			if r.To <= rev {
				continue
			}
			if r.From != rev {
				if s.damage != nil {
					return rev, s.damage
				}
				return rev, &DamageError{Path: s.path, Problem: fmt.Sprintf("it resumes after revision %d, but the store and the log before it reach only revision %d (%s missing)", r.From, rev, revisions(rev+1, r.From))}
			}
			if err := fn(r); err != nil {
				return rev, err
			}
			rev = r.To
		}
	}
	return rev, nil
}

// Scan checks the log as Replay would and returns the revision its records
// reach (0 if it has none).
func Scan(dir string) (int64, error) {
	segs, err := read(dir)
	if err != nil {
		return 0, err
	}
	var last int64
	for _, s := range segs {
		if n := len(s.recs); n > 0 {
			if last != 0 && s.recs[0].From > last {
				return last, &DamageError{Path: s.path, Problem: fmt.Sprintf("it resumes at revision %d after a segment that ends at %d", s.recs[0].From, last)}
			}
			last = max(last, s.recs[n-1].To)
		}
		if s.damage != nil {
			return last, s.damage
		}
	}
	return last, nil
}

type readSeg struct {
	path   string
	base   int64
	recs   []Record
	damage error // a damaged record with good ones beyond it
	// pairAt is the offset of a damaged record followed by exactly one
	// good one that ends the segment (0: none): a torn tail if the
	// segment is the log's last (read).
	pairAt int
}

// inflightPair says whether the record r found at at (after a damaged
// one) is the last of its chain: nothing follows it, not even after more
// damage.
func inflightPair(b []byte, at int, r Record) bool {
	next := at + recHead + len(r.Payload)
	if n, ok := record(b, next); ok && n.From == r.To {
		return false
	}
	_, ok := resume(b, next, r.To)
	return !ok
}

// read parses every segment of dir, ordered by base revision. A segment
// with a damaged record is returned with the good records on both sides
// of it and its damage (which Replay reports only if the store needs
// what was lost); one whose header is damaged is an error.
func read(dir string) ([]readSeg, error) {
	names, err := segments(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var segs []readSeg
	for _, n := range names {
		path := filepath.Join(dir, n)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		s, err := parse(path, b)
		if err != nil {
			return nil, err
		}
		if s != nil {
			segs = append(segs, *s)
		}
	}
	slices.SortStableFunc(segs, func(a, b readSeg) int { return cmp.Compare(a.base, b.base) })
	// A torn pair is a torn tail only in the last segment with records.
	for i := range segs {
		if segs[i].pairAt == 0 || segs[i].damage != nil {
			continue
		}
		for _, later := range segs[i+1:] {
			if len(later.recs) > 0 {
				segs[i].damage = &DamageError{Path: segs[i].path, Problem: fmt.Sprintf("the record at offset %d (after revision %d) is damaged, and good records follow it", segs[i].pairAt, lastTo(segs[i]))}
				break
			}
		}
	}
	return segs, nil
}

// parse reads one segment: nil if it was created but never written (a
// crash between creating the file and its first record).
func parse(path string, b []byte) (*readSeg, error) {
	damaged := func(format string, args ...any) error {
		return &DamageError{Path: path, Problem: fmt.Sprintf(format, args...)}
	}
	if len(b) < headerLen || bytes.Equal(b[:headerLen], make([]byte, headerLen)) {
		if len(bytes.Trim(b, "\x00")) == 0 {
			return nil, nil // never written
		}
		if len(b) < headerLen {
			return nil, damaged("it is %d bytes, too short for its header", len(b))
		}
	}
	h := b[:headerLen]
	if !bytes.Equal(h[:16], magic[:]) {
		return nil, damaged("its header is not a kubesim log header")
	}
	if crc32.Checksum(h[:24], castagnoli) != binary.LittleEndian.Uint32(h[24:28]) {
		return nil, damaged("its header has a bad checksum")
	}
	s := &readSeg{path: path, base: int64(binary.LittleEndian.Uint64(h[16:24]))}
	prev := s.base
	off := headerLen
	for {
		r, ok := record(b, off)
		if !ok || r.From != prev {
			// What follows the chain is a torn write, zeros, or an older
			// generation's records (lower revisions). A good record
			// further on with later revisions means the one here was
			// damaged: the chain resumes there, and Replay decides
			// whether what was lost is already in the store.
			at, ok := resume(b, off, prev)
			if !ok {
				break
			}
			r, _ = record(b, at)
			if inflightPair(b, at, r) {
				// The record here was being synced while the one found
				// next was written (WriteRecord): a crash tore the first
				// and left the second whole. Neither was acknowledged: a
				// torn tail, if nothing follows in a later segment.
				s.pairAt = off
				break
			}
			if s.damage == nil {
				s.damage = damaged("the record at offset %d (after revision %d) is damaged, and a good record (%s) follows it at offset %d", off, prev, revisions(r.From+1, r.To), at)
			}
			off = at
		}
		s.recs = append(s.recs, r)
		prev = r.To
		off += recHead + len(r.Payload)
	}
	return s, nil
}

// lastTo is the revision the segment's good records reach.
func lastTo(s readSeg) int64 {
	if n := len(s.recs); n > 0 {
		return s.recs[n-1].To
	}
	return s.base
}

// resume finds the first good record after off whose revisions follow
// prev.
func resume(b []byte, off int, prev int64) (int, bool) {
	for at := off + 1; at+recHead <= len(b); at++ {
		// A record's length is not 0: skip runs of zeros (what a segment
		// is grown with) to the last 3 bytes before the next non-zero one.
		if b[at] == 0 {
			nz := len(b) - len(bytes.TrimLeft(b[at:], "\x00"))
			at = max(at, nz-3)
		}
		if r, ok := record(b, at); ok && r.From >= prev {
			return at, true
		}
	}
	return 0, false
}

// record reads the record at off, if it is whole and its checksum holds.
func record(b []byte, off int) (Record, bool) {
	if off+recHead > len(b) {
		return Record{}, false
	}
	n := int(binary.LittleEndian.Uint32(b[off:]))
	if n == 0 && binary.LittleEndian.Uint64(b[off+16:]) == 0 || off+recHead+n > len(b) || n < 0 {
		return Record{}, false
	}
	from, to := int64(binary.LittleEndian.Uint64(b[off+8:])), int64(binary.LittleEndian.Uint64(b[off+16:]))
	if to < from || from < 0 {
		return Record{}, false
	}
	r := b[off : off+recHead+n]
	if recordCRC(r) != binary.LittleEndian.Uint32(b[off+4:]) {
		return Record{}, false
	}
	return Record{From: from, To: to, Payload: r[recHead:]}, true
}

// revisions names the revisions from to to.
func revisions(from, to int64) string {
	if from == to {
		return fmt.Sprintf("revision %d", from)
	}
	return fmt.Sprintf("revisions %d to %d", from, to)
}
