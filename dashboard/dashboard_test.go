package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var update = flag.Bool("update", false, "rewrite testdata/ golden files")

func node(name, cidr, ip string, ready corev1.ConditionStatus, role string) corev1.Node {
	n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
	if role != "" {
		n.Labels["node-role.kubernetes.io/"+role] = ""
	}
	n.Spec.PodCIDR = cidr
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}}
	return n
}

func pod(ns, name, nodeName string, phase corev1.PodPhase, ip, waiting string) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	p.Spec.NodeName = nodeName
	p.Status.Phase = phase
	p.Status.PodIP = ip
	if waiting != "" {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: waiting}}}}
	} else if nodeName != "" {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c"}}
	}
	return p
}

// sample is a three-node cluster with a pod in every phase, listed out of
// order (Build sorts), one node NotReady and one pod not scheduled.
func sample() Map {
	nodes := []corev1.Node{
		node("node02", "10.244.2.0/24", "192.168.56.12", corev1.ConditionFalse, ""),
		node("controlplane", "10.244.0.0/24", "192.168.56.10", corev1.ConditionTrue, "control-plane"),
		node("node01", "10.244.1.0/24", "192.168.56.11", corev1.ConditionTrue, ""),
	}
	pods := []corev1.Pod{
		pod("default", "web-7d9c8", "node01", corev1.PodRunning, "10.244.1.3", ""),
		pod("default", "api-5f6b", "node01", corev1.PodPending, "", "ContainerCreating"),
		pod("kube-system", "etcd-controlplane", "controlplane", corev1.PodRunning, "192.168.56.10", ""),
		pod("default", "crash", "node01", corev1.PodRunning, "10.244.1.4", "CrashLoopBackOff"),
		pod("default", "job-x2k", "node02", corev1.PodSucceeded, "10.244.2.5", ""),
		pod("default", "broken", "node02", corev1.PodFailed, "10.244.2.6", ""),
		pod("default", "big", "", corev1.PodPending, "", ""),
	}
	return Build(nodes, pods)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got), rerun with -update if intended:\n%s", name, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		file  string
		color bool
	}{{"map.txt", false}, {"map-color.txt", true}} {
		var b strings.Builder
		if err := Render(&b, sample(), tc.color); err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, b.String())
		if !tc.color && strings.Contains(b.String(), "\x1b") {
			t.Errorf("%s: escape codes without colour", tc.file)
		}
	}
}

func TestRenderBoxesAligned(t *testing.T) {
	var b strings.Builder
	Render(&b, sample(), false)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// Every line of one box has the width of the box's top line.
	w := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "┌") {
			w = width(l)
		}
		if width(l) != w {
			t.Errorf("line %d is %d wide, its box %d: %q", i+1, width(l), w, l)
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	var b strings.Builder
	Render(&b, Build(nil, nil), false)
	if b.String() != "No nodes.\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestBuild(t *testing.T) {
	m := sample()
	var names []string
	for _, n := range m.Nodes {
		names = append(names, n.Name+"="+n.Status+"/"+n.PodCIDR)
	}
	want := []string{"controlplane=Ready/10.244.0.0/24", "node01=Ready/10.244.1.0/24", "node02=NotReady/10.244.2.0/24"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	got := map[string]string{}
	for _, n := range m.Nodes {
		for _, p := range n.Pods {
			got[p.Name] = p.Phase + ":" + p.Status
		}
	}
	wantPods := map[string]string{
		"web-7d9c8": "Running:Running", "api-5f6b": "Pending:ContainerCreating", "etcd-controlplane": "Running:Running",
		"crash": "Running:CrashLoopBackOff", "job-x2k": "Succeeded:Succeeded", "broken": "Failed:Failed",
	}
	if diff := cmp.Diff(wantPods, got); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
	if len(m.Unscheduled) != 1 || m.Unscheduled[0].Name != "big" {
		t.Errorf("unscheduled = %+v", m.Unscheduled)
	}
}

// fakeAPI serves nodes and pods lists as an API server would; pods can be
// changed while a watch is open.
type fakeAPI struct {
	mu   sync.Mutex
	pods []corev1.Pod
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/v1/nodes":
		json.NewEncoder(w).Encode(corev1.NodeList{Items: []corev1.Node{node("node01", "10.244.1.0/24", "192.168.56.11", corev1.ConditionTrue, "")}})
	case "/api/v1/pods":
		json.NewEncoder(w).Encode(corev1.PodList{Items: f.pods})
	default:
		http.NotFound(w, r)
	}
}

func TestHandler(t *testing.T) {
	api := &fakeAPI{pods: []corev1.Pod{pod("default", "web", "node01", corev1.PodRunning, "10.244.1.2", "")}}
	srv := httptest.NewServer(Handler(FromAPI(FromHandler(api)), 10*time.Millisecond))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/dashboard/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := http.Get(srv.URL + "/dashboard/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", resp.StatusCode)
	}

	resp, err = http.Get(srv.URL + "/dashboard/map.json")
	if err != nil {
		t.Fatal(err)
	}
	var m Map
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	want := Map{Nodes: []Node{{Name: "node01", Status: "Ready", PodCIDR: "10.244.1.0/24", IP: "192.168.56.11",
		Pods: []Pod{{Namespace: "default", Name: "web", Phase: "Running", Status: "Running", IP: "10.244.1.2"}}}}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("map.json (-want +got):\n%s", diff)
	}

	// The event stream sends the map, then a new one when a pod changes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/dashboard/events", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events Content-Type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	next := func() Map {
		t.Helper()
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var m Map
				if err := json.Unmarshal([]byte(d), &m); err != nil {
					t.Fatalf("event data: %v", err)
				}
				return m
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return Map{}
	}
	if first := next(); first.Nodes[0].Pods[0].Status != "Running" {
		t.Fatalf("first event: %+v", first)
	}
	api.mu.Lock()
	api.pods = append(api.pods, pod("default", "new", "node01", corev1.PodPending, "", "ContainerCreating"))
	api.mu.Unlock()
	second := next()
	if got := len(second.Nodes[0].Pods); got != 2 {
		t.Fatalf("second event has %d pods, want 2", got)
	}
}
