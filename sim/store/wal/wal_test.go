package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// payload is the test record for (from, to]: its text names it.
func payload(from, to int64) []byte {
	return []byte(fmt.Sprintf("(%d,%d]%s", from, to, strings.Repeat("x", int(to%50))))
}

// write appends records of one revision each from rev 0 to n and closes the log.
func write(t *testing.T, dir string, n int64, segSize int64) {
	t.Helper()
	l, err := Create(dir, 0, segSize)
	if err != nil {
		t.Fatal(err)
	}
	for r := int64(0); r < n; r++ {
		if err := l.Append(r, r+1, payload(r, r+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// replayed returns the records Replay hands over after rev.
func replayed(t *testing.T, dir string, after int64) ([]string, int64, error) {
	t.Helper()
	var got []string
	rev, err := Replay(dir, after, func(r Record) error {
		if want := payload(r.From, r.To); string(r.Payload) != string(want) {
			t.Errorf("record (%d,%d] payload %q, want %q", r.From, r.To, r.Payload, want)
		}
		got = append(got, fmt.Sprintf("%d-%d", r.From, r.To))
		return nil
	})
	return got, rev, err
}

func want(from, to int64) []string {
	var w []string
	for r := from; r < to; r++ {
		w = append(w, fmt.Sprintf("%d-%d", r, r+1))
	}
	return w
}

func TestReplayAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	write(t, dir, 100, 1<<10) // small segments: several rotations
	for _, after := range []int64{0, 1, 37, 99, 100} {
		got, rev, err := replayed(t, dir, after)
		if err != nil || rev != 100 {
			t.Fatalf("after %d: rev %d, err %v", after, rev, err)
		}
		if d := cmp.Diff(want(after, 100), got); d != "" {
			t.Errorf("after %d (-want +got):\n%s", after, d)
		}
	}
	if names, _ := segments(dir); len(names) < 3 {
		t.Errorf("%d segments, want several", len(names))
	}
	if last, err := Scan(dir); last != 100 || err != nil {
		t.Errorf("Scan: %d, %v", last, err)
	}
}

// lastRecord returns the path and bytes of the segment with the highest
// base, and the offset of its last record.
func lastRecord(t *testing.T, dir string) (string, []byte, int) {
	t.Helper()
	segs, err := read(dir)
	if err != nil || len(segs) == 0 {
		t.Fatal(err)
	}
	s := segs[len(segs)-1]
	b, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	off := headerLen
	for _, r := range s.recs[:len(s.recs)-1] {
		off += recHead + len(r.Payload)
	}
	return s.path, b, off
}

// TestTornTail cuts the last record at every byte (the file ends there, or
// the rest is zeros as in a grown segment): Replay returns every record
// before it, without error.
func TestTornTail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	write(t, dir, 20, 0)
	path, b, off := lastRecord(t, dir)
	end := off + recHead + len(payload(19, 20))
	for cut := off; cut < end; cut++ {
		for _, zeros := range []bool{false, true} {
			torn := append([]byte(nil), b[:cut]...)
			if zeros {
				torn = append(torn, make([]byte, len(b)-cut)...)
			}
			if err := os.WriteFile(path, torn, 0o600); err != nil {
				t.Fatal(err)
			}
			got, rev, err := replayed(t, dir, 0)
			if err != nil || rev != 19 {
				t.Fatalf("cut at %d (zeros %v): rev %d, err %v", cut, zeros, rev, err)
			}
			if d := cmp.Diff(want(0, 19), got); d != "" {
				t.Fatalf("cut at %d (-want +got):\n%s", cut, d)
			}
		}
	}
}

// TestBadChecksum: a flipped byte in the last record ends the log there (a
// torn write); in an earlier record, with good records after it, it is
// damage, reported in one line.
func TestBadChecksum(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	write(t, dir, 20, 0)
	path, b, off := lastRecord(t, dir)
	for i := off; i < off+recHead+len(payload(19, 20)); i++ {
		bad := append([]byte(nil), b...)
		bad[i] ^= 0x40
		os.WriteFile(path, bad, 0o600)
		got, rev, err := replayed(t, dir, 0)
		if err != nil || rev != 19 || len(got) != 19 {
			t.Fatalf("byte %d of the last record flipped: rev %d, %d records, err %v", i-off, rev, len(got), err)
		}
	}
	// The fifth record of the segment.
	mid := headerLen
	for r := int64(0); r < 4; r++ {
		mid += recHead + len(payload(r, r+1))
	}
	for _, i := range []int{mid, mid + 4, mid + 9, mid + recHead + 2} {
		bad := append([]byte(nil), b...)
		bad[i] ^= 0x01
		os.WriteFile(path, bad, 0o600)
		_, _, err := replayed(t, dir, 0)
		var de *DamageError
		if !errors.As(err, &de) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("byte %d flipped: err %v, want a one-line DamageError", i, err)
		}
		if _, err := Scan(dir); err == nil {
			t.Errorf("byte %d flipped: Scan finds no damage", i)
		}
		// A store already past the damaged record needs nothing from it.
		got, rev, err := replayed(t, dir, 10)
		if err != nil || rev != 20 || !cmp.Equal(got, want(10, 20)) {
			t.Errorf("byte %d flipped, replay after 10: %v, rev %d, err %v", i, got, rev, err)
		}
	}
	os.WriteFile(path, append([]byte("not a log header at all, really"), b[headerLen-1:]...), 0o600)
	if _, _, err := replayed(t, dir, 0); err == nil || !strings.Contains(err.Error(), "not a kubesim log header") {
		t.Errorf("scrambled header: %v", err)
	}
}

// TestGap: a segment lost from the middle of the log is damage, unless the
// store is past it already.
func TestGap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	write(t, dir, 100, 1<<10)
	segs, _ := read(dir)
	lost := segs[1]
	os.Remove(lost.path)
	if _, _, err := replayed(t, dir, 0); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("lost segment: %v", err)
	}
	after := lost.recs[len(lost.recs)-1].To
	got, rev, err := replayed(t, dir, after)
	if err != nil || rev != 100 {
		t.Fatalf("lost segment below the store's revision: %d, %v", rev, err)
	}
	if d := cmp.Diff(want(after, 100), got); d != "" {
		t.Error(d)
	}
}

// TestReleaseReuse: checkpointed segments are reused; their older records
// never come back, and the log reads the same after each release.
func TestReleaseReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	l, err := Create(dir, 0, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for r := int64(0); r < 400; r++ {
		if err := l.Append(r, r+1, payload(r, r+1)); err != nil {
			t.Fatal(err)
		}
		if r%30 == 29 {
			// A checkpoint at r-10: what Replay hands over from there.
			ck := r - 10
			if err := l.Release(ck); err != nil {
				t.Fatal(err)
			}
			got, rev, err := replayed(t, dir, ck)
			if err != nil || rev != r+1 {
				t.Fatalf("after release at %d: rev %d, err %v", ck, rev, err)
			}
			if d := cmp.Diff(want(ck, r+1), got); d != "" {
				t.Fatalf("after release at %d (-want +got):\n%s", ck, d)
			}
		}
	}
	if names, _ := segments(dir); len(names) > 6 {
		t.Errorf("%d segments after releases, want few (reused)", len(names))
	}
	if err := l.Append(5, 6, nil); err == nil {
		t.Error("an append out of order was accepted")
	}
}

// TestNeverWritten: a segment created but never written (a crash between
// the two) is no record and no damage.
func TestNeverWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store.db.wal")
	write(t, dir, 10, 0)
	os.WriteFile(filepath.Join(dir, "0000000000000001.wal"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "0000000000000002.wal"), make([]byte, 100), 0o600)
	if got, rev, err := replayed(t, dir, 0); err != nil || rev != 10 || len(got) != 10 {
		t.Errorf("rev %d, %d records, err %v", rev, len(got), err)
	}
	if err := RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveAll left %s: %v", dir, err)
	}
}
