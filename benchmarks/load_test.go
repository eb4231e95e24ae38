package benchmarks

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkServedLoad is the load measurement of the reliability issue: a
// served cluster in a child process (as `kubesim start`), 500 open watches
// and 50 clients issuing a mix of requests for a fixed time; it reports
// the p50 and p99 latency of reads and of writes. The mix, per request:
// 35 % GET one ConfigMap, 20 % LIST the namespace's ConfigMaps (JSON),
// 15 % LIST kube-system's pods as a Table (kubectl get), 15 % create a
// ConfigMap, 15 % delete one the client created. The watches: 100 on the
// ConfigMaps the clients write, 400 on all pods (as kubelets and
// informers hold). Duration: KUBESIM_LOAD_SECONDS (default 10).
//
//	KUBESIM_LOAD_SECONDS=60 go test ./benchmarks -run '^$' -bench ServedLoad -benchtime 1x
func BenchmarkServedLoad(b *testing.B) {
	secs := 10
	if v := os.Getenv("KUBESIM_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("KUBESIM_LOAD_SECONDS=%q", v)
		}
		secs = n
	}
	const clients, cmWatches, podWatches, preload = 50, 100, 400, 200
	for range b.N {
		c := startChild(b, b.TempDir())
		defer c.kill()
		if code, err := c.do("POST", "/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "load"}}, nil); err != nil || code != 201 {
			b.Fatalf("create namespace: %d %v", code, err)
		}
		for i := range preload {
			if code, err := c.do("POST", "/api/v1/namespaces/load/configmaps", configMap(fmt.Sprintf("cm-%d", i)), nil); err != nil || code != 201 {
				b.Fatalf("preload: %d %v", code, err)
			}
		}
		var list meta
		if code, err := c.do("GET", "/api/v1/namespaces/load/configmaps", nil, &list); err != nil || code != 200 {
			b.Fatalf("list: %d %v", code, err)
		}
		var events atomic.Int64
		stop := make(chan struct{})
		var watches sync.WaitGroup
		opened := make(chan struct{}, cmWatches+podWatches)
		for i := range cmWatches + podWatches {
			path := "/api/v1/pods?watch=1"
			if i < cmWatches {
				path = "/api/v1/namespaces/load/configmaps?watch=1&resourceVersion=" + list.Metadata.ResourceVersion
			}
			watches.Go(func() {
				opened <- struct{}{}
				c.watchStream(path, func(watchEventLine) bool {
					events.Add(1)
					select {
					case <-stop:
						return false
					default:
						return true
					}
				})
			})
		}
		for range cmWatches + podWatches {
			<-opened
		}
		type sample struct {
			read bool
			d    time.Duration
		}
		all := make([][]sample, clients)
		var failed atomic.Int64
		cpu0 := processCPU(c.cmd.Process.Pid)
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		var wg sync.WaitGroup
		b.ResetTimer()
		for cl := range clients {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(cl), 7))
				var mine []string
				for n := 0; time.Now().Before(deadline); n++ {
					var code, want int
					var err error
					read := true
					start := time.Now()
					switch r := rng.IntN(100); {
					case r < 35:
						code, err = c.do("GET", fmt.Sprintf("/api/v1/namespaces/load/configmaps/cm-%d", rng.IntN(preload)), nil, nil)
						want = 200
					case r < 55:
						code, err = c.do("GET", "/api/v1/namespaces/load/configmaps", nil, nil)
						want = 200
					case r < 70:
						code, err = c.table("/api/v1/namespaces/kube-system/pods")
						want = 200
					case r < 85 || len(mine) == 0:
						read = false
						name := fmt.Sprintf("c%d-%d", cl, n)
						code, err = c.do("POST", "/api/v1/namespaces/load/configmaps", configMap(name), nil)
						want = 201
						mine = append(mine, name)
					default:
						read = false
						i := rng.IntN(len(mine))
						code, err = c.do("DELETE", "/api/v1/namespaces/load/configmaps/"+mine[i], nil, nil)
						want = 200
						mine = slices.Delete(mine, i, i+1)
					}
					if err != nil || code != want {
						failed.Add(1)
						continue
					}
					all[cl] = append(all[cl], sample{read, time.Since(start)})
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		cpu := processCPU(c.cmd.Process.Pid) - cpu0
		close(stop)
		var reads, writes []time.Duration
		for _, ss := range all {
			for _, s := range ss {
				if s.read {
					reads = append(reads, s.d)
				} else {
					writes = append(writes, s.d)
				}
			}
		}
		slices.Sort(reads)
		slices.Sort(writes)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(pct(reads, 50)), "read-p50-ms")
		b.ReportMetric(ms(pct(reads, 99)), "read-p99-ms")
		b.ReportMetric(ms(pct(writes, 50)), "write-p50-ms")
		b.ReportMetric(ms(pct(writes, 99)), "write-p99-ms")
		b.ReportMetric(float64(len(reads))/float64(secs), "reads/s")
		b.ReportMetric(float64(len(writes))/float64(secs), "writes/s")
		b.ReportMetric(float64(events.Load())/float64(secs), "watch-events/s")
		b.ReportMetric(float64(failed.Load()), "failed")
		// The server's CPU per request: steadier than latency on a shared
		// machine.
		b.ReportMetric(ms(cpu)/float64(len(reads)+len(writes)), "server-CPU-ms/req")
		c.kill()
		watches.Wait()
	}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

func configMap(name string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}, "data": map[string]string{"k": name}}
}

// table GETs a path as a meta.k8s.io/v1 Table, as kubectl get does.
func (c *child) table(path string) (int, error) {
	req, err := http.NewRequest("GET", "https://"+c.addr+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// processCPU is a process's user+system CPU time so far (/proc/PID/stat),
// 0 if it cannot be read.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces): utime and
	// stime are the 14th and 15th fields of the line.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
