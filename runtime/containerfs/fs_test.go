package containerfs

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2023, 5, 2, 10, 0, 0, 0, time.UTC)

func clockAt(t *time.Time) Clock { return func() time.Time { return *t } }

func testLayer() *Layer {
	return NewLayer([]Entry{
		FileEntry("/etc/os-release", "ID=test\n"),
		FileEntry("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
		ExecEntry("/bin/busybox", ""),
		SymlinkEntry("/bin/sh", "/bin/busybox"),
		SymlinkEntry("/usr/bin/env", "../../bin/busybox"),
		FileEntry("/usr/share/nginx/html/index.html", "hello\n"),
		DirEntry("/tmp"),
	})
}

func names(t *testing.T, f *FS, dir string) []string {
	t.Helper()
	es, err := f.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir(%s): %v", dir, err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func errno(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

func TestUpperLayerAndWhiteouts(t *testing.T) {
	now := t0
	l := testLayer()
	a, b := New(l, clockAt(&now)), New(l, clockAt(&now))
	if err := a.WriteFile("/tmp/y", []byte("a\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := a.Remove("/etc/os-release"); err != nil {
		t.Fatal(err)
	}
	f, _ := a.Append("/etc/passwd")
	f.Write([]byte("x:x:1:1::/:/bin/sh\n"))
	if got, _ := a.ReadFile("/tmp/y"); string(got) != "a\n" {
		t.Errorf("/tmp/y = %q", got)
	}
	if _, err := a.Stat("/etc/os-release"); errno(err) != syscall.ENOENT {
		t.Errorf("deleted image file: %v", err)
	}
	if diff := cmp.Diff([]string{"passwd"}, names(t, a, "/etc")); diff != "" {
		t.Errorf("ls /etc (-want +got):\n%s", diff)
	}
	// The other container of the same image sees the image as it was.
	if got, _ := b.ReadFile("/etc/passwd"); string(got) != "root:x:0:0:root:/root:/bin/sh\n" {
		t.Errorf("shared layer changed: %q", got)
	}
	if _, err := b.Stat("/tmp/y"); errno(err) != syscall.ENOENT {
		t.Errorf("upper layer leaked: %v", err)
	}
	// A directory removed and made again hides the image's content.
	if err := a.RemoveAll("/usr/share/nginx"); err != nil {
		t.Fatal(err)
	}
	if err := a.MkdirAll("/usr/share/nginx/html", 0o755); err != nil {
		t.Fatal(err)
	}
	if got := names(t, a, "/usr/share/nginx/html"); len(got) != 0 {
		t.Errorf("recreated dir shows %v", got)
	}
	if got := names(t, b, "/usr/share/nginx/html"); len(got) != 1 {
		t.Errorf("other container lost the page: %v", got)
	}
}

func TestSymlinks(t *testing.T) {
	now := t0
	f := New(testLayer(), clockAt(&now))
	st, err := f.Stat("/usr/bin/env")
	if err != nil || st.Mode()&fs.ModeSymlink != 0 || st.Name() != "busybox" {
		t.Errorf("stat through relative link: %v %v", st, err)
	}
	if st, _ := f.Lstat("/bin/sh"); st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("lstat followed the link")
	}
	f.Symlink("/loop", "/loop")
	if _, err := f.Stat("/loop"); errno(err) != syscall.ELOOP {
		t.Errorf("loop: %v", err)
	}
	if _, err := f.Open("/etc/passwd/x"); errno(err) != syscall.ENOTDIR {
		t.Errorf("file as dir: %v", err)
	}
}

func TestMountsAndReadOnly(t *testing.T) {
	now := t0
	clock := clockAt(&now)
	empty := NewVolume(clock, 0o777)
	a, b := New(testLayer(), clock), New(testLayer(), clock)
	a.Mount("/data", empty, "/", false)
	b.Mount("/cache", empty, "/", false)
	cfg := NewVolume(clock, 0o755)
	cfg.WriteFile("/game.properties", []byte("lives=3\n"), 0o644)
	a.Mount("/etc/config", cfg, "/", true)

	now = now.Add(time.Minute)
	g := b.Generation()
	if err := a.WriteFile("/data/ready", []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := b.ReadFile("/cache/ready"); string(got) != "1" || err != nil {
		t.Errorf("shared emptyDir: %q %v", got, err)
	}
	if b.Generation() == g || !b.ChangedAt().Equal(now) {
		t.Errorf("generation %d→%d, changed at %v", g, b.Generation(), b.ChangedAt())
	}
	err := a.WriteFile("/etc/config/x", nil, 0o644)
	if errno(err) != syscall.EROFS || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("write to a read-only mount: %v", err)
	}
	if err := a.Remove("/etc/config/game.properties"); errno(err) != syscall.EROFS {
		t.Errorf("rm in a read-only mount: %v", err)
	}
	if err := a.Rename("/data/ready", "/tmp/ready"); errno(err) != syscall.EXDEV {
		t.Errorf("rename across mounts: %v", err)
	}
	if diff := cmp.Diff([]string{"bin", "data", "etc", "tmp", "usr"}, names(t, a, "/")); diff != "" {
		t.Errorf("ls / (-want +got):\n%s", diff)
	}
	a.SetReadOnly(true)
	if err := a.WriteFile("/tmp/z", nil, 0o644); errno(err) != syscall.EROFS {
		t.Errorf("readOnlyRootFilesystem: %v", err)
	}
	if err := a.WriteFile("/data/z", nil, 0o644); err != nil {
		t.Errorf("volume under a read-only root: %v", err)
	}
}

func TestFileMount(t *testing.T) {
	now := t0
	clock := clockAt(&now)
	v := NewVolume(clock, 0o755)
	v.WriteFile("/hosts", []byte(HostsFile("10.244.1.5", "sh1", "", "default", "cluster.local", nil)), 0o644)
	v.WriteFile("/resolv.conf", []byte(ClusterFirstResolvConf("default", "cluster.local", "10.96.0.10")), 0o644)
	f := New(testLayer(), clock)
	f.Mount("/etc/hosts", v, "/hosts", false)
	f.Mount("/etc/resolv.conf", v, "/resolv.conf", false)
	f.Mount(ServiceAccountPath, ServiceAccountVolume(clock, "tok", "ca", "default"), "/", true)
	got, _ := f.ReadFile("/etc/resolv.conf")
	want := "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
	if string(got) != want {
		t.Errorf("resolv.conf = %q", got)
	}
	got, _ = f.ReadFile("/etc/hosts")
	if !strings.HasSuffix(string(got), "fe00::2\tip6-allrouters\n10.244.1.5\tsh1\n") {
		t.Errorf("hosts = %q", got)
	}
	if got, err := f.ReadFile(ServiceAccountPath + "/namespace"); string(got) != "default" {
		t.Errorf("namespace = %q %v", got, err)
	}
	if diff := cmp.Diff([]string{"..2023_05_02_10_00_00.000000000", "..data", "ca.crt", "namespace", "token"}, names(t, f, ServiceAccountPath)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	now := t0
	f := New(testLayer(), clockAt(&now))
	f.WriteFile("/tmp/d/x", nil, 0o644)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"open missing", func() error { _, err := f.Open("/nope"); return err }(), syscall.ENOENT},
		{"create in missing dir", f.WriteFile("/tmp/d/x", nil, 0o644), syscall.ENOENT},
		{"mkdir existing", f.Mkdir("/tmp", 0o755), syscall.EEXIST},
		{"write a dir", f.WriteFile("/tmp", nil, 0o644), syscall.EISDIR},
		{"rmdir non-empty", f.Remove("/etc"), syscall.ENOTEMPTY},
		{"mkdir under file", f.Mkdir("/etc/passwd/x", 0o755), syscall.ENOTDIR},
		{"rename dir into itself", f.Rename("/usr", "/usr/x"), syscall.EINVAL},
	}
	for _, tt := range tests {
		if errno(tt.err) != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

func TestModTimeFromClock(t *testing.T) {
	now := t0
	f := New(testLayer(), clockAt(&now))
	now = now.Add(90 * time.Second)
	f.WriteFile("/tmp/a", []byte("x"), 0o666)
	st, _ := f.Stat("/tmp/a")
	if !st.ModTime().Equal(now) || st.Mode() != 0o644 {
		t.Errorf("mtime %v mode %v", st.ModTime(), st.Mode())
	}
}

// TestAtomicWriterLayout: keys are symlinks through ..data, nested item
// paths link their first component, and a subPath mount of a key resolves
// the link inside the volume.
func TestAtomicWriterLayout(t *testing.T) {
	now := t0
	clock := clockAt(&now)
	v := NewVolume(clock, 0o1777)
	WriteAtomic(v, map[string][]byte{"game.properties": []byte("lives=3\n"), "ui/colour": []byte("red")}, map[string]fs.FileMode{"ui/colour": 0o400})
	f := New(testLayer(), clock)
	f.Mount("/etc/config", v, "/", true)
	f.Mount("/etc/game.properties", v, "/game.properties", true)
	if got := names(t, f, "/etc/config"); !cmp.Equal(got, []string{"..2023_05_02_10_00_00.000000000", "..data", "game.properties", "ui"}) {
		t.Errorf("ls -a = %v", got)
	}
	if b, err := f.ReadFile("/etc/config/ui/colour"); string(b) != "red" || err != nil {
		t.Errorf("nested item: %q %v", b, err)
	}
	if st, _ := f.Stat("/etc/config/ui/colour"); st.Mode().Perm() != 0o400 {
		t.Errorf("item mode %v", st.Mode())
	}
	if b, err := f.ReadFile("/etc/game.properties"); string(b) != "lives=3\n" || err != nil {
		t.Errorf("subPath mount of a key: %q %v", b, err)
	}
}
