package kubelet

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/net/fabric"
	"kubesim/runtime/chain"
	"kubesim/runtime/images"
	"kubesim/sim/clock"
)

// podState is what the kubelet knows of one pod it runs.
type podState struct {
	uid       types.UID
	ns, name  string
	pod       *corev1.Pod // last seen spec
	sandboxID string
	ip        string
	started   bool // sandbox requested
	killing   bool
	// configChanged: a ConfigMap or Secret of the namespace changed since
	// a container failed on its configuration.
	configChanged bool
	startTime     metav1.Time
	inits         []*ctrState // spec.initContainers, run one after another first
	ctrs          []*ctrState
	ephem         []*ctrState // spec.ephemeralContainers, started as added (ephemeral.go)
	timers        []*clock.Timer
	gen           int // bumped when timers are cancelled
	// sidecarsStopping: the app containers are done and the sidecars are
	// being stopped, not restarted.
	sidecarsStopping bool
	// mountFails counts the failed attempts to set up the pod's volumes;
	// mountWaitSince is when the current wait for them began (volumes.go).
	mountFails     int
	mountWaitSince time.Time
	// volumesUp: the pod's volumes were set up; volumeSyncArmed: a remount
	// of its atomic volumes waits for the next periodic sync.
	volumesUp       bool
	volumeSyncArmed bool
	// evicted is the eviction message of a pod the eviction manager
	// evicted (its status is Failed, Evicted); disruption: it carries the
	// DisruptionTarget condition (eviction.go).
	evicted    string
	disruption bool
}

type ctrState struct {
	init      bool // an init container: runs to completion before the next
	ephemeral bool // an ephemeral container: never restarted (ephemeral.go)
	spec      corev1.Container
	id        string
	deadID    string // the previous, exited instance the GC keeps (deadctr.go)
	imageID   string
	imageRef  string
	waiting   *corev1.ContainerStateWaiting
	running   *corev1.ContainerStateRunning
	term      *corev1.ContainerStateTerminated
	last      *corev1.ContainerStateTerminated
	ready     bool
	restarts  int32
	proc      *images.Process
	prevProc  *images.Process
	prevLogs  []images.LogLine
	started   time.Time
	pulled    bool
	pullFail  int
	// configWait, when set, is the launch that waits for a ConfigMap or
	// Secret (CreateContainerConfigError); its continuation.
	configWait func()
	crashes    int
	// begun: the kubelet has started this container at least once (the
	// chain of first starts has reached it).
	begun bool
	// cgen is bumped when the container's pending exit, restart and pull
	// timers are to be forgotten (its image changed).
	cgen int
	// startupPending: running, but its startup probe has not passed yet
	// (status started=false).
	startupPending bool
	onStarted      func() // what waits for the startup probe to pass
	// run counts the container's runs (running1): timers and watches of
	// an earlier run do nothing.
	run int
	// mem is the memory usage the eviction manager last saw.
	mem int64
}

func (k *Kubelet) after(ps *podState, d time.Duration, fn func()) {
	gen := ps.gen
	t := k.cfg.Clock.AfterFunc(d, func() {
		if ps.gen != gen || !k.running {
			return
		}
		fn()
	})
	if len(ps.timers) >= 64 && len(ps.timers)&(len(ps.timers)-1) == 0 {
		// Forget the timers that fired (a script's wakes, probe periods),
		// so a long-running pod does not hold one per wake; the gen check
		// above still guards any dropped one still due now.
		now := k.cfg.Clock.Now()
		keep := ps.timers[:0]
		for _, x := range ps.timers {
			if x.When().After(now) {
				keep = append(keep, x)
			}
		}
		clear(ps.timers[len(keep):])
		ps.timers = keep
	}
	ps.timers = append(ps.timers, t)
}

func (k *Kubelet) cancelTimers(ps *podState) {
	for _, t := range ps.timers {
		k.cfg.Clock.Stop(t)
	}
	ps.timers = nil
	ps.gen++
}

// syncPod brings one pod towards its desired state; it reports whether it wrote.
func (k *Kubelet) syncPod(uid types.UID) bool {
	ps := k.pods[uid]
	pod := k.lookup(uid, ps)
	if pod == nil {
		if ps != nil {
			k.teardown(ps)
			delete(k.pods, uid)
		}
		return false
	}
	if ps == nil {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			return false
		}
		if msg := k.admitUnderPressure(pod); msg != "" && pod.DeletionTimestamp == nil {
			k.reject(pod, evictedReason, msg)
			return true
		}
		ps = &podState{uid: uid, ns: pod.Namespace, name: pod.Name}
		mainWaiting := "ContainerCreating"
		if len(pod.Spec.InitContainers) > 0 {
			mainWaiting = "PodInitializing"
		}
		for _, c := range pod.Spec.InitContainers {
			ps.inits = append(ps.inits, &ctrState{init: true, spec: c, waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}})
		}
		for _, c := range pod.Spec.Containers {
			ps.ctrs = append(ps.ctrs, &ctrState{spec: c, waiting: &corev1.ContainerStateWaiting{Reason: mainWaiting}})
		}
		k.pods[uid] = ps
	}
	if old := ps.pod; old != nil && ps.volumesUp && (!maps.Equal(old.Labels, pod.Labels) || !maps.Equal(old.Annotations, pod.Annotations)) {
		// A pod update syncs the pod at once: its downward API files
		// follow its labels and annotations.
		ps.pod = pod
		k.refreshVolumes(ps)
	}
	ps.pod = pod
	if pod.DeletionTimestamp != nil {
		if !ps.killing {
			k.kill(ps)
			return true
		}
		return false
	}
	if ps.evicted != "" {
		return false // evicted: nothing runs until the pod is deleted
	}
	if ps.started && !ps.killing {
		k.applyImageChanges(ps, pod)
		if k.startEphemeral(ps, pod) {
			return true
		}
	}
	if ps.configChanged {
		ps.configChanged = false
		for _, c := range ps.all() {
			if then := c.configWait; then != nil {
				c.configWait = nil
				k.launch(ps, c, then)
			}
		}
	}
	if !ps.started {
		if !pod.Spec.HostNetwork && !k.networkReady() {
			return false // no podCIDR yet: the network is not ready
		}
		ps.started = true
		ps.startTime = k.now()
		k.writeStatus(ps)
		k.mountThenRun(ps)
		return true
	}
	return false
}

// lookup finds the pod in the store (by the name recorded for its uid).
func (k *Kubelet) lookup(uid types.UID, ps *podState) *corev1.Pod {
	if ps != nil {
		obj, err := k.cfg.Registry.Get(k.podRes, ps.ns, ps.name)
		if err == nil && obj.(*corev1.Pod).UID == uid {
			return obj.(*corev1.Pod)
		}
		return nil
	}
	objs, _, _ := k.cfg.Registry.List(k.podRes, "", podsOnNode(k.cfg.NodeName))
	for _, o := range objs {
		if p := o.(*corev1.Pod); p.UID == uid {
			return p
		}
	}
	return nil
}

func (k *Kubelet) ctx() context.Context { return context.Background() }

func (k *Kubelet) sandboxConfig(ps *podState) *runtimeapi.PodSandboxConfig {
	p := ps.pod
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: p.Name, Namespace: p.Namespace, Uid: string(p.UID)},
		Hostname:     p.Name,
		LogDirectory: fmt.Sprintf("/var/log/pods/%s_%s_%s", p.Namespace, p.Name, p.UID),
		Labels:       map[string]string{"io.kubernetes.pod.name": p.Name, "io.kubernetes.pod.namespace": p.Namespace, "io.kubernetes.pod.uid": string(p.UID)},
		Annotations:  map[string]string{},
		Linux:        &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: &runtimeapi.NamespaceOption{}}},
		DnsConfig:    dnsConfig(p),
	}
	for key, v := range p.Labels {
		cfg.Labels[key] = v
	}
	cfg.Linux.CgroupParent = k.cgroupParent(p) // cgroups.go
	if p.Spec.HostNetwork {
		cfg.Linux.SecurityContext.NamespaceOptions.Network = runtimeapi.NamespaceMode_NODE
		cfg.Annotations[chain.PodIPAnnotation] = k.cfg.NodeIP
	}
	return cfg
}

// networkReady is the runtime's NetworkReady: the node has its subnet.
func (k *Kubelet) networkReady() bool { return k.cfg.Network != nil && k.cfg.Network.Ready() }

// runSandbox asks the runtime for the pod sandbox. The runtime sets up its
// network (CNI ADD); the pod IP is read back from the sandbox's status.
func (k *Kubelet) runSandbox(ps *podState) {
	cfg := k.sandboxConfig(ps)
	resp, err := k.rt.RunPodSandbox(k.ctx(), &runtimeapi.RunPodSandboxRequest{Config: cfg})
	cost := k.cfg.Runtime.TakeCost()
	if err != nil {
		k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: "+err.Error())
		k.after(ps, 10*time.Second, func() { ps.started = false; k.dirty[ps.uid] = true })
		return
	}
	ps.sandboxID = resp.PodSandboxId
	k.after(ps, cost, func() {
		st, err := k.rt.PodSandboxStatus(k.ctx(), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: ps.sandboxID})
		k.cfg.Runtime.TakeCost()
		if err == nil && st.Status.GetNetwork() != nil {
			ps.ip = st.Status.Network.Ip
		}
		if ps.pod.Spec.HostNetwork {
			ps.ip = k.cfg.NodeIP
		}
		k.writeStatus(ps)
		k.startContainer(ps, 0)
	})
}

func fieldPath(c *ctrState) string {
	if c.ephemeral {
		return "spec.ephemeralContainers{" + c.spec.Name + "}"
	}
	if c.init {
		return "spec.initContainers{" + c.spec.Name + "}"
	}
	return "spec.containers{" + c.spec.Name + "}"
}

// all returns the pod's containers in start order: init containers, the
// main ones, then the ephemeral ones.
func (ps *podState) all() []*ctrState {
	return append(append(append(make([]*ctrState, 0, len(ps.inits)+len(ps.ctrs)+len(ps.ephem)), ps.inits...), ps.ctrs...), ps.ephem...)
}

// startContainer pulls, creates and starts container i of all(); a main
// container's start is followed at once by the next one's, an init
// container's only by its successful exit.
func (k *Kubelet) startContainer(ps *podState, i int) {
	seq := ps.all()
	if i >= len(seq) {
		return
	}
	c := seq[i]
	c.begun = true
	if !c.init && i == len(ps.inits) && len(ps.inits) > 0 {
		// Initialization is over: the app containers now wait to be created.
		for _, m := range ps.ctrs {
			m.waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
		}
	}
	img := c.spec.Image
	present := false
	if st, err := k.images.ImageStatus(k.ctx(), &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: img}}); err == nil && st.Image != nil {
		present = true
		c.imageRef = st.Image.Id
	}
	k.cfg.Runtime.TakeCost()
	if present && c.spec.ImagePullPolicy != corev1.PullAlways {
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Pulled", fmt.Sprintf("Container image %q already present on machine", img))
		k.createAndStart(ps, i)
		return
	}
	k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", img))
	k.pull(ps, i, 0)
}

// pull runs PullImage for container i of all(): the image is there once
// the chain's cost has passed, less elapsed (a pull that was in progress
// when the cluster was suspended goes on where it was).
func (k *Kubelet) pull(ps *podState, i int, elapsed time.Duration) {
	c := ps.all()[i]
	img := c.spec.Image
	resp, err := k.images.PullImage(k.ctx(), &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: img}})
	cost := k.cfg.Runtime.TakeCost()
	k.after(ps, max(cost-elapsed, 0), func() {
		if err != nil {
			k.pullFailed(ps, i, err)
			return
		}
		c.imageRef = resp.ImageRef
		c.pullFail = 0
		d := cost.Truncate(time.Millisecond)
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Pulled", k.pulledMessage(img, d))
		k.createAndStart(ps, i)
	})
}

func (k *Kubelet) pulledMessage(img string, d time.Duration) string {
	msg := fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting)", img, d, d)
	if minorOf(k.cfg.Version) >= 30 {
		if im, err := k.cfg.Catalog.Resolve(img); err == nil {
			msg += fmt.Sprintf(". Image size: %d bytes.", im.Size)
		}
	}
	return msg
}

func minorOf(v string) int {
	var major, minor int
	fmt.Sscanf(strings.TrimPrefix(v, "v"), "%d.%d", &major, &minor)
	return minor
}

// pullFailed records ErrImagePull, then retries with back-off (ImagePullBackOff).
func (k *Kubelet) pullFailed(ps *podState, i int, err error) {
	c := ps.all()[i]
	img := c.spec.Image
	msg := err.Error()
	k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Failed", fmt.Sprintf("Failed to pull image %q: %s", img, msg))
	k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Failed", "Error: ErrImagePull")
	c.waiting = &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: msg}
	k.writeStatus(ps)
	backoff := chain.Backoff(c.pullFail)
	c.pullFail++
	// The next sync inside the back-off window reports ImagePullBackOff.
	k.afterC(ps, c, time.Second, func() {
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "BackOff", fmt.Sprintf("Back-off pulling image %q", img))
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Failed", "Error: ImagePullBackOff")
		bmsg := fmt.Sprintf("Back-off pulling image %q", img)
		if minorOf(k.cfg.Version) >= 32 {
			bmsg += ": ErrImagePull: " + msg
		}
		c.waiting = &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: bmsg}
		k.writeStatus(ps)
	})
	k.afterC(ps, c, backoff, func() { k.startContainer(ps, i) })
}

func (k *Kubelet) containerConfig(ps *podState, c *ctrState, env []*runtimeapi.KeyValue) *runtimeapi.ContainerConfig {
	// $(VAR) in command and args expands from the container's environment.
	vars := make(map[string]string, len(env))
	for _, kv := range env {
		vars[kv.Key] = string(kv.Value)
	}
	expand := func(in []string) []string {
		if in == nil {
			return nil
		}
		out := make([]string, len(in))
		for i, a := range in {
			out[i] = expandVars(a, vars)
		}
		return out
	}
	return &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: c.spec.Name, Attempt: uint32(c.restarts)},
		Image:    &runtimeapi.ImageSpec{Image: c.spec.Image},
		Command:  expand(c.spec.Command),
		Args:     expand(c.spec.Args),
		Envs:     env,
		Labels: map[string]string{
			"io.kubernetes.container.name": c.spec.Name, "io.kubernetes.pod.name": ps.name,
			"io.kubernetes.pod.namespace": ps.ns, "io.kubernetes.pod.uid": string(ps.uid),
		},
		LogPath:   fmt.Sprintf("%s/%d.log", c.spec.Name, c.restarts),
		Mounts:    k.mounts(ps, c),
		Stdin:     c.spec.Stdin,
		StdinOnce: c.spec.StdinOnce,
		Tty:       c.spec.TTY,
		Linux:     linuxConfig(c),
	}
}

// createAndStart creates and starts container i of all(); a main
// container's start is followed by the next container's, a sidecar's
// (restartable init container) once it has started (its startup probe
// passed).
func (k *Kubelet) createAndStart(ps *podState, i int) {
	c := ps.all()[i]
	k.launch(ps, c, func() {
		switch {
		case isSidecar(&c.spec):
			k.whenStarted(ps, c, func() { k.startNext(ps, i) })
		case !c.init:
			k.startNext(ps, i)
		}
	})
}

// startNext starts container i+1 of all() if it has never been started (a
// container restarted on its own does not restart the ones after it).
func (k *Kubelet) startNext(ps *podState, i int) {
	if seq := ps.all(); i+1 < len(seq) && !seq[i+1].begun {
		k.startContainer(ps, i+1)
	}
}

// launch runs CreateContainer and StartContainer through the chain; once
// the chain's cost has elapsed the container runs, and then is called.
func (k *Kubelet) launch(ps *podState, c *ctrState, then func()) {
	env, err := k.containerEnv(ps, c)
	if err != nil {
		// CreateContainerConfigError: retried when a ConfigMap or Secret of
		// the namespace changes (see Handle), not on a timer.
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Failed", "Error: "+err.Error())
		c.waiting = &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: err.Error()}
		c.configWait = then
		k.writeStatus(ps)
		return
	}
	resp, err := k.rt.CreateContainer(k.ctx(), &runtimeapi.CreateContainerRequest{PodSandboxId: ps.sandboxID, Config: k.containerConfig(ps, c, env), SandboxConfig: k.sandboxConfig(ps)})
	if err == nil {
		c.id = resp.ContainerId
		_, err = k.rt.StartContainer(k.ctx(), &runtimeapi.StartContainerRequest{ContainerId: c.id})
	}
	cost := k.cfg.Runtime.TakeCost()
	k.after(ps, cost, func() {
		if err != nil {
			k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "Failed", "Error: "+err.Error())
			c.waiting = &corev1.ContainerStateWaiting{Reason: "CreateContainerError", Message: err.Error()}
			k.writeStatus(ps)
			return
		}
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Created", k.createdMessage(c.spec.Name))
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Started", fmt.Sprintf("Started container %s", c.spec.Name))
		k.running1(ps, c)
		then()
	})
}

func (k *Kubelet) createdMessage(name string) string {
	if minorOf(k.cfg.Version) >= 33 {
		return "Created container: " + name
	}
	return "Created container " + name
}

// running1 marks a started container running and arranges its exit.
func (k *Kubelet) running1(ps *podState, c *ctrState) {
	now := k.cfg.Clock.Now()
	c.started = now
	c.waiting, c.term = nil, nil
	c.running = &corev1.ContainerStateRunning{StartedAt: k.now()}
	c.ready = !c.init || isSidecar(&c.spec)
	c.run++
	c.proc = k.cfg.Runtime.Process(c.id)
	k.noteMemory(c)
	if c.proc != nil && k.cfg.Fabric != nil && ps.ip != "" {
		if ip, err := netip.ParseAddr(ps.ip); err == nil {
			for port, h := range c.proc.Ports {
				k.cfg.Fabric.Register(ip, port, adaptHandler(h))
			}
			k.registerStreams(ip, c) // streams.go
		}
	}
	k.armStartup(ps, c)
	k.armProbes(ps, c)
	k.writeStatus(ps)
	if k.cfg.Runtime.Scripted(c.id) {
		k.drive(ps, c)
		return
	}
	if c.proc != nil && c.proc.Exit != nil {
		exit := *c.proc.Exit
		k.afterC(ps, c, exit.After, func() {
			if c.running != nil {
				k.exited(ps, c, exit.Code, "")
			}
		})
	}
}

// adaptHandler turns an image's HTTP behaviour into a fabric handler.
func adaptHandler(h images.HTTPHandler) fabric.Handler {
	return func(req fabric.Request) fabric.Response {
		hdr := map[string]string{}
		for _, f := range req.Header {
			hdr[f.Name] = f.Value
		}
		status, rh, body := h(req.Method, req.Path, hdr)
		resp := fabric.Response{Status: status, Body: body}
		for _, name := range slices.Sorted(maps.Keys(rh)) {
			resp.Header = append(resp.Header, fabric.Field{Name: name, Value: rh[name]})
		}
		return resp
	}
}

// exited handles a container's process ending with code.
func (k *Kubelet) exited(ps *podState, c *ctrState, code int, reason string) {
	if reason == "" {
		reason = "Completed"
		if code != 0 {
			reason = "Error"
		}
	}
	k.unregister(ps, c)
	c.term = &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: reason, StartedAt: c.running.StartedAt, FinishedAt: k.now(), ContainerID: k.containerID(c)}
	c.running, c.ready = nil, false
	k.noteMemory(c)
	if c.proc != nil {
		c.prevLogs = c.proc.LogsUntil(k.cfg.Clock.Now().Sub(c.started))
	}
	k.rt.StopContainer(k.ctx(), &runtimeapi.StopContainerRequest{ContainerId: c.id})
	k.cfg.Runtime.TakeCost()
	if c.ephemeral {
		k.writeStatus(ps) // ephemeral containers are never restarted
		return
	}
	if isSidecar(&c.spec) {
		// A sidecar is restarted whatever the pod's restart policy, unless
		// the pod's app containers are done (stopSidecars).
		if !ps.sidecarsStopping {
			k.restart(ps, c)
		} else {
			k.writeStatus(ps)
		}
		return
	}
	if c.init && code == 0 {
		c.ready = true
		k.writeStatus(ps)
		for i, x := range ps.all() {
			if x == c {
				k.startContainer(ps, i+1)
			}
		}
		return
	}
	policy := ps.pod.Spec.RestartPolicy
	if policy == corev1.RestartPolicyAlways || (policy == corev1.RestartPolicyOnFailure && code != 0) {
		k.restart(ps, c)
		return
	}
	k.writeStatus(ps)
	if !c.init {
		k.stopSidecarsIfDone(ps)
	}
}

// restart restarts a container after its crash-loop back-off.
func (k *Kubelet) restart(ps *podState, c *ctrState) {
	backoff := time.Duration(0)
	if c.crashes > 0 {
		backoff = chain.Backoff(c.crashes - 1)
	}
	c.crashes++
	c.last = c.term
	c.term = nil
	if backoff > 0 {
		c.waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: fmt.Sprintf("back-off %v restarting failed container=%s pod=%s_%s(%s)", backoff, c.spec.Name, ps.name, ps.ns, ps.uid)}
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeWarning, "BackOff", fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)", c.spec.Name, ps.name, ps.ns, ps.uid))
	}
	k.writeStatus(ps)
	k.afterC(ps, c, backoff, func() {
		c.restarts++
		c.prevProc = c.proc
		k.retire(c)
		k.cfg.Runtime.TakeCost()
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Pulled", fmt.Sprintf("Container image %q already present on machine", c.spec.Image))
		k.launch(ps, c, func() {
			if isSidecar(&c.spec) {
				// A sidecar that never got to start holds up the rest.
				k.whenStarted(ps, c, func() { k.startNext(ps, ps.index(c)) })
			}
		})
	})
}

func (k *Kubelet) containerID(c *ctrState) string {
	if c.id == "" {
		return ""
	}
	scheme := strings.SplitN(k.cfg.Runtime.RuntimeVersion(), "://", 2)[0]
	return scheme + "://" + c.id
}

func (k *Kubelet) unregister(ps *podState, c *ctrState) {
	if c.proc == nil || k.cfg.Fabric == nil || ps.ip == "" || ps.pod.Spec.HostNetwork {
		return
	}
	if ip, err := netip.ParseAddr(ps.ip); err == nil {
		for port := range c.proc.Ports {
			k.cfg.Fabric.Unregister(ip, port)
		}
		for port := range c.proc.Streams {
			k.cfg.Fabric.Unregister(ip, port)
		}
	}
}

// kill stops a pod being deleted: each container gets its stop signal and
// the grace period; then the sandbox goes and the pod object is removed.
func (k *Kubelet) kill(ps *podState) {
	ps.killing = true
	k.cancelTimers(ps)
	grace := int64(30)
	if g := ps.pod.DeletionGracePeriodSeconds; g != nil {
		grace = *g
	}
	// The app containers stop first; the sidecars get their signal once
	// they have (in reverse order, with what is left of the grace period).
	var longest time.Duration
	for _, c := range ps.ctrs {
		if c.running == nil {
			continue
		}
		k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", c.spec.Name))
		longest = max(longest, stopAfter(c, time.Duration(grace)*time.Second))
	}
	if sidecars := ps.runningSidecars(); len(sidecars) > 0 {
		left := max(time.Duration(grace)*time.Second-longest, sidecarMinGrace)
		var sideLongest time.Duration
		for _, c := range sidecars {
			sideLongest = max(sideLongest, stopAfter(c, left))
		}
		k.after(ps, longest, func() {
			for _, c := range sidecars {
				k.cfg.Recorder.Event(ps.pod, fieldPath(c), k.source(), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", c.spec.Name))
			}
		})
		longest += sideLongest
	}
	k.after(ps, longest, func() {
		for _, c := range ps.all() {
			if c.running != nil {
				code := 137
				if c.proc != nil && !c.proc.Stop.Ignores {
					code = c.proc.Stop.Code
				}
				k.unregister(ps, c)
				c.term = &corev1.ContainerStateTerminated{ExitCode: int32(code), Reason: exitReason(code), StartedAt: c.running.StartedAt, FinishedAt: k.now(), ContainerID: k.containerID(c)}
				c.running, c.ready = nil, false
			}
		}
		k.teardown(ps)
		delete(k.pods, ps.uid)
		k.cfg.Registry.Remove(k.podRes, ps.ns, ps.name)
	})
}

func exitReason(code int) string {
	if code == 0 {
		return "Completed"
	}
	return "Error"
}

// teardown stops and removes the pod's containers and sandbox.
func (k *Kubelet) teardown(ps *podState) {
	k.cancelTimers(ps)
	for _, c := range ps.all() {
		k.unregister(ps, c)
		if c.id != "" {
			k.rt.StopContainer(k.ctx(), &runtimeapi.StopContainerRequest{ContainerId: c.id})
			k.rt.RemoveContainer(k.ctx(), &runtimeapi.RemoveContainerRequest{ContainerId: c.id})
		}
		if c.deadID != "" && c.deadID != c.id {
			k.rt.RemoveContainer(k.ctx(), &runtimeapi.RemoveContainerRequest{ContainerId: c.deadID})
			c.deadID = ""
		}
	}
	if ps.sandboxID != "" {
		k.rt.StopPodSandbox(k.ctx(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: ps.sandboxID})
		k.rt.RemovePodSandbox(k.ctx(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: ps.sandboxID})
	}
	k.cfg.Runtime.TakeCost()
	k.forgetIP(ps)
}

// forgetIP drops the IP reservation of a pod whose sandbox never came back
// after a resume; a pod with a sandbox had it released by the runtime when
// the sandbox stopped (CNI DEL).
func (k *Kubelet) forgetIP(ps *podState) {
	if ps.sandboxID == "" && !ps.pod.Spec.HostNetwork && k.cfg.Network != nil {
		k.cfg.Network.Forget(string(ps.uid))
	}
}

// linuxConfig carries the container's memory limit to the runtime (the
// cgroup's memory.max).
func linuxConfig(c *ctrState) *runtimeapi.LinuxContainerConfig {
	lim, ok := c.spec.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		return nil
	}
	return &runtimeapi.LinuxContainerConfig{Resources: &runtimeapi.LinuxContainerResources{MemoryLimitInBytes: lim.Value()}}
}
