package scheduler

import (
	"errors"
	"fmt"
	"testing"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
	"kubesim/scheduler/plugins"
)

// wildScore scores one node out of range (no normaliser).
type wildScore struct{}

func (wildScore) Name() string { return "Wild" }
func (wildScore) Score(_ *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	if ni.Name == "n-7" {
		return 101, nil
	}
	return 50, nil
}

// failingNorm scores in range and fails to normalise.
type failingNorm struct{}

func (failingNorm) Name() string { return "FailingNorm" }
func (failingNorm) Score(*framework.CycleState, *v1.Pod, *framework.NodeInfo) (int64, *framework.Status) {
	return 10, nil
}
func (failingNorm) NormalizeScore(*framework.CycleState, *v1.Pod, []framework.NodeScore) *framework.Status {
	return framework.AsStatus(errors.New("cannot normalise"))
}

// TestScoreOutOfRange: a score outside [0, 100] fails the cycle with
// upstream's message, and errors come in plugin order — a normaliser's
// failure before a later plugin's bad score, a bad score before a later
// normaliser's failure — with the default row plugins (whose weighted
// scores are added as they are scored) around them, with and without an
// explanation.
func TestScoreOutOfRange(t *testing.T) {
	wild := `plugin "Wild" returns an invalid score 101, it should in the range of [0, 100] after normalizing`
	norm := `running Normalize on Score plugin "FailingNorm": cannot normalise`
	tests := []struct {
		name  string
		extra []string
		want  string
	}{
		{name: "bad score", extra: []string{"Wild"}, want: wild},
		{name: "normaliser first", extra: []string{"FailingNorm", "Wild"}, want: norm},
		{name: "bad score first", extra: []string{"Wild", "FailingNorm"}, want: wild},
	}
	for _, tc := range tests {
		for _, explain := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/explain=%v", tc.name, explain), func(t *testing.T) {
				s := newTestScheduler(t, func(c *Config) {
					c.Explain = explain
					c.Registry = plugins.Registry()
					c.Registry["Wild"] = func(any, framework.Handle) (framework.Plugin, error) { return wildScore{}, nil }
					c.Registry["FailingNorm"] = func(any, framework.Handle) (framework.Plugin, error) { return failingNorm{}, nil }
					for _, n := range tc.extra {
						c.Profile.Plugins = append(c.Profile.Plugins, PluginConfig{Name: n, Weight: 1})
					}
				})
				for i := 0; i < 12; i++ {
					s.AddNode(testutil.MakeNode().Name(fmt.Sprintf("n-%d", i)).Capacity("cpu", "4", "memory", "8Gi").Obj())
				}
				pod := testutil.MakePod().Name("p").Req("cpu", "100m").Obj()
				s.AddPod(pod)
				p, _ := s.Pop(t0)
				r := s.Schedule(t0, p)
				if r.NodeName != "" || r.Reason != ReasonSchedulerError || r.Message != tc.want {
					t.Fatalf("Schedule: node %q, reason %q, message %q; want a SchedulerError %q", r.NodeName, r.Reason, r.Message, tc.want)
				}
			})
		}
	}
}
