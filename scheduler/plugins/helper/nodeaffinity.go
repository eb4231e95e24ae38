package helper

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"kubesim/scheduler/framework"
)

// NodeMatcher is a pod's required node affinity (nodeSelector AND required
// terms), as component-helpers' RequiredNodeAffinity.
//
// Terms built only from matchExpressions are evaluated as parsed label
// selectors, which allocates nothing per node; anything else (matchFields,
// requirements that do not parse) is delegated to component-helpers'
// RequiredNodeAffinity, whose Match builds a fields map per call.
type NodeMatcher struct {
	labelSelector labels.Selector
	terms         []labels.Selector // ORed; nil with fast=false means no required terms
	fast          bool
	fallback      nodeaffinity.RequiredNodeAffinity
	hasTerms      bool
}

// selectionOps maps a node selector operator to the label selector's.
var selectionOps = map[v1.NodeSelectorOperator]selection.Operator{
	v1.NodeSelectorOpIn:           selection.In,
	v1.NodeSelectorOpNotIn:        selection.NotIn,
	v1.NodeSelectorOpExists:       selection.Exists,
	v1.NodeSelectorOpDoesNotExist: selection.DoesNotExist,
	v1.NodeSelectorOpGt:           selection.GreaterThan,
	v1.NodeSelectorOpLt:           selection.LessThan,
}

// GetRequiredNodeAffinity parses pod's nodeSelector and required node affinity.
func GetRequiredNodeAffinity(pod *v1.Pod) NodeMatcher {
	m := NodeMatcher{fallback: nodeaffinity.GetRequiredNodeAffinity(pod), fast: true}
	if len(pod.Spec.NodeSelector) > 0 {
		m.labelSelector = labels.SelectorFromSet(pod.Spec.NodeSelector)
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return m
	}
	m.hasTerms = true
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		if len(t.MatchFields) > 0 {
			m.fast = false
			return m
		}
		if len(t.MatchExpressions) == 0 {
			continue // an empty term matches nothing
		}
		sel := labels.NewSelector()
		for _, e := range t.MatchExpressions {
			op, ok := selectionOps[e.Operator]
			if !ok {
				m.fast = false
				return m
			}
			r, err := labels.NewRequirement(e.Key, op, e.Values)
			if err != nil {
				m.fast = false
				return m
			}
			sel = sel.Add(*r)
		}
		m.terms = append(m.terms, sel)
	}
	return m
}

// MatchesAll reports whether the pod has no required node affinity at all.
func (m *NodeMatcher) MatchesAll() bool {
	return m.fast && m.labelSelector == nil && !m.hasTerms
}

// Match reports whether node satisfies the pod's required node affinity.
func (m *NodeMatcher) Match(node *v1.Node) bool {
	if !m.fast {
		ok, _ := m.fallback.Match(node)
		return ok
	}
	return m.matchLabels(node.Labels)
}

// MatchNodeInfo is Match(ni.Node()), reading the labels NodeInfo keeps
// beside its hot fields unless matchFields need the node object.
func (m *NodeMatcher) MatchNodeInfo(ni *framework.NodeInfo) bool {
	if !m.fast {
		return m.Match(ni.Node())
	}
	return m.matchLabels(ni.Labels)
}

func (m *NodeMatcher) matchLabels(l map[string]string) bool {
	set := labels.Set(l)
	if m.labelSelector != nil && !m.labelSelector.Matches(set) {
		return false
	}
	if !m.hasTerms {
		return true
	}
	for _, t := range m.terms {
		if t.Matches(set) {
			return true
		}
	}
	return false
}
