package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCheckpointDropsMappedPages: after a checkpoint the process keeps
// none of the bbolt file's pages resident through its mapping; a read
// through the mapping (a bbolt read transaction over every key) brings
// them back, which shows the measure sees them.
func TestCheckpointDropsMappedPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	val := bytes.Repeat([]byte("v"), 1024)
	key := func(i int) string { return fmt.Sprintf("/registry/configmaps/default/cm-%05d", i) }
	// Two checkpoints: the second changes every key the first wrote, so
	// its transaction reads their pages through the mapping.
	for round := 0; round < 2; round++ {
		for i := 0; i < 4000; i++ {
			var err error
			if round == 0 {
				_, err = s.Create(key(i), val, nil)
			} else {
				_, err = s.Update(key(i), val[:512+i%256], nil, 0)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	if kb := mappedRss(t, path); kb > 64 {
		t.Errorf("after a checkpoint %d KiB of the file are resident through the mapping, want none", kb)
	}
	n := 0
	s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketKV).ForEach(func(k, v []byte) error { n += len(v); return nil })
	})
	if kb := mappedRss(t, path); kb < 1024 {
		t.Errorf("after reading %d bytes through the mapping only %d KiB are resident: the measure does not see the mapping", n, kb)
	}
}

// mappedRss is the resident size, in KiB, of the process's mappings of
// file (from /proc/self/smaps).
func mappedRss(t *testing.T, file string) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, total := false, 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && len(fields[1]) == 4 {
			// A mapping's header: range, perms, offset, dev, inode[, path].
			in = len(fields) >= 6 && fields[5] == file
			continue
		}
		if in && len(fields) >= 2 && fields[0] == "Rss:" {
			kb, _ := strconv.Atoi(fields[1])
			total += kb
		}
	}
	return total
}
