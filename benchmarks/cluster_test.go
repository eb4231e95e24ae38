package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/internal/practice"
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/transcript"
	"kubesim/sim"
	"kubesim/sim/apiserver"
	"kubesim/sim/registry"
)

// allSystemPodsRunning reports whether every pod is Running and Ready.
func allSystemPodsRunning(c *sim.Cluster) (int, bool) {
	podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	n, ok := 0, true
	c.Locked(func() {
		pods, _, _ := c.Registry.List(podRes, "", registry.ListOptions{})
		n = len(pods)
		for _, o := range pods {
			if o.(*corev1.Pod).Status.Phase != corev1.PodRunning {
				ok = false
			}
		}
	})
	return n, ok && n > 0
}

// BenchmarkClusterBoot: the default cluster from nothing to every system pod
// Running, stepped mode (goal: under 50 ms).
func BenchmarkClusterBoot(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: dir, NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		for step := 0; ; step++ {
			if _, ok := allSystemPodsRunning(c); ok {
				break
			}
			if step > 600 {
				n, _ := allSystemPodsRunning(c)
				b.Fatalf("system pods not Running after 10 min of cluster time (%d pods)", n)
			}
			c.Advance(time.Second)
		}
		c.Close()
	}
}

// BenchmarkLectureReplay: the built-in lecture transcript on a fresh
// cluster (goal: under 100 ms).
func BenchmarkLectureReplay(b *testing.B) {
	tr, err := builtin.Transcript("lecture-04")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		spec := sim.DefaultClusterSpec()
		if tr.HasSeed {
			spec.Seed = uint64(tr.Seed)
		}
		c, err := sim.New(spec, sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		env, err := practice.New(c, dir, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := transcript.Replay(context.Background(), tr, env, io.Discard); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// benchPod is bound to a node no kubelet runs (hollow cluster): the
// benchmark measures the API server and the store, not the node.
const benchPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"bench"}},"spec":{"nodeName":"hollow-1","containers":[{"name":"c","image":"registry.k8s.io/pause:3.9","resources":{"requests":{"cpu":"1m"}}}]}}`

// BenchmarkAPIServer: creates per second through the HTTP handler (durable:
// fsync on, one group commit per request), and a list of 10,000 pods as a
// Table.
func BenchmarkAPIServer(b *testing.B) {
	b.Run("create", func(b *testing.B) {
		c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		h, err := apiserver.ForCluster(c)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods", strings.NewReader(fmt.Sprintf(benchPod, fmt.Sprintf("p%d", i))))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusCreated {
				b.Fatalf("create: %d %s", w.Code, w.Body.String())
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	})
	b.Run("create/clients=64", func(b *testing.B) {
		c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		h, err := apiserver.ForCluster(c)
		if err != nil {
			b.Fatal(err)
		}
		var n atomic.Int64
		b.SetParallelism(32) // 2 cores x 32 = 64 concurrent clients
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods", strings.NewReader(fmt.Sprintf(benchPod, fmt.Sprintf("p%d", i))))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusCreated {
					b.Errorf("create: %d %s", w.Code, w.Body.String())
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	})
	b.Run("list-table/pods=10000", func(b *testing.B) {
		c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), NoSync: true, Hollow: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		h, err := apiserver.ForCluster(c)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 10000; i++ {
			req := httptest.NewRequest("POST", "/api/v1/namespaces/default/pods", strings.NewReader(fmt.Sprintf(benchPod, fmt.Sprintf("p%d", i))))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
		b.ResetTimer()
		var size int
		for i := 0; i < b.N; i++ {
			req := httptest.NewRequest("GET", "/api/v1/namespaces/default/pods?limit=500", nil)
			req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
			var buf bytes.Buffer
			w := &recorder{header: http.Header{}, body: &buf}
			h.ServeHTTP(w, req)
			size = buf.Len()
		}
		b.ReportMetric(float64(size), "bytes/list")
	})
}

type recorder struct {
	header http.Header
	body   *bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(int)             {}
