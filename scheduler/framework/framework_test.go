package framework

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRegistryRejectsDuplicates(t *testing.T) {
	r := Registry{}
	f := func(any, Handle) (Plugin, error) { return nil, nil }
	if err := r.Register("A", f); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("A", f); err == nil || err.Error() != "a plugin named A already exists" {
		t.Errorf("duplicate Register: %v", err)
	}
	if err := r.Merge(Registry{"B": f, "A": f}); err == nil {
		t.Error("Merge with a duplicate succeeded")
	}
}

func TestFitErrorMessage(t *testing.T) {
	st := func(reasons ...string) *Status { return NewStatus(Unschedulable, reasons...) }
	tests := []struct {
		name string
		fe   FitError
		want string
	}{
		{
			// sort.Strings on "<count> <reason>": "10 …" sorts before "2 …",
			// and upper case before lower case.
			name: "histogram sorted as strings",
			fe: func() FitError {
				m := map[string]*Status{}
				for i := 0; i < 10; i++ {
					m[string(rune('a'+i))] = st("node(s) were unschedulable")
				}
				m["x"] = st("Insufficient cpu", "Insufficient memory")
				m["y"] = st("Insufficient cpu")
				return FitError{NumAllNodes: 12, Diagnosis: Diagnosis{NodeToStatus: m}}
			}(),
			want: "0/12 nodes are available: 1 Insufficient memory, 10 node(s) were unschedulable, 2 Insufficient cpu.",
		},
		{
			name: "prefilter message replaces the histogram",
			fe:   FitError{NumAllNodes: 3, Diagnosis: Diagnosis{PreFilterMsg: "pod has unbound immediate PersistentVolumeClaims", NodeToStatus: map[string]*Status{"a": st("x")}}},
			want: "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
		},
		{
			name: "postfilter appended, v1.27 double period",
			fe:   FitError{NumAllNodes: 1, DoublePeriodPostFilter: true, Diagnosis: Diagnosis{NodeToStatus: map[string]*Status{"a": st("Insufficient cpu")}, PostFilterMsg: "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."}},
			want: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.fe.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	var nilStatus *Status
	if !nilStatus.IsSuccess() || nilStatus.Code() != Success || nilStatus.Message() != "" {
		t.Error("nil status is not success")
	}
	s := NewStatus(UnschedulableAndUnresolvable, "a", "b").WithPlugin("P")
	if !s.IsUnschedulable() || s.Message() != "a, b" || s.Plugin() != "P" || s.AsError() == nil {
		t.Errorf("status: %v %q %q", s.Code(), s.Message(), s.Plugin())
	}
	// SetPlugin never mutates a status already naming another plugin.
	c := SetPlugin(s, "Q")
	if s.Plugin() != "P" || c.Plugin() != "Q" {
		t.Errorf("SetPlugin mutated shared status: %q %q", s.Plugin(), c.Plugin())
	}
}

func TestParallelizerCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 64, 1000} {
		for _, w := range []int{1, 2, 16} {
			hits := make([]int, n)
			Parallelizer{Workers: w, MinChunk: 1}.Until(n, func(i int) { hits[i]++ })
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("n=%d workers=%d: index %d hit %d times", n, w, i, h)
				}
			}
		}
	}
}
