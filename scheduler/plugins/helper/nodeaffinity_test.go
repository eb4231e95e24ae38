package helper

import (
	"fmt"
	"math/rand/v2"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"kubesim/scheduler/internal/testutil"
)

// TestNodeMatcherAgreesWithComponentHelpers: random selectors and nodes,
// the fast matcher answers exactly as component-helpers does.
func TestNodeMatcherAgreesWithComponentHelpers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ops := []v1.NodeSelectorOperator{v1.NodeSelectorOpIn, v1.NodeSelectorOpNotIn, v1.NodeSelectorOpExists, v1.NodeSelectorOpDoesNotExist, v1.NodeSelectorOpGt, v1.NodeSelectorOpLt}
	keys := []string{"zone", "disk", "gen"}
	vals := []string{"a", "b", "1", "5", "10"}
	matched, total := 0, 0
	for i := 0; i < 3000; i++ {
		nw := testutil.MakeNode().Name(fmt.Sprint("n", i))
		for _, k := range keys {
			if r.IntN(3) > 0 {
				nw.Label(k, vals[r.IntN(len(vals))])
			}
		}
		node := nw.Obj()
		pw := testutil.MakePod().Name("p")
		if r.IntN(3) == 0 {
			pw.NodeSelector(keys[r.IntN(len(keys))], vals[r.IntN(len(vals))])
		}
		pod := pw.Obj()
		if r.IntN(4) > 0 {
			var terms []v1.NodeSelectorTerm
			for j := r.IntN(3); j >= 0; j-- {
				var term v1.NodeSelectorTerm
				for k := r.IntN(3); k > 0; k-- {
					op := ops[r.IntN(len(ops))]
					req := v1.NodeSelectorRequirement{Key: keys[r.IntN(len(keys))], Operator: op}
					switch op {
					case v1.NodeSelectorOpIn, v1.NodeSelectorOpNotIn:
						req.Values = []string{vals[r.IntN(len(vals))], vals[r.IntN(len(vals))]}
					case v1.NodeSelectorOpGt, v1.NodeSelectorOpLt:
						req.Values = []string{fmt.Sprint(r.IntN(8))}
					}
					term.MatchExpressions = append(term.MatchExpressions, req)
				}
				if r.IntN(10) == 0 {
					term.MatchFields = []v1.NodeSelectorRequirement{{Key: "metadata.name", Operator: v1.NodeSelectorOpIn, Values: []string{node.Name}}}
				}
				terms = append(terms, term)
			}
			pod.Spec.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{NodeSelectorTerms: terms}}}
		}
		want, _ := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)
		m := GetRequiredNodeAffinity(pod)
		if got := m.Match(node); got != want {
			t.Fatalf("case %d: fast %v, component-helpers %v\npod affinity %+v nodeSelector %v\nnode labels %v", i, got, want, pod.Spec.Affinity, pod.Spec.NodeSelector, node.Labels)
		}
		total++
		if want {
			matched++
		}
	}
	if matched < total/10 || matched > total*9/10 {
		t.Errorf("unbalanced cases: %d of %d matched", matched, total)
	}
}
