package containerfs

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Clock is the virtual clock that stamps modification times.
type Clock func() time.Time

// Entry is one file, directory or symlink of a Layer, as data.
type Entry struct {
	Path    string      // absolute: /etc/os-release
	Mode    fs.FileMode // type bits (fs.ModeDir, fs.ModeSymlink) and permissions
	Data    string      // a regular file's content
	Target  string      // a symlink's target
	UID     int
	GID     int
	ModTime time.Time
}

// FileEntry is a regular file entry with mode 0644.
func FileEntry(p, data string) Entry { return Entry{Path: p, Mode: 0o644, Data: data} }

// ExecEntry is an executable file entry with mode 0755.
func ExecEntry(p, data string) Entry { return Entry{Path: p, Mode: 0o755, Data: data} }

// DirEntry is a directory entry with mode 0755.
func DirEntry(p string) Entry { return Entry{Path: p, Mode: fs.ModeDir | 0o755} }

// SymlinkEntry is a symlink entry.
func SymlinkEntry(p, target string) Entry {
	return Entry{Path: p, Mode: fs.ModeSymlink | 0o777, Target: target}
}

// node is a file, directory or symlink in a tree.
type node struct {
	mode   fs.FileMode
	data   []byte
	target string
	mtime  time.Time
	uid    int
	gid    int
}

func (n *node) isDir() bool     { return n.mode.IsDir() }
func (n *node) isLink() bool    { return n.mode&fs.ModeSymlink != 0 }
func (n *node) clone() *node    { c := *n; c.data = append([]byte(nil), n.data...); return &c }
func (n *node) size() int64     { return int64(len(n.data)) }
func (n *node) sizeOfLink() int { return len(n.target) }

// Layer is an image's read-only filesystem. It is immutable and shared by
// every container of the image.
type Layer struct {
	nodes    map[string]*node
	children map[string][]string // directory → sorted names
}

// NewLayer builds a layer from entries; missing parent directories are
// created with mode 0755 and the time of the entry that needed them. Later
// entries replace earlier ones at the same path.
func NewLayer(entries []Entry) *Layer {
	l := &Layer{nodes: map[string]*node{"/": {mode: fs.ModeDir | 0o755}}, children: map[string][]string{}}
	kids := map[string]map[string]struct{}{}
	var add func(p string, n *node)
	add = func(p string, n *node) {
		if p == "/" {
			l.nodes["/"] = n
			return
		}
		dir, name := path.Split(p)
		dir = clean(dir)
		if d := l.nodes[dir]; d == nil || !d.isDir() {
			add(dir, &node{mode: fs.ModeDir | 0o755, mtime: n.mtime})
		}
		if kids[dir] == nil {
			kids[dir] = map[string]struct{}{}
		}
		kids[dir][name] = struct{}{}
		l.nodes[p] = n
	}
	for _, e := range entries {
		n := &node{mode: e.Mode, data: []byte(e.Data), target: e.Target, mtime: e.ModTime, uid: e.UID, gid: e.GID}
		add(clean(e.Path), n)
	}
	for dir, names := range kids {
		list := make([]string, 0, len(names))
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		l.children[dir] = list
	}
	return l
}

// Paths lists every path in the layer, sorted (tests, tables).
func (l *Layer) Paths() []string {
	out := make([]string, 0, len(l.nodes))
	for p := range l.nodes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// clean makes p absolute and lexically clean.
func clean(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}

// tree is a mutable directory tree: a container's upper layer or a volume.
type tree struct {
	nodes    map[string]*node
	children map[string]map[string]struct{}
}

func newTree() tree {
	return tree{nodes: map[string]*node{}, children: map[string]map[string]struct{}{}}
}

func (t *tree) put(p string, n *node) {
	t.nodes[p] = n
	if p == "/" {
		return
	}
	dir, name := path.Split(p)
	dir = clean(dir)
	if t.children[dir] == nil {
		t.children[dir] = map[string]struct{}{}
	}
	t.children[dir][name] = struct{}{}
}

func (t *tree) remove(p string) {
	delete(t.nodes, p)
	delete(t.children, p)
	dir, name := path.Split(p)
	dir = clean(dir)
	if k := t.children[dir]; k != nil {
		delete(k, name)
		if len(k) == 0 {
			delete(t.children, dir)
		}
	}
}

// Volume is a directory tree that containers mount: an emptyDir, a
// configMap's files, the kubelet's /etc/hosts. Writes through any mount are
// seen by every container mounting it.
type Volume struct {
	t       tree
	clock   Clock
	gen     uint64
	changed time.Time
}

// NewVolume returns an empty volume whose root has mode perm (an emptyDir is
// 0777).
func NewVolume(clock Clock, perm fs.FileMode) *Volume {
	v := &Volume{t: newTree(), clock: clock}
	v.t.put("/", &node{mode: fs.ModeDir | perm.Perm(), mtime: clock()})
	return v
}

func (v *Volume) touch() {
	v.gen++
	v.changed = v.clock()
}

// WriteFile writes a file into the volume, creating parent directories
// (the kubelet's writer, not a container's: it ignores read-only mounts).
func (v *Volume) WriteFile(p string, data []byte, perm fs.FileMode) {
	p = clean(p)
	now := v.clock()
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		if v.t.nodes[dir] == nil {
			defer v.t.put(dir, &node{mode: fs.ModeDir | 0o755, mtime: now})
		}
	}
	v.t.put(p, &node{mode: perm.Perm(), data: append([]byte(nil), data...), mtime: now})
	v.touch()
}

// Symlink adds a symlink (configMap volumes link each key to ..data/key).
func (v *Volume) Symlink(target, p string) {
	p = clean(p)
	v.t.put(p, &node{mode: fs.ModeSymlink | 0o777, target: target, mtime: v.clock()})
	v.touch()
}

// Generation counts the volume's changes.
func (v *Volume) Generation() uint64 { return v.gen }

// resolve follows symlinks in p within the tree (targets are relative to
// the tree's root); a missing component ends the walk.
func (t *tree) resolve(p string) string {
	comps := split(clean(p))
	cur, links := "/", 0
	for i := 0; i < len(comps); i++ {
		next := path.Join(cur, comps[i])
		n := t.nodes[next]
		if n != nil && n.isLink() && links < 40 {
			links++
			base := cur
			if strings.HasPrefix(n.target, "/") {
				base = "/"
			}
			rest := append([]string{n.target}, comps[i+1:]...)
			comps = split(clean(path.Join(base, strings.Join(rest, "/"))))
			cur, i = "/", -1
			continue
		}
		cur = next
	}
	return cur
}
