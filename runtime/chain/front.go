package chain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// criHop is the kubelet-facing hop of a chain: dockershim/cri-dockerd, the
// containerd CRI plugin, or crio. The front (this file) keeps CRI state and
// calls it with c.mu held; the hop records itself and drives the hops below.
type criHop interface {
	name() string
	runPodSandbox(req *runtimeapi.RunPodSandboxRequest, sb *sandbox) error // sets sb.id
	stopPodSandbox(req *runtimeapi.StopPodSandboxRequest, sb *sandbox) error
	removePodSandbox(req *runtimeapi.RemovePodSandboxRequest, sb *sandbox) error
	createContainer(req *runtimeapi.CreateContainerRequest, sb *sandbox, ct *container) error // sets ct.id
	startContainer(req *runtimeapi.StartContainerRequest, ct *container, sb *sandbox) error
	stopContainer(req *runtimeapi.StopContainerRequest, ct *container) error
	removeContainer(req *runtimeapi.RemoveContainerRequest, ct *container) error
	pullImage(req *runtimeapi.PullImageRequest, img *images.Image) error
	execSync(req *runtimeapi.ExecSyncRequest, ct *container) (runcExecResult, error)
	// read records a read-only call and does the layer's work for it (for the
	// docker chains: the Engine API round trip and JSON decoding).
	read(op string, req any, items int)
}

type sandbox struct {
	id           string
	cfg          *runtimeapi.PodSandboxConfig
	handler      string
	ip           string
	netns        string // network namespace path, set by the CRI hop
	hostNetwork  bool
	setupNetwork func() error // CNI ADD: sets ip
	netUp        bool         // CNI ADD succeeded and no DEL yet
	state        runtimeapi.PodSandboxState
	createdAt    time.Time
	proc         *images.Process
}

type container struct {
	id, sandboxID string
	cfg           *runtimeapi.ContainerConfig
	img           *images.Image
	state         runtimeapi.ContainerState
	createdAt     time.Time
	startedAt     time.Time
	finishedAt    time.Time
	exitCode      int32
	reason        string
	message       string
	proc          *images.Process
	logPath       string
	sh            *shell.Process // the scripted main process (script.go), or nil
	logs          *logWriter
	oom           bool // the scripted process went past the memory limit
}

// Runtime returns the CRI RuntimeService.
func (c *Chain) Runtime() runtimeapi.RuntimeServiceServer { return &runtimeService{c: c} }

// Images returns the CRI ImageService.
func (c *Chain) Images() runtimeapi.ImageServiceServer { return &imageService{c: c} }

type runtimeService struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	c *Chain
}

type imageService struct {
	runtimeapi.UnimplementedImageServiceServer
	c *Chain
}

// wire encodes and decodes a CRI message, as the kubelet's gRPC call does.
func wire[T proto.Message](m T) T {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	out := m.ProtoReflect().New().Interface().(T)
	if err := proto.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// call opens a CRI call: it takes the chain's lock, which the returned
// func releases, and charges the kubelet's side of the hop.
//
//	defer c.call("Version", 0)()
func (c *Chain) call(op string, items int) (unlock func()) {
	c.mu.Lock()
	c.kubelet(op, items)
	return c.mu.Unlock
}

// kubelet charges the kubelet's own side of a CRI call.
func (c *Chain) kubelet(op string, items int) {
	o := c.costs.Op(hopKubelet, op)
	c.cpu[hopKubelet] += o.CPU + time.Duration(items)*o.PerItem
}

func notFound(format string, args ...any) error {
	return status.Errorf(codes.NotFound, format, args...)
}

// runtimeErr turns a hop error into the gRPC error the kubelet sees.
func runtimeErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *images.PullError
	if errors.As(err, &pe) {
		return status.Error(codes.NotFound, pe.Desc())
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unknown, err.Error())
}

func (s *runtimeService) Version(_ context.Context, req *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	c := s.c
	defer c.call("Version", 0)()
	c.front.read("Version", wire(req), 0)
	return wire(&runtimeapi.VersionResponse{
		Version:           "0.1.0",
		RuntimeName:       c.version.name,
		RuntimeVersion:    c.version.version,
		RuntimeApiVersion: c.version.apiVersion,
	}), nil
}

func (s *runtimeService) Status(_ context.Context, req *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	c := s.c
	defer c.call("Status", 0)()
	c.front.read("Status", wire(req), 0)
	return wire(&runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
		{Type: runtimeapi.RuntimeReady, Status: true},
		{Type: runtimeapi.NetworkReady, Status: true},
	}}}), nil
}

func (s *runtimeService) RuntimeConfig(_ context.Context, req *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	c := s.c
	defer c.call("RuntimeConfig", 0)()
	c.front.read("RuntimeConfig", wire(req), 0)
	return &runtimeapi.RuntimeConfigResponse{Linux: &runtimeapi.LinuxRuntimeConfiguration{CgroupDriver: runtimeapi.CgroupDriver_SYSTEMD}}, nil
}

func (s *runtimeService) RunPodSandbox(_ context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	c := s.c
	defer c.call("RunPodSandbox", 0)()
	req = wire(req)
	cfg := req.GetConfig()
	md := cfg.GetMetadata()
	if md == nil || md.Name == "" || md.Namespace == "" || md.Uid == "" {
		return nil, status.Error(codes.InvalidArgument, "sandbox config must include metadata with name, namespace and uid")
	}
	sb := &sandbox{cfg: cfg, handler: req.RuntimeHandler, createdAt: c.now(), state: runtimeapi.PodSandboxState_SANDBOX_READY}
	hostNetwork := cfg.GetLinux().GetSecurityContext().GetNamespaceOptions().GetNetwork() == runtimeapi.NamespaceMode_NODE
	sb.hostNetwork = hostNetwork
	// setupNetwork is the CNI ADD; the CRI hop calls it where its runtime
	// does, once the sandbox ID exists.
	sb.setupNetwork = func() error {
		switch {
		case hostNetwork:
			// No CNI for host-network pods: they have the node's address.
			sb.ip = cfg.GetAnnotations()[PodIPAnnotation]
		case c.cfg.CNI != nil:
			ip, err := c.cfg.CNI.Add(md.Namespace, md.Name, md.Uid, sb.id)
			if err != nil {
				return err
			}
			sb.ip, sb.netUp = ip, true
		default:
			sb.ip = cfg.GetAnnotations()[PodIPAnnotation]
		}
		return nil
	}
	if err := c.front.runPodSandbox(req, sb); err != nil {
		c.teardownNetwork(sb)
		return nil, runtimeErr(err)
	}
	if p := c.m.procs[sb.id]; p != nil {
		sb.proc = p.p
	}
	c.sandboxes[sb.id] = sb
	return wire(&runtimeapi.RunPodSandboxResponse{PodSandboxId: sb.id}), nil
}

func (c *Chain) findSandbox(id string) (*sandbox, error) {
	sb := c.sandboxes[id]
	if sb == nil {
		return nil, notFound("an error occurred when try to find sandbox: not found")
	}
	return sb, nil
}

func (s *runtimeService) StopPodSandbox(_ context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	c := s.c
	defer c.call("StopPodSandbox", 0)()
	req = wire(req)
	sb, err := c.findSandbox(req.PodSandboxId)
	if err != nil {
		return nil, err
	}
	if sb.state == runtimeapi.PodSandboxState_SANDBOX_NOTREADY {
		c.front.read("StopPodSandbox", req, 0)
		return &runtimeapi.StopPodSandboxResponse{}, nil
	}
	// Containers still running are stopped first, as runtimes do.
	for _, id := range slices.Sorted(maps.Keys(c.containers)) {
		ct := c.containers[id]
		if ct.sandboxID == sb.id && c.refresh(ct) == runtimeapi.ContainerState_CONTAINER_RUNNING {
			if err := c.stopContainer(&runtimeapi.StopContainerRequest{ContainerId: id}, ct); err != nil {
				return nil, runtimeErr(err)
			}
		}
	}
	if err := c.front.stopPodSandbox(req, sb); err != nil {
		return nil, runtimeErr(err)
	}
	c.teardownNetwork(sb)
	sb.state = runtimeapi.PodSandboxState_SANDBOX_NOTREADY
	return wire(&runtimeapi.StopPodSandboxResponse{}), nil
}

func (s *runtimeService) RemovePodSandbox(_ context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	c := s.c
	defer c.call("RemovePodSandbox", 0)()
	req = wire(req)
	sb := c.sandboxes[req.PodSandboxId]
	if sb == nil {
		c.front.read("RemovePodSandbox", req, 0)
		return &runtimeapi.RemovePodSandboxResponse{}, nil // idempotent
	}
	if sb.state == runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, status.Errorf(codes.Unknown, "sandbox container %q is not fully stopped", sb.id)
	}
	for _, id := range slices.Sorted(maps.Keys(c.containers)) {
		if ct := c.containers[id]; ct.sandboxID == sb.id {
			if err := c.front.removeContainer(&runtimeapi.RemoveContainerRequest{ContainerId: id}, ct); err != nil {
				return nil, runtimeErr(err)
			}
			c.killScript(ct)
			delete(c.containers, id)
			c.removeFS(id)
		}
	}
	if err := c.front.removePodSandbox(req, sb); err != nil {
		return nil, runtimeErr(err)
	}
	delete(c.sandboxes, sb.id)
	c.removeSandboxFiles(sb)
	c.teardownNetwork(sb)
	return wire(&runtimeapi.RemovePodSandboxResponse{}), nil
}

// teardownNetwork is the CNI DEL of a sandbox whose ADD succeeded, once:
// containerd and CRI-O tear the pod network down in StopPodSandbox, and
// RemovePodSandbox of a sandbox never stopped does it then.
func (c *Chain) teardownNetwork(sb *sandbox) {
	if !sb.netUp {
		return
	}
	sb.netUp = false
	md := sb.cfg.GetMetadata()
	c.cfg.CNI.Del(md.Namespace, md.Name, md.Uid, sb.id)
}

func (s *runtimeService) PodSandboxStatus(_ context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	c := s.c
	defer c.call("PodSandboxStatus", 0)()
	req = wire(req)
	sb, err := c.findSandbox(req.PodSandboxId)
	if err != nil {
		return nil, err
	}
	c.front.read("PodSandboxStatus", req, 1)
	resp := &runtimeapi.PodSandboxStatusResponse{Status: c.sandboxStatus(sb)}
	if req.Verbose {
		resp.Info = map[string]string{"info": c.sandboxInfo(sb)}
	}
	return wire(resp), nil
}

func (c *Chain) sandboxStatus(sb *sandbox) *runtimeapi.PodSandboxStatus {
	st := &runtimeapi.PodSandboxStatus{
		Id:             sb.id,
		Metadata:       sb.cfg.GetMetadata(),
		State:          sb.state,
		CreatedAt:      sb.createdAt.UnixNano(),
		Labels:         sb.cfg.GetLabels(),
		Annotations:    sb.cfg.GetAnnotations(),
		RuntimeHandler: sb.handler,
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{Options: &runtimeapi.NamespaceOption{
			Network: sb.cfg.GetLinux().GetSecurityContext().GetNamespaceOptions().GetNetwork(),
			Pid:     sb.cfg.GetLinux().GetSecurityContext().GetNamespaceOptions().GetPid(),
			Ipc:     sb.cfg.GetLinux().GetSecurityContext().GetNamespaceOptions().GetIpc(),
		}}},
	}
	if sb.ip != "" {
		st.Network = &runtimeapi.PodSandboxNetworkStatus{Ip: sb.ip}
	}
	return st
}

func (c *Chain) sandboxInfo(sb *sandbox) string {
	pid := 0
	if p := c.m.procs[sb.id]; p != nil {
		pid = p.pid
	}
	return fmt.Sprintf(`{"pid":%d,"runtimeType":%q,"runtimeHandler":%q,"image":%q,"node":%q,"chain":%q}`,
		pid, "io.containerd.runc.v2", sb.handler, c.sandboxImg.Ref, c.cfg.Node, c.cfg.Kind)
}

func (s *runtimeService) ListPodSandbox(_ context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kubelet("ListPodSandbox", len(c.sandboxes))
	req = wire(req)
	c.front.read("ListPodSandbox", req, len(c.sandboxes))
	f := req.GetFilter()
	var items []*runtimeapi.PodSandbox
	for _, id := range c.sortedSandboxIDs() {
		sb := c.sandboxes[id]
		if f != nil {
			if f.Id != "" && f.Id != sb.id {
				continue
			}
			if f.State != nil && f.State.State != sb.state {
				continue
			}
			if !labelsMatch(sb.cfg.GetLabels(), f.LabelSelector) {
				continue
			}
		}
		items = append(items, &runtimeapi.PodSandbox{
			Id: sb.id, Metadata: sb.cfg.GetMetadata(), State: sb.state, CreatedAt: sb.createdAt.UnixNano(),
			Labels: sb.cfg.GetLabels(), Annotations: sb.cfg.GetAnnotations(), RuntimeHandler: sb.handler,
		})
	}
	return wire(&runtimeapi.ListPodSandboxResponse{Items: items}), nil
}

// sortedSandboxIDs orders sandboxes by creation, then ID.
func (c *Chain) sortedSandboxIDs() []string {
	return slices.Sorted(maps.Keys(c.sandboxes))
}

func labelsMatch(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (s *runtimeService) CreateContainer(_ context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	c := s.c
	defer c.call("CreateContainer", 0)()
	req = wire(req)
	sb, err := c.findSandbox(req.PodSandboxId)
	if err != nil {
		return nil, err
	}
	cfg := req.GetConfig()
	if cfg.GetMetadata().GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "container config must include metadata")
	}
	img, err := c.findImage(cfg.GetImage().GetImage())
	if err != nil {
		return nil, err
	}
	ct := &container{sandboxID: sb.id, cfg: cfg, img: img, state: runtimeapi.ContainerState_CONTAINER_CREATED, createdAt: c.now()}
	if d := sb.cfg.GetLogDirectory(); d != "" && cfg.GetLogPath() != "" {
		ct.logPath = d + "/" + cfg.GetLogPath()
	}
	if err := c.front.createContainer(req, sb, ct); err != nil {
		return nil, runtimeErr(err)
	}
	c.containers[ct.id] = ct
	c.createFS(ct, sb)
	return wire(&runtimeapi.CreateContainerResponse{ContainerId: ct.id}), nil
}

func (c *Chain) findContainer(id string) (*container, error) {
	ct := c.containers[id]
	if ct == nil {
		return nil, notFound("an error occurred when try to find container %q: not found", id)
	}
	return ct, nil
}

func (s *runtimeService) StartContainer(_ context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	c := s.c
	defer c.call("StartContainer", 0)()
	req = wire(req)
	ct, err := c.findContainer(req.ContainerId)
	if err != nil {
		return nil, err
	}
	if ct.state != runtimeapi.ContainerState_CONTAINER_CREATED {
		return nil, status.Errorf(codes.Unknown, "container %q is in %s state", ct.id, ct.state)
	}
	if err := c.front.startContainer(req, ct, c.sandboxes[ct.sandboxID]); err != nil {
		// The container is left exited with the start error, as runtimes do.
		ct.state, ct.exitCode, ct.reason, ct.message = runtimeapi.ContainerState_CONTAINER_EXITED, 128, "StartError", err.Error()
		ct.finishedAt = c.now()
		return nil, runtimeErr(err)
	}
	ct.state, ct.startedAt = runtimeapi.ContainerState_CONTAINER_RUNNING, c.now()
	if p := c.m.procs[ct.id]; p != nil {
		ct.proc = p.p
	}
	c.startScript(ct)
	return wire(&runtimeapi.StartContainerResponse{}), nil
}

// refresh moves a running container whose process has exited to EXITED and
// returns its state.
func (c *Chain) refresh(ct *container) runtimeapi.ContainerState {
	if ct.state != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.proc == nil || ct.proc.Exit == nil {
		return ct.state
	}
	end := ct.startedAt.Add(ct.proc.Exit.After)
	if c.now().Before(end) {
		return ct.state
	}
	ct.state, ct.finishedAt, ct.exitCode = runtimeapi.ContainerState_CONTAINER_EXITED, end, int32(ct.proc.Exit.Code)
	ct.reason = exitReason(ct.proc.Exit.Code)
	if ct.oom {
		ct.reason = "OOMKilled" // containerd: the cgroup's oom_kill count rose
	}
	return ct.state
}

// exitReason is containerd's ContainerStatus reason for an exit code.
func exitReason(code int) string {
	if code == 0 {
		return "Completed"
	}
	return "Error"
}

// ExitAt tells when a running container's process exits on its own; ok is
// false when it runs until stopped (or is not running). The kubelet sets a
// timer for it.
func (c *Chain) ExitAt(containerID string) (at time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	if ct == nil || ct.state != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.proc == nil || ct.proc.Exit == nil {
		return time.Time{}, false
	}
	return ct.startedAt.Add(ct.proc.Exit.After), true
}

// stopPlan says which signal stops the container and whether the process
// ignores it (PID 1 without a handler: SIGKILL after the grace period).
func (c *Chain) stopPlan(id string, timeout int64) (signal int, ignores, exited bool) {
	p := c.m.procs[id]
	if p == nil || !p.started {
		return 0, false, true
	}
	if ex := p.p.Exit; ex != nil && !c.now().Before(p.startedAt.Add(ex.After)) {
		return 0, false, true
	}
	if timeout <= 0 {
		return 9, false, false
	}
	return signalNumber(p.p.Stop.Signal), p.p.Stop.Ignores, false
}

func (s *runtimeService) StopContainer(_ context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	c := s.c
	defer c.call("StopContainer", 0)()
	req = wire(req)
	ct, err := c.findContainer(req.ContainerId)
	if err != nil {
		return nil, err
	}
	if err := c.stopContainer(req, ct); err != nil {
		return nil, runtimeErr(err)
	}
	return wire(&runtimeapi.StopContainerResponse{}), nil
}

// stopContainer stops ct through the chain and settles its exit: the
// process's own stop behaviour, or SIGKILL (137) after the timeout. The time
// waited is charged to the cost.
func (c *Chain) stopContainer(req *runtimeapi.StopContainerRequest, ct *container) error {
	if c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		c.front.read("StopContainer", req, 0)
		return nil
	}
	_, ignores, exited := c.stopPlan(ct.id, req.Timeout)
	if err := c.front.stopContainer(req, ct); err != nil {
		return err
	}
	if exited {
		c.refresh(ct)
		c.killScript(ct)
		return nil
	}
	now := c.now()
	var wait time.Duration
	switch {
	case req.Timeout <= 0 || ignores:
		wait = time.Duration(max(req.Timeout, 0)) * time.Second
		ct.exitCode, ct.reason = 137, "Error"
	default:
		wait = ct.proc.Stop.After
		ct.exitCode, ct.reason = int32(ct.proc.Stop.Code), exitReason(ct.proc.Stop.Code)
		ct.proc.Logs = append(ct.proc.Logs, ct.proc.StopLines(now.Sub(ct.startedAt))...)
	}
	ct.proc.Exit = &images.Exit{After: now.Add(wait).Sub(ct.startedAt), Code: int(ct.exitCode)}
	ct.state, ct.finishedAt = runtimeapi.ContainerState_CONTAINER_EXITED, now.Add(wait)
	c.killScript(ct)
	c.wait(wait)
	return nil
}

func (s *runtimeService) RemoveContainer(_ context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	c := s.c
	defer c.call("RemoveContainer", 0)()
	req = wire(req)
	ct := c.containers[req.ContainerId]
	if ct == nil {
		c.front.read("RemoveContainer", req, 0)
		return &runtimeapi.RemoveContainerResponse{}, nil
	}
	if c.refresh(ct) == runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.Unknown, "container %q is running, stop it first", ct.id)
	}
	if err := c.front.removeContainer(req, ct); err != nil {
		return nil, runtimeErr(err)
	}
	c.killScript(ct)
	delete(c.containers, ct.id)
	c.removeFS(ct.id)
	return wire(&runtimeapi.RemoveContainerResponse{}), nil
}

func (s *runtimeService) ListContainers(_ context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kubelet("ListContainers", len(c.containers))
	req = wire(req)
	c.front.read("ListContainers", req, len(c.containers))
	f := req.GetFilter()
	var out []*runtimeapi.Container
	for _, id := range slices.Sorted(maps.Keys(c.containers)) {
		ct := c.containers[id]
		state := c.refresh(ct)
		if f != nil {
			if f.Id != "" && f.Id != ct.id || f.PodSandboxId != "" && f.PodSandboxId != ct.sandboxID {
				continue
			}
			if f.State != nil && f.State.State != state {
				continue
			}
			if !labelsMatch(ct.cfg.GetLabels(), f.LabelSelector) {
				continue
			}
		}
		out = append(out, &runtimeapi.Container{
			Id: ct.id, PodSandboxId: ct.sandboxID, Metadata: ct.cfg.GetMetadata(),
			Image: &runtimeapi.ImageSpec{Image: ct.img.Ref}, ImageRef: c.imageRef(ct.img), ImageId: ct.img.ID,
			State: state, CreatedAt: ct.createdAt.UnixNano(), Labels: ct.cfg.GetLabels(), Annotations: ct.cfg.GetAnnotations(),
		})
	}
	return wire(&runtimeapi.ListContainersResponse{Containers: out}), nil
}

func (s *runtimeService) ContainerStatus(_ context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	c := s.c
	defer c.call("ContainerStatus", 0)()
	req = wire(req)
	ct, err := c.findContainer(req.ContainerId)
	if err != nil {
		return nil, err
	}
	c.front.read("ContainerStatus", req, 1)
	st := &runtimeapi.ContainerStatus{
		Id: ct.id, Metadata: ct.cfg.GetMetadata(), State: c.refresh(ct), CreatedAt: ct.createdAt.UnixNano(),
		Image: &runtimeapi.ImageSpec{Image: ct.img.Ref}, ImageRef: c.imageRef(ct.img), ImageId: ct.img.ID,
		ExitCode: ct.exitCode, Reason: ct.reason, Message: ct.message,
		Labels: ct.cfg.GetLabels(), Annotations: ct.cfg.GetAnnotations(), LogPath: ct.logPath,
	}
	if !ct.startedAt.IsZero() {
		st.StartedAt = ct.startedAt.UnixNano()
	}
	if st.State == runtimeapi.ContainerState_CONTAINER_EXITED {
		st.FinishedAt = ct.finishedAt.UnixNano()
	}
	resp := &runtimeapi.ContainerStatusResponse{Status: st}
	if req.Verbose {
		pid := 0
		if p := c.m.procs[ct.id]; p != nil && st.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			pid = p.pid
		}
		var argv []string
		if ct.proc != nil {
			argv = ct.proc.Argv
		}
		info, _ := json.Marshal(map[string]any{"sandboxID": ct.sandboxID, "pid": pid, "runtimeType": "io.containerd.runc.v2", "args": argv})
		resp.Info = map[string]string{"info": string(info)}
	}
	return wire(resp), nil
}

func (s *runtimeService) ExecSync(_ context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	c := s.c
	defer c.call("ExecSync", 0)()
	req = wire(req)
	ct, err := c.findContainer(req.ContainerId)
	if err != nil {
		return nil, err
	}
	if c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.Unknown, "container %s is not running", ct.id)
	}
	if !c.hasBinary(ct, firstOr(req.Cmd)) {
		c.front.read("ExecSync", req, 0)
		return wire(&runtimeapi.ExecSyncResponse{Stderr: []byte(images.ExecNotFound(firstOr(req.Cmd)) + "\n"), ExitCode: 126}), nil
	}
	res, err := c.front.execSync(req, ct)
	if err != nil {
		return nil, runtimeErr(err)
	}
	return wire(&runtimeapi.ExecSyncResponse{Stdout: []byte(res.stdout), Stderr: []byte(res.stderr), ExitCode: int32(res.code)}), nil
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (s *runtimeService) UpdateContainerResources(_ context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.front.read("UpdateContainerResources", wire(req), 0)
	return &runtimeapi.UpdateContainerResourcesResponse{}, nil
}

func (s *runtimeService) ReopenContainerLog(context.Context, *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	return &runtimeapi.ReopenContainerLogResponse{}, nil
}

func (s *runtimeService) ListContainerStats(_ context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kubelet("ListContainerStats", len(c.containers))
	req = wire(req)
	c.front.read("ListContainerStats", req, len(c.containers))
	return wire(&runtimeapi.ListContainerStatsResponse{Stats: c.containerStats(req.GetFilter())}), nil
}

func (s *runtimeService) ListPodSandboxStats(context.Context, *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	return &runtimeapi.ListPodSandboxStatsResponse{}, nil
}

func (s *runtimeService) UpdateRuntimeConfig(context.Context, *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	return &runtimeapi.UpdateRuntimeConfigResponse{}, nil
}
