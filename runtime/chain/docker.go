package chain

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
)

// Docker Engine API bodies, the fields dockershim sets (kubernetes
// pkg/kubelet/dockershim docker_sandbox.go, docker_container.go; Engine API
// ContainerCreate). Field names are the API's.
type dockerCreateBody struct {
	Hostname     string            `json:"Hostname"`
	User         string            `json:"User"`
	AttachStdin  bool              `json:"AttachStdin"`
	AttachStdout bool              `json:"AttachStdout"`
	AttachStderr bool              `json:"AttachStderr"`
	Tty          bool              `json:"Tty"`
	OpenStdin    bool              `json:"OpenStdin"`
	StdinOnce    bool              `json:"StdinOnce"`
	Env          []string          `json:"Env"`
	Cmd          []string          `json:"Cmd"`
	Image        string            `json:"Image"`
	WorkingDir   string            `json:"WorkingDir"`
	Entrypoint   []string          `json:"Entrypoint"`
	Labels       map[string]string `json:"Labels"`
	HostConfig   dockerHostConfig  `json:"HostConfig"`
}

type dockerHostConfig struct {
	Binds        []string `json:"Binds"`
	NetworkMode  string   `json:"NetworkMode"`
	IpcMode      string   `json:"IpcMode"`
	PidMode      string   `json:"PidMode"`
	UTSMode      string   `json:"UTSMode"`
	CgroupParent string   `json:"CgroupParent"`
	SecurityOpt  []string `json:"SecurityOpt"`
}

type dockerSummary struct {
	ID      string            `json:"Id"`
	Names   []string          `json:"Names"`
	Image   string            `json:"Image"`
	ImageID string            `json:"ImageID"`
	Command string            `json:"Command"`
	Created int64             `json:"Created"`
	Labels  map[string]string `json:"Labels"`
	State   string            `json:"State"`
	Status  string            `json:"Status"`
}

type dockerInspect struct {
	ID      string `json:"Id"`
	Created string `json:"Created"`
	Name    string `json:"Name"`
	State   struct {
		Status     string `json:"Status"`
		Running    bool   `json:"Running"`
		Pid        int    `json:"Pid"`
		ExitCode   int    `json:"ExitCode"`
		StartedAt  string `json:"StartedAt"`
		FinishedAt string `json:"FinishedAt"`
	} `json:"State"`
	Image  string           `json:"Image"`
	Config dockerCreateBody `json:"Config"`
}

// dockerCRI is dockershim (in the kubelet, ≤ 1.23) or cri-dockerd (its own
// process, ≥ 1.24): CRI → Docker Engine API requests.
type dockerCRI struct {
	c    *Chain
	hop  string // "dockershim" or "cri-dockerd"
	next *dockerd
}

func (h *dockerCRI) name() string { return h.hop }

func (h *dockerCRI) apiPrefix() string {
	if h.c.cfg.Kind == Docker {
		v := strings.TrimSuffix(h.c.version.apiVersion, ".0")
		return "/v" + v
	}
	if strings.HasPrefix(h.c.version.version, "26.") {
		return "/v1.45"
	}
	return "/v1.43"
}

// send issues one Engine API request to dockerd.
func (h *dockerCRI) send(method, path string, query url.Values, body any) *DockerResponse {
	req := &DockerRequest{Method: method, Path: h.apiPrefix() + path}
	if query != nil {
		req.Query = query.Encode()
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		req.Body = b
	}
	return h.next.do(h.hop, req)
}

func dockerErr(resp *DockerResponse) error {
	var m struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(resp.Body, &m)
	return fmt.Errorf("Error response from daemon: %s", m.Message)
}

// makeLabels is dockershim's label set: CRI labels, annotations as
// "annotation.<key>", and the docker type label.
func makeLabels(labels, annotations map[string]string, typ string) map[string]string {
	out := make(map[string]string, len(labels)+len(annotations)+2)
	for k, v := range labels {
		out[k] = v
	}
	for k, v := range annotations {
		out["annotation."+k] = v
	}
	out["io.kubernetes.docker.type"] = typ
	return out
}

func (h *dockerCRI) runPodSandbox(req *runtimeapi.RunPodSandboxRequest, sb *sandbox) error {
	c := h.c
	c.enter(hopKubelet, h.hop, "RunPodSandbox", req, 0)
	img := c.sandboxImg
	if resp := h.send("GET", "/images/"+img.Ref+"/json", nil, nil); resp.Status == 404 {
		q := url.Values{"fromImage": {dockerShortName(img.Repo)}, "tag": {img.Tag}}
		if resp := h.send("POST", "/images/create", q, nil); resp.Status != 200 {
			return dockerErr(resp)
		}
	}
	md := sb.cfg.GetMetadata()
	body := dockerCreateBody{
		Hostname: sb.cfg.GetHostname(),
		Image:    img.Ref,
		Labels:   makeLabels(sb.cfg.GetLabels(), sb.cfg.GetAnnotations(), "podsandbox"),
		HostConfig: dockerHostConfig{
			NetworkMode:  "none", // dockershim runs CNI itself on the sandbox's netns
			CgroupParent: sb.cfg.GetLinux().GetCgroupParent(),
			SecurityOpt:  []string{"no-new-privileges"},
		},
	}
	q := url.Values{"name": {fmt.Sprintf("k8s_POD_%s_%s_%s_%d", md.Name, md.Namespace, md.Uid, md.Attempt)}}
	resp := h.send("POST", "/containers/create", q, body)
	if resp.Status != 201 {
		return dockerErr(resp)
	}
	var created struct{ Id string }
	_ = json.Unmarshal(resp.Body, &created)
	if resp := h.send("POST", "/containers/"+created.Id+"/start", nil, nil); resp.Status != 204 {
		return dockerErr(resp)
	}
	// CNI ADD on the sandbox's network namespace, /proc/<pid>/ns/net.
	var ins dockerInspect
	_ = json.Unmarshal(h.send("GET", "/containers/"+created.Id+"/json", nil, nil).Body, &ins)
	sb.netns = fmt.Sprintf("/proc/%d/ns/net", ins.State.Pid)
	sb.id = created.Id
	if err := sb.setupNetwork(); err != nil {
		// dockershim stops the sandbox container and reports the plugin's
		// error (docker_sandbox.go RunPodSandbox) [guess: exact wording].
		h.send("POST", "/containers/"+created.Id+"/stop", url.Values{"t": {"10"}}, nil)
		return fmt.Errorf("failed to set up sandbox container %q network for pod %q: networkPlugin cni failed to set up pod \"%s_%s\" network: %w",
			created.Id, md.Name, md.Name, md.Namespace, err)
	}
	c.m.netns[sb.netns] = sb.ip
	return nil
}

func (h *dockerCRI) stopPodSandbox(req *runtimeapi.StopPodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, h.hop, "StopPodSandbox", req, 0)
	// defaultSandboxGracePeriod = 10 s (dockershim docker_sandbox.go).
	return h.stop(sb.id, "10")
}

func (h *dockerCRI) removePodSandbox(req *runtimeapi.RemovePodSandboxRequest, sb *sandbox) error {
	h.c.enter(hopKubelet, h.hop, "RemovePodSandbox", req, 0)
	return h.remove(sb.id)
}

func (h *dockerCRI) createContainer(req *runtimeapi.CreateContainerRequest, sb *sandbox, ct *container) error {
	h.c.enter(hopKubelet, h.hop, "CreateContainer", req, 0)
	cfg := req.GetConfig()
	md, pmd := cfg.GetMetadata(), sb.cfg.GetMetadata()
	labels := makeLabels(cfg.GetLabels(), cfg.GetAnnotations(), "container")
	labels["io.kubernetes.sandbox.id"] = sb.id
	if ct.logPath != "" {
		labels["io.kubernetes.container.logpath"] = ct.logPath
	}
	var env []string
	for _, kv := range cfg.GetEnvs() {
		env = append(env, kv.Key+"="+string(kv.Value))
	}
	ns := "container:" + sb.id
	body := dockerCreateBody{
		Entrypoint: cfg.GetCommand(),
		Cmd:        cfg.GetArgs(),
		Env:        env,
		Image:      ct.img.Ref,
		WorkingDir: cfg.GetWorkingDir(),
		Labels:     labels,
		Tty:        cfg.GetTty(),
		OpenStdin:  cfg.GetStdin(),
		StdinOnce:  cfg.GetStdinOnce(),
		HostConfig: dockerHostConfig{
			NetworkMode:  ns,
			IpcMode:      ns,
			UTSMode:      ns,
			CgroupParent: sb.cfg.GetLinux().GetCgroupParent(),
			SecurityOpt:  []string{"seccomp=unconfined"},
		},
	}
	for _, mt := range cfg.GetMounts() {
		body.HostConfig.Binds = append(body.HostConfig.Binds, mt.HostPath+":"+mt.ContainerPath)
	}
	q := url.Values{"name": {fmt.Sprintf("k8s_%s_%s_%s_%s_%d", md.Name, pmd.Name, pmd.Namespace, pmd.Uid, md.Attempt)}}
	resp := h.send("POST", "/containers/create", q, body)
	if resp.Status != 201 {
		return dockerErr(resp)
	}
	var created struct{ Id string }
	_ = json.Unmarshal(resp.Body, &created)
	ct.id = created.Id
	return nil
}

func (h *dockerCRI) startContainer(req *runtimeapi.StartContainerRequest, ct *container, _ *sandbox) error {
	h.c.enter(hopKubelet, h.hop, "StartContainer", req, 0)
	if resp := h.send("POST", "/containers/"+ct.id+"/start", nil, nil); resp.Status != 204 {
		return fmt.Errorf("failed to start container %q: %w", ct.id, dockerErr(resp))
	}
	return nil
}

func (h *dockerCRI) stopContainer(req *runtimeapi.StopContainerRequest, ct *container) error {
	h.c.enter(hopKubelet, h.hop, "StopContainer", req, 0)
	return h.stop(ct.id, strconv.FormatInt(req.Timeout, 10))
}

func (h *dockerCRI) removeContainer(req *runtimeapi.RemoveContainerRequest, ct *container) error {
	h.c.enter(hopKubelet, h.hop, "RemoveContainer", req, 0)
	return h.remove(ct.id)
}

// stop and remove are the Engine API calls that stop (timeout in seconds;
// 304: already stopped) and force-remove a container, sandbox or not.
func (h *dockerCRI) stop(id, timeout string) error {
	if resp := h.send("POST", "/containers/"+id+"/stop", url.Values{"t": {timeout}}, nil); resp.Status >= 300 && resp.Status != 304 {
		return dockerErr(resp)
	}
	return nil
}

func (h *dockerCRI) remove(id string) error {
	if resp := h.send("DELETE", "/containers/"+id, url.Values{"v": {"1"}, "force": {"1"}}, nil); resp.Status >= 300 {
		return dockerErr(resp)
	}
	return nil
}

func (h *dockerCRI) pullImage(req *runtimeapi.PullImageRequest, img *images.Image) error {
	h.c.enter(hopKubelet, h.hop, "PullImage", req, 0)
	q := url.Values{"fromImage": {dockerShortName(img.Repo)}, "tag": {img.Tag}}
	if resp := h.send("POST", "/images/create", q, nil); resp.Status != 200 {
		return dockerErr(resp)
	}
	return nil
}

func (h *dockerCRI) execSync(req *runtimeapi.ExecSyncRequest, ct *container) (runcExecResult, error) {
	h.c.enter(hopKubelet, h.hop, "ExecSync", req, 0)
	body := map[string]any{"AttachStdout": true, "AttachStderr": true, "Cmd": req.Cmd}
	resp := h.send("POST", "/containers/"+ct.id+"/exec", nil, body)
	if resp.Status != 201 {
		return runcExecResult{}, dockerErr(resp)
	}
	var created struct{ Id string }
	_ = json.Unmarshal(resp.Body, &created)
	out := h.send("POST", "/exec/"+created.Id+"/start", nil, map[string]any{"Detach": false, "Tty": false})
	var streams struct{ Stdout, Stderr string }
	_ = json.Unmarshal(out.Body, &streams)
	var ins struct{ ExitCode int }
	_ = json.Unmarshal(h.send("GET", "/exec/"+created.Id+"/json", nil, nil).Body, &ins)
	return runcExecResult{stdout: streams.Stdout, stderr: streams.Stderr, code: ins.ExitCode}, nil
}

// read issues the Engine API reads dockershim makes for a CRI read and
// decodes the answers (the CRI reply itself is built by the front).
func (h *dockerCRI) read(op string, req any, items int) {
	h.c.enter(hopKubelet, h.hop, op, req, items)
	switch op {
	case "ListPodSandbox", "ListContainers":
		typ := "podsandbox"
		if op == "ListContainers" {
			typ = "container"
		}
		f, _ := json.Marshal(map[string]map[string]bool{"label": {"io.kubernetes.docker.type=" + typ: true}})
		resp := h.send("GET", "/containers/json", url.Values{"all": {"1"}, "filters": {string(f)}}, nil)
		var list []dockerSummary
		_ = json.Unmarshal(resp.Body, &list)
	case "PodSandboxStatus", "ContainerStatus":
		id := ""
		if r, ok := req.(*runtimeapi.PodSandboxStatusRequest); ok {
			id = r.PodSandboxId
		} else {
			id = req.(*runtimeapi.ContainerStatusRequest).ContainerId
		}
		var ins dockerInspect
		_ = json.Unmarshal(h.send("GET", "/containers/"+id+"/json", nil, nil).Body, &ins)
	case "Version", "Status":
		h.send("GET", "/version", nil, nil)
	case "ImageFsInfo":
		h.send("GET", "/info", nil, nil)
	case "ListImages":
		h.send("GET", "/images/json", nil, nil)
	case "ImageStatus":
		h.send("GET", "/images/"+req.(*runtimeapi.ImageStatusRequest).GetImage().GetImage()+"/json", nil, nil)
	}
}

// ---- dockerd ----

type dockerContainer struct {
	ID       string
	Name     string
	Config   dockerCreateBody
	Created  time.Time
	Status   string // created, running, exited
	ExitCode int
	img      *images.Image
	inCtrd   bool
}

type dockerExec struct {
	containerID string
	cmd         []string
	result      runcExecResult
}

// dockerd serves the Engine API from its own container store; starting a
// container builds the OCI spec and hands it to containerd (namespace moby).
type dockerd struct {
	c          *Chain
	next       *containerdCore
	containers map[string]*dockerContainer
	images     map[string]*images.Image
	execs      map[string]*dockerExec
}

// route normalises a request path to its operation name.
func route(method, path string) (op string, id string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 0 && strings.HasPrefix(parts[0], "v1.") {
		parts = parts[1:]
	}
	switch {
	case len(parts) == 2 && parts[0] == "containers" && (parts[1] == "create" || parts[1] == "json"):
		return method + " /containers/" + parts[1], ""
	case len(parts) == 2 && parts[0] == "images" && parts[1] == "create":
		return method + " /images/create", ""
	case len(parts) >= 2 && parts[0] == "images":
		// image names contain slashes: /images/<name>/json
		name := strings.Join(parts[1:], "/")
		if strings.HasSuffix(name, "/json") {
			return method + " /images/{name}/json", strings.TrimSuffix(name, "/json")
		}
		return method + " /images/{name}", name
	case len(parts) == 2 && parts[0] == "containers":
		return method + " /containers/{id}", parts[1]
	case len(parts) == 3 && parts[0] == "containers":
		return method + " /containers/{id}/" + parts[2], parts[1]
	case len(parts) == 3 && parts[0] == "exec":
		return method + " /exec/{id}/" + parts[2], parts[1]
	}
	return method + " /" + strings.Join(parts, "/"), ""
}

func jsonResp(status int, v any) *DockerResponse {
	b, _ := json.Marshal(v)
	return &DockerResponse{Status: status, Body: b}
}

func noSuch(id string) *DockerResponse {
	return jsonResp(404, map[string]string{"message": "No such container: " + id})
}

func (d *dockerd) do(from string, req *DockerRequest) *DockerResponse {
	c := d.c
	op, id := route(req.Method, req.Path)
	q, _ := url.ParseQuery(req.Query)
	items := 0
	if op == "GET /containers/json" {
		items = len(d.containers)
	}
	c.enter(from, hopDockerd, op, req, items)
	switch op {
	case "GET /version":
		return jsonResp(200, map[string]string{"Version": c.version.version, "ApiVersion": strings.TrimPrefix(strings.SplitN(req.Path, "/", 3)[1], "v")})
	case "GET /info":
		return jsonResp(200, map[string]any{"Containers": len(d.containers), "Images": len(d.images), "Driver": "overlay2", "CgroupDriver": "systemd"})
	case "GET /images/json":
		var out []map[string]any
		for _, k := range slices.Sorted(maps.Keys(d.images)) {
			out = append(out, map[string]any{"Id": k, "RepoTags": []string{d.images[k].Ref}, "Size": d.images[k].Size})
		}
		return jsonResp(200, out)
	case "GET /images/{name}/json":
		for _, k := range slices.Sorted(maps.Keys(d.images)) {
			if d.images[k].Ref == id || k == id {
				return jsonResp(200, map[string]any{"Id": k, "RepoTags": []string{d.images[k].Ref}, "Size": d.images[k].Size})
			}
		}
		return jsonResp(404, map[string]string{"message": "No such image: " + id})
	case "POST /images/create":
		img, err := c.cat.Resolve(q.Get("fromImage") + ":" + q.Get("tag"))
		if err != nil {
			return jsonResp(404, map[string]string{"message": err.Error()})
		}
		if d.images[img.ID] == nil {
			c.pullCost(img) // dockerd pulls itself (distribution), not through containerd
		}
		d.images[img.ID] = img
		return &DockerResponse{Status: 200}
	case "POST /containers/create":
		var body dockerCreateBody
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return jsonResp(400, map[string]string{"message": err.Error()})
		}
		img := d.imageByRef(body.Image)
		if img == nil {
			return jsonResp(404, map[string]string{"message": "No such image: " + body.Image})
		}
		ctr := &dockerContainer{ID: c.newID(), Name: "/" + q.Get("name"), Config: body, Created: c.now(), Status: "created", img: img}
		d.containers[ctr.ID] = ctr
		return jsonResp(201, map[string]any{"Id": ctr.ID, "Warnings": []string{}})
	case "POST /containers/{id}/start":
		ctr := d.containers[id]
		if ctr == nil {
			return noSuch(id)
		}
		if err := d.start(ctr); err != nil {
			return jsonResp(500, map[string]string{"message": err.Error()})
		}
		return &DockerResponse{Status: 204}
	case "POST /containers/{id}/stop":
		ctr := d.containers[id]
		if ctr == nil {
			return noSuch(id)
		}
		if ctr.Status != "running" {
			return &DockerResponse{Status: 304}
		}
		t, _ := strconv.ParseInt(q.Get("t"), 10, 64)
		sig, ignores, exited := c.stopPlan(id, t)
		if !exited {
			d.task("Kill", &ContainerdTask{ContainerID: id, Signal: sig})
			if ignores {
				d.task("Kill", &ContainerdTask{ContainerID: id, Signal: 9})
			}
		}
		d.task("Delete", &ContainerdTask{ContainerID: id})
		ctr.Status = "exited"
		return &DockerResponse{Status: 204}
	case "DELETE /containers/{id}":
		ctr := d.containers[id]
		if ctr == nil {
			return noSuch(id)
		}
		if ctr.inCtrd {
			_, _ = d.next.call(hopDockerd, &ContainerdRequest{Service: svcContainers, Method: "Delete", Namespace: "moby", Container: &ContainerdContainer{ID: id}})
		}
		delete(d.containers, id)
		return &DockerResponse{Status: 204}
	case "GET /containers/json":
		var filters map[string]map[string]bool
		_ = json.Unmarshal([]byte(q.Get("filters")), &filters)
		var out []dockerSummary
		for _, k := range slices.Sorted(maps.Keys(d.containers)) {
			ctr := d.containers[k]
			if !dockerLabelFilter(ctr.Config.Labels, filters["label"]) {
				continue
			}
			out = append(out, dockerSummary{ID: ctr.ID, Names: []string{ctr.Name}, Image: ctr.Config.Image, ImageID: ctr.img.ID,
				Command: strings.Join(append(append([]string{}, ctr.Config.Entrypoint...), ctr.Config.Cmd...), " "),
				Created: ctr.Created.Unix(), Labels: ctr.Config.Labels, State: ctr.Status, Status: ctr.Status})
		}
		return jsonResp(200, out)
	case "GET /containers/{id}/json":
		ctr := d.containers[id]
		if ctr == nil {
			return noSuch(id)
		}
		var ins dockerInspect
		ins.ID, ins.Name, ins.Config, ins.Image = ctr.ID, ctr.Name, ctr.Config, ctr.img.ID
		ins.Created = ctr.Created.UTC().Format(time.RFC3339Nano)
		ins.State.Status, ins.State.Running = ctr.Status, ctr.Status == "running"
		if p := c.m.procs[id]; p != nil {
			ins.State.Pid = p.pid
		}
		return jsonResp(200, ins)
	case "POST /containers/{id}/exec":
		var body struct{ Cmd []string }
		_ = json.Unmarshal(req.Body, &body)
		eid := c.newID()
		d.execs[eid] = &dockerExec{containerID: id, cmd: body.Cmd}
		return jsonResp(201, map[string]string{"Id": eid})
	case "POST /exec/{id}/start":
		ex := d.execs[id]
		if ex == nil {
			return jsonResp(404, map[string]string{"message": "No such exec instance: " + id})
		}
		ctr := d.containers[ex.containerID]
		pr := &Process{Args: ex.cmd, Env: ctr.Config.Env, Cwd: "/"}
		d.task("Exec", &ContainerdTask{ContainerID: ex.containerID, ExecID: id, Process: pr})
		ex.result, _ = d.task("Start", &ContainerdTask{ContainerID: ex.containerID, ExecID: id})
		return jsonResp(200, map[string]string{"Stdout": ex.result.stdout, "Stderr": ex.result.stderr})
	case "GET /exec/{id}/json":
		ex := d.execs[id]
		if ex == nil {
			return jsonResp(404, map[string]string{"message": "No such exec instance: " + id})
		}
		delete(d.execs, id)
		return jsonResp(200, map[string]any{"ExitCode": ex.result.code, "Running": false})
	}
	return jsonResp(404, map[string]string{"message": "page not found"})
}

func dockerLabelFilter(labels map[string]string, want map[string]bool) bool {
	for kv := range want {
		k, v, _ := strings.Cut(kv, "=")
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (d *dockerd) imageByRef(ref string) *images.Image {
	for _, k := range slices.Sorted(maps.Keys(d.images)) {
		if img := d.images[k]; img.Ref == ref || k == ref {
			return img
		}
	}
	return nil
}

func (d *dockerd) task(method string, t *ContainerdTask) (runcExecResult, error) {
	return d.next.call(hopDockerd, &ContainerdRequest{Service: svcTasks, Method: method, Namespace: "moby", Task: t})
}

// start builds the OCI spec the way dockerd does (daemon/oci_linux.go) and
// asks containerd to create and start the task.
func (d *dockerd) start(ctr *dockerContainer) error {
	c := d.c
	img := ctr.img
	argv := img.Argv(ctr.Config.Entrypoint, ctr.Config.Cmd)
	env := append(append([]string{}, img.Config.Env...), ctr.Config.Env...)
	cwd := ctr.Config.WorkingDir
	if cwd == "" {
		cwd = img.Config.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	hostname := ctr.Config.Hostname
	var nss []Namespace
	if joined, ok := strings.CutPrefix(ctr.Config.HostConfig.NetworkMode, "container:"); ok {
		if sb := d.containers[joined]; sb != nil {
			hostname = sb.Config.Hostname
		}
		pid := 0
		if p := c.m.procs[joined]; p != nil {
			pid = p.pid
		}
		for _, t := range []string{"network", "ipc", "uts"} {
			nss = append(nss, Namespace{Type: t, Path: fmt.Sprintf("/proc/%d/ns/%s", pid, map[string]string{"network": "net", "ipc": "ipc", "uts": "uts"}[t])})
		}
		nss = append(nss, Namespace{Type: "pid"}, Namespace{Type: "mount"})
	} else {
		nss = []Namespace{{Type: "mount"}, {Type: "network"}, {Type: "uts"}, {Type: "pid"}, {Type: "ipc"}}
	}
	c.m.stdin[ctr.ID] = ctr.Config.OpenStdin
	layer := ctr.ID[:12]
	root := "/var/lib/docker/overlay2/" + layer + "/merged"
	c.m.rootfs[root] = img
	spec := &Spec{
		OCIVersion: "1.0.2-dev",
		Process:    &Process{Terminal: ctr.Config.Tty, Args: argv, Env: env, Cwd: cwd},
		Root:       &Root{Path: root},
		Hostname:   hostname,
		Mounts:     []Mount{{Destination: "/proc", Type: "proc", Source: "proc"}, {Destination: "/dev", Type: "tmpfs", Source: "tmpfs"}},
		Linux:      &Linux{CgroupsPath: strings.TrimSuffix(ctr.Config.HostConfig.CgroupParent, "/") + "/docker-" + ctr.ID + ".scope", Namespaces: nss},
	}
	bundle := "/var/run/docker/containerd/" + ctr.ID
	if _, err := d.next.call(hopDockerd, &ContainerdRequest{Service: svcContainers, Method: "Create", Namespace: "moby", Container: &ContainerdContainer{
		ID: ctr.ID, Image: img.Ref, Runtime: "io.containerd.runc.v2", Spec: spec,
		Labels: map[string]string{"com.docker/engine.bundle.path": bundle},
	}}); err != nil {
		return err
	}
	ctr.inCtrd = true
	if _, err := d.task("Create", &ContainerdTask{ContainerID: ctr.ID, Stdout: bundle + "/init-stdout", Stderr: bundle + "/init-stderr"}); err != nil {
		return err
	}
	if _, err := d.task("Start", &ContainerdTask{ContainerID: ctr.ID}); err != nil {
		return err
	}
	ctr.Status = "running"
	return nil
}
