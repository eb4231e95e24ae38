package containerfs

import (
	"io/fs"
	"path"
)

// A node's host filesystem is a Volume too: the machine's "/" as one tree
// (chain.Chain.HostFS, kubelet.Kubelet.HostFS, sim.Cluster.NodeHostFS).
// hostPath volumes mount subtrees of it, and whoever models the machine
// (its /etc/kubernetes, a local-path provisioner's directories) writes into
// it with Add and WriteFile or, as a process would, through FS.

// FS returns a filesystem whose root is the volume: every operation of a
// container's filesystem (Stat, ReadFile, ReadDir, MkdirAll, Remove, …) on
// the volume's tree, as a process on the node sees it. Writes through it
// are seen by every container mounting the volume. It is cheap: a view, not
// a copy.
func (v *Volume) FS() *FS {
	f := New(nil, v.clock)
	f.mounts = []*mount{{path: "/", vol: v, sub: "/"}}
	return f
}

// Add places one entry in the volume as data (any type: file, directory,
// symlink, socket, device), creating missing parent directories with mode
// 0755; an entry already at that path is replaced. Its time is the entry's
// ModTime, or now when zero.
func (v *Volume) Add(e Entry) {
	p := clean(e.Path)
	now := v.clock()
	mt := e.ModTime
	if mt.IsZero() {
		mt = now
	}
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		if v.t.nodes[dir] == nil {
			defer v.t.put(dir, &node{mode: fs.ModeDir | 0o755, mtime: now})
		}
	}
	v.t.put(p, &node{mode: e.Mode, data: []byte(e.Data), target: e.Target, mtime: mt, uid: e.UID, gid: e.GID})
	v.touch()
}

// Usage is the disk space the volume's files take, in bytes, as du counts
// it (the kubelet's volume stats, which an emptyDir's sizeLimit is checked
// against): 4 KiB blocks, a directory one block, a symlink none.
func (v *Volume) Usage() int64 {
	const block = 4096
	var n int64
	for _, x := range v.t.nodes {
		switch {
		case x.isDir():
			n += block
		case !x.isLink():
			n += (x.size() + block - 1) / block * block
		}
	}
	return n
}
