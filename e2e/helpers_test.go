package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/internal/kubectl"
	"kubesim/internal/practice"
	"kubesim/sim"
	"kubesim/sim/apiserver"
	"kubesim/sim/registry"
)

// cluster is a stepped cluster with an embedded kubectl.
type cluster struct {
	t *testing.T
	c *sim.Cluster
	k *kubectl.Runner
}

func newCluster(t *testing.T, spec sim.ClusterSpec) *cluster {
	t.Helper()
	dir := t.TempDir()
	c, err := sim.New(spec, sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatalf("sim.New (seed %d): %v", spec.Seed, err)
	}
	k, err := kubectl.New(apiHandler(t, c), filepath.Join(dir, "kubectl"))
	if err != nil {
		t.Fatal(err)
	}
	cl := &cluster{t: t, c: c, k: k}
	t.Cleanup(func() {
		checkInvariants(t, c)
		if err := c.Store.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		c.Close()
	})
	return cl
}

// apiHandler is the API server in front of c, as the shells build it.
func apiHandler(t testing.TB, c *sim.Cluster) *apiserver.Server {
	t.Helper()
	h, err := apiserver.ForCluster(c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// kubectl runs the embedded kubectl and returns stdout, stderr and the exit code.
func (cl *cluster) kubectl(args string, stdin ...string) (string, string, int) {
	var out, errb bytes.Buffer
	var in *strings.Reader
	if len(stdin) > 0 {
		in = strings.NewReader(stdin[0])
	} else {
		in = strings.NewReader("")
	}
	words, err := practice.SplitWords(args)
	if err != nil {
		cl.t.Fatal(err)
	}
	code := cl.k.Run(words, in, &out, &errb)
	return out.String(), errb.String(), code
}

func (cl *cluster) advance(d time.Duration) { cl.c.Advance(d) }

// apply runs kubectl apply -f - with the manifest, failing the test on error.
func (cl *cluster) apply(manifest string) {
	cl.t.Helper()
	if out, errOut, code := cl.kubectl("apply -f -", manifest); code != 0 {
		cl.t.Fatalf("kubectl apply: exit %d %s %s", code, out, errOut)
	}
}

// checkInvariants: no IP on two pods, no pod on a missing node, every
// Running pod on a Ready node.
func checkInvariants(t *testing.T, c *sim.Cluster) {
	t.Helper()
	podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	nodeRes, _ := registry.Lookup(schema.GroupResource{Resource: "nodes"})
	c.Locked(func() {
		pods, _, _ := c.Registry.List(podRes, "", registry.ListOptions{})
		nodes, _, _ := c.Registry.List(nodeRes, "", registry.ListOptions{})
		ready := map[string]bool{}
		exists := map[string]bool{}
		for _, o := range nodes {
			n := o.(*corev1.Node)
			exists[n.Name] = true
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready[n.Name] = true
				}
			}
		}
		ips := map[string]string{}
		for _, o := range pods {
			p := o.(*corev1.Pod)
			id := p.Namespace + "/" + p.Name
			if p.Spec.NodeName != "" && !exists[p.Spec.NodeName] {
				t.Errorf("invariant: pod %s is on missing node %s", id, p.Spec.NodeName)
			}
			if p.Status.Phase == corev1.PodRunning && !ready[p.Spec.NodeName] {
				t.Errorf("invariant: pod %s is Running on node %q which is not Ready", id, p.Spec.NodeName)
			}
			if p.Spec.HostNetwork || p.Status.PodIP == "" {
				continue
			}
			if other, dup := ips[p.Status.PodIP]; dup {
				t.Errorf("invariant: pods %s and %s share IP %s", other, id, p.Status.PodIP)
			}
			ips[p.Status.PodIP] = id
		}
	})
}

var _ = fmt.Sprint
