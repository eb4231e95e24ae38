package framework

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

type derived struct {
	Requests               Resource
	NonZeroCPU, NonZeroMem int64
}

func slowRequests(p *v1.Pod) derived {
	var pi PodInfo
	pi.setRequests(p)
	return derived{pi.Requests, pi.NonZeroCPU, pi.NonZeroMem}
}

// TestRequestsFastPath checks setRequestsFast against PodRequests for the
// pods it takes, and that it declines the ones it must leave to PodRequests.
func TestRequestsFastPath(t *testing.T) {
	cpus := []string{"", "0", "100m", "250m", "1", "1.5", "0.1m", "1500u", "2n", "3"}
	mems := []string{"", "0", "500Mi", "1Gi", "200M", "1.5", "100", "0.5Gi", "7e3", "1k"}
	ephs := []string{"", "0", "1Gi", "10M", "0.5"}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	container := func() v1.Container {
		rl := v1.ResourceList{}
		for name, v := range map[v1.ResourceName]string{v1.ResourceCPU: pick(cpus), v1.ResourceMemory: pick(mems), v1.ResourceEphemeralStorage: pick(ephs)} {
			if v != "" {
				rl[name] = resource.MustParse(v)
			}
		}
		if r.IntN(10) == 0 {
			rl[v1.ResourcePods] = resource.MustParse("1")
		}
		if r.IntN(8) == 0 {
			rl = nil
		}
		return v1.Container{Name: "c", Resources: v1.ResourceRequirements{Requests: rl}}
	}
	fast := 0
	for i := 0; i < 3000; i++ {
		p := &v1.Pod{}
		for j := r.IntN(4); j >= 0; j-- {
			p.Spec.Containers = append(p.Spec.Containers, container())
		}
		if r.IntN(4) == 0 {
			p.Spec.Containers = nil
		}
		takes := true
		switch r.IntN(12) {
		case 0:
			p.Spec.InitContainers = []v1.Container{container()}
			takes = false
		case 1:
			p.Spec.Overhead = v1.ResourceList{v1.ResourceCPU: resource.MustParse("10m")}
			takes = false
		case 2:
			p.Spec.Resources = &v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("2")}}
			takes = false
		case 3:
			if len(p.Spec.Containers) > 0 {
				p.Spec.Containers[0].Resources.Requests = v1.ResourceList{"example.com/gpu": resource.MustParse("1")}
				takes = false
			}
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var pi PodInfo
			ok := pi.setRequestsFast(p)
			if ok != takes {
				t.Fatalf("setRequestsFast took the pod: %v, want %v (%+v)", ok, takes, p.Spec)
			}
			if !ok {
				return
			}
			fast++
			got := derived{pi.Requests, pi.NonZeroCPU, pi.NonZeroMem}
			if diff := cmp.Diff(slowRequests(p), got); diff != "" {
				t.Errorf("requests of %+v (-want +got):\n%s", p.Spec.Containers, diff)
			}
		})
	}
	if fast < 1500 {
		t.Errorf("only %d pods took the fast path", fast)
	}
}
