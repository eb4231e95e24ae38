package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// randomCluster builds nodes and bound pods from seed.
func randomCluster(r *rand.Rand, numNodes int) ([]*v1.Node, []*v1.Pod) {
	var nodes []*v1.Node
	var pods []*v1.Pod
	for i := 0; i < numNodes; i++ {
		nw := testutil.MakeNode().Name(fmt.Sprintf("node-%03d", i)).
			Capacity("cpu", fmt.Sprint(1+r.IntN(8)), "memory", fmt.Sprintf("%dGi", 1+r.IntN(16))).
			Label(v1.LabelTopologyZone, fmt.Sprintf("zone-%d", r.IntN(3)))
		if r.IntN(10) == 0 {
			nw.Taint("dedicated", "infra", v1.TaintEffectNoSchedule)
		}
		if r.IntN(8) == 0 {
			nw.Taint("soft", "x", v1.TaintEffectPreferNoSchedule)
		}
		if r.IntN(4) == 0 {
			nw.Label("disk", "ssd")
		}
		if r.IntN(5) == 0 {
			nw.Image("nginx:1.25", int64(50+r.IntN(500))<<20)
		}
		n := nw.Obj()
		nodes = append(nodes, n)
		for j := r.IntN(4); j > 0; j-- {
			pods = append(pods, testutil.MakePod().Name(fmt.Sprintf("e-%d-%d", i, j)).Node(n.Name).
				Label("app", fmt.Sprint("app", r.IntN(3))).Req("cpu", fmt.Sprintf("%dm", 100*r.IntN(10)), "memory", fmt.Sprintf("%dMi", 128*r.IntN(8))).Obj())
		}
	}
	return nodes, pods
}

func randomPod(r *rand.Rand, name string) *v1.Pod {
	pw := testutil.MakePod().Name(name).Label("app", fmt.Sprint("app", r.IntN(3))).
		Req("cpu", fmt.Sprintf("%dm", 100+100*r.IntN(20)), "memory", fmt.Sprintf("%dMi", 128*(1+r.IntN(16)))).Image("nginx:1.25")
	if r.IntN(4) == 0 {
		pw.NodeSelector("disk", "ssd")
	}
	if r.IntN(3) == 0 {
		pw.Toleration("dedicated", "infra", v1.TaintEffectNoSchedule)
	}
	if r.IntN(3) == 0 {
		pw.PreferredNodeAffinity(int32(1+r.IntN(50)), v1.LabelTopologyZone, "zone-1")
	}
	if r.IntN(4) == 0 {
		pw.PreferredPodAntiAffinity(int32(1+r.IntN(100)), v1.LabelHostname, "app", "app1")
	}
	if r.IntN(5) == 0 {
		pw.SpreadConstraint(int32(1+r.IntN(3)), v1.LabelTopologyZone, v1.ScheduleAnyway, "app", "app0")
	}
	if r.IntN(6) == 0 {
		pw.PodAntiAffinity(v1.LabelHostname, "app", "app2")
	}
	return pw.Obj()
}

func buildScheduler(t *testing.T, seed uint64, pct int32, workers int, nodes []*v1.Node, pods []*v1.Pod) *Scheduler {
	t.Helper()
	s := newTestScheduler(t, func(c *Config) {
		// The fast path steps the PCG inline (select.go); the naive
		// reference draws through rand.Rand.
		src := rand.NewPCG(seed, 99)
		c.Rand, c.PCG = rand.New(src), src
		c.PercentageOfNodesToScore = pct
	})
	// Force real chunking even on small clusters and few CPUs.
	s.par = framework.Parallelizer{Workers: workers, MinChunk: 1}
	for _, n := range nodes {
		s.AddNode(n)
	}
	for _, p := range pods {
		s.AddPod(p)
	}
	return s
}

// naiveSchedule filters every node in list order, one plugin after another,
// scores every feasible node plugin by plugin, normalises, weighs and picks
// the best with the same reservoir sampling: the reference for the fast path.
func naiveSchedule(t *testing.T, s *Scheduler, pod *v1.Pod, r *rand.Rand) string {
	t.Helper()
	s.c.updateSnapshot(s.snap)
	pi := s.newPodInfo(pod)
	state := framework.NewCycleState(pi)
	skip := map[string]bool{}
	for _, pl := range s.preFilter {
		_, st := pl.PreFilter(state, pod)
		if st.IsSkip() {
			skip[pl.Name()] = true
			continue
		}
		if !st.IsSuccess() {
			return ""
		}
	}
	var feasible []*framework.NodeInfo
	for _, ni := range s.snap.list {
		ok := true
		for _, f := range s.filter {
			if !skip[f.Name()] && !f.Filter(state, pod, ni).IsSuccess() {
				ok = false
				break
			}
		}
		if ok {
			feasible = append(feasible, ni)
		}
	}
	switch len(feasible) {
	case 0:
		return ""
	case 1:
		return feasible[0].Name
	}
	skipScore := map[string]bool{}
	for _, pl := range s.preScore {
		if st := pl.PreScore(state, pod, feasible); st.IsSkip() {
			skipScore[pl.Name()] = true
		}
	}
	totals := make([]int64, len(feasible))
	for _, ws := range s.score {
		if skipScore[ws.pl.Name()] {
			continue
		}
		scores := make([]framework.NodeScore, len(feasible))
		for i, ni := range feasible {
			sc, _ := ws.pl.Score(state, pod, ni)
			scores[i] = framework.NodeScore{Name: ni.Name, Score: sc}
		}
		if ws.norm != nil {
			ws.norm.NormalizeScore(state, pod, scores)
		}
		for i := range scores {
			totals[i] += scores[i].Score * ws.weight
		}
	}
	best, cnt := 0, 1
	for i := 1; i < len(totals); i++ {
		if totals[i] > totals[best] {
			best, cnt = i, 1
		} else if totals[i] == totals[best] {
			cnt++
			if r.IntN(cnt) == 0 {
				best = i
			}
		}
	}
	return feasible[best].Name
}

// TestParallelMatchesNaive: with early stop off, the parallel windowed
// filter and chunked scoring choose exactly the node the naive reference does.
func TestParallelMatchesNaive(t *testing.T) {
	scored := 0
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		nodes, pods := randomCluster(r, 1+r.IntN(250))
		pod := randomPod(r, "incoming")
		fast := buildScheduler(t, seed, 100, 1+r.IntN(8), nodes, pods)
		naive := buildScheduler(t, seed, 100, 1, nodes, pods)
		fast.AddPod(pod)
		p, _ := fast.Pop(t0)
		res := fast.Schedule(t0, p)
		got := res.NodeName
		if res.FeasibleNodes > 1 {
			scored++
		}
		want := naiveSchedule(t, naive, pod, rand.New(rand.NewPCG(seed, 99)))
		if got != want {
			t.Errorf("seed %d (%d nodes): fast picked %q, naive %q", seed, len(nodes), got, want)
		}
	}
	// Guard against a vacuous pass: most cases must go through scoring.
	if scored < 25 {
		t.Errorf("only %d of 40 cases had several feasible nodes", scored)
	}
}

// TestDeterministicAcrossWorkers: with the adaptive early stop on, a stream
// of pods lands identically whatever the number of workers.
func TestDeterministicAcrossWorkers(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		var runs [][]string
		for _, workers := range []int{1, 3, 8} {
			r := rand.New(rand.NewPCG(seed, 2))
			nodes, pods := randomCluster(r, 150+r.IntN(200))
			s := buildScheduler(t, seed, 0, workers, nodes, pods)
			var out []string
			for i := 0; i < 60; i++ {
				s.AddPod(randomPod(r, fmt.Sprint("p", i)))
				p, ok := s.Pop(t0)
				if !ok {
					t.Fatal("nothing to pop")
				}
				res := s.Schedule(t0, p)
				out = append(out, res.NodeName+"|"+res.Message)
				if res.NodeName != "" {
					s.Bound(p, res.NodeName)
				}
			}
			runs = append(runs, out)
		}
		for i := 1; i < len(runs); i++ {
			if diff := cmp.Diff(runs[0], runs[i]); diff != "" {
				t.Errorf("seed %d: run %d differs (-1 worker +more):\n%s", seed, i, diff)
			}
		}
	}
}
