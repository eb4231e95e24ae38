package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/scheduler"
)

func node(name string, taints ...v1.Taint) *v1.Node {
	rl := v1.ResourceList{v1.ResourceCPU: resource.MustParse("2"), v1.ResourceMemory: resource.MustParse("2Gi"), v1.ResourcePods: resource.MustParse("110")}
	return &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{v1.LabelHostname: name}},
		Spec:       v1.NodeSpec{Taints: taints},
		Status:     v1.NodeStatus{Allocatable: rl, Capacity: rl},
	}
}

func pod(name, cpu string) *v1.Pod {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name)}}
	p.Spec.Containers = []v1.Container{{Name: name, Image: "httpd:2.4"}}
	if cpu != "" {
		p.Spec.Containers[0].Resources.Requests = v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)}
	}
	return p
}

// The lecture cluster: a tainted control plane and two workers. One pod
// fits, one asks for more CPU than any worker has.
func Example() {
	s, err := scheduler.New(scheduler.DefaultConfig(rand.New(rand.NewPCG(2023, 5))))
	if err != nil {
		panic(err)
	}
	s.AddNode(node("m.example.com", v1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: v1.TaintEffectNoSchedule}))
	s.AddNode(node("w1.example.com"))
	s.AddNode(node("w2.example.com"))
	s.AddPod(pod("myapache", ""))
	s.AddPod(pod("big", "3"))

	now := time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)
	for {
		p, ok := s.Pop(now)
		if !ok {
			break
		}
		r := s.Schedule(now, p)
		if r.NodeName != "" {
			s.Bound(p, r.NodeName)
			fmt.Println("Scheduled:", scheduler.ScheduledMessage(p, r.NodeName))
			continue
		}
		fmt.Println("FailedScheduling:", r.Message)
	}
	wake, _ := s.NextWake()
	fmt.Println("retry at", wake.Format(time.TimeOnly))
	// Output:
	// Scheduled: Successfully assigned default/myapache to w2.example.com
	// FailedScheduling: 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.
	// retry at 10:05:00
}
