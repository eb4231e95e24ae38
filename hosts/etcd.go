package hosts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/shell"
)

// etcd on the control plane: etcdctl and etcdutl (3.5) against the
// cluster's store. A snapshot is a real copy of the store's bbolt file;
// restoring it into a data directory and pointing etcd's manifest there
// brings the cluster's objects back to that point.

const defaultEtcdData = "/var/lib/etcd"

// etcdVersion is the etcd of the cluster's control plane (its image tag).
func (h *Host) etcdVersion() string {
	if res, ok := lookupResource("pods"); ok {
		if obj, err := h.cluster().Registry.Get(res, "kube-system", "etcd-"+strings.ToLower(h.Name)); err == nil {
			img := obj.(*corev1.Pod).Spec.Containers[0].Image
			v := img[strings.LastIndex(img, ":")+1:]
			return strings.TrimSuffix(v, "-0")
		}
	}
	return "3.5.7"
}

// zapTime is etcd's log timestamp.
func zapTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z0700") }

func (h *Host) etcdLog(c *shell.Cmd, fields ...any) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(fields[i])
		v, _ := json.Marshal(fields[i+1])
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}\n")
	c.Stderr.Write([]byte(b.String()))
}

// etcdctl: snapshot save|status|restore, member list, endpoint
// health|status, version; with the CKA's --endpoints/--cacert/--cert/--key.
func (h *Host) etcdctl(c *shell.Cmd) int {
	flags, rest := splitFlags(c.Args[1:], "endpoints", "cacert", "cert", "key", "w", "write-out", "data-dir", "name", "initial-cluster", "initial-cluster-token", "initial-advertise-peer-urls", "dial-timeout", "command-timeout")
	if len(rest) == 0 {
		fmt.Fprintln(c.Stdout, "NAME:\n\tetcdctl - A simple command line client for etcd3.\n\nUSAGE:\n\tetcdctl [flags]")
		return 0
	}
	ver := h.etcdVersion()
	out := firstOf(flags["w"], flags["write-out"], "simple")
	switch rest[0] {
	case "version":
		fmt.Fprintf(c.Stdout, "etcdctl version: %s\nAPI version: 3.5\n", ver)
		return 0
	case "snapshot":
		if len(rest) < 2 {
			fmt.Fprintln(c.Stderr, "Error: snapshot: unknown command")
			return 1
		}
		switch rest[1] {
		case "status":
			fmt.Fprint(c.Stderr, "Deprecated: Use `etcdutl snapshot status` instead.\n\n")
			return h.snapshotStatus(c, rest[2:], out)
		case "restore":
			fmt.Fprint(c.Stderr, "Deprecated: Use `etcdutl snapshot restore` instead.\n\n")
			return h.snapshotRestore(c, rest[2:], flags)
		case "save":
		default:
			fmt.Fprintf(c.Stderr, "Error: unknown command %q for \"etcdctl snapshot\"\n", rest[1])
			return 1
		}
	}
	// Everything else talks to the server: it needs the client
	// certificate (client-cert-auth=true).
	ep := firstOf(flags["endpoints"], "127.0.0.1:2379")
	if !h.ControlPlane || flags["cacert"] == "" || flags["cert"] == "" || flags["key"] == "" || !h.exists(c, flags["cacert"]) || !h.exists(c, flags["cert"]) || !h.exists(c, flags["key"]) {
		for _, f := range []string{flags["cacert"], flags["cert"], flags["key"]} {
			if f != "" && !h.exists(c, f) {
				fmt.Fprintf(c.Stderr, "Error: open %s: no such file or directory\n", f)
				return 128
			}
		}
		c.Sleep(5 * time.Second)
		h.etcdLog(c, "level", "warn", "ts", zapTime(c.Now()), "logger", "etcd-client", "caller", "v3@v"+ver+"/retry_interceptor.go:62", "msg", "retrying of unary invoker failed", "target", "etcd-endpoints://0xc000438000/"+strings.TrimPrefix(strings.TrimPrefix(ep, "https://"), "http://"), "attempt", 0, "error", "rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \"error reading server preface: EOF\"")
		fmt.Fprintln(c.Stderr, "Error: context deadline exceeded")
		return 1
	}
	switch rest[0] {
	case "snapshot":
		if len(rest) != 3 {
			fmt.Fprintln(c.Stderr, "Error: snapshot save expects one argument")
			return 1
		}
		return h.snapshotSave(c, rest[2], ep, ver)
	case "member":
		if len(rest) < 2 || rest[1] != "list" {
			fmt.Fprintln(c.Stderr, "Error: member: unknown command")
			return 1
		}
		id := fmt.Sprintf("%08x%08x", crc32.ChecksumIEEE([]byte(h.Name)), crc32.ChecksumIEEE([]byte(h.IP)))
		peer, client := "https://"+h.IP+":2380", "https://"+h.IP+":2379"
		if out == "table" {
			fmt.Fprintln(c.Stdout, "+------------------+---------+"+strings.Repeat("-", len(h.Name)+2)+"+"+strings.Repeat("-", len(peer)+2)+"+"+strings.Repeat("-", len(client)+2)+"+------------+")
			fmt.Fprintf(c.Stdout, "| %16s | %7s | %*s | %*s | %*s | IS LEARNER |\n", "ID", "STATUS", len(h.Name), center("NAME", len(h.Name)), len(peer), center("PEER ADDRS", len(peer)), len(client), center("CLIENT ADDRS", len(client)))
			fmt.Fprintln(c.Stdout, "+------------------+---------+"+strings.Repeat("-", len(h.Name)+2)+"+"+strings.Repeat("-", len(peer)+2)+"+"+strings.Repeat("-", len(client)+2)+"+------------+")
			fmt.Fprintf(c.Stdout, "| %s | started | %s | %s | %s |      false |\n", id, h.Name, peer, client)
			fmt.Fprintln(c.Stdout, "+------------------+---------+"+strings.Repeat("-", len(h.Name)+2)+"+"+strings.Repeat("-", len(peer)+2)+"+"+strings.Repeat("-", len(client)+2)+"+------------+")
			return 0
		}
		fmt.Fprintf(c.Stdout, "%s, started, %s, %s, %s, false\n", id, h.Name, peer, client)
	case "endpoint":
		if len(rest) < 2 || (rest[1] != "health" && rest[1] != "status") {
			fmt.Fprintln(c.Stderr, "Error: endpoint: unknown command")
			return 1
		}
		if rest[1] == "health" {
			fmt.Fprintf(c.Stdout, "%s is healthy: successfully committed proposal: took = %s\n", ep, (9*time.Millisecond + 855406*time.Nanosecond).String())
			return 0
		}
		size, rev, _, _ := h.cluster().EtcdSnapshot(io.Discard)
		fmt.Fprintf(c.Stdout, "%s, %016x, %s, %s, false, false, 2, %d, %d, \n", ep, crc32.ChecksumIEEE([]byte(h.Name)), ver, humanBytes(size), rev, rev)
	default:
		fmt.Fprintf(c.Stderr, "Error: unknown command %q for \"etcdctl\"\n", rest[0])
		return 1
	}
	return 0
}

func center(s string, w int) string {
	if len(s) >= w {
		return s
	}
	left := (w - len(s)) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", w-len(s)-left)
}

func (h *Host) exists(c *shell.Cmd, p string) bool {
	_, err := h.fs.Stat(c.Abs(p))
	return err == nil
}

// humanBytes is go-humanize's Bytes (decimal, "11 MB"), as etcd prints.
func humanBytes(n int64) string {
	if n < 10 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if f < 10 {
		return fmt.Sprintf("%.1f %s", f, units[i])
	}
	return fmt.Sprintf("%.0f %s", f, units[i])
}

func (h *Host) snapshotSave(c *shell.Cmd, file, ep, ver string) int {
	p := c.Abs(file)
	if _, err := h.fs.Stat(path.Dir(p)); err != nil {
		fmt.Fprintf(c.Stderr, "Error: could not open %s.part (open %s.part: no such file or directory)\n", file, file)
		return 5
	}
	now := c.Now()
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "caller", "snapshot/v3_snapshot.go:65", "msg", "created temporary db file", "path", file+".part")
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "logger", "client", "caller", "v3@v"+ver+"/maintenance.go:212", "msg", "opened snapshot stream; downloading")
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "caller", "snapshot/v3_snapshot.go:73", "msg", "fetching snapshot", "endpoint", ep)
	var buf bytes.Buffer
	var size int64
	var err error
	size, _, _, err = h.cluster().EtcdSnapshot(&buf)
	if err != nil {
		fmt.Fprintf(c.Stderr, "Error: %v\n", err)
		return 1
	}
	took := 50*time.Millisecond + time.Duration(size/1000)*time.Microsecond
	c.Sleep(took)
	h.etcdLog(c, "level", "info", "ts", zapTime(c.Now()), "logger", "client", "caller", "v3@v"+ver+"/maintenance.go:220", "msg", "completed snapshot read; closing")
	h.etcdLog(c, "level", "info", "ts", zapTime(c.Now()), "caller", "snapshot/v3_snapshot.go:88", "msg", "fetched snapshot", "endpoint", ep, "size", humanBytes(size), "took", "now")
	var werr error
	h.cluster().Locked(func() { werr = h.fs.WriteFile(p, buf.Bytes(), 0o600) })
	if werr != nil {
		fmt.Fprintf(c.Stderr, "Error: %v\n", werr)
		return 1
	}
	h.etcdLog(c, "level", "info", "ts", zapTime(c.Now()), "caller", "snapshot/v3_snapshot.go:97", "msg", "saved", "path", file)
	fmt.Fprintf(c.Stdout, "Snapshot saved at %s\n", file)
	return 0
}

// snapshotInfo opens a snapshot file of the host as a store.
func (h *Host) snapshotInfo(p string) (rev int64, keys int, hash uint32, size int64, err error) {
	var data []byte
	h.cluster().Locked(func() { data, err = h.fs.ReadFile(p) })
	if err != nil {
		return
	}
	tmp, err := h.tempDB(data)
	if err != nil {
		return
	}
	defer os.Remove(tmp)
	rev, keys, hash, err = h.cluster().SnapshotInfo(tmp)
	return rev, keys, hash, int64(len(data)), err
}

// tempDB puts data in a file below the cluster's state directory (bbolt
// reads files).
func (h *Host) tempDB(data []byte) (string, error) {
	dir := filepath.Join(h.cluster().StateDir(), "hosts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "snapshot-*.db")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.Write(data)
	return f.Name(), err
}

func (h *Host) snapshotStatus(c *shell.Cmd, args []string, out string) int {
	if len(args) != 1 {
		fmt.Fprintln(c.Stderr, "Error: snapshot status requires exactly one argument")
		return 1
	}
	rev, keys, hash, size, err := h.snapshotInfo(c.Abs(args[0]))
	if err != nil {
		fmt.Fprintf(c.Stderr, "Error: stat %s: no such file or directory\n", args[0])
		return 1
	}
	if out == "table" {
		cells := []string{fmt.Sprintf("%x", hash), fmt.Sprint(rev), fmt.Sprint(keys), humanBytes(size)}
		heads := []string{"HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"}
		var sep strings.Builder
		sep.WriteString("+")
		for i := range heads {
			w := max(len(heads[i]), len(cells[i])) + 2
			sep.WriteString(strings.Repeat("-", w) + "+")
		}
		fmt.Fprintln(c.Stdout, sep.String())
		line := func(vals []string, right bool) {
			var b strings.Builder
			b.WriteString("|")
			for i := range vals {
				w := max(len(heads[i]), len(cells[i]))
				if right {
					fmt.Fprintf(&b, " %*s |", w, vals[i])
				} else {
					fmt.Fprintf(&b, " %s |", center(vals[i], w))
				}
			}
			fmt.Fprintln(c.Stdout, b.String())
		}
		line(heads, false)
		fmt.Fprintln(c.Stdout, sep.String())
		line(cells, true)
		fmt.Fprintln(c.Stdout, sep.String())
		return 0
	}
	fmt.Fprintf(c.Stdout, "%x, %d, %d, %s\n", hash, rev, keys, humanBytes(size))
	return 0
}

func (h *Host) snapshotRestore(c *shell.Cmd, args []string, flags map[string]string) int {
	if len(args) != 1 {
		fmt.Fprintln(c.Stderr, "Error: snapshot restore requires exactly one argument")
		return 1
	}
	src := c.Abs(args[0])
	name := firstOf(flags["name"], "default")
	dataDir := flags["data-dir"]
	if dataDir == "" {
		dataDir = name + ".etcd"
	}
	dd := c.Abs(dataDir)
	var data []byte
	var err error
	h.cluster().Locked(func() { data, err = h.fs.ReadFile(src) })
	if err != nil {
		fmt.Fprintf(c.Stderr, "Error: stat %s: no such file or directory\n", args[0])
		return 1
	}
	if ents, err := h.fs.ReadDir(dd); err == nil && len(ents) > 0 {
		fmt.Fprintf(c.Stderr, "Error: data-dir %q not empty or could not be read\n", dataDir)
		return 1
	}
	peer := firstOf(flags["initial-advertise-peer-urls"], "http://localhost:2380")
	now := c.Now()
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "caller", "snapshot/v3_snapshot.go:265", "msg", "restoring snapshot", "path", args[0], "wal-dir", dataDir+"/member/wal", "data-dir", dataDir, "snap-dir", dataDir+"/member/snap", "initial-memory-map-size", 0)
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "caller", "membership/store.go:141", "msg", "Trimming membership information from the backend...")
	h.etcdLog(c, "level", "info", "ts", zapTime(now), "caller", "membership/cluster.go:421", "msg", "added member", "cluster-id", "cdf818194e3a8c32", "local-member-id", "0", "added-peer-id", "8e9e05c52164694d", "added-peer-peer-urls", []string{peer})
	h.cluster().Locked(func() {
		h.fs.MkdirAll(dd+"/member/snap", 0o700)
		h.fs.MkdirAll(dd+"/member/wal", 0o700)
		h.fs.WriteFile(dd+"/member/snap/db", data, 0o600)
		h.fs.WriteFile(dd+"/member/wal/0000000000000000-0000000000000000.wal", nil, 0o600)
	})
	h.etcdLog(c, "level", "info", "ts", zapTime(c.Now()), "caller", "snapshot/v3_snapshot.go:293", "msg", "restored snapshot", "path", args[0], "wal-dir", dataDir+"/member/wal", "data-dir", dataDir, "snap-dir", dataDir+"/member/snap", "initial-memory-map-size", 0)
	return 0
}

// etcdutl: snapshot status|restore, version.
func (h *Host) etcdutl(c *shell.Cmd) int {
	flags, rest := splitFlags(c.Args[1:], "w", "write-out", "data-dir", "name", "initial-cluster", "initial-cluster-token", "initial-advertise-peer-urls")
	out := firstOf(flags["w"], flags["write-out"], "simple")
	switch {
	case len(rest) >= 2 && rest[0] == "snapshot" && rest[1] == "status":
		return h.snapshotStatus(c, rest[2:], out)
	case len(rest) >= 2 && rest[0] == "snapshot" && rest[1] == "restore":
		return h.snapshotRestore(c, rest[2:], flags)
	case len(rest) >= 1 && rest[0] == "version":
		fmt.Fprintf(c.Stdout, "etcdutl version: %s\nAPI version: 3.5\n", h.etcdVersion())
		return 0
	}
	fmt.Fprintln(c.Stdout, "NAME:\n\tetcdutl - An administrative command line tool for etcd3.")
	return 0
}

// etcdDataDir is the host directory etcd's manifest stores its data in:
// the hostPath behind the mount of its --data-dir.
func etcdDataDir(p *corev1.Pod) string {
	if len(p.Spec.Containers) == 0 {
		return defaultEtcdData
	}
	ct := p.Spec.Containers[0]
	dir := defaultEtcdData
	for _, a := range append(append([]string(nil), ct.Command...), ct.Args...) {
		if v, ok := strings.CutPrefix(a, "--data-dir="); ok {
			dir = v
		}
	}
	for _, m := range ct.VolumeMounts {
		if dir != m.MountPath && !strings.HasPrefix(dir, strings.TrimSuffix(m.MountPath, "/")+"/") {
			continue
		}
		for _, v := range p.Spec.Volumes {
			if v.Name == m.Name && v.HostPath != nil {
				return path.Join(v.HostPath.Path, strings.TrimPrefix(dir, m.MountPath))
			}
		}
	}
	return dir
}

// etcdMoved: the etcd manifest now keeps its data in another directory.
// When that directory holds a restored snapshot, the cluster's objects
// become the snapshot's. Call it with the cluster lock held.
func (h *Host) etcdMoved(p *corev1.Pod) {
	dir := etcdDataDir(p)
	if h.etcdData == "" {
		h.etcdData = defaultEtcdData
	}
	if dir == h.etcdData {
		return
	}
	h.etcdData = dir
	data, err := h.fs.ReadFile(dir + "/member/snap/db")
	if err != nil {
		return
	}
	tmp, err := h.tempDB(data)
	if err != nil {
		return
	}
	defer os.Remove(tmp)
	h.cluster().EtcdRestore(tmp)
}
