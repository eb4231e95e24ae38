package helper

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/scheduler/framework"
)

func TestDefaultNormalizeScoreValues(t *testing.T) {
	tests := []struct {
		name   string
		scores []int64
	}{
		{name: "all zero", scores: []int64{0, 0, 0}},
		{name: "mixed", scores: []int64{0, 3, 7, 1, 7}},
		{name: "one", scores: []int64{5}},
		{name: "empty", scores: []int64{}},
		{name: "large", scores: []int64{1 << 40, 17, 1<<40 - 1}},
		{name: "negative", scores: []int64{-4, -1, -7, -2, -9}},
	}
	// The maximum in every position of lists of 1 to 9 (the max loop keeps
	// four lanes and a tail).
	for n := 1; n <= 9; n++ {
		for at := 0; at < n; at++ {
			sc := make([]int64, n)
			for i := range sc {
				sc[i] = int64(1 + i%3)
			}
			sc[at] = 9
			tests = append(tests, struct {
				name   string
				scores []int64
			}{fmt.Sprintf("max at %d of %d", at, n), sc})
		}
	}
	for _, tc := range tests {
		for _, reverse := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reverse=%v", tc.name, reverse), func(t *testing.T) {
				ns := make([]framework.NodeScore, len(tc.scores))
				for i, s := range tc.scores {
					ns[i] = framework.NodeScore{Name: fmt.Sprint("n", i), Score: s}
				}
				DefaultNormalizeScore(framework.MaxNodeScore, reverse, ns)
				want := make([]int64, len(ns))
				for i := range ns {
					want[i] = ns[i].Score
				}
				got := make([]int64, len(tc.scores))
				copy(got, tc.scores)
				DefaultNormalizeScoreValues(framework.MaxNodeScore, reverse, got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}
