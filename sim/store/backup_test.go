package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
)

// TestContentHashIgnoresLayout: two stores given the same writes, one
// committed at once and one a commit per write (so bbolt lays out and
// frees pages differently), have the same content hash; a changed value
// changes it.
func TestContentHashIgnoresLayout(t *testing.T) {
	write := func(syncEach bool, last string) (uint32, []byte) {
		s, err := Open(Options{Path: filepath.Join(t.TempDir(), "store.db"), NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for i := 0; i < 300; i++ {
			v := bytes.Repeat([]byte{byte(i)}, 200+i)
			if i == 299 {
				v = []byte(last)
			}
			if _, err := s.Create(fmt.Sprintf("/registry/configmaps/ns-%d/cm-%03d", i%7, i), v, nil); err != nil {
				t.Fatal(err)
			}
			if syncEach {
				if err := s.Sync(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		h, err := s.ContentHash()
		if err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		if _, err := s.Backup(&file); err != nil {
			t.Fatal(err)
		}
		return h, file.Bytes()
	}
	once, fileOnce := write(false, "last")
	each, fileEach := write(true, "last")
	if once != each {
		t.Errorf("content hash %08x committed at once, %08x a commit per write", once, each)
	}
	t.Logf("files equal: %v (%d and %d bytes)", bytes.Equal(fileOnce, fileEach), len(fileOnce), len(fileEach))
	if other, _ := write(false, "other"); other == once {
		t.Errorf("a changed value keeps the content hash %08x", once)
	}
}
