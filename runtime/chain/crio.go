package chain

import (
	"encoding/json"
	"fmt"
	"strconv"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
)

// crio is CRI-O: CRI → containers/storage + OCI spec → one conmon per
// container, which runs "runc create"; start, kill and delete are runc calls
// from crio itself (cri-o internal/oci/runtime_oci.go).
type crio struct {
	c *Chain
}

const crioRuncRoot = "/run/runc"

func (h *crio) name() string { return hopCRIO }

func (h *crio) runcArgv(sub string, args ...string) []string {
	return append(append([]string{"/usr/bin/runc", "--root=" + crioRuncRoot}, sub), args...)
}

func userdata(id string) string {
	return "/run/containers/storage/overlay-containers/" + id + "/userdata"
}

// spawn writes the bundle and starts a conmon that runs runc create.
func (h *crio) spawn(id, name, logPath string, spec *Spec, img *images.Image) error {
	c := h.c
	bundle := userdata(id)
	rootfs := "/var/lib/containers/storage/overlay/" + id + "/merged"
	c.m.rootfs[rootfs] = img
	spec.Root = &Root{Path: rootfs}
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	c.m.files[bundle+"/config.json"] = b
	call := &ConmonCall{Args: []string{
		"/usr/bin/conmon", "-b", bundle, "-c", id, "--exit-dir", "/var/run/crio/exits", "-l", logPath,
		"--log-level", "info", "-n", name, "-P", bundle + "/conmon-pidfile", "-p", bundle + "/pidfile",
		"-r", "/usr/bin/runc", "--runtime-arg", "--root=" + crioRuncRoot, "--socket-dir-path", "/var/run/crio", "-u", id, "-s",
	}}
	c.enter(hopCRIO, hopConmon, "create", call, 0)
	if _, err := c.runc(hopConmon, h.runcArgv("create", "--bundle", bundle, "--pid-file", bundle+"/pidfile", id)); err != nil {
		return fmt.Errorf("container create failed: %w", err)
	}
	return nil
}

func crioAnnotations(kind, name string, sb *sandbox) map[string]string {
	md := sb.cfg.GetMetadata()
	return map[string]string{
		"io.kubernetes.cri-o.ContainerType": kind,
		"io.kubernetes.cri-o.SandboxID":     sb.id,
		"io.kubernetes.cri-o.Name":          name,
		"io.kubernetes.pod.name":            md.GetName(),
		"io.kubernetes.pod.namespace":       md.GetNamespace(),
		"io.kubernetes.pod.uid":             md.GetUid(),
	}
}

func (h *crio) runPodSandbox(req *runtimeapi.RunPodSandboxRequest, sb *sandbox) error {
	c := h.c
	c.enter(hopKubelet, hopCRIO, "RunPodSandbox", req, 0)
	sb.id = c.newID()
	sb.netns = "/var/run/netns/" + sb.id[:8] + "-" + sb.id[8:12] + "-" + sb.id[12:16] + "-" + sb.id[16:20] + "-" + sb.id[20:32]
	md := sb.cfg.GetMetadata()
	name := fmt.Sprintf("k8s_POD_%s_%s_%s_%d", md.Name, md.Namespace, md.Uid, md.Attempt)
	if err := sb.setupNetwork(); err != nil {
		// [guess: CRI-O's wording around the CNI error]
		return fmt.Errorf("error creating pod sandbox with name %q: failed to create pod network sandbox %s(%s): error adding pod %s_%s to CNI network \"cbr0\": %w",
			name, name, sb.id, md.Namespace, md.Name, err)
	}
	c.m.netns[sb.netns] = sb.ip
	img := c.sandboxImg
	spec := &Spec{
		OCIVersion:  "1.0.2-dev",
		Process:     &Process{Args: img.Argv(nil, nil), Env: img.Config.Env, Cwd: "/", User: User{UID: 65535, GID: 65535}},
		Hostname:    sb.cfg.GetHostname(),
		Annotations: crioAnnotations("sandbox", name, sb),
		Linux: &Linux{
			CgroupsPath: cgroupsPath(sb.cfg.GetLinux().GetCgroupParent(), "crio", sb.id),
			Namespaces:  []Namespace{{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"}, {Type: "network", Path: sb.netns}},
		},
	}
	if err := h.spawn(sb.id, name, sb.cfg.GetLogDirectory()+"/"+sb.id+".log", spec, img); err != nil {
		return err
	}
	_, err := c.runc(hopCRIO, h.runcArgv("start", sb.id))
	return err
}

func (h *crio) stopPodSandbox(req *runtimeapi.StopPodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, hopCRIO, "StopPodSandbox", req, 0)
	_, err := h.c.runc(hopCRIO, h.runcArgv("kill", sb.id, "9"))
	return err
}

func (h *crio) removePodSandbox(req *runtimeapi.RemovePodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, hopCRIO, "RemovePodSandbox", req, 0)
	delete(h.c.m.netns, sb.netns)
	_, err := h.c.runc(hopCRIO, h.runcArgv("delete", "--force", sb.id))
	return err
}

func (h *crio) createContainer(req *runtimeapi.CreateContainerRequest, sb *sandbox, ct *container) error {
	c := h.c
	c.enter(hopKubelet, hopCRIO, "CreateContainer", req, 0)
	cfg := req.GetConfig()
	ct.id = c.newID()
	c.m.stdin[ct.id] = cfg.GetStdin()
	md, pmd := cfg.GetMetadata(), sb.cfg.GetMetadata()
	name := fmt.Sprintf("k8s_%s_%s_%s_%s_%d", md.Name, pmd.Name, pmd.Namespace, pmd.Uid, md.Attempt)
	pid := 0
	if p := c.m.procs[sb.id]; p != nil {
		pid = p.pid
	}
	ann := crioAnnotations("container", name, sb)
	ann["io.kubernetes.container.name"] = md.GetName()
	ann["io.kubernetes.cri-o.ImageName"] = ct.img.Ref
	spec := containerSpec("1.0.2-dev", "crio", sb, ct, cfg, pid, ann)
	logPath := ct.logPath
	if logPath == "" {
		logPath = "/var/log/containers/" + ct.id + ".log"
	}
	return h.spawn(ct.id, name, logPath, spec, ct.img)
}

func (h *crio) startContainer(req *runtimeapi.StartContainerRequest, ct *container, _ *sandbox) error {
	h.c.enter(hopKubelet, hopCRIO, "StartContainer", req, 0)
	_, err := h.c.runc(hopCRIO, h.runcArgv("start", ct.id))
	return err
}

func (h *crio) stopContainer(req *runtimeapi.StopContainerRequest, ct *container) error {
	c := h.c
	c.enter(hopKubelet, hopCRIO, "StopContainer", req, 0)
	sig, ignores, exited := c.stopPlan(ct.id, req.Timeout)
	if exited {
		return nil
	}
	if _, err := c.runc(hopCRIO, h.runcArgv("kill", ct.id, strconv.Itoa(sig))); err != nil {
		return err
	}
	if ignores {
		_, err := c.runc(hopCRIO, h.runcArgv("kill", ct.id, "9"))
		return err
	}
	return nil
}

func (h *crio) removeContainer(req *runtimeapi.RemoveContainerRequest, ct *container) error {
	h.c.enter(hopKubelet, hopCRIO, "RemoveContainer", req, 0)
	_, err := h.c.runc(hopCRIO, h.runcArgv("delete", "--force", ct.id))
	return err
}

func (h *crio) pullImage(req *runtimeapi.PullImageRequest, img *images.Image) error {
	return h.c.pullIn(hopCRIO, req, img)
}

func (h *crio) execSync(req *runtimeapi.ExecSyncRequest, ct *container) (runcExecResult, error) {
	c := h.c
	c.enter(hopKubelet, hopCRIO, "ExecSync", req, 0)
	procFile := "/tmp/exec-process-" + c.newID()[:12]
	b, _ := json.Marshal(&Process{Args: req.Cmd, Env: envList(ct.img, ct.cfg.GetEnvs()), Cwd: cwdOf(ct.img, ct.cfg.GetWorkingDir())})
	c.m.files[procFile] = b
	call := &ConmonCall{Args: []string{"/usr/bin/conmon", "-c", ct.id, "-u", ct.id, "-r", "/usr/bin/runc", "-b", userdata(ct.id),
		"--exec", "--exec-process-spec", procFile, "--runtime-arg", "--root=" + crioRuncRoot}}
	c.enter(hopCRIO, hopConmon, "exec", call, 0)
	return c.runc(hopConmon, h.runcArgv("exec", "--process", procFile, ct.id))
}

func (h *crio) read(op string, req any, items int) {
	h.c.enter(hopKubelet, hopCRIO, op, req, items)
}
