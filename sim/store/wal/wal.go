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
	buf    []byte // Append's scratch
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

// Append writes the record (from, to] and makes it durable. from must be
// the to of the last record (or Create's rev).
func (l *Log) Append(from, to int64, payload []byte) error {
	if from != l.last || to < from {
		return fmt.Errorf("wal: append (%d, %d] after %d", from, to, l.last)
	}
	n := int64(recHead + len(payload))
	if l.cur == nil || l.off+n > l.segSize && l.off > headerLen {
		if err := l.rotate(from); err != nil {
			return err
		}
	}
	b := l.buf[:0]
	if l.off == headerLen {
		// The header goes with the first record: one write, one sync.
		b = appendHeader(b, from)
	}
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, uint64(from))
	b = binary.LittleEndian.AppendUint64(b, uint64(to))
	b = append(b, payload...)
	binary.LittleEndian.PutUint32(b[start+4:], recordCRC(b[start:]))
	at := l.off - int64(start)
	end := at + int64(len(b))
	if end > l.cur.size {
		// Zero ahead, so that the next records overwrite written blocks.
		size := min(end+growChunk, max(l.segSize, end))
		b = append(b, make([]byte, size-end)...)
	}
	if cap(b) <= 1<<20 {
		l.buf = b[:0]
	}
	if _, err := l.cur.f.WriteAt(b, at); err != nil {
		return fmt.Errorf("wal: write %s: %w", l.cur.path, err)
	}
	if err := fdatasync(l.cur.f); err != nil {
		return fmt.Errorf("wal: sync %s: %w", l.cur.path, err)
	}
	l.cur.size = max(l.cur.size, at+int64(len(b)))
	l.off = end
	l.last = to
	l.cur.last = to
	return nil
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
