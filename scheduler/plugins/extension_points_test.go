package plugins

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/scheduler/framework"
)

// extensionPoints is, for each in-tree plugin, the extension points it
// implements (upstream's plugin table, and kubesim's batch forms). One table
// in place of a `var _ framework.X = &T{}` block per plugin, and stricter:
// a point a plugin gains or loses by accident (a method renamed, one added)
// fails here as well as one it was meant to have.
var extensionPoints = map[string][]string{
	"NodeName":                        {"Filter", "BatchFilter", "EnqueueExtensions"},
	"NodeUnschedulable":               {"Filter", "BatchFilter", "EnqueueExtensions"},
	"TaintToleration":                 {"Filter", "BatchFilter", "PreScore", "Score", "NormalizeScore", "BatchScore", "BatchNormalizeScore", "EnqueueExtensions"},
	"NodeAffinity":                    {"PreFilter", "Filter", "BatchFilter", "PreScore", "Score", "NormalizeScore", "BatchNormalizeScore", "EnqueueExtensions"},
	"NodePorts":                       {"PreFilter", "Filter", "EnqueueExtensions"},
	"NodeResourcesFit":                {"PreFilter", "Filter", "BatchFilter", "PreScore", "Score", "BatchScore", "EnqueueExtensions"},
	"NodeResourcesBalancedAllocation": {"PreScore", "Score", "BatchScore"},
	"PodTopologySpread":               {"PreFilter", "PreFilterExtensions", "Filter", "BatchFilter", "PreScore", "Score", "NormalizeScore", "BatchScore", "EnqueueExtensions"},
	"InterPodAffinity":                {"PreFilter", "PreFilterExtensions", "Filter", "PreScore", "Score", "NormalizeScore", "EnqueueExtensions"},
	"ImageLocality":                   {"PreScore", "Score"},
	"DefaultPreemption":               {"PostFilter"},
	"VolumeBinding":                   {"PreFilter", "Filter", "Reserve", "PreBind", "EnqueueExtensions"},
}

// implemented lists the extension points p implements, in a fixed order.
func implemented(p framework.Plugin) []string {
	var got []string
	for _, x := range []struct {
		name string
		ok   bool
	}{
		{"PreFilter", is[framework.PreFilterPlugin](p)},
		{"PreFilterExtensions", is[framework.PreFilterExtensions](p)},
		{"Filter", is[framework.FilterPlugin](p)},
		{"BatchFilter", is[framework.BatchFilterPlugin](p)},
		{"PostFilter", is[framework.PostFilterPlugin](p)},
		{"PreScore", is[framework.PreScorePlugin](p)},
		{"Score", is[framework.ScorePlugin](p)},
		{"NormalizeScore", is[framework.NormalizeScorePlugin](p)},
		{"BatchScore", is[framework.BatchScorePlugin](p)},
		{"BatchNormalizeScore", is[framework.BatchNormalizeScorePlugin](p)},
		{"Reserve", is[framework.ReservePlugin](p)},
		{"PreBind", is[framework.PreBindPlugin](p)},
		{"EnqueueExtensions", is[framework.EnqueueExtensions](p)},
	} {
		if x.ok {
			got = append(got, x.name)
		}
	}
	return got
}

func is[T any](p framework.Plugin) bool { _, ok := p.(T); return ok }

func TestExtensionPoints(t *testing.T) {
	reg := Registry()
	for name, factory := range reg {
		want, ok := extensionPoints[name]
		if !ok {
			t.Errorf("plugin %s is registered but not in extensionPoints", name)
			continue
		}
		p, err := factory(nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Name() != name {
			t.Errorf("plugin registered as %s names itself %s", name, p.Name())
		}
		got := implemented(p)
		want = slices.Clone(want)
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s extension points (-want +got):\n%s", name, diff)
		}
	}
	for name := range extensionPoints {
		if _, ok := reg[name]; !ok {
			t.Errorf("extensionPoints names %s, which is not registered", name)
		}
	}
}
