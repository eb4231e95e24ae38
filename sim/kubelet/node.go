package kubelet

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"

	"kubesim/sim/podutil"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// CreateMirrorPod runs a static pod from the node's manifest directory and
// publishes its mirror pod, as the kubelet does for kubeadm's control plane.
func (k *Kubelet) CreateMirrorPod(p *corev1.Pod) error {
	pod := p.DeepCopy()
	// The file source's pod UID, which config.hash carries: a hash of the
	// manifest's pod and its host, so that an edited manifest is a new pod
	// (upstream hashes the object with DeepHashObject; any content hash
	// keeps its meaning).
	body, _ := json.Marshal(p)
	hash := fmt.Sprintf("%x", md5.Sum(append(body, "host:"+k.cfg.NodeName...)))
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[corev1.MirrorPodAnnotationKey] = hash
	pod.Annotations["kubernetes.io/config.hash"] = hash
	pod.Annotations["kubernetes.io/config.seen"] = k.cfg.Clock.Now().UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	pod.Annotations["kubernetes.io/config.source"] = "file"
	pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: k.cfg.NodeName, UID: k.nodeUID, Controller: ptr(true)}}
	pod.Spec.NodeName = k.cfg.NodeName
	_, err := k.cfg.Registry.Create(k.podRes, pod.Namespace, pod, false)
	return err
}

func ptr[T any](v T) *T { return &v }

// Adopt takes over the pods the store places on this node after the
// cluster's state was reopened: their containers are started again in the
// runtime without touching their recorded status.
func (k *Kubelet) Adopt() {
	objs, _, _ := k.cfg.Registry.List(k.podRes, "", podsOnNode(k.cfg.NodeName))
	for _, o := range objs {
		p := o.(*corev1.Pod)
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if p.Status.PodIP == "" || len(p.Status.ContainerStatuses) == 0 || p.DeletionTimestamp != nil {
			k.dirty[p.UID] = true
			continue
		}
		k.adopt(p)
	}
}

func (k *Kubelet) adopt(p *corev1.Pod) {
	ps := &podState{uid: p.UID, ns: p.Namespace, name: p.Name, pod: p, started: true, ip: p.Status.PodIP}
	if p.Status.StartTime != nil {
		ps.startTime = *p.Status.StartTime
	}
	if k.networkReady() && !p.Spec.HostNetwork {
		if ip, err := netip.ParseAddr(p.Status.PodIP); err == nil {
			k.cfg.Network.Restore(string(p.UID), ip)
		}
	}
	cfg := k.sandboxConfig(ps)
	cfg.Annotations["kubesim.io/pod-ip"] = p.Status.PodIP
	if resp, err := k.rt.RunPodSandbox(k.ctx(), &runtimeapi.RunPodSandboxRequest{Config: cfg}); err == nil {
		ps.sandboxID = resp.PodSandboxId
	}
	// The node's files lived in the stopped process: set the pod's
	// volumes up again before its containers mount them.
	k.setUpVolumes(ps)
	ps.volumesUp = true
	restore := func(cs *ctrState, st *corev1.ContainerStatus) {
		if st != nil {
			cs.restarts, cs.ready, cs.imageRef = st.RestartCount, st.Ready, st.ImageID
			cs.waiting, cs.running, cs.term, cs.last = st.State.Waiting, st.State.Running, st.State.Terminated, st.LastTerminationState.Terminated
			cs.begun = cs.running != nil || cs.term != nil || cs.last != nil ||
				(cs.waiting != nil && cs.waiting.Reason != "PodInitializing" && cs.waiting.Reason != "ContainerCreating")
		}
		if cs.running == nil {
			return
		}
		// The node's image store survived the restart on a real machine;
		// this runtime starts empty, so pull again (no event).
		k.images.PullImage(k.ctx(), &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: cs.spec.Image}})
		resp, err := k.rt.CreateContainer(k.ctx(), &runtimeapi.CreateContainerRequest{PodSandboxId: ps.sandboxID, Config: k.containerConfig(ps, cs, k.envOrNone(ps, cs)), SandboxConfig: cfg})
		if err != nil {
			return
		}
		cs.id = resp.ContainerId
		k.rt.StartContainer(k.ctx(), &runtimeapi.StartContainerRequest{ContainerId: cs.id})
		cs.proc = k.cfg.Runtime.Process(cs.id)
		cs.started = cs.running.StartedAt.Time
		if cs.proc != nil && k.cfg.Fabric != nil && !p.Spec.HostNetwork {
			if ip, err := netip.ParseAddr(ps.ip); err == nil {
				for port, h := range cs.proc.Ports {
					k.cfg.Fabric.Register(ip, port, adaptHandler(h))
				}
			}
		}
	}
	for _, c := range p.Spec.InitContainers {
		cs := &ctrState{init: true, spec: c}
		restore(cs, statusOf(p.Status.InitContainerStatuses, c.Name))
		ps.inits = append(ps.inits, cs)
	}
	for _, c := range p.Spec.Containers {
		cs := &ctrState{spec: c}
		restore(cs, statusOf(p.Status.ContainerStatuses, c.Name))
		ps.ctrs = append(ps.ctrs, cs)
	}
	k.cfg.Runtime.TakeCost()
	k.pods[p.UID] = ps
	k.rearm(ps)
}

// Halt powers the machine off: every container stops at once, nothing is
// reported to the API server (the node lifecycle controller notices the
// lease going stale).
func (k *Kubelet) Halt() {
	if !k.running {
		return
	}
	k.running = false
	if k.cfg.Fabric != nil {
		if ip, err := netip.ParseAddr(k.cfg.NodeIP); err == nil {
			k.cfg.Fabric.SetHostUp(ip, false)
		}
	}
	now := k.now()
	for _, uid := range k.podUIDs() {
		ps := k.pods[uid]
		k.cancelTimers(ps)
		for _, c := range ps.all() {
			k.unregister(ps, c)
			if c.running != nil {
				c.last = &corev1.ContainerStateTerminated{ExitCode: 255, Reason: "Unknown", StartedAt: c.running.StartedAt, FinishedAt: now, ContainerID: k.containerID(c)}
				c.running, c.ready = nil, false
			}
		}
	}
}

// Boot powers the machine on: the kubelet starts again, renews its lease,
// and recreates every pod's sandbox and containers; each container that was
// running counts one restart, as after a reboot.
func (k *Kubelet) Boot() {
	if k.running {
		return
	}
	k.running = true
	k.bootID++
	if k.cfg.Fabric != nil {
		if ip, err := netip.ParseAddr(k.cfg.NodeIP); err == nil {
			k.cfg.Fabric.SetHostUp(ip, true)
		}
	}
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, "Starting", "Starting kubelet.")
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeWarning, "Rebooted", fmt.Sprintf("Node %s has been rebooted, boot id: %s", k.cfg.NodeName, k.machineID(fmt.Sprintf("b%d", k.bootID))))
	k.RenewLease(k.cfg.Clock.Now())
	k.postReady()
	for _, uid := range k.podUIDs() {
		ps := k.pods[uid]
		// The old sandbox is gone: its IP goes back to the pool (the
		// runtime's CNI DEL at boot).
		k.forgetIP(ps)
		k.rt.StopPodSandbox(k.ctx(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: ps.sandboxID})
		k.rt.RemovePodSandbox(k.ctx(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: ps.sandboxID})
		k.cfg.Runtime.TakeCost()
		for _, c := range ps.all() {
			if c.last != nil && c.term == nil && c.waiting == nil {
				c.restarts++
			}
			c.waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
			c.running, c.term = nil, nil
		}
		ps.started, ps.sandboxID = false, ""
		if !ps.pod.Spec.HostNetwork {
			ps.ip = ""
		}
		k.dirty[uid] = true
	}
}

func (k *Kubelet) podUIDs() []types.UID {
	uids := make([]types.UID, 0, len(k.pods))
	for uid := range k.pods {
		uids = append(uids, uid)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	return uids
}

// postReady is the kubelet's first node status update after it starts:
// every condition reports the kubelet's own view again (Ready=True), with
// new heartbeats; a condition that changed gets a new transition time.
func (k *Kubelet) postReady() {
	if !k.postsReady() {
		return
	}
	obj, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName)
	if err != nil {
		return
	}
	n := obj.(*corev1.Node).DeepCopy()
	now := k.now()
	fresh := nodeConditions(now, true)
	for i := range fresh {
		if _, old := podutil.GetNodeCondition(&n.Status, fresh[i].Type); old != nil && old.Status == fresh[i].Status {
			fresh[i].LastTransitionTime = old.LastTransitionTime
		}
	}
	n.Status.Conditions = fresh
	n.ResourceVersion = ""
	k.cfg.Registry.Update(k.nodeRes, "", n, "status")
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, "NodeReady", fmt.Sprintf("Node %s status is now: NodeReady", k.cfg.NodeName))
}

// envOrNone is containerEnv for an adopted container, which already ran.
func (k *Kubelet) envOrNone(ps *podState, c *ctrState) []*runtimeapi.KeyValue {
	env, _ := k.containerEnv(ps, c)
	return env
}
