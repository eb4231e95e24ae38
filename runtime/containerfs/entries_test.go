package containerfs

import (
	"io/fs"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEntriesRoundTrip: a volume's entries added to a new volume give the
// same tree: files with their data, modes, owners and times, symlinks and
// empty directories.
func TestEntriesRoundTrip(t *testing.T) {
	now := time.Date(2023, 4, 19, 13, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	v := NewVolume(clock, 0o755)
	v.WriteFile("/etc/kubernetes/admin.conf", []byte("x: 1\n"), 0o600)
	v.Symlink("usr/bin", "/bin")
	f := v.FS()
	if err := f.MkdirAll("/var/lib/etcd", 0o700); err != nil {
		t.Fatal(err)
	}
	v.Add(Entry{Path: "/home/vagrant/.profile", Mode: 0o644, Data: "PS1=$\n", UID: 1000, GID: 1000, ModTime: now.Add(-time.Hour)})
	now = now.Add(time.Minute)
	got := v.Entries()
	if got[0].Path != "/" || !got[0].Mode.IsDir() {
		t.Fatalf("first entry %+v, want the root", got[0])
	}
	w := NewVolume(clock, 0o700)
	for _, e := range got {
		w.Add(e)
	}
	if diff := cmp.Diff(got, w.Entries()); diff != "" {
		t.Errorf("entries after Add (-saved +restored):\n%s", diff)
	}
	st, err := w.FS().Stat("/var/lib/etcd")
	if err != nil || st.Mode() != fs.ModeDir|0o700 {
		t.Errorf("restored /var/lib/etcd: %v, %v", st, err)
	}
}
