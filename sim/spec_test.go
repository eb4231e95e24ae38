package sim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPreflight: kubeadm's checks and our own, with kubeadm's wording.
func TestPreflight(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*ClusterSpec)
		want   []string // the [ERROR …] lines, in order
	}{
		{"default cluster passes", func(*ClusterSpec) {}, nil},
		{"one CPU", func(s *ClusterSpec) { s.Nodes[0].CPUs = 1 },
			[]string{"[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2"}},
		{"1 GiB", func(s *ClusterSpec) { s.Nodes[0].Memory = "1Gi" },
			[]string{"[ERROR Mem]: the system RAM (1024 MB) is less than the minimum 1700 MB"}},
		{"node name not a DNS subdomain", func(s *ClusterSpec) { s.Nodes[1].Name = "W_1" },
			[]string{`[ERROR NodeName]: node name "W_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{"unknown scoring strategy", func(s *ClusterSpec) { s.Scheduler.ScoringStrategy = "Nope" },
			[]string{`[ERROR SchedulerConfig]: scheduler: scoringStrategy "Nope": want LeastAllocated, MostAllocated or RequestedToCapacityRatio`}},
		{"duplicate name", func(s *ClusterSpec) { s.Nodes[2].Name = s.Nodes[1].Name },
			[]string{`[ERROR DuplicateNodeName]: node name "w1.example.com" is used by more than one node`}},
		{"IP conflict", func(s *ClusterSpec) { s.Nodes[2].IP = s.Nodes[1].IP },
			[]string{`[ERROR IPConflict]: node "w2.example.com" has IP 192.168.56.11, already used by node "w1.example.com"`}},
		{"dockershim on 1.27", func(s *ClusterSpec) { s.Runtime = "docker" },
			[]string{
				`[ERROR CRI]: node "m.example.com": failed to parse kubelet flag: unknown flag: --container-runtime`,
				`[ERROR CRI]: node "w1.example.com": failed to parse kubelet flag: unknown flag: --container-runtime`,
				`[ERROR CRI]: node "w2.example.com": failed to parse kubelet flag: unknown flag: --container-runtime`,
			}},
		{"dockershim on 1.23 is fine", func(s *ClusterSpec) { s.Runtime = "docker"; s.KubernetesVersion = "v1.23.17" }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultClusterSpec()
			s.Nodes = append([]NodeSpec(nil), s.Nodes...)
			tc.modify(&s)
			err := s.Preflight()
			var got []string
			if err != nil {
				pe, ok := err.(*PreflightError)
				if !ok {
					t.Fatalf("error %T %v, want *PreflightError", err, err)
				}
				got = pe.Errors
				if !strings.HasSuffix(err.Error(), "error execution phase preflight: preflight checks failed") ||
					!strings.Contains(err.Error(), "[preflight] Some fatal errors occurred:\n\t") {
					t.Errorf("error text:\n%s", err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec([]byte("kubernetesVersion: v1.32.0\nnodes:\n- name: cp\n  role: control-plane\n  ip: 10.0.0.1\n  cpus: 2\n  memory: 2Gi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.KubernetesVersion != "v1.32.0" || len(s.Nodes) != 1 || s.Runtime != "containerd" {
		t.Errorf("parsed %+v", s)
	}
	if _, err := ParseSpec([]byte("nodez: []\n")); err == nil || !strings.Contains(err.Error(), `unknown field "nodez"`) {
		t.Errorf("unknown field: %v", err)
	}
}

// TestLectureSpecFile: the documented example file is the default cluster.
func TestLectureSpecFile(t *testing.T) {
	got, err := LoadSpec("testdata/lecture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultClusterSpec(), got); diff != "" {
		t.Errorf("testdata/lecture.yaml differs from DefaultClusterSpec (-want +got):\n%s", diff)
	}
}
