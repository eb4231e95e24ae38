package chain

import (
	"fmt"
	"path"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
)

// containerdCRI is containerd's CRI plugin: CRI requests → OCI spec and
// snapshot → containerd core by direct function calls (no gRPC hop since
// containerd 1.1) → one shim per pod.
type containerdCRI struct {
	c    *Chain
	core *containerdCore
}

func (h *containerdCRI) name() string { return hopContainerd }

func (h *containerdCRI) ctr(method string, ctr *ContainerdContainer) error {
	_, err := h.core.call(hopContainerd, &ContainerdRequest{Service: svcContainers, Method: method, Namespace: "k8s.io", Container: ctr})
	return err
}

func (h *containerdCRI) task(method string, t *ContainerdTask) (runcExecResult, error) {
	return h.core.call(hopContainerd, &ContainerdRequest{Service: svcTasks, Method: method, Namespace: "k8s.io", Task: t})
}

// criAnnotations are the io.kubernetes.cri.* annotations the CRI plugin puts
// on every OCI spec (containerd pkg/cri/annotations).
func criAnnotations(kind string, sb *sandbox) map[string]string {
	md := sb.cfg.GetMetadata()
	return map[string]string{
		"io.kubernetes.cri.container-type":    kind,
		"io.kubernetes.cri.sandbox-id":        sb.id,
		"io.kubernetes.cri.sandbox-name":      md.GetName(),
		"io.kubernetes.cri.sandbox-namespace": md.GetNamespace(),
		"io.kubernetes.cri.sandbox-uid":       md.GetUid(),
	}
}

func envList(img *images.Image, kvs []*runtimeapi.KeyValue) []string {
	env := append([]string{}, img.Config.Env...)
	for _, kv := range kvs {
		env = append(env, kv.Key+"="+string(kv.Value))
	}
	return env
}

func cwdOf(img *images.Image, wd string) string {
	switch {
	case wd != "":
		return wd
	case img.Config.WorkingDir != "":
		return img.Config.WorkingDir
	}
	return "/"
}

// containerSpec is the OCI spec a CRI runtime writes for a container of
// sandbox sb whose pause process is pid: the image's command, environment
// and working directory as the config overrides them, the sandbox's
// hostname and cgroup parent, and the pause process's ipc, uts and network
// namespaces.
func containerSpec(ociVersion, runtimeName string, sb *sandbox, ct *container, cfg *runtimeapi.ContainerConfig, pid int, ann map[string]string) *Spec {
	cgroups := containerdCgroupsPath
	if runtimeName == "crio" {
		cgroups = cgroupsPath // CRI-O's systemd cgroup manager
	}
	return &Spec{
		OCIVersion:  ociVersion,
		Process:     &Process{Args: ct.img.Argv(cfg.GetCommand(), cfg.GetArgs()), Env: envList(ct.img, cfg.GetEnvs()), Cwd: cwdOf(ct.img, cfg.GetWorkingDir()), Terminal: cfg.GetTty()},
		Hostname:    sb.cfg.GetHostname(),
		Annotations: ann,
		Linux: &Linux{
			CgroupsPath: cgroups(sb.cfg.GetLinux().GetCgroupParent(), runtimeName, ct.id),
			Namespaces: []Namespace{
				{Type: "pid"}, {Type: "mount"},
				{Type: "ipc", Path: fmt.Sprintf("/proc/%d/ns/ipc", pid)},
				{Type: "uts", Path: fmt.Sprintf("/proc/%d/ns/uts", pid)},
				{Type: "network", Path: sb.netns},
			},
		},
	}
}

func cgroupsPath(parent, runtimeName, id string) string {
	if parent == "" {
		return ""
	}
	return parent + ":" + runtimeName + ":" + id
}

// containerdCgroupsPath is containerd's CRI rule (getCgroupsPath): a
// systemd slice parent gives systemd's "slice:prefix:name", any other a
// cgroupfs path.
func containerdCgroupsPath(parent, runtimeName, id string) string {
	if parent == "" {
		return ""
	}
	if base := path.Base(parent); strings.HasSuffix(base, ".slice") {
		return base + ":" + runtimeName + ":" + id
	}
	return path.Join(parent, id)
}

func (h *containerdCRI) runPodSandbox(req *runtimeapi.RunPodSandboxRequest, sb *sandbox) error {
	c := h.c
	c.enter(hopKubelet, hopContainerd, "RunPodSandbox", req, 0)
	sb.id = c.newID()
	netns := "/var/run/netns/cni-" + sb.id[:8] + "-" + sb.id[8:12] + "-" + sb.id[12:16] + "-" + sb.id[16:20] + "-" + sb.id[20:32]
	if err := sb.setupNetwork(); err != nil {
		return fmt.Errorf("failed to setup network for sandbox %q: %w", sb.id, err)
	}
	c.m.netns[netns] = sb.ip
	sb.netns = netns
	c.m.rootfs["snapshot:"+sb.id] = c.sandboxImg
	img := c.sandboxImg
	ann := criAnnotations("sandbox", sb)
	ann["io.kubernetes.cri.sandbox-log-directory"] = sb.cfg.GetLogDirectory()
	spec := &Spec{
		OCIVersion:  "1.1.0",
		Process:     &Process{Args: img.Argv(nil, nil), Env: img.Config.Env, Cwd: "/", User: User{UID: 65535, GID: 65535}},
		Root:        &Root{Path: "rootfs", Readonly: true},
		Hostname:    sb.cfg.GetHostname(),
		Annotations: ann,
		Linux: &Linux{
			CgroupsPath: containerdCgroupsPath(sb.cfg.GetLinux().GetCgroupParent(), "cri-containerd", sb.id),
			Namespaces:  []Namespace{{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"}, {Type: "network", Path: netns}},
		},
	}
	if err := h.ctr("Create", &ContainerdContainer{
		ID: sb.id, Image: img.Ref, Runtime: "io.containerd.runc.v2", Spec: spec, Snapshotter: "overlayfs", SnapshotKey: sb.id,
		Labels: map[string]string{"io.cri-containerd.kind": "sandbox", "io.kubernetes.cri.sandbox-id": sb.id},
	}); err != nil {
		return err
	}
	if _, err := h.task("Create", &ContainerdTask{ContainerID: sb.id}); err != nil {
		return fmt.Errorf("failed to create containerd task: %w", err)
	}
	_, err := h.task("Start", &ContainerdTask{ContainerID: sb.id})
	return err
}

func (h *containerdCRI) stopPodSandbox(req *runtimeapi.StopPodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, hopContainerd, "StopPodSandbox", req, 0)
	// The sandbox container is killed outright; then CNI DEL.
	return h.killAndDelete(sb.id, 9)
}

// killAndDelete sends the task each signal in turn, then deletes it.
func (h *containerdCRI) killAndDelete(id string, signals ...int) error {
	for _, sig := range signals {
		if _, err := h.task("Kill", &ContainerdTask{ContainerID: id, Signal: sig}); err != nil {
			return err
		}
	}
	_, err := h.task("Delete", &ContainerdTask{ContainerID: id})
	return err
}

func (h *containerdCRI) removePodSandbox(req *runtimeapi.RemovePodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, hopContainerd, "RemovePodSandbox", req, 0)
	delete(h.c.m.netns, sb.netns)
	return h.ctr("Delete", &ContainerdContainer{ID: sb.id})
}

func (h *containerdCRI) createContainer(req *runtimeapi.CreateContainerRequest, sb *sandbox, ct *container) error {
	c := h.c
	c.enter(hopKubelet, hopContainerd, "CreateContainer", req, 0)
	cfg := req.GetConfig()
	ct.id = c.newID()
	c.m.rootfs["snapshot:"+ct.id] = ct.img
	c.m.stdin[ct.id] = cfg.GetStdin()
	pid := 0
	if p := c.m.procs[sb.id]; p != nil {
		pid = p.pid
	}
	ann := criAnnotations("container", sb)
	ann["io.kubernetes.cri.container-name"] = cfg.GetMetadata().GetName()
	ann["io.kubernetes.cri.image-name"] = ct.img.Ref
	spec := containerSpec("1.1.0", "cri-containerd", sb, ct, cfg, pid, ann)
	spec.Root = &Root{Path: "rootfs"}
	for _, mt := range cfg.GetMounts() {
		spec.Mounts = append(spec.Mounts, Mount{Destination: mt.ContainerPath, Type: "bind", Source: mt.HostPath, Options: []string{"rbind", "rprivate", "rw"}})
	}
	return h.ctr("Create", &ContainerdContainer{
		ID: ct.id, Image: ct.img.Ref, Runtime: "io.containerd.runc.v2", Spec: spec, Snapshotter: "overlayfs", SnapshotKey: ct.id,
		Labels: map[string]string{"io.cri-containerd.kind": "container", "io.kubernetes.cri.sandbox-id": sb.id},
	})
}

func (h *containerdCRI) startContainer(req *runtimeapi.StartContainerRequest, ct *container, _ *sandbox) error {
	h.c.enter(hopKubelet, hopContainerd, "StartContainer", req, 0)
	if _, err := h.task("Create", &ContainerdTask{ContainerID: ct.id}); err != nil {
		return fmt.Errorf("failed to create containerd task: %w", err)
	}
	if _, err := h.task("Start", &ContainerdTask{ContainerID: ct.id}); err != nil {
		return fmt.Errorf("failed to start containerd task %q: %w", ct.id, err)
	}
	return nil
}

func (h *containerdCRI) stopContainer(req *runtimeapi.StopContainerRequest, ct *container) error {
	h.c.enter(hopKubelet, hopContainerd, "StopContainer", req, 0)
	sig, ignores, exited := h.c.stopPlan(ct.id, req.Timeout)
	var signals []int
	if !exited {
		signals = append(signals, sig)
		if ignores {
			signals = append(signals, 9)
		}
	}
	return h.killAndDelete(ct.id, signals...)
}

func (h *containerdCRI) removeContainer(req *runtimeapi.RemoveContainerRequest, ct *container) error {
	h.c.enter(hopKubelet, hopContainerd, "RemoveContainer", req, 0)
	return h.ctr("Delete", &ContainerdContainer{ID: ct.id})
}

func (h *containerdCRI) pullImage(req *runtimeapi.PullImageRequest, img *images.Image) error {
	return h.c.pullIn(hopContainerd, req, img)
}

func (h *containerdCRI) execSync(req *runtimeapi.ExecSyncRequest, ct *container) (runcExecResult, error) {
	c := h.c
	c.enter(hopKubelet, hopContainerd, "ExecSync", req, 0)
	eid := c.newID()[:16]
	pr := &Process{Args: req.Cmd, Env: envList(ct.img, ct.cfg.GetEnvs()), Cwd: cwdOf(ct.img, ct.cfg.GetWorkingDir())}
	if _, err := h.task("Exec", &ContainerdTask{ContainerID: ct.id, ExecID: eid, Process: pr}); err != nil {
		return runcExecResult{}, err
	}
	return h.task("Start", &ContainerdTask{ContainerID: ct.id, ExecID: eid})
}

func (h *containerdCRI) read(op string, req any, items int) {
	h.c.enter(hopKubelet, hopContainerd, op, req, items)
}
