package shell

import (
	"io/fs"
	"sync"
	"time"

	"kubesim/runtime/containerfs"
)

// lockedFS serialises a process's filesystem calls: the stages of a
// pipeline run on goroutines of their own, and containerfs is not safe for
// concurrent use. Processes never run at the same time, so one lock per
// process suffices.
type lockedFS struct {
	mu sync.Mutex
	fs *containerfs.FS
}

type lockedFile struct {
	l *lockedFS
	f *containerfs.File
}

func (h lockedFile) Read(b []byte) (int, error) {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	return h.f.Read(b)
}

func (h lockedFile) Write(b []byte) (int, error) {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	return h.f.Write(b)
}

func (h lockedFile) Close() error { return nil }

func (h lockedFile) Stat() (fs.FileInfo, error) {
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	return h.f.Stat()
}

func lock0[T any](l *lockedFS, f func() T) T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return f()
}

func lock1[T any](l *lockedFS, f func() (T, error)) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return f()
}

func (l *lockedFS) Stat(p string) (fs.FileInfo, error) {
	return lock1(l, func() (fs.FileInfo, error) { return l.fs.Stat(p) })
}
func (l *lockedFS) Lstat(p string) (fs.FileInfo, error) {
	return lock1(l, func() (fs.FileInfo, error) { return l.fs.Lstat(p) })
}
func (l *lockedFS) ReadDir(p string) ([]fs.DirEntry, error) {
	return lock1(l, func() ([]fs.DirEntry, error) { return l.fs.ReadDir(p) })
}
func (l *lockedFS) Readlink(p string) (string, error) {
	return lock1(l, func() (string, error) { return l.fs.Readlink(p) })
}
func (l *lockedFS) ReadFile(p string) ([]byte, error) {
	return lock1(l, func() ([]byte, error) { return l.fs.ReadFile(p) })
}
func (l *lockedFS) OpenFile(p string, flag int, perm fs.FileMode) (lockedFile, error) {
	f, err := lock1(l, func() (*containerfs.File, error) { return l.fs.OpenFile(p, flag, perm) })
	return lockedFile{l, f}, err
}
func (l *lockedFS) Append(p string) (lockedFile, error) {
	f, err := lock1(l, func() (*containerfs.File, error) { return l.fs.Append(p) })
	return lockedFile{l, f}, err
}
func (l *lockedFS) WriteFile(p string, b []byte, perm fs.FileMode) error {
	return lock0(l, func() error { return l.fs.WriteFile(p, b, perm) })
}
func (l *lockedFS) Mkdir(p string, perm fs.FileMode) error {
	return lock0(l, func() error { return l.fs.Mkdir(p, perm) })
}
func (l *lockedFS) MkdirAll(p string, perm fs.FileMode) error {
	return lock0(l, func() error { return l.fs.MkdirAll(p, perm) })
}
func (l *lockedFS) Remove(p string) error { return lock0(l, func() error { return l.fs.Remove(p) }) }
func (l *lockedFS) RemoveAll(p string) error {
	return lock0(l, func() error { return l.fs.RemoveAll(p) })
}
func (l *lockedFS) Rename(a, b string) error {
	return lock0(l, func() error { return l.fs.Rename(a, b) })
}
func (l *lockedFS) Symlink(t, p string) error {
	return lock0(l, func() error { return l.fs.Symlink(t, p) })
}
func (l *lockedFS) Chmod(p string, m fs.FileMode) error {
	return lock0(l, func() error { return l.fs.Chmod(p, m) })
}
func (l *lockedFS) Chtimes(p string, t time.Time) error {
	return lock0(l, func() error { return l.fs.Chtimes(p, t) })
}
func (l *lockedFS) Generation() uint64              { return lock0(l, l.fs.Generation) }
func (l *lockedFS) ChangedAt() time.Time            { return lock0(l, l.fs.ChangedAt) }
func (l *lockedFS) Mounts() []containerfs.MountInfo { return lock0(l, l.fs.Mounts) }
