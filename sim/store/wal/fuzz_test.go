package wal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSegment: whatever a segment file holds, Replay and Scan return
// records in chain order or a one-line error, never a panic.
func FuzzSegment(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "seed")
	l, err := Create(dir, 0, 1<<10)
	if err != nil {
		f.Fatal(err)
	}
	for r := int64(0); r < 8; r++ {
		if err := l.Append(r, r+2, payload(r, r+2)); err != nil {
			f.Fatal(err)
		}
		r++
	}
	l.Close()
	names, _ := segments(dir)
	b, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		f.Fatal(err)
	}
	end := len(b)
	for end > headerLen && b[end-1] == 0 {
		end--
	}
	f.Add(b[:end])
	f.Add(b[:end/2])
	f.Add(b[:headerLen])
	f.Add([]byte{})
	f.Add(append(append([]byte(nil), b[:headerLen]...), 0xff, 0xff, 0xff, 0x7f))
	f.Fuzz(func(t *testing.T, seg []byte) {
		dir := filepath.Join(t.TempDir(), "w")
		os.MkdirAll(dir, 0o700)
		if err := os.WriteFile(filepath.Join(dir, "0000000000000000.wal"), seg, 0o600); err != nil {
			t.Fatal(err)
		}
		prev := int64(-1)
		rev, err := Replay(dir, 0, func(r Record) error {
			if prev >= 0 && r.From != prev || r.To < r.From {
				t.Fatalf("record (%d, %d] after %d", r.From, r.To, prev)
			}
			prev = r.To
			return nil
		})
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
		if err == nil && prev >= 0 && rev != prev {
			t.Errorf("Replay returned %d, its last record reached %d", rev, prev)
		}
		Scan(dir)
	})
}
