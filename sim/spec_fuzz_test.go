package sim

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// FuzzClusterSpec: a spec file parses or is refused; a parsed spec
// survives YAML marshal → parse unchanged; one that passes the preflight
// checks builds a cluster (what preflight lets through must not fail
// later, let alone panic).
func FuzzClusterSpec(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "lecture.yaml")); err == nil {
		f.Add(b)
	}
	def, _ := yaml.Marshal(DefaultClusterSpec())
	f.Add(def)
	f.Add([]byte("kubernetesVersion: v1.33.0\nruntime: cri-o\nnodes:\n- {name: cp, role: control-plane, ip: 10.0.0.1, cpus: 2, memory: 2Gi}\n"))
	f.Add([]byte("runtime: docker\nkubernetesVersion: v1.23.17\nnodes:\n- {name: cp, role: control-plane, ip: 10.0.0.1, cpus: 2, memory: 2Gi, schedulable: true}\n"))
	f.Add([]byte("podCIDR: 10.244.0.0/30\nnodes:\n- {name: cp, role: control-plane, ip: 10.0.0.1, cpus: 2, memory: 2Gi}\n- {name: w, role: worker, ip: 10.0.0.2, cpus: 1, memory: 1e3Mi}\n"))
	f.Add([]byte("nodes:\n- {name: CP_1, role: control-plane, ip: '::1', cpus: 2, memory: 2Gi, labels: {a: b}}\n"))
	f.Add([]byte("scheduler: {percentageOfNodesToScore: 101, disabled: [Nope], weights: {NodeResourcesFit: -1}, scoringStrategy: Nope}\nnodes:\n- {name: cp, role: control-plane, ip: 10.0.0.1, cpus: 2, memory: 2Gi}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := ParseSpec(data)
		if err != nil {
			return
		}
		again, err := yaml.Marshal(spec)
		if err != nil {
			t.Fatalf("a parsed spec does not marshal: %v", err)
		}
		spec2, err := ParseSpec(again)
		if err != nil {
			t.Fatalf("a marshalled spec does not parse: %v\n%s", err, again)
		}
		if diff := cmp.Diff(spec, spec2); diff != "" {
			t.Fatalf("parse → marshal → parse changed the spec (-first +second):\n%s", diff)
		}
		if spec.Preflight() != nil || len(spec.Nodes) > 4 {
			return // building big clusters is the benchmarks' job
		}
		for _, n := range spec.Nodes {
			if n.CPUs > 256 {
				return
			}
		}
		c, err := New(spec, Options{Dir: t.TempDir(), NoSync: true})
		if err != nil {
			t.Fatalf("the spec passed preflight but the cluster does not build: %v\n%s", err, again)
		}
		c.Close()
	})
}
