package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
)

// Damage.
//
// bbolt trusts its file: it maps it and follows page numbers and offsets
// as found. A truncated file then faults (SIGBUS) on the first page past
// its end, and a scrambled one panics, some of it on goroutines of its
// own, where no recover can reach (with NoFreelistSync, Open walks every
// page to rebuild the free list and panics on what it finds). So before
// bbolt sees a file, verifyFile reads it with plain reads and checks what
// bbolt's walk relies on: a valid meta page, a file as long as the meta
// says, and a page tree whose page numbers, types, element bounds and key
// order hold (the invariants of bbolt's tx.Check). What passes can be
// opened, and damage is reported as an error instead of a crash.
//
// The layout read here is bbolt's (go.etcd.io/bbolt internal/common:
// Page, Meta, branchPageElement, leafPageElement, InBucket), in the
// machine's byte order, which is little-endian on every platform kubesim
// builds for.

// ErrDamaged: the file is not a store that can be opened (truncated,
// scrambled, or not a bbolt file at all); nothing in it can be trusted.
var ErrDamaged = errors.New("store: the file is damaged")

// ErrUndecodable: one stored object cannot be read back. Options.Repair
// opens the store without such objects.
var ErrUndecodable = errors.New("store: a stored object cannot be decoded")

// DamageError describes what is wrong with a store file. It matches
// ErrDamaged, or ErrUndecodable when Key names one bad object.
type DamageError struct {
	Path    string
	Key     string // the undecodable object, if that is the damage
	Problem string
}

func (e *DamageError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("store: %s: object %s cannot be decoded: %s", e.Path, e.Key, e.Problem)
	}
	return fmt.Sprintf("store: %s is damaged: %s", e.Path, e.Problem)
}

// Is makes errors.Is(err, ErrDamaged) or ErrUndecodable true.
func (e *DamageError) Is(target error) bool {
	if e.Key != "" {
		return target == ErrUndecodable
	}
	return target == ErrDamaged
}

// bbolt's on-disk constants.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16 // id u64, flags u16, count u16, overflow u32
	elemSize         = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeaderSize = 16 // root pgid u64, sequence u64
	metaSize         = 64
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01
	noFreelist       = ^uint64(0)
	maxPageSize      = 1 << 16
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

var le = binary.LittleEndian

// parseMeta reads the meta of a meta page (b starts at the page header);
// ok is false when its magic, version or checksum is wrong.
func parseMeta(b []byte) (boltMeta, bool) {
	if len(b) < pageHeaderSize+metaSize || le.Uint16(b[8:10])&metaPageFlag == 0 {
		return boltMeta{}, false
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	if le.Uint32(m[0:4]) != boltMagic || le.Uint32(m[4:8]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:64]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(m[8:12]), root: le.Uint64(m[16:24]), freelist: le.Uint64(m[32:40]), pgid: le.Uint64(m[40:48]), txid: le.Uint64(m[48:56])}, true
}

// verifyFile checks the file at path as described above. A missing or
// empty file passes (bbolt creates a new store in it; whether that is
// wanted is the caller's business).
func verifyFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == 0 {
		return nil
	}
	damaged := func(format string, args ...any) error {
		return &DamageError{Path: path, Problem: fmt.Sprintf(format, args...)}
	}
	head := make([]byte, 4096)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	// Either meta page may be the good one; bbolt uses the valid one with
	// the higher transaction id.
	var best boltMeta
	found := false
	m0, ok0 := parseMeta(head)
	if ok0 {
		best, found = m0, true
	}
	for _, ps := range []int64{int64(m0.pageSize), 4096, 8192, 16384, 32768, 65536} {
		if ps <= 0 || (ok0 && ps != int64(m0.pageSize)) {
			continue
		}
		b := make([]byte, pageHeaderSize+metaSize)
		if _, err := f.ReadAt(b, ps); err != nil {
			continue
		}
		if m1, ok := parseMeta(b); ok && int64(m1.pageSize) == ps {
			if !found || m1.txid > best.txid {
				best = m1
			}
			found = true
			break
		}
	}
	if !found {
		if n < pageHeaderSize+metaSize {
			return damaged("the file is %d bytes, too short to be a kubesim store", fi.Size())
		}
		return damaged("neither of its two header (meta) pages is valid: it is not a kubesim store, or its start was overwritten")
	}
	ps := int64(best.pageSize)
	if ps < 1024 || ps > maxPageSize || ps&(ps-1) != 0 {
		return damaged("invalid page size %d", ps)
	}
	if need := int64(best.pgid) * ps; best.pgid < 2 || best.pgid > uint64(fi.Size()/ps)+1 || fi.Size() < need {
		return damaged("the file is truncated: %d bytes, its header says %d", fi.Size(), need)
	}
	// bbolt opens a file whose other meta page is invalid, but its check
	// asserts that pages 0 and 1 name themselves (the meta checksum does
	// not cover the page header).
	for id := int64(0); id < 2; id++ {
		b := make([]byte, 8)
		if _, err := f.ReadAt(b, id*ps); err != nil {
			return damaged("header (meta) page %d is missing", id)
		}
		if got := le.Uint64(b); got != uint64(id) {
			return damaged("header (meta) page %d identifies as page %d", id, got)
		}
	}
	v := &verifier{r: f, pageSize: ps, hwm: best.pgid, seen: make([]uint64, (best.pgid+63)/64)}
	if best.freelist != noFreelist {
		p, err := v.page(best.freelist)
		if err != nil {
			return damaged("free list: %v", err)
		}
		if le.Uint16(p[8:10])&freelistPageFlag == 0 {
			return damaged("page %d: the free list page has type %#x", best.freelist, le.Uint16(p[8:10]))
		}
	}
	if err := v.tree(best.root, nil, nil, 0); err != nil {
		return damaged("%v", err)
	}
	return nil
}

// verifier walks a bbolt page tree with plain reads.
type verifier struct {
	r        io.ReaderAt
	pageSize int64
	hwm      uint64   // pages below it exist
	seen     []uint64 // bitmap of the pages reached
}

// maxDepth bounds the walk: a cycle the seen set misses cannot recurse
// forever (bbolt trees are a handful of levels deep).
const maxDepth = 64

// page reads page id with its overflow pages, checking id and bounds.
func (v *verifier) page(id uint64) ([]byte, error) {
	if id < 2 || id >= v.hwm {
		return nil, fmt.Errorf("page %d is out of bounds (the file has %d)", id, v.hwm)
	}
	// One read for the page; a second for its overflow pages, if any.
	b := make([]byte, v.pageSize)
	if _, err := v.r.ReadAt(b, int64(id)*v.pageSize); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	if got := le.Uint64(b[0:8]); got != id {
		return nil, fmt.Errorf("page %d says it is page %d", id, got)
	}
	overflow := uint64(le.Uint32(b[12:16]))
	if id+overflow >= v.hwm {
		return nil, fmt.Errorf("page %d: %d overflow pages run past the end", id, overflow)
	}
	for i := id; i <= id+overflow; i++ {
		if v.seen[i/64]&(1<<(i%64)) != 0 {
			return nil, fmt.Errorf("page %d is referenced twice", i)
		}
		v.seen[i/64] |= 1 << (i % 64)
	}
	if overflow > 0 {
		b = append(b, make([]byte, int64(overflow)*v.pageSize)...)
		if _, err := v.r.ReadAt(b[v.pageSize:], int64(id+1)*v.pageSize); err != nil {
			return nil, fmt.Errorf("page %d: %v", id, err)
		}
	}
	return b, nil
}

// tree checks the subtree at page id: keys within [lo, hi) (nil: open).
func (v *verifier) tree(id uint64, lo, hi []byte, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("page %d: the tree is deeper than %d levels", id, maxDepth)
	}
	p, err := v.page(id)
	if err != nil {
		return err
	}
	return v.node(id, p, lo, hi, depth)
}

// node checks one page (or an inline bucket's page) held in p.
func (v *verifier) node(id uint64, p []byte, lo, hi []byte, depth int) error {
	flags, count := le.Uint16(p[8:10]), int(le.Uint16(p[10:12]))
	if pageHeaderSize+count*elemSize > len(p) {
		return fmt.Errorf("page %d: %d elements do not fit in %d bytes", id, count, len(p))
	}
	elem := func(i int) []byte { return p[pageHeaderSize+i*elemSize : pageHeaderSize+(i+1)*elemSize] }
	slice := func(i int, pos, size uint32) ([]byte, error) {
		start := pageHeaderSize + i*elemSize + int(pos)
		end := start + int(size)
		if int(pos) < 0 || end < start || end > len(p) {
			return nil, fmt.Errorf("page %d: element %d points outside the page", id, i)
		}
		return p[start:end], nil
	}
	inOrder := func(i int, key, prev []byte) error {
		if (i == 0 && prev != nil && bytes.Compare(prev, key) > 0) || (i > 0 && bytes.Compare(prev, key) >= 0) || (hi != nil && bytes.Compare(key, hi) >= 0) {
			return fmt.Errorf("page %d: key %d is out of order", id, i)
		}
		return nil
	}
	switch {
	case flags&branchPageFlag != 0:
		keys := make([][]byte, count)
		for i := range count {
			e := elem(i)
			k, err := slice(i, le.Uint32(e[0:4]), le.Uint32(e[4:8]))
			if err != nil {
				return err
			}
			keys[i] = k
		}
		prev := lo
		for i := range count {
			if err := inOrder(i, keys[i], prev); err != nil {
				return err
			}
			next := hi
			if i+1 < count {
				next = keys[i+1]
			}
			if err := v.tree(le.Uint64(elem(i)[8:16]), keys[i], next, depth+1); err != nil {
				return err
			}
			prev = keys[i]
		}
		return nil
	case flags&leafPageFlag != 0:
		prev := lo
		for i := range count {
			e := elem(i)
			ksize, vsize := le.Uint32(e[8:12]), le.Uint32(e[12:16])
			kv, err := slice(i, le.Uint32(e[4:8]), ksize+vsize)
			if err != nil || ksize+vsize < ksize {
				return fmt.Errorf("page %d: element %d points outside the page", id, i)
			}
			key, val := kv[:ksize], kv[ksize:]
			if err := inOrder(i, key, prev); err != nil {
				return err
			}
			prev = key
			if le.Uint32(e[0:4])&bucketLeafFlag == 0 {
				continue
			}
			if len(val) < bucketHeaderSize {
				return fmt.Errorf("page %d: bucket %q has a %d-byte header", id, key, len(val))
			}
			if root := le.Uint64(val[0:8]); root != 0 {
				if err := v.tree(root, nil, nil, depth+1); err != nil {
					return err
				}
				continue
			}
			// An inline bucket: its page follows the header in the value.
			inline := val[bucketHeaderSize:]
			if len(inline) < pageHeaderSize {
				return fmt.Errorf("page %d: inline bucket %q is truncated", id, key)
			}
			if le.Uint16(inline[8:10])&leafPageFlag == 0 {
				return fmt.Errorf("page %d: inline bucket %q is not a leaf", id, key)
			}
			if depth+1 > maxDepth {
				return fmt.Errorf("page %d: the tree is deeper than %d levels", id, maxDepth)
			}
			if err := v.node(id, inline, nil, nil, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("page %d has type %#x, neither branch nor leaf", id, flags)
}

// guarded runs fn (bbolt's open, or the load of its pages) so that what
// verifyFile could not rule out still ends as an error: a bbolt panic on
// this goroutine is recovered, and a fault on the mapped file (a file cut
// short under us) becomes a panic, recovered too (runtime/debug
// SetPanicOnFault).
func guarded[T any](path string, fn func() (T, error)) (v T, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamageError{Path: path, Problem: fmt.Sprint(r)}
		}
	}()
	return fn()
}
