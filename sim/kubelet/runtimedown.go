package kubelet

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/podutil"
)

// The node's container runtime as a service of its host (package hosts):
// `systemctl stop containerd` leaves the containers running (their shims
// outlive the daemon) but the kubelet's CRI calls fail. The kubelet syncs
// no pod; its runtime status check has not succeeded for
// runtimeDownAfter, and its next node status update posts Ready=False
// with "container runtime is down" (pkg/kubelet/runtime.go's
// runtimeErrors, through the Ready setter). Started again, the kubelet
// posts Ready and resyncs every pod.

// runtimeDownAfter is when the node goes NotReady after its runtime
// stopped: the runtime state's threshold (maxWaitForContainerRuntime, 30
// s) and the next node status update (nodeStatusUpdateFrequency, 10 s).
const runtimeDownAfter = 40 * time.Second

// runtimeDownMessage is the Ready condition's message then.
const runtimeDownMessage = "container runtime is down"

type runtimeState struct {
	down bool
	gen  int // a start cancels the NotReady of an earlier stop
}

// RuntimeStopped: the node's container runtime service stopped.
func (k *Kubelet) RuntimeStopped() {
	if k.rtState.down {
		return
	}
	k.rtState.down = true
	k.rtState.gen++
	gen := k.rtState.gen
	k.cfg.Clock.AfterFunc(runtimeDownAfter, func() {
		if k.rtState.down && k.rtState.gen == gen && k.running {
			k.postRuntimeDown()
		}
	})
}

// RuntimeStarted: the runtime service runs again.
func (k *Kubelet) RuntimeStarted() {
	if !k.rtState.down {
		return
	}
	k.rtState.down = false
	k.rtState.gen++
	if !k.running {
		return
	}
	if n, err := k.cfg.Registry.Get(k.nodeRes, "", k.cfg.NodeName); err == nil {
		if _, c := podutil.GetNodeCondition(&n.(*corev1.Node).Status, corev1.NodeReady); c != nil && c.Status != corev1.ConditionTrue {
			k.postReady()
		}
	}
	for uid := range k.pods {
		k.dirty[uid] = true
	}
}

// RuntimeDown reports whether the node's runtime service is stopped.
func (k *Kubelet) RuntimeDown() bool { return k.rtState.down }

// postRuntimeDown posts Ready=False for the stopped runtime.
func (k *Kubelet) postRuntimeDown() {
	if !k.postCondition(corev1.NodeReady, func(c *corev1.NodeCondition, now metav1.Time) {
		if c.Status != corev1.ConditionFalse {
			c.LastTransitionTime = now
		}
		c.Status, c.Reason, c.Message = corev1.ConditionFalse, "KubeletNotReady", runtimeDownMessage
	}) {
		return
	}
	k.cfg.Recorder.Event(k.nodeRef(), "", k.source(), corev1.EventTypeNormal, "NodeNotReady", fmt.Sprintf("Node %s status is now: NodeNotReady", k.cfg.NodeName))
}
