package printers

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pod printing follows kube-apiserver printPod (pkg/printers/internalversion/printers.go).
// Release differences, from the fork snapshots named in columns.go and
// /work/shared/reference/apiserver-tables.md §3:
//
//   - v1.28 (SidecarContainers, kubernetes PR #116429): restartable init
//     containers (restartPolicy: Always) count in READY's total, are counted
//     as ready once started and ready, and their restarts survive the reset
//     when the main containers are summed.
//   - v1.29 [release not pinned upstream; first seen in a ~1.29-dev tree]: the
//     "(<age> ago)" suffix needs restarts != 0, and the main containers are
//     also walked when the pod's Initialized condition is True.
//   - v1.31 (kubernetes PR #122038): a pod with a deletionTimestamp whose
//     phase is Succeeded or Failed keeps its computed status instead of
//     showing Terminating.
const (
	minorSidecars             = 28
	minorInitializedCondition = 29
	minorTerminalNotTerminate = 31
)

// nodeUnreachablePodReason is k8s.io/kubernetes pkg/util/node NodeUnreachablePodReason.
const nodeUnreachablePodReason = "NodeLost"

var (
	podSucceededConditions = []metav1.TableRowCondition{{Type: metav1.RowCompleted, Status: metav1.ConditionTrue, Reason: string(corev1.PodSucceeded), Message: "The pod has completed successfully."}}
	podFailedConditions    = []metav1.TableRowCondition{{Type: metav1.RowCompleted, Status: metav1.ConditionTrue, Reason: string(corev1.PodFailed), Message: "The pod failed."}}
)

// initContainerSpec finds an init container's spec by name (nil if a status
// has no spec, which upstream also tolerates since kubernetes PR #124906).
func initContainerSpec(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

func isRestartableInitContainer(c *corev1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// laterFinish returns the later of cur and the finish time of a container's
// last termination, if it has one.
func laterFinish(cur metav1.Time, cs *corev1.ContainerStatus) metav1.Time {
	if t := cs.LastTerminationState.Terminated; t != nil && cur.Before(&t.FinishedAt) {
		return t.FinishedAt
	}
	return cur
}

func podConditionTrue(conds []corev1.PodCondition, typ corev1.PodConditionType) bool {
	for _, c := range conds {
		if c.Type == typ {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// hasPodReadyCondition is upstream's: any Ready condition that is True.
func hasPodReadyCondition(conds []corev1.PodCondition) bool {
	for _, c := range conds {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// podSummary is what printPod computes for READY, STATUS and RESTARTS.
type podSummary struct {
	ready, total int
	status       string
	restarts     string
}

func summarizePod(pod *corev1.Pod, c *printContext) podSummary {
	sidecars := c.atLeast(minorSidecars)
	var (
		restarts, sidecarRestarts int
		ready                     int
		total                     = len(pod.Spec.Containers)
		lastRestart, lastSidecar  metav1.Time
	)
	phase := pod.Status.Phase
	reason := string(phase)
	if pod.Status.Reason != "" {
		reason = pod.Status.Reason
	}
	for _, cond := range pod.Status.Conditions {
		if cond.Type == corev1.PodScheduled && cond.Reason == corev1.PodReasonSchedulingGated {
			reason = corev1.PodReasonSchedulingGated
		}
	}

	if sidecars {
		for i := range pod.Spec.InitContainers {
			if isRestartableInitContainer(&pod.Spec.InitContainers[i]) {
				total++
			}
		}
	}

	initializing := false
	for i := range pod.Status.InitContainerStatuses {
		cs := &pod.Status.InitContainerStatuses[i]
		restarts += int(cs.RestartCount)
		lastRestart = laterFinish(lastRestart, cs)
		restartable := sidecars && isRestartableInitContainer(initContainerSpec(pod, cs.Name))
		if restartable {
			sidecarRestarts += int(cs.RestartCount)
			lastSidecar = laterFinish(lastSidecar, cs)
		}
		st := cs.State
		switch {
		case st.Terminated != nil && st.Terminated.ExitCode == 0:
			continue
		case restartable && cs.Started != nil && *cs.Started:
			if cs.Ready {
				ready++
			}
			continue
		case st.Terminated != nil:
			switch {
			case st.Terminated.Reason != "":
				reason = "Init:" + st.Terminated.Reason
			case st.Terminated.Signal != 0:
				reason = fmt.Sprintf("Init:Signal:%d", st.Terminated.Signal)
			default:
				reason = fmt.Sprintf("Init:ExitCode:%d", st.Terminated.ExitCode)
			}
		case st.Waiting != nil && st.Waiting.Reason != "" && st.Waiting.Reason != "PodInitializing":
			reason = "Init:" + st.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		initializing = true
		break
	}

	walkMain := !initializing
	if c.atLeast(minorInitializedCondition) && podConditionTrue(pod.Status.Conditions, corev1.PodInitialized) {
		walkMain = true
	}
	if walkMain {
		restarts = sidecarRestarts
		if sidecars {
			// v1.27 kept the init containers' last restart date here.
			lastRestart = lastSidecar
		}
		hasRunning := false
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := &pod.Status.ContainerStatuses[i]
			restarts += int(cs.RestartCount)
			lastRestart = laterFinish(lastRestart, cs)
			st := cs.State
			switch {
			case st.Waiting != nil && st.Waiting.Reason != "":
				reason = st.Waiting.Reason
			case st.Terminated != nil && st.Terminated.Reason != "":
				reason = st.Terminated.Reason
			case st.Terminated != nil && st.Terminated.Signal != 0:
				reason = fmt.Sprintf("Signal:%d", st.Terminated.Signal)
			case st.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", st.Terminated.ExitCode)
			case cs.Ready && st.Running != nil:
				hasRunning = true
				ready++
			}
		}
		// A container still running turns "Completed" back into Running/NotReady.
		if reason == "Completed" && hasRunning {
			if hasPodReadyCondition(pod.Status.Conditions) {
				reason = "Running"
			} else {
				reason = "NotReady"
			}
		}
	}

	if pod.DeletionTimestamp != nil {
		terminal := phase == corev1.PodSucceeded || phase == corev1.PodFailed
		switch {
		case pod.Status.Reason == nodeUnreachablePodReason:
			reason = "Unknown"
		case !terminal || !c.atLeast(minorTerminalNotTerminate):
			reason = "Terminating"
		}
	}

	restartsText := strconv.Itoa(restarts)
	showAgo := !lastRestart.IsZero()
	if c.atLeast(minorInitializedCondition) {
		showAgo = showAgo && restarts != 0
	}
	if showAgo {
		restartsText = fmt.Sprintf("%d (%s ago)", restarts, c.since(lastRestart))
	}
	return podSummary{ready: ready, total: total, status: reason, restarts: restartsText}
}

func printPod(pod *corev1.Pod, c *printContext) metav1.TableRow {
	s := summarizePod(pod, c)
	row := metav1.TableRow{}
	switch pod.Status.Phase {
	case corev1.PodSucceeded:
		row.Conditions = podSucceededConditions
	case corev1.PodFailed:
		row.Conditions = podFailedConditions
	}
	ip := ""
	if len(pod.Status.PodIPs) > 0 {
		ip = pod.Status.PodIPs[0].IP
	}
	gates := "<none>"
	if n := len(pod.Spec.ReadinessGates); n > 0 {
		trueGates := 0
		for _, g := range pod.Spec.ReadinessGates {
			for _, cond := range pod.Status.Conditions {
				if cond.Type == g.ConditionType {
					if cond.Status == corev1.ConditionTrue {
						trueGates++
					}
					break
				}
			}
		}
		gates = fmt.Sprintf("%d/%d", trueGates, n)
	}
	row.Cells = []interface{}{
		pod.Name,
		fmt.Sprintf("%d/%d", s.ready, s.total),
		s.status,
		s.restarts,
		c.since(pod.CreationTimestamp),
		orNone(ip),
		orNone(pod.Spec.NodeName),
		orNone(pod.Status.NominatedNodeName),
		gates,
	}
	return row
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
