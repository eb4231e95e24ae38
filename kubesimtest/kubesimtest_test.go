package kubesimtest_test

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"kubesim/kubesimtest"
	"kubesim/sim"
)

const web = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
`

// TestManualClock: on a Manual clock a Deployment's pods wait in
// ContainerCreating until Advance gives their runtime the time it models.
func TestManualClock(t *testing.T) {
	c := kubesimtest.Start(t, kubesimtest.Options{Clock: kubesimtest.Manual})
	if got := c.Apply(web); got != "deployment.apps/web created\n" {
		t.Errorf("apply printed %q", got)
	}
	phases := func() []corev1.PodPhase {
		pods, err := c.Client.CoreV1().Pods("default").List(t.Context(), metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			t.Fatal(err)
		}
		var out []corev1.PodPhase
		for _, p := range pods.Items {
			out = append(out, p.Status.Phase)
		}
		return out
	}
	if got := phases(); len(got) != 2 || got[0] != corev1.PodPending || got[1] != corev1.PodPending {
		t.Errorf("before Advance: phases %v, want 2 Pending", got)
	}
	c.Advance(time.Minute)
	if got := phases(); len(got) != 2 || got[0] != corev1.PodRunning || got[1] != corev1.PodRunning {
		t.Errorf("after Advance(1m): phases %v, want 2 Running", got)
	}
	out, _, code := c.Kubectl("get", "deploy", "web", "--no-headers")
	if code != 0 || out != "web   2/2   2     2     60s\n" {
		t.Errorf("kubectl get deploy: exit %d, %q", code, out)
	}
}

// syncBuffer collects klog's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInformerNoShortWatch: an informer's watches on a live cluster last
// their timeout of wall time, even across Advance. They used to be timed
// on the virtual clock, so each Advance past a watch's deadline closed it
// at once and client-go logged "very short watch" for every informer.
func TestInformerNoShortWatch(t *testing.T) {
	var logs syncBuffer
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	fs.Set("logtostderr", "false")
	fs.Set("alsologtostderr", "false")
	klog.SetOutput(&logs)
	defer func() {
		fs.Set("logtostderr", "true")
		klog.SetOutput(nil)
	}()

	c := kubesimtest.Start(t, kubesimtest.Options{})
	f := informers.NewSharedInformerFactory(c.Client, 0)
	pods := f.Core().V1().Pods().Informer()
	adds := make(chan string, 100)
	pods.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: func(obj any) {
		adds <- obj.(*corev1.Pod).Name
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced) {
		t.Fatal("no sync")
	}
	for range 5 {
		c.Advance(time.Hour)
		time.Sleep(200 * time.Millisecond)
	}
	c.Apply(web)
	bound := time.After(time.Minute)
	for n := 0; n < 2; {
		select {
		case name := <-adds:
			if strings.HasPrefix(name, "web-") {
				n++
			}
		case <-bound:
			t.Fatal("the informer saw no web pods in a minute")
		}
	}
	if strings.Contains(logs.String(), "very short watch") {
		t.Errorf("client-go logged short watches:\n%s", logs.String())
	}
}

// TestWatchAcrossAdvance: a watch outlives Advance, as a watch on a real
// cluster outlives an hour: its timeout is wall time. Timed on the
// virtual clock, the watch ended right after its first event past the
// jump.
func TestWatchAcrossAdvance(t *testing.T) {
	for _, clk := range []kubesimtest.Clock{kubesimtest.Live, kubesimtest.Manual} {
		c := kubesimtest.Start(t, kubesimtest.Options{Clock: clk})
		list, err := c.Client.CoreV1().ConfigMaps("default").List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		secs := int64(300)
		w, err := c.Client.CoreV1().ConfigMaps("default").Watch(t.Context(), metav1.ListOptions{ResourceVersion: list.ResourceVersion, TimeoutSeconds: &secs})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		c.Advance(2 * time.Hour)
		for _, name := range []string{"a", "b"} {
			if _, err := c.Client.CoreV1().ConfigMaps("default").Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					t.Fatalf("clock %d: the watch ended after Advance, before configmap %s", clk, name)
				}
				if got := ev.Object.(*corev1.ConfigMap).Name; got != name {
					t.Errorf("clock %d: event for %s, want %s", clk, got, name)
				}
			case <-time.After(time.Minute):
				t.Fatalf("clock %d: no event for configmap %s in a minute", clk, name)
			}
		}
	}
}

// TestReplay: a transcript replays byte for byte on a Manual clock,
// its advance directives going through Advance.
func TestReplay(t *testing.T) {
	c := kubesimtest.Start(t, kubesimtest.Options{Clock: kubesimtest.Manual})
	c.Replay("testdata/web.txt")
}

// TestReplayLecture: the lecture's transcript, recorded on the lecture's
// cluster, replays on a kubesimtest cluster with its seed.
func TestReplayLecture(t *testing.T) {
	spec := sim.DefaultClusterSpec()
	spec.Seed = 24
	c := kubesimtest.Start(t, kubesimtest.Options{Spec: &spec, Clock: kubesimtest.Manual})
	c.Replay("../scenarios/builtin/content/transcripts/lecture-04.txt")
}

// TestScenario: a killercoda scenario passes in test mode on a Manual
// clock (its settles go through Advance; its scripts reach the cluster
// through a kubesim binary, built here unless KUBESIM_BINARY names one).
func TestScenario(t *testing.T) {
	dir := "../scenarios/builtin/content/scenarios/deployment-scale-expose"
	spec, err := kubesimtest.ScenarioSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := kubesimtest.Start(t, kubesimtest.Options{Spec: &spec, Clock: kubesimtest.Manual})
	c.Scenario(dir)
}

// TestProtobufClient: a client that speaks protobuf (as helm's do)
// creates and deletes. The DeleteOptions body of a delete came in the
// protobuf envelope and was read as JSON: "invalid character 'k' looking
// for beginning of value" (helm uninstall could not purge its release).
func TestProtobufClient(t *testing.T) {
	c := kubesimtest.Start(t, kubesimtest.Options{Clock: kubesimtest.Manual})
	cfg := rest.CopyConfig(c.Config)
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cms := cs.CoreV1().ConfigMaps("default")
	if _, err := cms.Create(t.Context(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "release", Labels: map[string]string{"owner": "helm"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	grace := int64(0)
	if err := cms.Delete(t.Context(), "release", metav1.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := cms.DeleteCollection(t.Context(), metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "owner=helm"}); err != nil {
		t.Fatalf("deletecollection: %v", err)
	}
}

// TestExistingCluster: Options.Kubeconfig makes the same calls reach an
// existing cluster (here another kubesim, reached only through its
// kubeconfig): Apply, the clientset, and a scenario whose settles wait
// for pods instead of moving a clock.
func TestExistingCluster(t *testing.T) {
	dir := "../scenarios/builtin/content/scenarios/deployment-scale-expose"
	spec, err := kubesimtest.ScenarioSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	real := kubesimtest.Start(t, kubesimtest.Options{Spec: &spec})
	c := kubesimtest.Start(t, kubesimtest.Options{Kubeconfig: real.Kubeconfig})
	if got := c.Apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"); got != "configmap/x created\n" {
		t.Errorf("apply printed %q", got)
	}
	if _, err := real.Client.CoreV1().ConfigMaps("default").Get(t.Context(), "x", metav1.GetOptions{}); err != nil {
		t.Errorf("the existing cluster has no configmap x: %v", err)
	}
	c.Scenario(dir)
}
