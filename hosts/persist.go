package hosts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kubesim/runtime/containerfs"
	"kubesim/sim"
)

// The hosts' state outlives the process: `kubesim stop` and `kubesim
// start` keep each machine's filesystem (what users wrote: /root/backup.db,
// an edited manifest, /etc/kubernetes/*), its units' states (a stopped or
// disabled kubelet), its journal, its static pods and its shell's
// directory. They are kept in one file of the cluster's state directory,
// hosts.tar.gz: a gzip'd POSIX tar with, for each node,
//
//	NODE/host.json   units, journal, static pods (hostState)
//	NODE/fs/…        the filesystem, "/" first (modes, owners, virtual
//	                 modification times)
//
// after a first member kubesim-hosts holding the format's version. Paths
// are sorted and every time is the cluster's, so the same cluster state
// gives the same bytes. The file is written (to a temporary file, then
// renamed) after each shell run that changed anything and when the cluster
// closes; gzip's checksum and tar's framing find a damaged file, which
// leaves the hosts refusing shells with a one-line error and the file as
// it is.

// stateFile is the hosts' file in the cluster's state directory.
const stateFile = "hosts.tar.gz"

const stateVersion = "1"

// hostState is host.json: what a host holds beside its filesystem.
type hostState struct {
	// MachineUp: the machine was powered on (not halted).
	MachineUp bool              `json:"machineUp"`
	PIDNext   int               `json:"pidNext"`
	Units     []unitState       `json:"units"`
	Journal   []journalRecord   `json:"journal"`
	Manifests map[string]string `json:"manifests,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`
	EtcdData  string            `json:"etcdData,omitempty"`
}

type unitState struct {
	Name     string        `json:"name"`
	Active   bool          `json:"active"`
	Enabled  bool          `json:"enabled"`
	Failing  bool          `json:"failing,omitempty"`
	Since    time.Time     `json:"since"`
	LastTry  time.Time     `json:"lastTry,omitzero"`
	PID      int           `json:"pid"`
	CPU      time.Duration `json:"cpu"`
	Restarts int           `json:"restarts,omitempty"`
}

type journalRecord struct {
	At    time.Time `json:"at"`
	Ident string    `json:"ident"`
	PID   int       `json:"pid"`
	Unit  string    `json:"unit,omitempty"`
	Msg   string    `json:"msg"`
}

// savedHost is one host read back from the file.
type savedHost struct {
	state   *hostState
	entries []containerfs.Entry
}

// statePath is the hosts' file, or "" when the cluster keeps no state
// directory.
func (hs *Hosts) statePath() string {
	if d := hs.c.StateDir(); d != "" {
		return filepath.Join(d, stateFile)
	}
	return ""
}

// state is what h keeps beside its filesystem.
func (h *Host) state() *hostState {
	st := &hostState{PIDNext: h.pidNext, Manifests: h.manifests, Cwd: h.cwd, EtcdData: h.etcdData}
	if k := h.cluster().Node(h.Name); k != nil {
		st.MachineUp = k.MachineUp()
	}
	for _, name := range sortedKeys(h.units) {
		u := h.units[name]
		st.Units = append(st.Units, unitState{Name: u.name, Active: u.active, Enabled: u.enabled, Failing: u.failing,
			Since: u.since.UTC(), LastTry: u.lastTry.UTC(), PID: u.pid, CPU: u.cpu, Restarts: u.restarts})
	}
	st.Journal = make([]journalRecord, 0, len(h.journal))
	for _, e := range h.journal {
		st.Journal = append(st.Journal, journalRecord{At: e.at.UTC(), Ident: e.ident, PID: e.pid, Unit: e.unit, Msg: e.msg})
	}
	return st
}

// restore makes h the saved host: its units as kubeadm set them up, then
// their saved states, the saved journal, static pods and files over what
// the node's filesystem holds now (what the kubelet wrote since the
// start stays unless the file has it). Call it with the cluster lock held.
func (h *Host) restore(s *savedHost) {
	h.bootUnits()
	for _, e := range s.entries {
		h.root.Add(e)
	}
	st := s.state
	for _, us := range st.Units {
		u := h.units[us.Name]
		if u == nil {
			continue
		}
		u.active, u.enabled, u.failing, u.since, u.lastTry = us.Active, us.Enabled, us.Failing, us.Since, us.LastTry
		u.pid, u.cpu, u.restarts = us.PID, us.CPU, us.Restarts
	}
	h.journal = h.journal[:0]
	for _, r := range st.Journal {
		h.journal = append(h.journal, journalEntry{at: r.At, ident: r.Ident, pid: r.PID, unit: r.Unit, msg: r.Msg})
	}
	h.pidNext, h.manifests, h.cwd, h.etcdData = st.PIDNext, st.Manifests, st.Cwd, st.EtcdData
	if k := h.cluster().Node(h.Name); k != nil && !h.runtimeUp() {
		// The container runtime's units were stopped (runtime_unit.go).
		k.RuntimeStopped()
	}
	if u := h.units["kubelet.service"]; u != nil && !u.active {
		// The kubelet service was stopped (or kept failing) when the
		// cluster stopped: it is not running after the start either.
		h.cluster().StopKubelet(h.Name)
	}
}

// encodeState is the hosts' file's content.
func (hs *Hosts) encodeState() ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	epoch := time.Unix(0, 0).UTC()
	put := func(hdr *tar.Header, data []byte) error {
		hdr.Format = tar.FormatPAX
		if hdr.ModTime.IsZero() {
			hdr.ModTime = epoch
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := put(&tar.Header{Name: "kubesim-hosts", Mode: 0o644, Size: int64(len(stateVersion) + 1), Typeflag: tar.TypeReg}, []byte(stateVersion+"\n")); err != nil {
		return nil, err
	}
	for _, name := range hs.order {
		h := hs.hosts[name]
		js, err := json.MarshalIndent(h.state(), "", " ")
		if err != nil {
			return nil, err
		}
		if err := put(&tar.Header{Name: name + "/host.json", Mode: 0o600, Size: int64(len(js)), Typeflag: tar.TypeReg}, js); err != nil {
			return nil, err
		}
		for _, e := range h.root.Entries() {
			hdr := entryHeader(name, e)
			var data []byte
			if hdr.Typeflag == tar.TypeReg {
				data = []byte(e.Data)
			}
			if err := put(hdr, data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entryHeader is a filesystem entry's tar header: NODE/fs/PATH. A mode tar
// has no type for (a socket) is kept whole in a KUBESIM.mode record.
func entryHeader(node string, e containerfs.Entry) *tar.Header {
	name := node + "/fs" + e.Path
	hdr := &tar.Header{Name: name, Uid: e.UID, Gid: e.GID, ModTime: e.ModTime.UTC(), Mode: tarMode(e.Mode)}
	switch {
	case e.Mode.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, strings.TrimSuffix(name, "/")+"/"
	case e.Mode&fs.ModeSymlink != 0:
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.Target
	case e.Mode.IsRegular():
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.Data))
	default:
		hdr.Typeflag = tar.TypeFifo
		hdr.PAXRecords = map[string]string{"KUBESIM.mode": strconv.FormatUint(uint64(e.Mode), 8)}
	}
	return hdr
}

func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}

func fileMode(hdr *tar.Header) fs.FileMode {
	m := fs.FileMode(hdr.Mode).Perm()
	if hdr.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if hdr.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if hdr.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		m |= fs.ModeDir
	case tar.TypeSymlink:
		m |= fs.ModeSymlink
	}
	return m
}

// StateError is a hosts' file that cannot be read back.
type StateError struct {
	Path, Problem string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("the nodes' hosts state in %s is damaged (%s); remove it to give the hosts kubeadm's files again, or `kubesim delete` to start over", e.Path, e.Problem)
}

// loadState reads the hosts' file at p: nil and no error when there is
// none.
func loadState(p string) (map[string]*savedHost, error) {
	if p == "" {
		return nil, nil
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := decodeState(data)
	if err != nil {
		return nil, &StateError{Path: p, Problem: strings.Join(strings.Fields(err.Error()), " ")}
	}
	return out, nil
}

// decodeState parses the hosts' file's content.
func decodeState(data []byte) (map[string]*savedHost, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	out := map[string]*savedHost{}
	first := true
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if first {
			if hdr.Name != "kubesim-hosts" || strings.TrimSpace(string(body)) != stateVersion {
				return nil, fmt.Errorf("not a kubesim hosts file (first member %q)", hdr.Name)
			}
			first = false
			continue
		}
		node, rest, ok := strings.Cut(hdr.Name, "/")
		if !ok || node == "" {
			return nil, fmt.Errorf("unexpected member %q", hdr.Name)
		}
		s := out[node]
		if s == nil {
			s = &savedHost{}
			out[node] = s
		}
		switch {
		case rest == "host.json":
			var st hostState
			if err := json.Unmarshal(body, &st); err != nil {
				return nil, fmt.Errorf("%s: %v", hdr.Name, err)
			}
			s.state = &st
		case rest == "fs/" || strings.HasPrefix(rest, "fs/"):
			p := path.Clean("/" + strings.TrimPrefix(rest, "fs"))
			e := containerfs.Entry{Path: p, Mode: fileMode(hdr), UID: hdr.Uid, GID: hdr.Gid, ModTime: hdr.ModTime.UTC()}
			switch hdr.Typeflag {
			case tar.TypeReg:
				e.Data = string(body)
			case tar.TypeSymlink:
				e.Target = hdr.Linkname
			case tar.TypeDir:
			case tar.TypeFifo:
				m, err := strconv.ParseUint(hdr.PAXRecords["KUBESIM.mode"], 8, 32)
				if err != nil {
					return nil, fmt.Errorf("%s: bad mode record", hdr.Name)
				}
				e.Mode = fs.FileMode(m)
			default:
				return nil, fmt.Errorf("%s: unexpected type %q", hdr.Name, hdr.Typeflag)
			}
			s.entries = append(s.entries, e)
		default:
			return nil, fmt.Errorf("unexpected member %q", hdr.Name)
		}
	}
	if first {
		return nil, errors.New("empty archive")
	}
	// Read to gzip's end, which checks its CRC and length.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, err
	}
	for node, s := range out {
		if s.state == nil {
			return nil, fmt.Errorf("%s/host.json is missing", node)
		}
	}
	return out, nil
}

// save writes the hosts' file if the hosts changed since it was last
// written or read. Call it with the cluster lock held.
func (hs *Hosts) save() error {
	p := hs.statePath()
	if p == "" || hs.loadErr != nil {
		return nil
	}
	mark := hs.mark()
	if mark == hs.savedMark {
		return nil
	}
	data, err := hs.encodeState()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if sum == hs.saved {
		return nil
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return err
	}
	hs.saved, hs.savedMark = sum, mark
	return nil
}

// mark changes whenever anything the file keeps may have changed (a
// filesystem's generation, the journal's length, a unit's state), so that
// an unchanged host is not encoded again.
func (hs *Hosts) mark() string {
	var b strings.Builder
	for _, name := range hs.order {
		h := hs.hosts[name]
		up := false
		if k := hs.c.Node(name); k != nil {
			up = k.MachineUp()
		}
		fmt.Fprintf(&b, "%s %d %d %d %v %s %s %d;", name, h.root.Generation(), len(h.journal), h.pidNext, up, h.cwd, h.etcdData, len(h.manifests))
		for _, n := range sortedKeys(h.units) {
			u := h.units[n]
			fmt.Fprintf(&b, "%v%v%v%d%d,", u.active, u.enabled, u.failing, u.restarts, u.pid)
		}
	}
	return b.String()
}

// KubeletStopped is sim.Options.KubeletStopped for the cluster whose
// state directory is dir: the nodes whose machine was up with its kubelet
// service not running when the hosts were last saved. A missing or
// damaged file stops none.
func KubeletStopped(dir string) func(node string) bool {
	saved, _ := loadState(filepath.Join(dir, stateFile))
	return func(node string) bool {
		s := saved[node]
		if s == nil || !s.state.MachineUp {
			return false
		}
		for _, u := range s.state.Units {
			if u.Name == "kubelet.service" {
				return !u.Active
			}
		}
		return false
	}
}

// Resume brings back the hosts of a resumed cluster whose state directory
// has their file (kubesim start calls it at once, so that a kubelet
// stopped before the stop stays stopped and the files are there for the
// pods' hostPath volumes); it reports a damaged file.
func Resume(c *sim.Cluster) error {
	if p := filepath.Join(c.StateDir(), stateFile); c.StateDir() == "" || !exists(p) {
		return nil
	}
	return For(c).loadErr
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// saveAfterRun keeps what a shell run changed; a failure to write is told
// on the run's stderr.
func (hs *Hosts) saveAfterRun(o RunOptions) {
	var err error
	hs.c.Locked(func() { err = hs.save() })
	if err != nil && o.Stderr != nil {
		fmt.Fprintf(o.Stderr, "kubesim: keeping the hosts' state: %v\n", err)
	}
}
