package chain

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path"
	"sort"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/containerfs"
	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// Filesystems. Each container gets its own (the image's shared layer under
// a fresh upper layer) at CreateContainer, discarded at RemoveContainer: a
// restarted container starts from the image again. The node's host paths
// that containers bind-mount (the kubelet's pod directories: emptyDir
// volumes, etc-hosts, the service-account token) are volumes of the node,
// shared by every container mounting them and removed with their pod's
// sandbox. Every other host path lives in the node's host filesystem (its
// "/", HostFS): a hostPath volume mounts a subtree of it, created as a
// directory when missing, as containerd creates a missing bind-mount source.
// The sandbox's /etc/hostname and /etc/resolv.conf are written as
// containerd writes them, from the sandbox config.
type files struct {
	host *containerfs.Volume // the node's "/"

	containers map[string]*containerfs.FS     // container ID → its filesystem
	hostDirs   map[string]*containerfs.Volume // host directory → volume
	hostFiles  map[string]*containerfs.Volume // host file → a volume holding it as /f
	sandboxes  map[string]*containerfs.Volume // sandbox ID → /hostname, /resolv.conf
}

func (c *Chain) fileState() *files {
	if c.files == nil {
		c.files = &files{host: newHostFS(c.cfg.Now), containers: map[string]*containerfs.FS{}, hostDirs: map[string]*containerfs.Volume{},
			hostFiles: map[string]*containerfs.Volume{}, sandboxes: map[string]*containerfs.Volume{}}
	}
	return c.files
}

// newHostFS is a node's "/" before anyone writes to it: the skeleton of an
// Ubuntu server's tree, which the node's setup (kubeadm's files, the
// kubelet's) fills in.
func newHostFS(clock containerfs.Clock) *containerfs.Volume {
	v := containerfs.NewVolume(clock, 0o755)
	for _, d := range []string{"/etc", "/home", "/opt", "/run", "/srv", "/usr/bin", "/usr/lib", "/usr/local/bin", "/var/lib", "/var/log"} {
		v.Add(containerfs.DirEntry(d))
	}
	v.Add(containerfs.Entry{Path: "/root", Mode: iofs.ModeDir | 0o700})
	v.Add(containerfs.Entry{Path: "/tmp", Mode: iofs.ModeDir | iofs.ModeSticky | 0o777})
	v.Add(containerfs.SymlinkEntry("/bin", "usr/bin"))
	v.Add(containerfs.SymlinkEntry("/lib", "usr/lib"))
	v.Add(containerfs.SymlinkEntry("/var/run", "/run"))
	return v
}

// HostFS is the node's host filesystem, its "/" as one tree: hostPath
// volumes mount subtrees of it. The kubelet's pod directories
// (/var/lib/kubelet/pods/<uid>/…) are volumes of their own and do not
// appear in it. Use it under the cluster's lock, as every filesystem.
func (c *Chain) HostFS() *containerfs.Volume {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fileState().host
}

// WriteHostFile writes a file on the node (the kubelet's
// /var/lib/kubelet/pods/<uid>/etc-hosts, a volume's files): containers that
// mount the path see it.
func (c *Chain) WriteHostFile(hostPath string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fs := c.fileState()
	hostPath = path.Clean(hostPath)
	if dir, rel, ok := c.hostDirOf(hostPath); ok {
		dir.WriteFile(rel, data, 0o644)
		return
	}
	v := fs.hostFiles[hostPath]
	if v == nil {
		v = containerfs.NewVolume(c.cfg.Now, 0o755)
		fs.hostFiles[hostPath] = v
	}
	v.WriteFile("/f", data, 0o644)
}

// HostDir returns the node's directory at hostPath as a volume, creating it
// (the kubelet's emptyDir and projected volume directories).
func (c *Chain) HostDir(hostPath string) *containerfs.Volume {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hostDir(path.Clean(hostPath))
}

func (c *Chain) hostDir(hostPath string) *containerfs.Volume {
	fs := c.fileState()
	v := fs.hostDirs[hostPath]
	if v == nil {
		v = containerfs.NewVolume(c.cfg.Now, 0o777)
		fs.hostDirs[hostPath] = v
	}
	return v
}

// hostDirOf finds the innermost host directory volume holding hostPath.
func (c *Chain) hostDirOf(hostPath string) (*containerfs.Volume, string, bool) {
	best := ""
	for dir := range c.fileState().hostDirs {
		if strings.HasPrefix(hostPath, dir+"/") && len(dir) > len(best) {
			best = dir
		}
	}
	if best == "" {
		return nil, "", false
	}
	return c.files.hostDirs[best], hostPath[len(best):], true
}

// createFS builds a new container's filesystem. Callers hold c.mu.
func (c *Chain) createFS(ct *container, sb *sandbox) {
	st := c.fileState()
	f := containerfs.New(ct.img.RootFS(), c.cfg.Now)
	if ct.img.Userland() != "" && sb != nil {
		sv := st.sandboxes[sb.id]
		if sv == nil {
			sv = containerfs.NewVolume(c.cfg.Now, 0o755)
			if h := sb.cfg.GetHostname(); h != "" {
				sv.WriteFile("/hostname", []byte(containerfs.HostnameFile(h)), 0o644)
			}
			if d := sb.cfg.GetDnsConfig(); d != nil {
				sv.WriteFile("/resolv.conf", []byte(containerfs.ResolvConf(d.Searches, d.Servers, d.Options)), 0o644)
			}
			st.sandboxes[sb.id] = sv
		}
		if sb.cfg.GetHostname() != "" {
			f.Mount("/etc/hostname", sv, "/hostname", false)
		}
		if sb.cfg.GetDnsConfig() != nil {
			f.Mount("/etc/resolv.conf", sv, "/resolv.conf", false)
		}
	}
	for _, m := range ct.cfg.GetMounts() {
		hp := path.Clean(m.HostPath)
		if v := st.hostFiles[hp]; v != nil {
			f.Mount(m.ContainerPath, v, "/f", m.Readonly)
			continue
		}
		if v := st.hostDirs[hp]; v != nil {
			f.Mount(m.ContainerPath, v, "/", m.Readonly)
			continue
		}
		if v, rel, ok := c.hostDirOf(hp); ok {
			f.Mount(m.ContainerPath, v, rel, m.Readonly)
			continue
		}
		host := st.host.FS()
		if _, err := host.Stat(hp); err != nil {
			host.MkdirAll(hp, 0o755)
		}
		f.Mount(m.ContainerPath, st.host, hp, m.Readonly)
	}
	if ct.cfg.GetLinux().GetSecurityContext().GetReadonlyRootfs() {
		f.SetReadOnly(true)
	}
	st.containers[ct.id] = f
}

// removeFS discards a container's filesystem. Callers hold c.mu.
func (c *Chain) removeFS(id string) { delete(c.fileState().containers, id) }

// removeSandboxFiles drops the sandbox's files and its pod's host
// directories. Callers hold c.mu.
func (c *Chain) removeSandboxFiles(sb *sandbox) {
	st := c.fileState()
	delete(st.sandboxes, sb.id)
	uid := sb.cfg.GetMetadata().GetUid()
	if uid == "" {
		return
	}
	prefix := "/var/lib/kubelet/pods/" + uid + "/"
	for k := range st.hostDirs {
		if strings.HasPrefix(k, prefix) {
			delete(st.hostDirs, k)
		}
	}
	for k := range st.hostFiles {
		if strings.HasPrefix(k, prefix) {
			delete(st.hostFiles, k)
		}
	}
}

// execLocked runs cmd in the container for runc exec (the CRI ExecSync
// path); callers hold c.mu. ok is false when the container has no
// filesystem here (the caller falls back to the catalog's exec).
func (c *Chain) execLocked(containerID string, cmd []string) (res runcExecResult, ok bool) {
	cfg, err := c.shellConfig(containerID)
	if err != nil {
		return res, false
	}
	var out, errOut strings.Builder
	res.code = runExec(cfg, cmd, nil, &out, &errOut)
	res.stdout, res.stderr = out.String(), errOut.String()
	return res, true
}

// hasBinary: the container can exec name (its PATH in its filesystem).
// Callers hold c.mu.
func (c *Chain) hasBinary(ct *container, name string) bool {
	f := c.fileState().containers[ct.id]
	if f == nil || ct.proc == nil {
		return ct.img.HasBinary(name)
	}
	_, err := shell.LookPath(f, ct.proc.Env["PATH"], "/", name)
	return err == nil && name != ""
}

// FS returns a container's filesystem (tests, kubectl cp), or nil.
func (c *Chain) FS(containerID string) *containerfs.FS {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fileState().containers[containerID]
}

// ErrNotRunning: exec into a container that is not running.
var ErrNotRunning = errors.New("container is not running")

// execBudget bounds the virtual time an exec'd command may take (its sleeps
// and runtime/shell's charge for busy loops); longer ones are killed (exit
// 137). kubectl exec has no such limit, but a simulated exec runs to its end
// while the cluster waits, so it must end: ten minutes is enough for what
// learners run and bounds a busy loop to about 600 000 commands.
const execBudget = 10 * time.Minute

// Exec runs cmd in a running container as `kubectl exec` does, in the
// container's shell and filesystem, and returns its exit code. A command
// missing from the image gives runc's error and 126. It costs no virtual
// time and runs without the chain's lock, so the command may reach other
// pods of this node through Config.Network.
func (c *Chain) Exec(containerID string, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	c.mu.Lock()
	cfg, err := c.shellConfig(containerID)
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return runExec(cfg, cmd, stdin, stdout, stderr), nil
}

// ExecOptions are the streams and terminal of an interactive exec.
type ExecOptions struct {
	// Stdin: nil is at EOF; a *shell.Input is fed while the process runs.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	Cols, Rows     int
}

// ExecNotFoundError: the command is not in the container's PATH; Msg is
// runc's message, which goes to the exec's stderr (exit 126).
type ExecNotFoundError struct{ Msg string }

func (e *ExecNotFoundError) Error() string { return e.Msg }

// StartExec prepares cmd to run in a running container (kubectl exec -i/-t):
// the caller drives the returned process on its clock (Resume) and feeds
// its Input. Nothing runs until then.
func (c *Chain) StartExec(containerID string, cmd []string, o ExecOptions) (*shell.Process, error) {
	c.mu.Lock()
	cfg, err := c.shellConfig(containerID)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	name := firstOr(cmd)
	if _, err := shell.LookPath(cfg.FS, envValue(cfg.Env, "PATH"), cfg.Dir, name); err != nil || name == "" {
		return nil, &ExecNotFoundError{Msg: images.ExecNotFound(name)}
	}
	cfg.Stdin, cfg.Stdout, cfg.Stderr = o.Stdin, o.Stdout, o.Stderr
	cfg.TTY, cfg.Cols, cfg.Rows = o.TTY, o.Cols, o.Rows
	if o.TTY {
		cfg.Env = append(cfg.Env, "TERM=xterm") // what kubectl's terminal gets [guess: containerd sets TERM=xterm for a tty exec]
	}
	return shell.Start(cfg, cmd), nil
}

func runExec(cfg shell.Config, cmd []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := firstOr(cmd)
	if _, err := shell.LookPath(cfg.FS, envValue(cfg.Env, "PATH"), cfg.Dir, name); err != nil || name == "" {
		fmt.Fprintln(stderr, images.ExecNotFound(name))
		return 126
	}
	cfg.Stdin, cfg.Stdout, cfg.Stderr = stdin, stdout, stderr
	return shell.Run(cfg, cmd, execBudget)
}

func envValue(env []string, k string) string {
	for _, kv := range env {
		if kk, v, ok := strings.Cut(kv, "="); ok && kk == k {
			return v
		}
	}
	return ""
}

// shellConfig is what an exec in the container runs with. Callers hold c.mu.
func (c *Chain) shellConfig(containerID string) (shell.Config, error) {
	ct := c.containers[containerID]
	if ct == nil {
		return shell.Config{}, fmt.Errorf("container %q: %w", containerID, ErrNotFound)
	}
	f := c.fileState().containers[containerID]
	if c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.proc == nil || f == nil {
		return shell.Config{}, fmt.Errorf("container %q: %w", containerID, ErrNotRunning)
	}
	sb := c.sandboxes[ct.sandboxID]
	env := make([]string, 0, len(ct.proc.Env))
	for k, v := range ct.proc.Env {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	dir := ct.img.Config.WorkingDir
	if w := ct.cfg.GetWorkingDir(); w != "" {
		dir = w
	}
	flavor := shell.Busybox
	if ct.img.Userland() == "debian" {
		flavor = shell.Debian
	}
	cfg := shell.Config{
		FS: f, Flavor: flavor, Version: ct.img.BusyboxVersion(), Env: env, Dir: dir, Start: c.now(), PID: 7,
		Procs: func() []shell.ProcInfo { return []shell.ProcInfo{{PID: 1, Argv: ct.proc.Argv}} },
	}
	if sb != nil {
		cfg.Hostname, cfg.IP = sb.cfg.GetHostname(), sb.ip
		if c.cfg.Network != nil {
			if n := c.cfg.Network(sb.ip, sb.cfg.GetMetadata().GetNamespace()); n != nil {
				cfg.Net = n
				// A network may give the shell a view of its own (ping).
				if sv, ok := n.(interface{ ShellNetwork() shell.Network }); ok {
					cfg.Net = sv.ShellNetwork()
				}
			}
		}
	}
	proc := ct.proc
	cfg.Fallback = func(argv []string, stdout, stderr io.Writer) (int, bool) {
		o, e, code := proc.Exec(argv)
		io.WriteString(stdout, o)
		io.WriteString(stderr, e)
		return code, true
	}
	return cfg, nil
}

// namespaceOf is the namespace of the pod sandbox holding ip ("" if none).
func (c *Chain) namespaceOf(ip string) string {
	for _, sb := range c.sandboxes {
		if ip != "" && sb.ip == ip {
			return sb.cfg.GetMetadata().GetNamespace()
		}
	}
	return ""
}

// NetNS is a sandbox's network namespace path ("" when unknown): the
// port-forward error names it.
func (c *Chain) NetNS(sandboxID string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sb := c.sandboxes[sandboxID]; sb != nil {
		return sb.netns
	}
	return ""
}

// MainExited records that a running container's main process ended now
// with code (an attached shell that exited): the container is EXITED from
// here on, as when its modelled exit time comes.
func (c *Chain) MainExited(containerID string, code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	if ct == nil || ct.proc == nil || c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return
	}
	ct.proc.Exit = &images.Exit{After: c.now().Sub(ct.startedAt), Code: code}
	c.refresh(ct)
}
