package scheduler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// Annotation keys. The per-stage keys are kube-scheduler-simulator's
// (sigs.k8s.io/kube-scheduler-simulator, "debuggable scheduler").
const (
	AnnotationResult     = "kubesim.io/scheduling-result"
	AnnotationFilter     = "kube-scheduler-simulator.sigs.k8s.io/filter-result"
	AnnotationScore      = "kube-scheduler-simulator.sigs.k8s.io/score-result"
	AnnotationFinalScore = "kube-scheduler-simulator.sigs.k8s.io/finalscore-result"
	AnnotationSelected   = "kube-scheduler-simulator.sigs.k8s.io/selected-node"
	AnnotationPreFilter  = "kube-scheduler-simulator.sigs.k8s.io/prefilter-result-status"
	AnnotationPostFilter = "kube-scheduler-simulator.sigs.k8s.io/postfilter-result"
	passedFilter         = "passed"
	notEvaluated         = "not evaluated (enough feasible nodes found first, or excluded by PreFilter)"
)

// PluginScore is one score plugin's view of one node.
type PluginScore struct {
	Plugin string `json:"plugin"`
	// Raw is what Score returned; Normalized is after NormalizeScore (equal
	// to Raw for plugins without one); Weighted = Normalized × Weight.
	Raw        int64 `json:"raw"`
	Normalized int64 `json:"normalized"`
	Weight     int64 `json:"weight"`
	Weighted   int64 `json:"weighted"`
}

// NodeExplanation is one node's outcome.
type NodeExplanation struct {
	Node string `json:"node"`
	// Evaluated is false for nodes left out by the early stop or by a
	// PreFilter narrowing the node set.
	Evaluated bool `json:"evaluated"`
	// Passed is true when every filter accepted the node.
	Passed bool `json:"passed"`
	// Plugin and Reasons name the first filter that rejected the node.
	Plugin  string   `json:"plugin,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
	// Scores holds the score plugins (only for feasible nodes, when more
	// than one node was feasible), in profile order; Total sums Weighted.
	Scores []PluginScore `json:"scores,omitempty"`
	Total  int64         `json:"total"`
}

// Explanation says why a pod went where it did (or nowhere): per node which
// filter rejected it and why, and per score plugin the raw and normalised
// score, the weight and the total.
type Explanation struct {
	Pod          string            `json:"pod"`
	NumNodes     int               `json:"numNodes"`
	SelectedNode string            `json:"selectedNode,omitempty"`
	PreFilter    map[string]string `json:"preFilter,omitempty"`
	PostFilter   string            `json:"postFilter,omitempty"`
	Nominated    string            `json:"nominatedNode,omitempty"`
	// SkippedScore lists score plugins that skipped this pod (PreScore Skip).
	SkippedScore []string `json:"skippedScorePlugins,omitempty"`
	// Partial is set on a recorded decision of a large cluster
	// (RecordAllNodes): Nodes then holds only the best RecordTop feasible
	// nodes, Rejected counts the filter rejections, and Evaluated and
	// Feasible count the nodes filtered and passed.
	Partial      bool              `json:"partial,omitempty"`
	Evaluated    int               `json:"evaluatedNodes,omitempty"`
	Feasible     int               `json:"feasibleNodes,omitempty"`
	Rejected     []Rejection       `json:"rejected,omitempty"`
	Nodes        []NodeExplanation `json:"nodes"`
	index        map[string]int
	scorePlugins []string
}

func newExplanation(pod *v1.Pod, n int) *Explanation {
	return &Explanation{Pod: pod.Namespace + "/" + pod.Name, NumNodes: n}
}

func (e *Explanation) setPreFilter(plugin, msg string) {
	if e == nil {
		return
	}
	e.PreFilter = map[string]string{plugin: msg}
}

func (e *Explanation) setFilter(all, feasible []*framework.NodeInfo, statuses map[string]*framework.Status) {
	if e == nil {
		return
	}
	ok := make(map[string]bool, len(feasible))
	for _, ni := range feasible {
		ok[ni.Node().Name] = true
	}
	e.index = make(map[string]int, len(all))
	e.Nodes = make([]NodeExplanation, len(all))
	for i, ni := range all {
		name := ni.Node().Name
		e.index[name] = i
		ne := NodeExplanation{Node: name}
		if st, bad := statuses[name]; bad {
			ne.Evaluated, ne.Plugin, ne.Reasons = true, st.Plugin(), st.Reasons()
		} else if ok[name] {
			ne.Evaluated, ne.Passed = true, true
		}
		e.Nodes[i] = ne
	}
}

func (e *Explanation) setSelected(n string) {
	if e != nil {
		e.SelectedNode = n
	}
}

func (e *Explanation) setPostFilter(msg, nominated string) {
	if e == nil {
		return
	}
	e.PostFilter, e.Nominated = msg, nominated
	if e.Nodes == nil {
		e.Nodes = []NodeExplanation{}
	}
}

func (e *Explanation) addScores(plugin string, weight int64, feasible []*framework.NodeInfo, raw, norm []int64) {
	if e == nil {
		return
	}
	e.scorePlugins = append(e.scorePlugins, plugin)
	for i, ni := range feasible {
		ne := &e.Nodes[e.index[ni.Node().Name]]
		ne.Scores = append(ne.Scores, PluginScore{Plugin: plugin, Raw: raw[i], Normalized: norm[i], Weight: weight, Weighted: norm[i] * weight})
	}
}

func (e *Explanation) addSkipped(plugin string, _ int64) {
	if e != nil {
		e.SkippedScore = append(e.SkippedScore, plugin)
	}
}

func (e *Explanation) setTotals(feasible []*framework.NodeInfo, totals []int64) {
	if e == nil {
		return
	}
	for i, ni := range feasible {
		e.Nodes[e.index[ni.Node().Name]].Total = totals[i]
	}
}

// String renders a readable table for `kubesim explain-schedule POD`.
func (e *Explanation) String() string {
	if e == nil {
		return ""
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Pod %s: ", e.Pod)
	if e.SelectedNode != "" {
		fmt.Fprintf(&b, "scheduled to %s", e.SelectedNode)
	} else {
		b.WriteString("not scheduled")
	}
	fmt.Fprintf(&b, " (%d nodes)\n", e.NumNodes)
	for _, p := range slices.Sorted(maps.Keys(e.PreFilter)) {
		fmt.Fprintf(&b, "PreFilter %s rejected the pod: %s\n", p, e.PreFilter[p])
	}
	if e.Partial {
		e.partialString(&b)
		return b.String()
	}
	b.WriteString("\nFilter:\n")
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  NODE\tRESULT")
	for _, n := range e.Nodes {
		var r string
		switch {
		case n.Passed:
			r = passedFilter
		case !n.Evaluated:
			r = notEvaluated
		default:
			r = n.Plugin + ": " + strings.Join(n.Reasons, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\n", n.Node, r)
	}
	tw.Flush()
	if e.PostFilter != "" || e.Nominated != "" {
		b.WriteString("\nPostFilter: ")
		if e.Nominated != "" {
			fmt.Fprintf(&b, "nominated node %s", e.Nominated)
		} else {
			b.WriteString(e.PostFilter)
		}
		b.WriteString("\n")
	}
	if len(e.scorePlugins) > 0 {
		b.WriteString("\nScore (raw -> normalized x weight):\n")
		e.scoreTable(&b)
	} else if e.SelectedNode != "" {
		b.WriteString("\nScore: only one feasible node, not scored\n")
	}
	return b.String()
}

// partialString renders a summary decision (Partial).
func (e *Explanation) partialString(b *bytes.Buffer) {
	fmt.Fprintf(b, "\nFilter: %d nodes evaluated, %d passed, %d rejected", e.Evaluated, e.Feasible, e.Evaluated-e.Feasible)
	if rest := e.NumNodes - e.Evaluated; rest > 0 {
		fmt.Fprintf(b, ", %d not evaluated (enough feasible nodes found first)", rest)
	}
	b.WriteString("\n")
	if len(e.Rejected) > 0 {
		tw := tabwriter.NewWriter(b, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  PLUGIN\tREASON\tNODES")
		for _, r := range e.Rejected {
			fmt.Fprintf(tw, "  %s\t%s\t%d\n", r.Plugin, r.Reason, r.Nodes)
		}
		tw.Flush()
	}
	if len(e.scorePlugins) == 0 {
		if e.Feasible == 1 {
			b.WriteString("\nScore: only one feasible node, not scored\n")
		}
		return
	}
	fmt.Fprintf(b, "\nScore, best %d of %d feasible nodes (raw -> normalized x weight):\n", len(e.Nodes), e.Feasible)
	e.scoreTable(b)
}

// scoreTable prints each scored node's per-plugin scores and total, the
// selected node marked.
func (e *Explanation) scoreTable(b *bytes.Buffer) {
	tw := tabwriter.NewWriter(b, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  NODE\t%s\tTOTAL\n", strings.Join(e.scorePlugins, "\t"))
	for _, n := range e.Nodes {
		if len(n.Scores) == 0 {
			continue
		}
		cells := make([]string, len(n.Scores))
		for i, s := range n.Scores {
			cells[i] = fmt.Sprintf("%d -> %d x%d", s.Raw, s.Normalized, s.Weight)
		}
		mark := ""
		if n.Node == e.SelectedNode {
			mark = " *"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d%s\n", n.Node, strings.Join(cells, "\t"), n.Total, mark)
	}
	tw.Flush()
	if len(e.SkippedScore) > 0 {
		fmt.Fprintf(b, "  (skipped for this pod: %s)\n", strings.Join(e.SkippedScore, ", "))
	}
}

// Annotation returns one annotation holding the whole explanation as JSON.
func (e *Explanation) Annotation() (key, value string) {
	if e == nil {
		return AnnotationResult, "{}"
	}
	b, _ := json.Marshal(e)
	return AnnotationResult, string(b)
}

// Annotations returns kube-scheduler-simulator style annotations:
// filter-result {node: {plugin: "passed" | reason}}, score-result
// {node: {plugin: "raw"}}, finalscore-result {node: {plugin: "weighted"}},
// selected-node, and prefilter/postfilter results when present.
func (e *Explanation) Annotations() map[string]string {
	out := map[string]string{}
	if e == nil {
		return out
	}
	filter := map[string]map[string]string{}
	score := map[string]map[string]string{}
	final := map[string]map[string]string{}
	for _, n := range e.Nodes {
		if !n.Evaluated {
			continue
		}
		f := map[string]string{}
		if n.Passed {
			f["*"] = passedFilter
		} else {
			f[n.Plugin] = strings.Join(n.Reasons, ", ")
		}
		filter[n.Node] = f
		if len(n.Scores) > 0 {
			sc, fs := map[string]string{}, map[string]string{}
			for _, s := range n.Scores {
				sc[s.Plugin] = strconv.FormatInt(s.Raw, 10)
				fs[s.Plugin] = strconv.FormatInt(s.Weighted, 10)
			}
			score[n.Node], final[n.Node] = sc, fs
		}
	}
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	out[AnnotationFilter] = j(filter)
	out[AnnotationScore] = j(score)
	out[AnnotationFinalScore] = j(final)
	out[AnnotationSelected] = e.SelectedNode
	if len(e.PreFilter) > 0 {
		out[AnnotationPreFilter] = j(e.PreFilter)
	}
	if e.PostFilter != "" || e.Nominated != "" {
		out[AnnotationPostFilter] = j(map[string]string{"message": e.PostFilter, "nominatedNode": e.Nominated})
	}
	return out
}
