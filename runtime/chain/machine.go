package chain

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kubesim/runtime/images"
)

// machine is the node below the daemons: files (bundles), root filesystems,
// network namespaces and processes. Shared by the hops of one chain.
type machine struct {
	files    map[string][]byte        // path → content (config.json, process.json)
	rootfs   map[string]*images.Image // absolute rootfs path → the image it is made of
	netns    map[string]string        // netns path → pod IP
	procs    map[string]*proc         // runc container ID → process
	shims    map[string]*shim         // shim group ID → running shim
	taskShim map[string]string        // task (container) ID → shim group ID
	stdin    map[string]bool          // container ID → stdin kept open (its FIFO exists)
}

type proc struct {
	id        string
	bundle    string
	pid       int
	img       *images.Image
	p         *images.Process
	started   bool
	startedAt time.Time
	signals   []int
	execs     map[string]*Process // exec ID → process.json
}

func newMachine() *machine {
	return &machine{
		files:    map[string][]byte{},
		rootfs:   map[string]*images.Image{},
		netns:    map[string]string{},
		procs:    map[string]*proc{},
		shims:    map[string]*shim{},
		taskShim: map[string]string{},
		stdin:    map[string]bool{},
	}
}

// roundTrip encodes and decodes v, as crossing a process boundary does.
func roundTrip[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("chain: encode %T: %v", v, err))
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("chain: decode %T: %v", v, err))
	}
	return out
}

// ---- runc ----

// runcArgs is a parsed runc command line.
type runcArgs struct {
	sub, id, bundle, process, signal string
}

func parseRunc(argv []string) runcArgs {
	var a runcArgs
	var pos []string
	for i := 1; i < len(argv); i++ {
		arg := argv[i]
		switch {
		case arg == "--root" || arg == "--log" || arg == "--log-format" || arg == "--pid-file" || arg == "--console-socket":
			i++
		case arg == "--bundle" || arg == "-b":
			i++
			a.bundle = argv[i]
		case arg == "--process" || arg == "-p":
			i++
			a.process = argv[i]
		case strings.HasPrefix(arg, "-"):
		case a.sub == "":
			a.sub = arg
		default:
			pos = append(pos, arg)
		}
	}
	if len(pos) > 0 {
		a.id = pos[0]
	}
	if len(pos) > 1 {
		a.signal = pos[1]
	}
	return a
}

// runcExecResult is what runc exec printed.
type runcExecResult struct {
	stdout, stderr string
	code           int
}

// runc executes one runc command line. It is the last hop: it turns an OCI
// bundle into a simulated process from the image catalog.
func (c *Chain) runc(from string, argv []string) (runcExecResult, error) {
	a := parseRunc(argv)
	call := &RuncCall{Args: argv}
	m := c.m
	switch a.sub {
	case "create":
		raw, ok := m.files[a.bundle+"/config.json"]
		if !ok {
			c.enter(from, hopRunc, a.sub, call, 0)
			return runcExecResult{}, fmt.Errorf("runc create failed: open %s/config.json: no such file or directory", a.bundle)
		}
		var spec Spec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return runcExecResult{}, fmt.Errorf("runc create failed: parse config.json: %w", err)
		}
		call.Config = &spec
		c.enter(from, hopRunc, a.sub, call, 0)
		if err := c.checkCgroupsPath(&spec); err != nil {
			return runcExecResult{}, err
		}
		root := spec.Root.Path
		if !strings.HasPrefix(root, "/") {
			root = a.bundle + "/" + root
		}
		img := m.rootfs[root]
		if img == nil {
			return runcExecResult{}, fmt.Errorf("runc create failed: rootfs %s: no such file or directory", root)
		}
		ip := ""
		if spec.Linux != nil {
			for _, ns := range spec.Linux.Namespaces {
				if ns.Type == "network" {
					ip = m.netns[ns.Path]
				}
			}
		}
		env := make(map[string]string, len(spec.Process.Env))
		for _, kv := range spec.Process.Env {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		var net images.Network
		if c.cfg.Network != nil {
			net = c.cfg.Network(ip, c.namespaceOf(ip))
		}
		p, err := img.Start(images.ProcessSpec{Command: spec.Process.Args, Env: env, Hostname: spec.Hostname, IP: ip, Start: c.now(), Net: net, Stdin: m.stdin[a.id]})
		if err != nil {
			return runcExecResult{}, fmt.Errorf("runc create failed: %w", err)
		}
		p.Clock = c.cfg.Now
		if c.startHook != nil {
			c.startHook(p)
		}
		m.procs[a.id] = &proc{id: a.id, bundle: a.bundle, pid: c.newPID(), img: img, p: p, execs: map[string]*Process{}}
	case "start":
		c.enter(from, hopRunc, a.sub, call, 0)
		p := m.procs[a.id]
		if p == nil {
			return runcExecResult{}, fmt.Errorf("container does not exist")
		}
		p.started, p.startedAt = true, c.now()
	case "kill":
		c.enter(from, hopRunc, a.sub, call, 0)
		if p := m.procs[a.id]; p != nil {
			n, _ := strconv.Atoi(a.signal)
			p.signals = append(p.signals, n)
		}
	case "delete":
		c.enter(from, hopRunc, a.sub, call, 0)
		delete(m.procs, a.id)
	case "exec":
		var pr Process
		if raw, ok := m.files[a.process]; ok {
			_ = json.Unmarshal(raw, &pr)
		}
		call.Process = &pr
		c.enter(from, hopRunc, a.sub, call, 0)
		p := m.procs[a.id]
		if p == nil {
			return runcExecResult{}, fmt.Errorf("container does not exist")
		}
		if res, ok := c.execLocked(a.id, pr.Args); ok {
			return res, nil
		}
		out, errOut, code := p.p.Exec(pr.Args)
		return runcExecResult{stdout: out, stderr: errOut, code: code}, nil
	default:
		c.enter(from, hopRunc, a.sub, call, 0)
		return runcExecResult{}, fmt.Errorf("runc: unknown command %q", a.sub)
	}
	return runcExecResult{}, nil
}

// runcGlobal is runc's global flags as a caller passes them.
func runcGlobal(root, logPath string) []string {
	out := []string{"runc", "--root", root}
	if logPath != "" {
		out = append(out, "--log", logPath, "--log-format", "json")
	}
	return out
}

// ---- containerd-shim-runc-v2 ----

// shim is one running containerd-shim-runc-v2: one per pod under the CRI
// plugin (grouped by the io.kubernetes.cri.sandbox-id label), one per
// container under dockerd.
type shim struct {
	c         *Chain
	id        string
	namespace string
	tasks     map[string]string // task ID → bundle
}

func (s *shim) handle(req *ShimRequest) (runcExecResult, error) {
	c := s.c
	req = roundTrip(req) // ttRPC over the shim's socket
	c.enter(hopContainerd, hopShim, req.Method, req, 0)
	root := "/run/containerd/runc/" + s.namespace
	switch req.Method {
	case "Create":
		s.tasks[req.ID] = req.Bundle
		c.m.taskShim[req.ID] = s.id
		argv := append(runcGlobal(root, req.Bundle+"/log.json"), "create", "--bundle", req.Bundle, "--pid-file", req.Bundle+"/init.pid", req.ID)
		if _, err := c.runc(hopShim, argv); err != nil {
			return runcExecResult{}, fmt.Errorf("OCI runtime create failed: %w: unknown", err)
		}
	case "Start":
		if req.ExecID != "" {
			bundle := s.tasks[req.ID]
			argv := append(runcGlobal(root, bundle+"/log.json"), "exec", "--process", "/tmp/runc-process-"+req.ExecID, "--detach", "--pid-file", bundle+"/"+req.ExecID+".pid", req.ID)
			return c.runc(hopShim, argv)
		}
		argv := append(runcGlobal(root, s.tasks[req.ID]+"/log.json"), "start", req.ID)
		if _, err := c.runc(hopShim, argv); err != nil {
			return runcExecResult{}, fmt.Errorf("OCI runtime start failed: %w: unknown", err)
		}
	case "Exec":
		b, _ := json.Marshal(req.Process)
		c.m.files["/tmp/runc-process-"+req.ExecID] = b
	case "Kill":
		argv := append(runcGlobal(root, s.tasks[req.ID]+"/log.json"), "kill", req.ID, strconv.Itoa(req.Signal))
		_, err := c.runc(hopShim, argv)
		return runcExecResult{}, err
	case "Delete":
		argv := append(runcGlobal(root, s.tasks[req.ID]+"/log.json"), "delete", req.ID)
		delete(s.tasks, req.ID)
		delete(c.m.taskShim, req.ID)
		_, err := c.runc(hopShim, argv)
		return runcExecResult{}, err
	case "Shutdown":
		delete(c.m.shims, s.id)
	}
	return runcExecResult{}, nil
}

// ---- containerd core ----

// containerdCore is containerd's container and task services. Under dockerd
// (namespace "moby") it is reached by gRPC; under the CRI plugin (namespace
// "k8s.io") by direct function calls.
type containerdCore struct {
	c                *Chain
	namespace        string
	shimPerContainer bool
	containers       map[string]*ContainerdContainer
}

var serviceShort = map[string]string{
	"containerd.services.containers.v1.Containers": "Containers",
	"containerd.services.tasks.v1.Tasks":           "Tasks",
}

const (
	svcContainers = "containerd.services.containers.v1.Containers"
	svcTasks      = "containerd.services.tasks.v1.Tasks"
)

func (k *containerdCore) call(from string, req *ContainerdRequest) (runcExecResult, error) {
	c := k.c
	if from != hopContainerd {
		req = roundTrip(req) // gRPC from dockerd
	}
	c.enter(from, hopContainerd, serviceShort[req.Service]+"."+req.Method, req, 0)
	if k.containers == nil {
		k.containers = map[string]*ContainerdContainer{}
	}
	switch serviceShort[req.Service] + "." + req.Method {
	case "Containers.Create":
		k.containers[req.Container.ID] = req.Container
	case "Containers.Delete":
		delete(k.containers, req.Container.ID)
	case "Tasks.Create":
		ctr := k.containers[req.Task.ContainerID]
		if ctr == nil {
			return runcExecResult{}, fmt.Errorf("container %q in namespace %q: not found", req.Task.ContainerID, k.namespace)
		}
		bundle := "/run/containerd/io.containerd.runtime.v2.task/" + k.namespace + "/" + ctr.ID
		spec, err := json.Marshal(ctr.Spec)
		if err != nil {
			return runcExecResult{}, err
		}
		c.m.files[bundle+"/config.json"] = spec
		if ctr.Spec.Root != nil && !strings.HasPrefix(ctr.Spec.Root.Path, "/") {
			// The snapshot is mounted at <bundle>/rootfs.
			c.m.rootfs[bundle+"/"+ctr.Spec.Root.Path] = c.m.rootfs["snapshot:"+ctr.SnapshotKey]
		}
		s := k.shimFor(ctr)
		if _, err := s.handle(&ShimRequest{Method: "Create", ID: ctr.ID, Bundle: bundle, Rootfs: req.Task.Rootfs, Stdout: req.Task.Stdout, Stderr: req.Task.Stderr, Terminal: req.Task.Terminal}); err != nil {
			return runcExecResult{}, fmt.Errorf("failed to create shim task: %w", err)
		}
	case "Tasks.Start":
		s := k.shimOf(req.Task.ContainerID)
		if s == nil {
			return runcExecResult{}, fmt.Errorf("no running task found: task %s not found: not found", req.Task.ContainerID)
		}
		return s.handle(&ShimRequest{Method: "Start", ID: req.Task.ContainerID, ExecID: req.Task.ExecID})
	case "Tasks.Exec":
		if s := k.shimOf(req.Task.ContainerID); s != nil {
			return s.handle(&ShimRequest{Method: "Exec", ID: req.Task.ContainerID, ExecID: req.Task.ExecID, Process: req.Task.Process})
		}
	case "Tasks.Kill":
		if s := k.shimOf(req.Task.ContainerID); s != nil {
			return s.handle(&ShimRequest{Method: "Kill", ID: req.Task.ContainerID, Signal: req.Task.Signal})
		}
	case "Tasks.Delete":
		if s := k.shimOf(req.Task.ContainerID); s != nil {
			if _, err := s.handle(&ShimRequest{Method: "Delete", ID: req.Task.ContainerID}); err != nil {
				return runcExecResult{}, err
			}
			if len(s.tasks) == 0 {
				_, _ = s.handle(&ShimRequest{Method: "Shutdown", ID: s.id})
			}
		}
	}
	return runcExecResult{}, nil
}

// shimFor returns the container's shim, starting one (containerd execs
// "containerd-shim-runc-v2 … start") when its group has none.
func (k *containerdCore) shimFor(ctr *ContainerdContainer) *shim {
	group := ctr.ID
	if !k.shimPerContainer {
		if sb := ctr.Labels["io.kubernetes.cri.sandbox-id"]; sb != "" {
			group = sb
		}
	}
	if s := k.c.m.shims[group]; s != nil {
		return s
	}
	s := &shim{c: k.c, id: group, namespace: k.namespace, tasks: map[string]string{}}
	k.c.m.shims[group] = s
	_, _ = s.handle(&ShimRequest{Method: "start", ID: group, Args: []string{
		"containerd-shim-runc-v2", "-namespace", k.namespace, "-address", "/run/containerd/containerd.sock",
		"-publish-binary", "/usr/bin/containerd", "-id", group, "start",
	}})
	return s
}

func (k *containerdCore) shimOf(id string) *shim {
	return k.c.m.shims[k.c.m.taskShim[id]]
}
