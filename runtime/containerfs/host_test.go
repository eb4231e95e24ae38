package containerfs

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVolumeFS: a volume's FS view reads and writes the volume's tree, and a
// container mounting a subtree sees the same files; Add places any type.
func TestVolumeFS(t *testing.T) {
	now := t0
	host := NewVolume(clockAt(&now), 0o755)
	host.Add(DirEntry("/etc/kubernetes/manifests"))
	host.Add(Entry{Path: "/run/containerd/containerd.sock", Mode: fs.ModeSocket | 0o660})
	host.Add(SymlinkEntry("/var/run", "/run"))
	v := host.FS()
	if err := v.WriteFile("/etc/kubernetes/admin.conf", []byte("cfg"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := names(t, v, "/"); !cmp.Equal(got, []string{"etc", "run", "var"}) {
		t.Errorf("ls / = %q", got)
	}
	st, err := v.Stat("/var/run/containerd/containerd.sock")
	if err != nil || st.Mode()&fs.ModeSocket == 0 {
		t.Errorf("stat through /var/run: %v, %v", st, err)
	}
	c := New(testLayer(), clockAt(&now))
	if err := c.Mount("/etc/k8s", host, "/etc/kubernetes", true); err != nil {
		t.Fatal(err)
	}
	if b, err := c.ReadFile("/etc/k8s/admin.conf"); string(b) != "cfg" || err != nil {
		t.Errorf("container reads %q, %v", b, err)
	}
	if err := c.WriteFile("/etc/k8s/x", nil, 0o644); errno(err) != syscall.EROFS {
		t.Errorf("write through a read-only mount: %v", err)
	}
	if err := v.Remove("/etc/kubernetes/admin.conf"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat("/etc/k8s/admin.conf"); errno(err) != syscall.ENOENT {
		t.Errorf("after the host removed it: %v", err)
	}
}
