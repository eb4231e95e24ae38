package containerfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// FileInfo describes a file (fs.FileInfo); Sys returns *Stat.
type FileInfo struct {
	name string
	n    *node
}

// Stat is FileInfo.Sys: ownership.
type Stat struct {
	UID, GID int
}

func (i FileInfo) Name() string { return i.name }
func (i FileInfo) Size() int64 {
	if i.n.isLink() {
		return int64(i.n.sizeOfLink())
	}
	if i.n.isDir() {
		return 4096
	}
	return i.n.size()
}
func (i FileInfo) Mode() fs.FileMode  { return i.n.mode }
func (i FileInfo) ModTime() time.Time { return i.n.mtime }
func (i FileInfo) IsDir() bool        { return i.n.isDir() }
func (i FileInfo) Sys() any           { return &Stat{UID: i.n.uid, GID: i.n.gid} }

func info(p string, n *node) FileInfo { return FileInfo{name: path.Base(p), n: n} }

// Stat describes the file name refers to, following symlinks.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	p, n, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, pathErr("stat", name, syscall.ENOENT)
	}
	return info(p, n), nil
}

// Lstat describes name without following a final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	p, n, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, pathErr("lstat", name, syscall.ENOENT)
	}
	return info(p, n), nil
}

// Readlink returns a symlink's target.
func (f *FS) Readlink(name string) (string, error) {
	_, n, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if n == nil {
		return "", pathErr("readlink", name, syscall.ENOENT)
	}
	if !n.isLink() {
		return "", pathErr("readlink", name, syscall.EINVAL)
	}
	return n.target, nil
}

// ReadDir lists a directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, n, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, pathErr("open", name, syscall.ENOENT)
	}
	if !n.isDir() {
		return nil, pathErr("readdirent", name, syscall.ENOTDIR)
	}
	names := f.names(p)
	out := make([]fs.DirEntry, 0, len(names))
	for _, k := range names {
		cp := path.Join(p, k)
		if c, _ := f.get(cp); c != nil {
			out = append(out, fs.FileInfoToDirEntry(info(cp, c)))
		}
	}
	return out, nil
}

// File is an open file. Reads and writes go to the file's node directly: a
// writer opened the file in a writable place (copying it up from the image
// layer first).
type File struct {
	fs     *FS
	name   string
	p      string
	n      *node
	m      *mount
	off    int
	read   bool
	write  bool
	append bool
	dir    bool
}

// Open opens a file for reading.
func (f *FS) Open(name string) (*File, error) { return f.OpenFile(name, os.O_RDONLY, 0) }

// Create creates or truncates a file for writing (mode 0666 before umask
// 022, as a shell's > does).
func (f *FS) Create(name string) (*File, error) {
	return f.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
}

// Append opens a file for appending, creating it (>>).
func (f *FS) Append(name string) (*File, error) {
	return f.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
}

// OpenFile opens name with os flags (O_RDONLY, O_WRONLY, O_RDWR, O_CREATE,
// O_EXCL, O_TRUNC, O_APPEND). New files get perm minus the umask 022.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode) (*File, error) {
	p, n, err := f.resolve("open", name, flag&os.O_EXCL == 0)
	if err != nil {
		return nil, err
	}
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	h := &File{fs: f, name: name, p: p, n: n, read: acc != os.O_WRONLY, write: acc != os.O_RDONLY, append: flag&os.O_APPEND != 0}
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, syscall.ENOENT)
	case n != nil && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, pathErr("open", name, syscall.EEXIST)
	case n != nil && n.isDir():
		if h.write {
			return nil, pathErr("open", name, syscall.EISDIR)
		}
		h.dir = true
		return h, nil
	}
	if !h.write {
		return h, nil
	}
	m, rel, err := f.writable("open", name, p)
	if err != nil {
		return nil, err
	}
	h.m = m
	if n == nil {
		if err := f.parentDir("open", name, p); err != nil {
			return nil, err
		}
		h.n = &node{mode: (perm &^ 0o022).Perm(), mtime: f.clock()}
		f.set(m, rel, p, h.n)
		return h, nil
	}
	if m == nil && f.upper.nodes[p] != n { // copy up from the image layer
		h.n = n.clone()
		f.set(m, rel, p, h.n)
	}
	if flag&os.O_TRUNC != 0 && len(h.n.data) > 0 {
		h.n.data = h.n.data[:0:0]
		h.changed()
	}
	return h, nil
}

func (h *File) changed() {
	h.n.mtime = h.fs.clock()
	if h.m != nil {
		h.m.vol.touch()
	} else {
		h.fs.touch()
	}
}

// Read reads from the file.
func (h *File) Read(b []byte) (int, error) {
	if h.dir {
		return 0, pathErr("read", h.name, syscall.EISDIR)
	}
	if !h.read {
		return 0, pathErr("read", h.name, syscall.EBADF)
	}
	if h.off >= len(h.n.data) {
		return 0, io.EOF
	}
	k := copy(b, h.n.data[h.off:])
	h.off += k
	return k, nil
}

// Write writes to the file.
func (h *File) Write(b []byte) (int, error) {
	if !h.write {
		return 0, pathErr("write", h.name, syscall.EBADF)
	}
	if h.append {
		h.off = len(h.n.data)
	}
	if end := h.off + len(b); end > len(h.n.data) {
		h.n.data = append(h.n.data, make([]byte, end-len(h.n.data))...)
	}
	copy(h.n.data[h.off:], b)
	h.off += len(b)
	if len(b) > 0 {
		h.changed()
	}
	return len(b), nil
}

// Close closes the file.
func (h *File) Close() error { return nil }

// Stat describes the open file.
func (h *File) Stat() (fs.FileInfo, error) { return info(h.p, h.n), nil }

// ReadFile returns a file's content.
func (f *FS) ReadFile(name string) ([]byte, error) {
	h, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	if h.dir {
		return nil, pathErr("read", name, syscall.EISDIR)
	}
	return append([]byte(nil), h.n.data...), nil
}

// WriteFile writes a file as a process would (read-only mounts refuse).
func (f *FS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	h, err := f.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = h.Write(data)
	return err
}

// Mkdir creates a directory (perm minus umask 022).
func (f *FS) Mkdir(name string, perm fs.FileMode) error {
	p, n, err := f.resolve("mkdir", name, false)
	if err != nil {
		return err
	}
	if n != nil {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	if err := f.parentDir("mkdir", name, p); err != nil {
		return err
	}
	m, rel, err := f.writable("mkdir", name, p)
	if err != nil {
		return err
	}
	f.set(m, rel, p, &node{mode: fs.ModeDir | (perm &^ 0o022).Perm(), mtime: f.clock()})
	return nil
}

// MkdirAll creates a directory and its parents; existing directories are
// fine.
func (f *FS) MkdirAll(name string, perm fs.FileMode) error {
	comps := split(clean(name))
	cur := "/"
	for _, c := range comps {
		cur = path.Join(cur, c)
		st, err := f.Stat(cur)
		if err == nil {
			if !st.IsDir() {
				return pathErr("mkdir", cur, syscall.ENOTDIR)
			}
			continue
		}
		if err := f.Mkdir(cur, perm); err != nil {
			return err
		}
	}
	return nil
}

// Remove removes a file, symlink or empty directory.
func (f *FS) Remove(name string) error {
	p, n, err := f.resolve("remove", name, false)
	if err != nil {
		return err
	}
	if n == nil {
		return pathErr("remove", name, syscall.ENOENT)
	}
	if n.isDir() && len(f.names(p)) > 0 {
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	if f.isMountPoint(p) {
		return pathErr("remove", name, syscall.EBUSY)
	}
	m, rel, err := f.writable("remove", name, p)
	if err != nil {
		return err
	}
	f.unset(m, rel, p)
	return nil
}

func (f *FS) isMountPoint(p string) bool {
	for _, m := range f.mounts {
		if m.path == p {
			return true
		}
	}
	return false
}

// RemoveAll removes name and everything below it; a missing name is fine.
func (f *FS) RemoveAll(name string) error {
	p, n, err := f.resolve("remove", name, false)
	if err != nil && !errors.Is(err, syscall.ENOENT) {
		return err
	}
	if n == nil {
		return nil
	}
	if n.isDir() {
		for _, k := range f.names(p) {
			if err := f.RemoveAll(path.Join(p, k)); err != nil {
				return err
			}
		}
	}
	return f.Remove(p)
}

// Rename moves oldname to newname (a directory with everything below it).
// Across mounts it fails with EXDEV, as the kernel does; mv then copies.
func (f *FS) Rename(oldname, newname string) error {
	op, on, err := f.resolve("rename", oldname, false)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err.(*fs.PathError).Err}
	}
	linkErr := func(e error) error { return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: e} }
	if on == nil {
		return linkErr(syscall.ENOENT)
	}
	np, nn, err := f.resolve("rename", newname, false)
	if err != nil {
		return linkErr(err.(*fs.PathError).Err)
	}
	if op == np {
		return nil
	}
	if err := f.parentDir("rename", newname, np); err != nil {
		return linkErr(syscall.ENOENT)
	}
	om, _ := f.where(op)
	nm, _ := f.where(np)
	if om != nm || f.isMountPoint(op) {
		return linkErr(syscall.EXDEV)
	}
	if on.isDir() && strings.HasPrefix(np+"/", op+"/") {
		return linkErr(syscall.EINVAL)
	}
	if nn != nil {
		switch {
		case nn.isDir() && !on.isDir():
			return linkErr(syscall.EISDIR)
		case !nn.isDir() && on.isDir():
			return linkErr(syscall.ENOTDIR)
		case nn.isDir() && len(f.names(np)) > 0:
			return linkErr(syscall.ENOTEMPTY)
		}
	}
	if _, _, err := f.writable("rename", oldname, op); err != nil {
		return linkErr(syscall.EROFS)
	}
	if _, _, err := f.writable("rename", newname, np); err != nil {
		return linkErr(syscall.EROFS)
	}
	if nn != nil {
		f.Remove(np)
	}
	f.copyTree(op, np)
	return f.RemoveAll(op)
}

// copyTree copies the node at src (and below) to dst, keeping modes and times.
func (f *FS) copyTree(src, dst string) {
	n, _ := f.get(src)
	m, rel := f.where(dst)
	f.set(m, rel, dst, n.clone())
	if n.isDir() {
		for _, k := range f.names(src) {
			f.copyTree(path.Join(src, k), path.Join(dst, k))
		}
	}
}

// Symlink creates newname pointing at target.
func (f *FS) Symlink(target, newname string) error {
	p, n, err := f.resolve("symlink", newname, false)
	if err != nil {
		return err
	}
	if n != nil {
		return pathErr("symlink", newname, syscall.EEXIST)
	}
	if err := f.parentDir("symlink", newname, p); err != nil {
		return err
	}
	m, rel, err := f.writable("symlink", newname, p)
	if err != nil {
		return err
	}
	f.set(m, rel, p, &node{mode: fs.ModeSymlink | 0o777, target: target, mtime: f.clock()})
	return nil
}

// Chmod changes permission bits (following symlinks).
func (f *FS) Chmod(name string, mode fs.FileMode) error {
	p, n, err := f.resolve("chmod", name, true)
	if err != nil {
		return err
	}
	if n == nil {
		return pathErr("chmod", name, syscall.ENOENT)
	}
	m, rel, err := f.writable("chmod", name, p)
	if err != nil {
		return err
	}
	c := n
	if m == nil && f.upper.nodes[p] != n {
		c = n.clone()
	}
	c.mode = c.mode&^fs.ModePerm | mode.Perm()
	f.set(m, rel, p, c)
	return nil
}

// Chtimes sets a file's modification time (touch on an existing file).
func (f *FS) Chtimes(name string, mtime time.Time) error {
	p, n, err := f.resolve("utimes", name, true)
	if err != nil {
		return err
	}
	if n == nil {
		return pathErr("utimes", name, syscall.ENOENT)
	}
	m, rel, err := f.writable("utimes", name, p)
	if err != nil {
		return err
	}
	c := n
	if m == nil && f.upper.nodes[p] != n {
		c = n.clone()
	}
	c.mtime = mtime
	f.set(m, rel, p, c)
	return nil
}

// Now is the filesystem's clock.
func (f *FS) Now() time.Time { return f.clock() }
