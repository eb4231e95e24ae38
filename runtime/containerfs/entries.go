package containerfs

import "sort"

// Entries lists every file, directory and symlink of the volume as data,
// sorted by path, the root ("/") first: what Add puts back. A machine's
// host filesystem is saved this way across a stop and start of the
// cluster.
func (v *Volume) Entries() []Entry {
	paths := make([]string, 0, len(v.t.nodes))
	for p := range v.t.nodes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := make([]Entry, 0, len(paths))
	for _, p := range paths {
		n := v.t.nodes[p]
		out = append(out, Entry{Path: p, Mode: n.mode, Data: string(n.data), Target: n.target, UID: n.uid, GID: n.gid, ModTime: n.mtime})
	}
	return out
}
