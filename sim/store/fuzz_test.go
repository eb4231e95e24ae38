package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzStoreFile: any bytes in store.db open as a store or give a
// DamageError, never a panic or a fault; a file that opens passes the
// consistency check and takes a write that survives a reopen.
func FuzzStoreFile(f *testing.F) {
	f.Add(damageFixture(f, 20))
	f.Add(damageFixture(f, 0))
	f.Fuzz(func(t *testing.T, file []byte) {
		path := filepath.Join(t.TempDir(), "store.db")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(Options{Path: path, NoSync: true, Decode: strictDecode})
		if err != nil {
			if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrUndecodable) {
				t.Fatalf("error %v is neither ErrDamaged nor ErrUndecodable", err)
			}
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("opened, but the check fails: %v", err)
		}
		n := s.Count("")
		if _, err := s.Create("/registry/pods/default/p9999", []byte("v9999:"), nil); err != nil && !errors.Is(err, ErrExists) {
			t.Fatalf("write: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		s, err = Open(Options{Path: path, NoSync: true, Decode: strictDecode})
		if err != nil {
			t.Fatalf("reopen after a write: %v", err)
		}
		defer s.Close()
		if got := s.Count(""); got != n && got != n+1 {
			t.Fatalf("reopened with %d keys, had %d before the write", got, n)
		}
	})
}
