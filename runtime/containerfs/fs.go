package containerfs

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"
)

// FS is one container's filesystem: an image layer, a writable upper layer
// and mounts.
type FS struct {
	lower    *Layer
	upper    tree
	whiteout map[string]bool // lower paths deleted in the upper layer
	opaque   map[string]bool // upper directories that hide the lower one
	mounts   []*mount        // longest path first
	clock    Clock
	readOnly bool // readOnlyRootFilesystem
	gen      uint64
	changed  time.Time
}

type mount struct {
	path string
	vol  *Volume
	sub  string // path inside the volume ("/" for its root)
	ro   bool
	// file: a mounted file (not a directory) is bound to the file itself,
	// as a bind mount holds its inode: replacing or removing the path in
	// the volume does not change what the container sees.
	file *node
}

// New returns a container's filesystem over lower (nil: empty) with a fresh
// upper layer.
func New(lower *Layer, clock Clock) *FS {
	if lower == nil {
		lower = NewLayer(nil)
	}
	return &FS{lower: lower, upper: newTree(), whiteout: map[string]bool{}, opaque: map[string]bool{}, clock: clock}
}

// SetReadOnly makes the root filesystem read-only (readOnlyRootFilesystem);
// mounts keep their own mode.
func (f *FS) SetReadOnly(ro bool) { f.readOnly = ro }

// Mount mounts sub of vol at target (a bind mount). The mount point is
// created in the upper layer first, as the runtime does: a directory, or an
// empty file when sub is a file.
func (f *FS) Mount(target string, vol *Volume, sub string, readOnly bool) error {
	target, sub = clean(target), clean(sub)
	// A subPath through symlinks in the volume (a configMap key) is
	// resolved there, as the kubelet resolves it on the host.
	sub = vol.t.resolve(sub)
	src := vol.t.nodes[sub]
	if src == nil {
		return pathErr("mount", sub, syscall.ENOENT)
	}
	ro := f.readOnly
	f.readOnly = false
	if src.isDir() {
		if err := f.MkdirAll(target, 0o755); err != nil {
			f.readOnly = ro
			return err
		}
	} else {
		if err := f.MkdirAll(path.Dir(target), 0o755); err != nil {
			f.readOnly = ro
			return err
		}
		if e, _ := f.get(target); e == nil {
			f.upper.put(target, &node{mode: 0o644, mtime: f.clock()})
		}
	}
	f.readOnly = ro
	m := &mount{path: target, vol: vol, sub: sub, ro: readOnly}
	if !src.isDir() {
		m.file = src
	}
	f.mounts = append(f.mounts, m)
	sort.SliceStable(f.mounts, func(i, j int) bool { return len(f.mounts[i].path) > len(f.mounts[j].path) })
	return nil
}

// MountInfo describes one mount (busybox mount and df print them).
type MountInfo struct {
	Path     string
	ReadOnly bool
}

// Mounts lists the mounts, sorted by path.
func (f *FS) Mounts() []MountInfo {
	out := make([]MountInfo, 0, len(f.mounts))
	for _, m := range f.mounts {
		out = append(out, MountInfo{Path: m.path, ReadOnly: m.ro})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Generation counts the changes seen through this filesystem: its own
// layer's and those of every volume it mounts (written by any container).
func (f *FS) Generation() uint64 {
	g := f.gen
	for _, m := range f.mounts {
		g += m.vol.gen
	}
	return g
}

// ChangedAt is the virtual time of the latest change Generation counts.
func (f *FS) ChangedAt() time.Time {
	t := f.changed
	for _, m := range f.mounts {
		if m.vol.changed.After(t) {
			t = m.vol.changed
		}
	}
	return t
}

func pathErr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// where finds the mount holding p, or nil for the overlay, and p's path
// inside it.
func (f *FS) where(p string) (*mount, string) {
	for _, m := range f.mounts {
		if p == m.path {
			return m, m.sub
		}
		if m.path == "/" {
			return m, clean(m.sub + p)
		}
		if strings.HasPrefix(p, m.path) && p[len(m.path)] == '/' {
			return m, clean(m.sub + p[len(m.path):])
		}
	}
	return nil, p
}

// lowerHidden: the image layer's p is hidden by a whiteout or an opaque
// directory at p or above.
func (f *FS) lowerHidden(p string) bool {
	if len(f.whiteout) == 0 && len(f.opaque) == 0 {
		return false
	}
	if f.whiteout[p] {
		return true
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		if f.whiteout[d] || f.opaque[d] {
			return true
		}
		if d == "/" {
			return false
		}
	}
}

// get returns the node at clean path p (no symlink following) and its mount.
func (f *FS) get(p string) (*node, *mount) {
	if m, rel := f.where(p); m != nil {
		if m.file != nil && p == m.path {
			return m.file, m
		}
		return m.vol.t.nodes[rel], m
	}
	if n := f.upper.nodes[p]; n != nil {
		return n, nil
	}
	if f.lowerHidden(p) {
		return nil, nil
	}
	return f.lower.nodes[p], nil
}

// resolve follows symlinks in name (and in its last component when follow)
// and returns the clean path and its node; the node is nil when the last
// component is missing but its directory exists.
func (f *FS) resolve(op, name string, follow bool) (string, *node, error) {
	comps := split(clean(name))
	cur, links := "/", 0
	for i := 0; i < len(comps); i++ {
		next := path.Join(cur, comps[i])
		n, _ := f.get(next)
		last := i == len(comps)-1
		if n == nil {
			if last {
				return next, nil, nil
			}
			return "", nil, pathErr(op, name, syscall.ENOENT)
		}
		if n.isLink() && (!last || follow) {
			if links++; links > 40 {
				return "", nil, pathErr(op, name, syscall.ELOOP)
			}
			base := cur
			if strings.HasPrefix(n.target, "/") {
				base = "/"
			}
			rest := append([]string{n.target}, comps[i+1:]...)
			comps = split(clean(path.Join(base, strings.Join(rest, "/"))))
			cur, i = "/", -1
			continue
		}
		if !last && !n.isDir() {
			return "", nil, pathErr(op, name, syscall.ENOTDIR)
		}
		cur = next
	}
	n, _ := f.get(cur)
	return cur, n, nil
}

func split(p string) []string {
	if p == "/" {
		return nil
	}
	return strings.Split(p[1:], "/")
}

// writable checks that p may be changed and says where it lives.
func (f *FS) writable(op, name, p string) (*mount, string, error) {
	m, rel := f.where(p)
	if m != nil && m.ro || m == nil && f.readOnly {
		return nil, "", pathErr(op, name, syscall.EROFS)
	}
	return m, rel, nil
}

// set stores n at p (in the mount or the upper layer).
func (f *FS) set(m *mount, rel, p string, n *node) {
	if m != nil {
		if m.file != nil && p == m.path {
			if n != m.file { // the mounted file itself changes
				*m.file = *n
			}
		} else {
			m.vol.t.put(rel, n)
		}
		m.vol.touch()
		return
	}
	if n.isDir() && f.whiteout[p] {
		f.opaque[p] = true
	}
	delete(f.whiteout, p)
	f.upper.put(p, n)
	f.touch()
}

// unset deletes p (a whiteout hides the image layer's copy).
func (f *FS) unset(m *mount, rel, p string) {
	if m != nil {
		m.vol.t.remove(rel)
		m.vol.touch()
		return
	}
	f.upper.remove(p)
	delete(f.opaque, p)
	if f.lower.nodes[p] != nil && !f.lowerHidden(p) {
		f.whiteout[p] = true
	}
	f.touch()
}

func (f *FS) touch() {
	f.gen++
	f.changed = f.clock()
}

// parentDir checks that p's directory exists and is a directory.
func (f *FS) parentDir(op, name, p string) error {
	d, _ := f.get(path.Dir(p))
	switch {
	case d == nil:
		return pathErr(op, name, syscall.ENOENT)
	case !d.isDir():
		return pathErr(op, name, syscall.ENOTDIR)
	}
	return nil
}

// names lists the entries of directory p, merged over the layers and mounts.
func (f *FS) names(p string) []string {
	set := map[string]struct{}{}
	if m, rel := f.where(p); m != nil {
		for k := range m.vol.t.children[rel] {
			set[k] = struct{}{}
		}
	} else {
		if !f.opaque[p] && !f.lowerHidden(p) {
			for _, k := range f.lower.children[p] {
				if !f.whiteout[path.Join(p, k)] {
					set[k] = struct{}{}
				}
			}
		}
		for k := range f.upper.children[p] {
			set[k] = struct{}{}
		}
	}
	for _, m := range f.mounts {
		if m.path != "/" && path.Dir(m.path) == p {
			set[path.Base(m.path)] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
