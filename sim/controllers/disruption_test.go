package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func barePod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
}

func webPDB(minAvailable, maxUnavailable *intstr.IntOrString) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
}

// pdbCounts is current/desired/expected/allowed and the condition's reason.
func pdbCounts(p *policyv1.PodDisruptionBudget) []any {
	reason := ""
	if len(p.Status.Conditions) == 1 {
		reason = p.Status.Conditions[0].Reason
	}
	return []any{p.Status.CurrentHealthy, p.Status.DesiredHealthy, p.Status.ExpectedPods, p.Status.DisruptionsAllowed, reason}
}

// TestDisruptionBarePods: pods without a controller leave a percentage or
// maxUnavailable budget with nothing expected (1.22 on: no disruption
// allowed, an UnmanagedPods warning from 1.27); before 1.22 the sync fails.
func TestDisruptionBarePods(t *testing.T) {
	one := intstr.FromInt32(1)
	for _, tc := range []struct {
		version string
		want    []any
		events  []string
	}{
		{"v1.27.1", []any{int32(1), int32(0), int32(0), int32(0), policyv1.InsufficientPodsReason}, []string{
			`Warning UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`}},
		{"v1.26.0", []any{int32(1), int32(0), int32(0), int32(0), policyv1.InsufficientPodsReason}, nil},
		{"v1.21.0", []any{int32(0), int32(0), int32(0), int32(0), policyv1.SyncFailedReason}, nil},
	} {
		t.Run(tc.version, func(t *testing.T) {
			e := newEnv(t, tc.version, NewDisruption)
			e.kubelet, e.scheduler = true, true
			e.addNode("w1")
			e.create("pods", "default", barePod("bare"))
			e.create("poddisruptionbudgets", "default", webPDB(nil, &one))
			e.advance(10 * time.Second)
			pdb := getT[*policyv1.PodDisruptionBudget](e, "poddisruptionbudgets", "default", "web")
			if diff := cmp.Diff(tc.want, pdbCounts(pdb)); diff != "" {
				t.Errorf("current/desired/expected/allowed/reason (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.events, e.eventsFor("PodDisruptionBudget", "web"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDisruptionDisruptedPods: a pod the eviction subresource recorded in
// status.disruptedPods is not healthy until its deletion is overdue; then
// it counts again and a NotDeleted warning says so. An evicted pod that
// goes leaves the map.
func TestDisruptionDisruptedPods(t *testing.T) {
	one := intstr.FromInt32(1)
	e := newEnv(t, "v1.27.1", NewDisruption)
	e.kubelet, e.scheduler = true, true
	e.addNode("w1")
	for _, n := range []string{"a", "b", "c"} {
		e.create("pods", "default", barePod(n))
	}
	e.create("poddisruptionbudgets", "default", webPDB(&one, nil))
	e.advance(10 * time.Second)
	pdb := getT[*policyv1.PodDisruptionBudget](e, "poddisruptionbudgets", "default", "web")
	if diff := cmp.Diff([]any{int32(3), int32(1), int32(3), int32(2), policyv1.SufficientPodsReason}, pdbCounts(pdb)); diff != "" {
		t.Fatalf("before: (-want +got):\n%s", diff)
	}

	// An eviction promised pod a's deletion, which never comes.
	promised := metav1.NewTime(e.clk.Now())
	pdb.Status.DisruptedPods = map[string]metav1.Time{"a": promised}
	pdb.Status.DisruptionsAllowed = 1
	e.update("poddisruptionbudgets", "default", pdb, "status")
	e.settle()
	pdb = getT[*policyv1.PodDisruptionBudget](e, "poddisruptionbudgets", "default", "web")
	if diff := cmp.Diff([]any{int32(2), int32(1), int32(3), int32(1), policyv1.SufficientPodsReason}, pdbCounts(pdb)); diff != "" {
		t.Errorf("a promised: (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]metav1.Time{"a": promised}, pdb.Status.DisruptedPods); diff != "" {
		t.Errorf("disruptedPods (-want +got):\n%s", diff)
	}
	e.advance(2*time.Minute + 5*time.Second)
	pdb = getT[*policyv1.PodDisruptionBudget](e, "poddisruptionbudgets", "default", "web")
	if diff := cmp.Diff([]any{int32(3), int32(1), int32(3), int32(2), policyv1.SufficientPodsReason}, pdbCounts(pdb)); diff != "" || pdb.Status.DisruptedPods != nil {
		t.Errorf("overdue: disruptedPods %v (-want +got):\n%s", pdb.Status.DisruptedPods, diff)
	}
	if diff := cmp.Diff([]string{"Warning NotDeleted Pod was expected by PDB default/default to be deleted but it wasn't"}, e.eventsFor("Pod", "a")); diff != "" {
		t.Errorf("pod a events (-want +got):\n%s", diff)
	}

	// A real eviction: recorded, then the pod goes and the entry with it.
	if err := e.reg.Evict("default", "b", nil); err != nil {
		t.Fatalf("evict b: %v", err)
	}
	e.settle()
	pdb = getT[*policyv1.PodDisruptionBudget](e, "poddisruptionbudgets", "default", "web")
	if diff := cmp.Diff([]any{int32(2), int32(1), int32(2), int32(1), policyv1.SufficientPodsReason}, pdbCounts(pdb)); diff != "" || pdb.Status.DisruptedPods != nil {
		t.Errorf("after evicting b: disruptedPods %v (-want +got):\n%s", pdb.Status.DisruptedPods, diff)
	}
}
