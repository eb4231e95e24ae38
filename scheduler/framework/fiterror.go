package framework

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
)

// Texts of kube-scheduler (pkg/scheduler/framework/types.go, scheduler.go).
const (
	// NoNodeAvailableMsg starts every FitError message.
	NoNodeAvailableMsg = "0/%v nodes are available"
	// ErrNoNodesAvailableMsg is the whole message when the cluster has no node.
	ErrNoNodesAvailableMsg = "no nodes available to schedule pods"
)

// ErrNoNodesAvailable is returned when the snapshot holds no node.
var ErrNoNodesAvailable = errors.New(ErrNoNodesAvailableMsg)

// Diagnosis records why a pod fitted nowhere.
type Diagnosis struct {
	// NodeToStatus holds each rejected node's status by node name.
	NodeToStatus map[string]*Status
	// UnschedulablePlugins names the plugins that rejected the pod somewhere.
	UnschedulablePlugins map[string]struct{}
	// PreFilterMsg is set when a PreFilter plugin rejected the pod outright.
	PreFilterMsg string
	// PostFilterMsg is the preemption outcome, e.g. "preemption: 0/3 nodes ...".
	PostFilterMsg string
}

// FitError is kube-scheduler's FitError: its Error() is the FailedScheduling
// message.
type FitError struct {
	Pod         *v1.Pod
	NumAllNodes int
	Diagnosis   Diagnosis
	// DoublePeriodPostFilter reproduces kube-scheduler ≤ v1.29, which appends
	// the PostFilter message with " %v." although it already ends in "."
	// (fixed by kubernetes/kubernetes#117588, released in v1.30).
	DoublePeriodPostFilter bool
}

// Error builds "0/N nodes are available: <count> <reason>, …." with the
// reasons counted over nodes and sorted as strings (sort.Strings, count
// prefix included), then the PostFilter message.
func (f *FitError) Error() string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf(NoNodeAvailableMsg+":", f.NumAllNodes))
	if f.Diagnosis.PreFilterMsg != "" {
		b.WriteString(" " + f.Diagnosis.PreFilterMsg + ".")
	} else if h := ReasonHistogram(f.Diagnosis.NodeToStatus); len(h) > 0 {
		b.WriteString(" " + strings.Join(h, ", ") + ".")
	}
	if pf := f.Diagnosis.PostFilterMsg; pf != "" {
		if f.DoublePeriodPostFilter {
			b.WriteString(" " + pf + ".")
		} else {
			b.WriteString(" " + pf)
		}
	}
	return b.String()
}

// ReasonHistogram counts each reason over all statuses and returns
// "<count> <reason>" strings sorted with sort.Strings, as upstream.
func ReasonHistogram(statuses map[string]*Status) []string {
	counts := map[string]int{}
	for _, s := range statuses {
		for _, r := range s.Reasons() {
			counts[r]++
		}
	}
	out := make([]string, 0, len(counts))
	for r, n := range counts {
		out = append(out, strconv.Itoa(n)+" "+r)
	}
	sort.Strings(out)
	return out
}
