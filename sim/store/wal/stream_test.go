package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 100, 4095, 4096, 65537, 1 << 20} {
		a := make([]byte, r.IntN(300))
		b := make([]byte, n)
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.Update(crc32.Checksum(a, castagnoli), castagnoli, b)
		if got := crc32Combine(crc32.Checksum(a, castagnoli), crc32.Checksum(b, castagnoli), int64(n)); got != want {
			t.Errorf("len(B) %d: combined %08x, want %08x", n, got, want)
		}
	}
}

// A record written in pieces (Begin, Write, Commit) reads back as the one
// AppendRecord writes, and ReadAt and ReadRecords return its payload.
func TestStreamedRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	l, err := Create(dir, 0, 1<<12)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1000) // bigger than a segment
	var ps []Pos
	var want [][]byte
	for r := int64(0); r < 6; r++ {
		p := payload(r, r+1)
		if r == 2 || r == 4 {
			p = append(p, big...)
		}
		var pos Pos
		if r%2 == 0 {
			w, err := l.Begin(r, len(p))
			if err != nil {
				t.Fatal(err)
			}
			for rest := p; len(rest) > 0; {
				n := min(len(rest), 777)
				if err := w.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if pos, err = w.Commit(r + 1); err != nil {
				t.Fatal(err)
			}
		} else {
			rec := append(make([]byte, RecordHead), p...)
			if pos, err = l.AppendRecord(r, r+1, rec); err != nil {
				t.Fatal(err)
			}
		}
		if pos.Len() != int64(len(p)) {
			t.Errorf("record %d: Len %d, want %d", r, pos.Len(), len(p))
		}
		ps = append(ps, pos)
		want = append(want, p)
	}
	var got [][]byte
	rev, err := Replay(dir, 0, func(r Record) error {
		got = append(got, bytes.Clone(r.Payload))
		return nil
	})
	if err != nil || rev != 6 || len(got) != 6 {
		t.Fatalf("replay: %d records, rev %d, err %v", len(got), rev, err)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("record %d replays as %d bytes %.20q…, want %d bytes %.20q…", i, len(got[i]), got[i], len(want[i]), want[i])
		}
	}
	for i, p := range ps {
		b := make([]byte, p.Len()-3)
		if err := l.ReadAt(p, 3, b); err != nil || !bytes.Equal(b, want[i][3:]) {
			t.Errorf("ReadAt record %d: %v, equal %v", i, err, bytes.Equal(b, want[i][3:]))
		}
	}
	if err := l.ReadAt(ps[0], 1, make([]byte, ps[0].Len())); err == nil {
		t.Error("ReadAt beyond the payload: no error")
	}
	// Records 0 and 1 adjoin (small, one segment); 1 and 2 do not (2 is
	// bigger than a segment and starts one).
	if !ps[0].Adjoins(ps[1]) || ps[1].Adjoins(ps[2]) {
		t.Errorf("Adjoins: 0-1 %v, 1-2 %v", ps[0].Adjoins(ps[1]), ps[1].Adjoins(ps[2]))
	}
	_, out, err := l.ReadRecords(ps[:2], nil, nil)
	if err != nil || len(out) != 2 || !bytes.Equal(out[0], want[0]) || !bytes.Equal(out[1], want[1]) {
		t.Errorf("ReadRecords: %.40q, %v", out, err)
	}
	if _, _, err := l.ReadRecords(ps[1:3], nil, nil); err == nil {
		t.Error("ReadRecords of records that do not adjoin: no error")
	}
}

// A record begun but not committed is not in the log.
func TestUncommittedRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	l, err := Create(dir, 0, 1<<12)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(0, 1, payload(0, 1)); err != nil {
		t.Fatal(err)
	}
	w, err := l.Begin(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(payload(1, 2)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, rev, err := replayed(t, dir, 0)
	if err != nil || rev != 1 || len(got) != 1 {
		t.Fatalf("replay: %v, rev %d, err %v", got, rev, err)
	}
}

// TestTornInflightPair: records written without a sync between them
// (WriteRecord) may be torn in order or not: the second-to-last damaged
// with the last whole is a torn tail (neither was acknowledged), but with
// more good records after it, or a later segment, it is damage.
func TestTornInflightPair(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	l, err := Create(dir, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var ps []Pos
	for r := int64(0); r < 6; r++ {
		p, err := l.WriteRecord(r, r+1, append(make([]byte, RecordHead), payload(r, r+1)...))
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if err := l.Sync(ps[5]); err != nil {
		t.Fatal(err)
	}
	path := ps[0].seg.path
	l.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rec     int
		wantRev int64 // -1: damage
	}{{5, 5}, {4, 4}, {3, -1}, {0, -1}} {
		bad := bytes.Clone(b)
		bad[ps[c.rec].off+2] ^= 0x10 // in the payload: the checksum fails
		os.WriteFile(path, bad, 0o600)
		got, rev, err := replayed(t, dir, 0)
		if c.wantRev < 0 {
			var de *DamageError
			if !errors.As(err, &de) {
				t.Errorf("record %d damaged: %d records, rev %d, err %v; want damage", c.rec, len(got), rev, err)
			}
			continue
		}
		if err != nil || rev != c.wantRev {
			t.Errorf("record %d damaged: rev %d, err %v; want a torn tail at %d", c.rec, rev, err, c.wantRev)
		}
	}
	// The same pair in a segment with a later one after it: damage.
	bad := bytes.Clone(b)
	bad[ps[4].off+2] ^= 0x10
	os.WriteFile(path, bad, 0o600)
	later := filepath.Join(dir, fmt.Sprintf("%016d%s", 99, suffix))
	rec := appendHeader(nil, 6)
	rec = binary.LittleEndian.AppendUint32(rec, uint32(len(payload(6, 7))))
	rec = binary.LittleEndian.AppendUint32(rec, 0)
	rec = binary.LittleEndian.AppendUint64(rec, 6)
	rec = binary.LittleEndian.AppendUint64(rec, 7)
	rec = append(rec, payload(6, 7)...)
	binary.LittleEndian.PutUint32(rec[headerLen+4:], recordCRC(rec[headerLen:]))
	os.WriteFile(later, rec, 0o600)
	if _, _, err := replayed(t, dir, 0); err == nil {
		t.Error("a torn pair with a later segment after it: no damage reported")
	}
}
