package registry

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/clock"
	"kubesim/sim/store"
)

var testStart = time.Date(2023, 4, 20, 10, 0, 0, 0, time.UTC)

// newTestRegistry returns a registry over a fresh store with the default
// namespace, its store and its clock.
func newTestRegistry(t *testing.T) (*Registry, *store.Store, *clock.Virtual) {
	t.Helper()
	st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true, Decode: DecodeStorage, Encode: EncodeStorage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Sync(); err != nil {
			t.Error(err)
		}
		if err := st.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		st.Close()
	})
	clk := clock.NewVirtual(testStart)
	r := NewRegistry(st, clk, rand.New(rand.NewPCG(1, 2)), "v1.27.1")
	if _, err := r.Create(mustRes(t, "", "namespaces"), "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, false); err != nil {
		t.Fatal(err)
	}
	return r, st, clk
}

func mustRes(t *testing.T, group, resource string) *Resource {
	t.Helper()
	res, ok := Lookup(corev1.SchemeGroupVersion.WithResource(resource).GroupResource())
	if group != "" {
		res, ok = Lookup(policyv1.SchemeGroupVersion.WithResource(resource).GroupResource())
	}
	if !ok {
		t.Fatalf("no resource %s", resource)
	}
	return res
}

// runPod creates a bare pod bound to a node, in the given phase and readiness.
func runPod(t *testing.T, r *Registry, name string, phase corev1.PodPhase, ready bool) {
	t.Helper()
	pods := mustRes(t, "", "pods")
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err := r.Create(pods, "default", p, false); err != nil {
		t.Fatal(err)
	}
	if err := r.Bind("default", name, "w1"); err != nil {
		t.Fatal(err)
	}
	obj, _ := r.Get(pods, "default", name)
	cp := obj.(*corev1.Pod).DeepCopy()
	cp.ResourceVersion = ""
	cp.Status.Phase = phase
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	cp.Status.Conditions = append(cp.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: status})
	if _, err := r.Update(pods, "default", cp, "status"); err != nil {
		t.Fatal(err)
	}
}

// budget creates a PDB over app=web with the status the disruption
// controller would have written.
func budget(t *testing.T, r *Registry, name string, st policyv1.PodDisruptionBudgetStatus) {
	t.Helper()
	pdbs := mustRes(t, "policy", "poddisruptionbudgets")
	one := intstr.FromInt32(1)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	if _, err := r.Create(pdbs, "default", pdb, false); err != nil {
		t.Fatal(err)
	}
	if st.ObservedGeneration == 0 {
		st.ObservedGeneration = 1
	}
	pdb.Status = st
	pdb.ResourceVersion = ""
	if _, err := r.Update(pdbs, "default", pdb, "status"); err != nil {
		t.Fatal(err)
	}
}

func statusOf(t *testing.T, err error) metav1.Status {
	t.Helper()
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a StatusError", err, err)
	}
	return se.ErrStatus
}

// TestEvictRefusedByStatus: a budget whose status allows no disruption
// refuses the eviction with kube-apiserver's 429, whatever the pods are (a
// bare pod here), and nothing is written.
func TestEvictRefusedByStatus(t *testing.T) {
	r, st, _ := newTestRegistry(t)
	runPod(t, r, "bare", corev1.PodRunning, true)
	budget(t, r, "web", policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 1, DisruptionsAllowed: 0})
	before := st.Rev()
	err := r.Evict("default", "bare", nil)
	want := metav1.Status{
		Status: metav1.StatusFailure, Code: 429, Reason: metav1.StatusReasonTooManyRequests,
		Message: "Cannot evict pod as it would violate the pod's disruption budget.",
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: policyv1.DisruptionBudgetCause, Message: "The disruption budget web needs 1 healthy pods and has 1 currently"}}},
	}
	if diff := cmp.Diff(want, statusOf(t, err)); diff != "" {
		t.Errorf("eviction status (-want +got):\n%s", diff)
	}
	if st.Rev() != before {
		t.Errorf("a refused eviction wrote: revision %d -> %d", before, st.Rev())
	}
}

// TestEvictSpendsBudget: an allowed eviction decrements disruptionsAllowed
// and records the pod with the virtual time in one status write, then
// deletes the pod (graceful: it is bound).
func TestEvictSpendsBudget(t *testing.T) {
	r, st, clk := newTestRegistry(t)
	runPod(t, r, "a", corev1.PodRunning, true)
	runPod(t, r, "b", corev1.PodRunning, true)
	budget(t, r, "web", policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2, DisruptionsAllowed: 1,
		Conditions: []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionTrue, Reason: policyv1.SufficientPodsReason, ObservedGeneration: 1, LastTransitionTime: metav1.NewTime(testStart)}}})
	clk.Set(testStart.Add(90 * time.Second))
	before := st.Rev()
	if err := r.Evict("default", "a", nil); err != nil {
		t.Fatalf("evict: %v", err)
	}
	if got := st.Rev() - before; got != 2 {
		t.Errorf("eviction wrote %d revisions, want 2 (budget status, pod deletion)", got)
	}
	obj, _ := r.Get(mustRes(t, "policy", "poddisruptionbudgets"), "default", "web")
	now := metav1.NewTime(testStart.Add(90 * time.Second))
	want := policyv1.PodDisruptionBudgetStatus{
		CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2, DisruptionsAllowed: 0, ObservedGeneration: 1,
		DisruptedPods: map[string]metav1.Time{"a": now},
		Conditions:    []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason, ObservedGeneration: 1, LastTransitionTime: now}},
	}
	if diff := cmp.Diff(want, obj.(*policyv1.PodDisruptionBudget).Status); diff != "" {
		t.Errorf("budget status (-want +got):\n%s", diff)
	}
	pod, _ := r.Get(mustRes(t, "", "pods"), "default", "a")
	if pod.(*corev1.Pod).DeletionTimestamp == nil {
		t.Errorf("evicted pod has no deletionTimestamp")
	}
	// The next eviction finds the budget spent.
	if code := statusOf(t, r.Evict("default", "b", nil)).Code; code != 429 {
		t.Errorf("second eviction: code %d, want 429", code)
	}
}

// TestEvictRules: the cases kube-apiserver decides before or instead of
// spending the budget.
func TestEvictRules(t *testing.T) {
	spent := policyv1.PodDisruptionBudgetStatus{CurrentHealthy: 1, DesiredHealthy: 1, ExpectedPods: 1}
	for _, tc := range []struct {
		name    string
		phase   corev1.PodPhase
		ready   bool
		budgets []policyv1.PodDisruptionBudgetStatus
		dryRun  bool
		code    int32  // 0: evicted
		msg     string // the status message when refused
		deleted bool
	}{
		{name: "succeeded pods go without checks", phase: corev1.PodSucceeded, budgets: []policyv1.PodDisruptionBudgetStatus{spent}, deleted: true},
		{name: "failed pods go without checks", phase: corev1.PodFailed, budgets: []policyv1.PodDisruptionBudgetStatus{spent}, deleted: true},
		{name: "pending pods go without checks", phase: corev1.PodPending, budgets: []policyv1.PodDisruptionBudgetStatus{spent}, deleted: true},
		{name: "two budgets", phase: corev1.PodRunning, ready: true, budgets: []policyv1.PodDisruptionBudgetStatus{spent, spent}, code: 500,
			msg: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."},
		{name: "unready pod while the budget is met", phase: corev1.PodRunning, budgets: []policyv1.PodDisruptionBudgetStatus{{CurrentHealthy: 2, DesiredHealthy: 2, ExpectedPods: 3}}, deleted: true},
		{name: "unready pod while the budget is not met", phase: corev1.PodRunning, budgets: []policyv1.PodDisruptionBudgetStatus{{CurrentHealthy: 1, DesiredHealthy: 2, ExpectedPods: 3}}, code: 429,
			msg: "Cannot evict pod as it would violate the pod's disruption budget."},
		{name: "budget not yet observed", phase: corev1.PodRunning, ready: true, budgets: []policyv1.PodDisruptionBudgetStatus{{DisruptionsAllowed: 1, ObservedGeneration: -1}}, code: 429,
			msg: "Cannot evict pod as it would violate the pod's disruption budget."},
		{name: "no budget", phase: corev1.PodRunning, ready: true, deleted: true},
		{name: "dry run", phase: corev1.PodRunning, ready: true, budgets: []policyv1.PodDisruptionBudgetStatus{{CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2, DisruptionsAllowed: 1}}, dryRun: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, st, _ := newTestRegistry(t)
			runPod(t, r, "p", tc.phase, tc.ready)
			for i, b := range tc.budgets {
				budget(t, r, []string{"one", "two"}[i], b)
			}
			before := st.Rev()
			opts := &metav1.DeleteOptions{}
			if tc.dryRun {
				opts.DryRun = []string{metav1.DryRunAll}
			}
			err := r.Evict("default", "p", opts)
			if tc.code == 0 && err != nil {
				t.Fatalf("evict: %v", err)
			}
			if tc.code != 0 {
				s := statusOf(t, err)
				if s.Code != tc.code || s.Message != tc.msg {
					t.Errorf("status %d %q, want %d %q", s.Code, s.Message, tc.code, tc.msg)
				}
			}
			if moved := st.Rev() != before; moved != tc.deleted {
				t.Errorf("store written: %v, want %v", moved, tc.deleted)
			}
		})
	}
}
