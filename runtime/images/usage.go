package images

import (
	"sync"
	"time"
)

// Resource usage, for the metrics pipeline (kubectl top, the HPA): what a
// container of the image uses idle, and the CPU its server spends on the
// requests it answers.

// Idle is a running container's usage when nothing asks anything of it.
type Idle struct {
	MilliCPU int64 // millicores
	Memory   int64 // working set, bytes
}

// idleUsage are figures for the images kubesim runs [guess: the order of
// magnitude `kubectl top pods -A` shows on an idle kubeadm cluster of 2023:
// the API server tens of millicores and a few hundred MiB, etcd about 20m
// and 40-60 MiB, web servers 0-1m and a few MiB].
var idleUsage = map[string]Idle{
	"registry.k8s.io/kube-apiserver":          {MilliCPU: 42, Memory: 285 << 20},
	"registry.k8s.io/etcd":                    {MilliCPU: 21, Memory: 58 << 20},
	"registry.k8s.io/kube-controller-manager": {MilliCPU: 14, Memory: 49 << 20},
	"registry.k8s.io/kube-scheduler":          {MilliCPU: 3, Memory: 21 << 20},
	"registry.k8s.io/kube-proxy":              {MilliCPU: 1, Memory: 17 << 20},
	"registry.k8s.io/coredns/coredns":         {MilliCPU: 2, Memory: 13 << 20},
	"docker.io/flannel/flannel":               {MilliCPU: 3, Memory: 15 << 20},
	"docker.io/library/nginx":                 {MilliCPU: 0, Memory: 3 << 20},
	"docker.io/library/httpd":                 {MilliCPU: 1, Memory: 7 << 20},
	"docker.io/library/redis":                 {MilliCPU: 2, Memory: 3 << 20},
	"docker.io/library/postgres":              {MilliCPU: 1, Memory: 22 << 20},
	"docker.io/library/mysql":                 {MilliCPU: 4, Memory: 360 << 20},
	"registry.k8s.io/hpa-example":             {MilliCPU: 1, Memory: 9 << 20},
}

// IdleUsage is what a running container of the image uses idle; an image
// not listed uses what its userland's shell does (MemoryBase) and no CPU.
func (img *Image) IdleUsage() Idle {
	if u, ok := idleUsage[img.Repo]; ok {
		return u
	}
	return Idle{Memory: img.MemoryBase()}
}

// served is what a process's HTTP server answered: when, and the CPU each
// request cost.
type served struct {
	mu   sync.Mutex
	reqs []servedReq
}

type servedReq struct {
	at   time.Time
	cost time.Duration
}

// keepServed is how far back a process remembers its requests: longer
// than any window a metrics scrape asks about.
const keepServed = 2 * time.Minute

func (s *served) add(at time.Time, cost time.Duration) {
	if cost <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	drop := 0
	for drop < len(s.reqs) && at.Sub(s.reqs[drop].at) > keepServed {
		drop++
	}
	if drop > 0 {
		s.reqs = append(s.reqs[:0], s.reqs[drop:]...)
	}
	s.reqs = append(s.reqs, servedReq{at: at, cost: cost})
}

// CPUServed is the CPU time the process's servers spent on the requests
// they answered in (from, to].
func (p *Process) CPUServed(from, to time.Time) time.Duration {
	p.served.mu.Lock()
	defer p.served.mu.Unlock()
	var sum time.Duration
	for _, r := range p.served.reqs {
		if r.at.After(from) && !r.at.After(to) {
			sum += r.cost
		}
	}
	return sum
}
