package tools

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"kubesim/kubesimtest"
)

// TestMain: scenario scripts (none here) would reach the cluster through
// this test binary.
func TestMain(m *testing.M) { kubesimtest.Main(m) }

// runningLabeler labels each Running pod observed=running: a reconciler
// that needs the scheduler and a kubelet to have done their work, which
// envtest's API server alone never does.
type runningLabeler struct{ client.Client }

func (r runningLabeler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pod corev1.Pod
	if err := r.Get(ctx, req.NamespacedName, &pod); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if pod.Status.Phase != corev1.PodRunning || pod.Labels["observed"] == "running" {
		return ctrl.Result{}, nil
	}
	patch := client.MergeFrom(pod.DeepCopy())
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels["observed"] = "running"
	return ctrl.Result{}, r.Patch(ctx, &pod, patch)
}

// TestControllerRuntime: a controller-runtime manager (cache, informers,
// a controller with its work queue) runs against kubesim and reconciles a
// pod the cluster schedules and starts.
func TestControllerRuntime(t *testing.T) {
	c := kubesimtest.Start(t, kubesimtest.Options{})
	mgr, err := ctrl.NewManager(c.Config, ctrl.Options{
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ctrl.NewControllerManagedBy(mgr).For(&corev1.Pod{}).Complete(runningLabeler{mgr.GetClient()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	c.Apply(`apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: httpd, image: "httpd:2.4"}]}
`)
	// Live clock: the pod starts in the seconds its runtime chain models.
	deadline := time.Now().Add(time.Minute)
	for {
		p, err := c.Client.CoreV1().Pods("default").Get(t.Context(), "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Labels["observed"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reconciler did not label the pod in a minute: phase %s, labels %v", p.Status.Phase, p.Labels)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The kube-system pods, Running since the boot, were labelled too.
	pods, err := c.Client.CoreV1().Pods("kube-system").List(t.Context(), metav1.ListOptions{LabelSelector: "observed=running"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) == 0 {
		t.Error("no kube-system pod was reconciled")
	}
}
