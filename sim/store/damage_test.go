package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damageFixture writes a store of n keys over several pages and returns
// its file's bytes and the page size.
func damageFixture(t testing.TB, n int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(Options{Path: path, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := s.Create(fmt.Sprintf("/registry/pods/default/p%04d", i), []byte(fmt.Sprintf("v%d:%s", i, strings.Repeat("x", i%300))), nil); err != nil {
			t.Fatal(err)
		}
		if i%97 == 0 {
			s.Sync()
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt grows the file ahead (sparse); the pages in use end at the
	// meta's high-water mark.
	m0, _ := parseMeta(b)
	m1, _ := parseMeta(b[m0.pageSize:])
	return b[:max(m0.pgid, m1.pgid)*uint64(m0.pageSize)]
}

// strictDecode accepts only values the fixture wrote: a scrambled value is
// an undecodable object.
func strictDecode(key string, value []byte) (any, error) {
	var i int
	var rest string
	if _, err := fmt.Sscanf(string(value), "v%d:%s", &i, &rest); err != nil && !strings.HasPrefix(string(value), "v") {
		return nil, fmt.Errorf("not a fixture value")
	}
	if !strings.HasSuffix(key, fmt.Sprintf("p%04d", i)) || strings.Trim(rest, "x") != "" {
		return nil, fmt.Errorf("value %.20q does not belong to %s", value, key)
	}
	return nil, nil
}

// openDamaged writes b as a store file and opens it; Open must return a
// store or an error, never crash, and its error must say damage.
func openDamaged(t *testing.T, b []byte, what string) (*Store, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path) })
	s, err := Open(Options{Path: path, NoSync: true, Decode: strictDecode})
	if err != nil {
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrUndecodable) {
			t.Errorf("%s: error %v is neither ErrDamaged nor ErrUndecodable", what, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", what, err)
		}
		return nil, err
	}
	return s, nil
}

// TestOpenTruncated: a file cut anywhere gives ErrDamaged, never a fault.
func TestOpenTruncated(t *testing.T) {
	full := damageFixture(t, 2000)
	for _, size := range []int{1, 100, 4095, 4096, 8191, 8192, 12288, len(full) / 3, len(full) / 2, len(full) - 4096, len(full) - 1} {
		s, err := openDamaged(t, full[:size], fmt.Sprintf("truncated to %d", size))
		if err == nil {
			// Only the unused tail may go.
			if s.Count("/registry/") != 2000 {
				t.Errorf("truncated to %d: opened with %d keys, want 2000 or an error", size, s.Count("/registry/"))
			}
			s.Close()
			continue
		}
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("truncated to %d: %v, want ErrDamaged", size, err)
		}
	}
}

// TestOpenScrambled overwrites each page in turn (and the whole file) with
// seeded noise: Open either works, with every key it serves intact, or
// reports the damage; a store that opened also takes writes.
func TestOpenScrambled(t *testing.T) {
	full := damageFixture(t, 2000)
	const ps = 4096
	rng := rand.New(rand.NewPCG(11, 12))
	noise := func(b []byte) {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
	opened, failed := 0, 0
	for page := 0; page*ps < len(full); page++ {
		for _, span := range []int{16, 200, ps} { // a header, some elements, the whole page
			b := append([]byte(nil), full...)
			end := min(page*ps+span, len(b))
			noise(b[page*ps : end])
			s, err := openDamaged(t, b, fmt.Sprintf("page %d, %d bytes scrambled", page, span))
			if err != nil {
				failed++
				continue
			}
			opened++
			if _, err := s.Create("/registry/pods/default/after", []byte("v0:"), nil); err != nil {
				t.Errorf("page %d: write after open: %v", page, err)
			}
			if err := s.Sync(); err != nil {
				t.Errorf("page %d: commit after open: %v", page, err)
			}
			s.Close()
		}
	}
	b := append([]byte(nil), full...)
	noise(b)
	if _, err := openDamaged(t, b, "whole file scrambled"); !errors.Is(err, ErrDamaged) {
		t.Errorf("whole file scrambled: %v, want ErrDamaged", err)
	}
	if failed == 0 || opened == 0 {
		t.Errorf("%d scrambled files opened, %d refused: the fixture does not exercise both", opened, failed)
	}
}

// TestOpenEmptyOrMissing: the store itself makes a new file of a missing
// or empty one (the server decides whether that is wanted).
func TestOpenEmptyOrMissing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, path := range []string{empty, filepath.Join(dir, "missing.db")} {
		s, err := Open(Options{Path: path, NoSync: true})
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if s.Rev() != 0 {
			t.Errorf("%s: revision %d, want 0", filepath.Base(path), s.Rev())
		}
		s.Close()
	}
}
