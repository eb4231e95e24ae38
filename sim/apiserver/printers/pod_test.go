package printers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testNow is the virtual clock in these tests.
var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) metav1.Time { return metav1.NewTime(testNow.Add(-d)) }

// podBuilder builds pods for the STATUS tests: MakePod("p").Containers(2).Obj().
type podBuilder struct{ pod *corev1.Pod }

func makePod(name string) *podBuilder {
	return &podBuilder{pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}}
}

func (b *podBuilder) containers(n int) *podBuilder {
	for i := 0; i < n; i++ {
		b.pod.Spec.Containers = append(b.pod.Spec.Containers, corev1.Container{Name: "c" + string(rune('0'+i))})
	}
	return b
}

func (b *podBuilder) initContainers(n int) *podBuilder {
	for i := 0; i < n; i++ {
		b.pod.Spec.InitContainers = append(b.pod.Spec.InitContainers, corev1.Container{Name: "init" + string(rune('0'+i))})
	}
	return b
}

func (b *podBuilder) sidecars(n int) *podBuilder {
	always := corev1.ContainerRestartPolicyAlways
	for i := 0; i < n; i++ {
		b.pod.Spec.InitContainers = append(b.pod.Spec.InitContainers, corev1.Container{Name: "side" + string(rune('0'+i)), RestartPolicy: &always})
	}
	return b
}

func (b *podBuilder) phase(p corev1.PodPhase) *podBuilder { b.pod.Status.Phase = p; return b }
func (b *podBuilder) reason(r string) *podBuilder         { b.pod.Status.Reason = r; return b }
func (b *podBuilder) deleting() *podBuilder {
	t := ago(10 * time.Second)
	b.pod.DeletionTimestamp = &t
	return b
}
func (b *podBuilder) cond(t corev1.PodConditionType, s corev1.ConditionStatus, reason string) *podBuilder {
	b.pod.Status.Conditions = append(b.pod.Status.Conditions, corev1.PodCondition{Type: t, Status: s, Reason: reason})
	return b
}
func (b *podBuilder) status(cs ...corev1.ContainerStatus) *podBuilder {
	b.pod.Status.ContainerStatuses = append(b.pod.Status.ContainerStatuses, cs...)
	return b
}
func (b *podBuilder) initStatus(cs ...corev1.ContainerStatus) *podBuilder {
	b.pod.Status.InitContainerStatuses = append(b.pod.Status.InitContainerStatuses, cs...)
	return b
}
func (b *podBuilder) obj() *corev1.Pod { return b.pod }

// Container status helpers.
func running(name string, ready bool) corev1.ContainerStatus {
	started := true
	return corev1.ContainerStatus{Name: name, Ready: ready, Started: &started, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: ago(time.Hour)}}}
}
func runningNotStarted(name string) corev1.ContainerStatus {
	started := false
	return corev1.ContainerStatus{Name: name, Started: &started, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}
func waiting(name, reason string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}
func terminated(name, reason string, exit, signal int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: reason, ExitCode: exit, Signal: signal}}}
}
func restarted(cs corev1.ContainerStatus, n int32, finished time.Duration) corev1.ContainerStatus {
	cs.RestartCount = n
	cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 1, FinishedAt: ago(finished)}
	return cs
}

func TestPodReadyStatusRestarts(t *testing.T) {
	tests := []struct {
		name    string
		version string
		pod     *corev1.Pod
		want    []string // READY, STATUS, RESTARTS
	}{
		// Start: phase, status.reason, scheduling gates.
		{"pending phase only", "v1.27.1", makePod("p").containers(1).phase(corev1.PodPending).obj(), []string{"0/1", "Pending", "0"}},
		{"status reason wins over phase", "v1.33.0", makePod("p").containers(1).phase(corev1.PodFailed).reason("Evicted").obj(), []string{"0/1", "Evicted", "0"}},
		{"scheduling gated", "v1.27.1", makePod("p").containers(2).phase(corev1.PodPending).cond(corev1.PodScheduled, corev1.ConditionFalse, "SchedulingGated").obj(), []string{"0/2", "SchedulingGated", "0"}},

		// Init containers.
		{"init done continues to main", "v1.27.1", makePod("p").initContainers(1).containers(1).phase(corev1.PodRunning).
			initStatus(terminated("init0", "Completed", 0, 0)).status(running("c0", true)).obj(), []string{"1/1", "Running", "0"}},
		{"init terminated with reason", "v1.27.1", makePod("p").initContainers(1).containers(1).phase(corev1.PodPending).
			initStatus(terminated("init0", "Error", 1, 0)).status(waiting("c0", "PodInitializing")).obj(), []string{"0/1", "Init:Error", "0"}},
		{"init terminated by signal", "v1.27.1", makePod("p").initContainers(1).containers(1).phase(corev1.PodPending).
			initStatus(terminated("init0", "", 137, 9)).obj(), []string{"0/1", "Init:Signal:9", "0"}},
		{"init terminated exit code", "v1.33.0", makePod("p").initContainers(1).containers(1).phase(corev1.PodPending).
			initStatus(terminated("init0", "", 2, 0)).obj(), []string{"0/1", "Init:ExitCode:2", "0"}},
		{"init waiting reason", "v1.27.1", makePod("p").initContainers(1).containers(1).phase(corev1.PodPending).
			initStatus(restarted(waiting("init0", "CrashLoopBackOff"), 3, 40*time.Second)).obj(), []string{"0/1", "Init:CrashLoopBackOff", "3 (40s ago)"}},
		{"init PodInitializing counts as index", "v1.27.1", makePod("p").initContainers(2).containers(1).phase(corev1.PodPending).
			initStatus(terminated("init0", "Completed", 0, 0), waiting("init1", "PodInitializing")).obj(), []string{"0/1", "Init:1/2", "0"}},
		{"init running shows index", "v1.33.0", makePod("p").initContainers(2).containers(1).phase(corev1.PodPending).
			initStatus(running("init0", false), waiting("init1", "")).obj(), []string{"0/1", "Init:0/2", "0"}},

		// Main containers, walked last to first: the first match in the list wins.
		{"container creating", "v1.27.1", makePod("p").containers(1).phase(corev1.PodPending).status(waiting("c0", "ContainerCreating")).obj(), []string{"0/1", "ContainerCreating", "0"}},
		{"image pull backoff", "v1.27.1", makePod("p").containers(1).phase(corev1.PodPending).status(waiting("c0", "ImagePullBackOff")).obj(), []string{"0/1", "ImagePullBackOff", "0"}},
		{"crash loop with restart age", "v1.27.1", makePod("p").containers(1).phase(corev1.PodRunning).status(restarted(waiting("c0", "CrashLoopBackOff"), 5, 9*time.Hour)).obj(), []string{"0/1", "CrashLoopBackOff", "5 (9h ago)"}},
		{"first container wins", "v1.27.1", makePod("p").containers(2).phase(corev1.PodRunning).status(waiting("c0", "ErrImagePull"), terminated("c1", "OOMKilled", 137, 0)).obj(), []string{"0/2", "ErrImagePull", "0"}},
		{"terminated reason", "v1.27.1", makePod("p").containers(1).phase(corev1.PodFailed).status(terminated("c0", "OOMKilled", 137, 0)).obj(), []string{"0/1", "OOMKilled", "0"}},
		{"terminated signal", "v1.27.1", makePod("p").containers(1).phase(corev1.PodFailed).status(terminated("c0", "", 0, 15)).obj(), []string{"0/1", "Signal:15", "0"}},
		{"terminated exit code", "v1.27.1", makePod("p").containers(1).phase(corev1.PodFailed).status(terminated("c0", "", 3, 0)).obj(), []string{"0/1", "ExitCode:3", "0"}},
		{"completed", "v1.27.1", makePod("p").containers(1).phase(corev1.PodSucceeded).status(terminated("c0", "Completed", 0, 0)).obj(), []string{"0/1", "Completed", "0"}},
		{"completed plus running and ready", "v1.27.1", makePod("p").containers(2).phase(corev1.PodRunning).cond(corev1.PodReady, corev1.ConditionTrue, "").
			status(terminated("c0", "Completed", 0, 0), running("c1", true)).obj(), []string{"1/2", "Running", "0"}},
		{"completed plus running not pod-ready", "v1.27.1", makePod("p").containers(2).phase(corev1.PodRunning).cond(corev1.PodReady, corev1.ConditionFalse, "").
			status(terminated("c0", "Completed", 0, 0), running("c1", true)).obj(), []string{"1/2", "NotReady", "0"}},
		{"running but not ready", "v1.27.1", makePod("p").containers(1).phase(corev1.PodRunning).status(running("c0", false)).obj(), []string{"0/1", "Running", "0"}},
		{"running and ready", "v1.33.0", makePod("p").containers(2).phase(corev1.PodRunning).status(running("c0", true), running("c1", true)).obj(), []string{"2/2", "Running", "0"}},
		{"restarts summed, newest date", "v1.27.1", makePod("p").containers(2).phase(corev1.PodRunning).
			status(restarted(running("c0", true), 6, 5*24*time.Hour), restarted(running("c1", true), 3, 20*24*time.Hour)).obj(), []string{"2/2", "Running", "9 (5d ago)"}},

		// Deletion.
		{"terminating", "v1.27.1", makePod("p").containers(1).phase(corev1.PodRunning).deleting().status(running("c0", true)).obj(), []string{"1/1", "Terminating", "0"}},
		{"node lost", "v1.33.0", makePod("p").containers(1).phase(corev1.PodRunning).reason("NodeLost").deleting().status(running("c0", true)).obj(), []string{"1/1", "Unknown", "0"}},
		{"node lost without deletion", "v1.33.0", makePod("p").containers(1).phase(corev1.PodRunning).reason("NodeLost").obj(), []string{"0/1", "NodeLost", "0"}},
		{"succeeded deleting v1.27", "v1.27.1", makePod("p").containers(1).phase(corev1.PodSucceeded).deleting().status(terminated("c0", "Completed", 0, 0)).obj(), []string{"0/1", "Terminating", "0"}},
		{"succeeded deleting v1.30", "v1.30.0", makePod("p").containers(1).phase(corev1.PodSucceeded).deleting().status(terminated("c0", "Completed", 0, 0)).obj(), []string{"0/1", "Terminating", "0"}},
		{"succeeded deleting v1.31", "v1.31.0", makePod("p").containers(1).phase(corev1.PodSucceeded).deleting().status(terminated("c0", "Completed", 0, 0)).obj(), []string{"0/1", "Completed", "0"}},
		{"failed deleting v1.33", "v1.33.0", makePod("p").containers(1).phase(corev1.PodFailed).deleting().status(terminated("c0", "Error", 1, 0)).obj(), []string{"0/1", "Error", "0"}},

		// RESTARTS suffix: v1.27 prints the init containers' last restart even at 0 restarts.
		{"init restart date kept v1.27", "v1.27.1", makePod("p").initContainers(1).containers(1).phase(corev1.PodRunning).
			initStatus(restarted(terminated("init0", "Completed", 0, 0), 2, 5*time.Minute)).status(running("c0", true)).obj(), []string{"1/1", "Running", "0 (5m ago)"}},
		{"init restart date dropped v1.29", "v1.29.0", makePod("p").initContainers(1).containers(1).phase(corev1.PodRunning).
			initStatus(restarted(terminated("init0", "Completed", 0, 0), 2, 5*time.Minute)).status(running("c0", true)).obj(), []string{"1/1", "Running", "0"}},

		// Sidecars (restartable init containers) arrived in v1.28.
		{"sidecar ignored v1.27", "v1.27.1", makePod("p").sidecars(1).containers(1).phase(corev1.PodRunning).
			initStatus(running("side0", true)).status(running("c0", true)).obj(), []string{"0/1", "Init:0/1", "0"}},
		{"sidecar counted v1.28", "v1.28.0", makePod("p").sidecars(1).containers(1).phase(corev1.PodRunning).
			initStatus(running("side0", true)).status(running("c0", true)).obj(), []string{"2/2", "Running", "0"}},
		{"sidecar restarts kept v1.33", "v1.33.0", makePod("p").initContainers(1).sidecars(1).containers(1).phase(corev1.PodRunning).
			initStatus(restarted(terminated("init0", "Completed", 0, 0), 4, time.Hour), restarted(running("side0", true), 2, 3*time.Minute)).
			status(running("c0", true)).obj(), []string{"2/2", "Running", "2 (3m ago)"}},
		{"sidecar not started", "v1.33.0", makePod("p").sidecars(1).containers(1).phase(corev1.PodPending).
			initStatus(runningNotStarted("side0")).status(waiting("c0", "PodInitializing")).obj(), []string{"0/2", "Init:0/1", "0"}},

		// Initialized=True makes the main containers count even if an init status says otherwise (v1.29+).
		{"initialized condition v1.28", "v1.28.0", makePod("p").initContainers(1).containers(1).phase(corev1.PodRunning).cond(corev1.PodInitialized, corev1.ConditionTrue, "").
			initStatus(waiting("init0", "")).status(running("c0", true)).obj(), []string{"0/1", "Init:0/1", "0"}},
		{"initialized condition v1.29", "v1.29.0", makePod("p").initContainers(1).containers(1).phase(corev1.PodRunning).cond(corev1.PodInitialized, corev1.ConditionTrue, "").
			initStatus(waiting("init0", "")).status(running("c0", true)).obj(), []string{"1/1", "Init:0/1", "0"}}, // READY counts the main container; STATUS keeps the init text
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustContext(t, tt.version)
			row := printPod(tt.pod, c)
			got := []string{row.Cells[1].(string), row.Cells[2].(string), row.Cells[3].(string)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("READY/STATUS/RESTARTS (-want +got):\n%s", diff)
			}
		})
	}
}

func mustContext(t *testing.T, version string) *printContext {
	t.Helper()
	c, err := Options{Now: testNow, Version: version}.context()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPodUpstreamRows replays expected rows of kube-apiserver's own tests:
// aojea/kubernetes@5c75e9e917bbdd0689512886cc7a61e6facab2fc
// pkg/printers/internalversion/printers_test.go (TestPrintPod test7/test10/test11,
// TestPrintPodWithRestartableInitContainer test1-test3, TestPrintPodwide), a
// ~v1.29 tree. Their pods have no creationTimestamp, hence "<unknown>".
func TestPodUpstreamRows(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	sidecarSpec := corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "restartable-init-1", RestartPolicy: &always}, {Name: "restartable-init-2", RestartPolicy: &always}},
		Containers:     make([]corev1.Container, 1),
	}
	f, tr := false, true
	lastTerm := func(d time.Duration) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{FinishedAt: ago(d)}}
	}
	runningState := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want metav1.TableRow
	}{
		{"test7", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test7"},
			Spec:       corev1.PodSpec{InitContainers: make([]corev1.Container, 1), Containers: make([]corev1.Container, 1)},
			Status: corev1.PodStatus{Phase: "podPhase",
				InitContainerStatuses: []corev1.ContainerStatus{{RestartCount: 3, State: runningState, LastTerminationState: lastTerm(10 * time.Second)}},
				ContainerStatuses:     []corev1.ContainerStatus{{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}}},
			},
		}, metav1.TableRow{Cells: []interface{}{"test7", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"test10", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test10"},
			Spec:       corev1.PodSpec{InitContainers: make([]corev1.Container, 2), Containers: make([]corev1.Container, 1)},
			Status: corev1.PodStatus{Phase: "podPhase",
				InitContainerStatuses: []corev1.ContainerStatus{
					{RestartCount: 2, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}}, LastTerminationState: lastTerm(2 * time.Minute)},
					{RestartCount: 3, State: runningState, LastTerminationState: lastTerm(10 * time.Second)},
				},
				ContainerStatuses: []corev1.ContainerStatus{{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}}},
			},
		}, metav1.TableRow{Cells: []interface{}{"test10", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"test11", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test11"},
			Spec:       corev1.PodSpec{InitContainers: make([]corev1.Container, 1), Containers: make([]corev1.Container, 1)},
			Status: corev1.PodStatus{Phase: "Running",
				InitContainerStatuses: []corev1.ContainerStatus{{RestartCount: 2, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}}, LastTerminationState: lastTerm(2 * time.Minute)}},
				ContainerStatuses:     []corev1.ContainerStatus{{RestartCount: 4, State: runningState, LastTerminationState: lastTerm(20 * time.Second)}},
			},
		}, metav1.TableRow{Cells: []interface{}{"test11", "0/1", "Running", "4 (20s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"sidecar test1", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test1"}, Spec: sidecarSpec,
			Status: corev1.PodStatus{Phase: "Pending",
				InitContainerStatuses: []corev1.ContainerStatus{
					{Name: "restartable-init-1", RestartCount: 3, State: runningState, Started: &f, LastTerminationState: lastTerm(10 * time.Second)},
					{Name: "restartable-init-2", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}, Started: &f},
				},
				ContainerStatuses: []corev1.ContainerStatus{{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}}},
				Conditions:        []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionFalse}},
			},
		}, metav1.TableRow{Cells: []interface{}{"test1", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"sidecar test2", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test2"}, Spec: sidecarSpec,
			Status: corev1.PodStatus{Phase: "Running",
				InitContainerStatuses: []corev1.ContainerStatus{
					{Name: "restartable-init-1", RestartCount: 3, State: runningState, Started: &tr, LastTerminationState: lastTerm(10 * time.Second)},
					{Name: "restartable-init-2", State: runningState, Started: &tr},
				},
				ContainerStatuses: []corev1.ContainerStatus{{Ready: true, RestartCount: 4, State: runningState, LastTerminationState: lastTerm(20 * time.Second)}},
				Conditions:        []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}},
			},
		}, metav1.TableRow{Cells: []interface{}{"test2", "1/3", "Running", "7 (10s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"sidecar test3", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test3"}, Spec: sidecarSpec,
			Status: corev1.PodStatus{Phase: "Succeeded",
				InitContainerStatuses: []corev1.ContainerStatus{
					{Name: "restartable-init-1", RestartCount: 3, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 137}}, Started: &f, LastTerminationState: lastTerm(10 * time.Second)},
					{Name: "restartable-init-2", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Error", ExitCode: 137}}, Started: &f},
				},
				ContainerStatuses: []corev1.ContainerStatus{{RestartCount: 4, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}, LastTerminationState: lastTerm(20 * time.Second)}},
				Conditions:        []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}},
			},
		}, metav1.TableRow{Conditions: podSucceededConditions, Cells: []interface{}{"test3", "0/3", "Completed", "7 (10s ago)", "<unknown>", "<none>", "<none>", "<none>", "<none>"}}},
		{"wide gates", &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "test1"},
			Spec: corev1.PodSpec{Containers: make([]corev1.Container, 2), NodeName: "test1",
				ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "condition1"}, {ConditionType: "condition2"}, {ConditionType: "condition3"}}},
			Status: corev1.PodStatus{Phase: "podPhase",
				Conditions:        []corev1.PodCondition{{Type: "condition1", Status: corev1.ConditionFalse}, {Type: "condition2", Status: corev1.ConditionTrue}},
				PodIPs:            []corev1.PodIP{{IP: "1.1.1.1"}, {IP: "2001:db8::"}},
				ContainerStatuses: []corev1.ContainerStatus{{Ready: true, RestartCount: 3, State: runningState}, {RestartCount: 3}},
				NominatedNodeName: "node1",
			},
		}, metav1.TableRow{Cells: []interface{}{"test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := printPod(tt.pod, mustContext(t, "v1.29.0"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAge checks the boundary table of duration.HumanDuration (reference §2)
// through the printers' age helper, and "<unknown>" for a zero timestamp.
func TestAge(t *testing.T) {
	const day = 24 * time.Hour
	const year = 365 * day
	tests := []struct {
		d    time.Duration // now - timestamp
		want string
	}{
		{-2 * time.Second, "<invalid>"},
		{-2*time.Second + 1, "0s"},
		{0, "0s"},
		{2*time.Minute - time.Millisecond, "119s"},
		{2 * time.Minute, "2m"},
		{2*time.Minute + time.Second, "2m1s"},
		{9*time.Minute + 59*time.Second, "9m59s"},
		{10*time.Minute + time.Second, "10m"},
		{3*time.Hour - time.Millisecond, "179m"},
		{3 * time.Hour, "3h"},
		{3*time.Hour + time.Minute, "3h1m"},
		{8*time.Hour + 59*time.Minute, "8h"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{49 * time.Hour, "2d1h"},
		{8*day + 23*time.Hour, "8d"},
		{729 * day, "729d"},
		{2*year + 23*time.Hour + 59*time.Minute, "2y"},
		{2*year + 24*time.Hour, "2y1d"},
		{8*year + 364*day, "8y"},
	}
	c := mustContext(t, "")
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := c.since(metav1.NewTime(testNow.Add(-tt.d))); got != tt.want {
				t.Errorf("age of now-%v = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
	if got := c.since(metav1.Time{}); got != "<unknown>" {
		t.Errorf("zero timestamp = %q, want <unknown>", got)
	}
	if got := c.sinceMicro(metav1.MicroTime{}); got != "<unknown>" {
		t.Errorf("zero micro timestamp = %q, want <unknown>", got)
	}
}

func TestParseMinor(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"v1.27.1", 27, false},
		{"1.32", 32, false},
		{"v1.33.0-rc.1", 33, false},
		{"v1.30+k3s1", 30, false},
		{"", 33, false},
		{"v2.0.0", 0, true},
		{"latest", 0, true},
		{"v1.x", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseMinor(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseMinor(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
