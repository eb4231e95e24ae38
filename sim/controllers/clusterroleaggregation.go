package controllers

import (
	"sort"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/sim/store"
)

// clusterRoleAggregationController is kube-controller-manager's
// clusterrole-aggregation controller (pkg/controller/clusterroleaggregation):
// a ClusterRole with an aggregationRule gets the rules of every other
// ClusterRole its selectors match, in name order, each rule once. Any
// ClusterRole change requeues every aggregating role.
type clusterRoleAggregationController struct {
	controller[*rbacv1.ClusterRole]
}

func newClusterRoleAggregation(b *base) *clusterRoleAggregationController {
	c := &clusterRoleAggregationController{}
	c.controller = newController[*rbacv1.ClusterRole](b, "clusterrole-aggregation", b.clusterroles, c.sync)
	c.relistIf = func(r *rbacv1.ClusterRole) bool { return r.AggregationRule != nil }
	c.onEventFor = resources("clusterroles")
	c.onEvent = func(_ store.Event, res, _, _ string) {
		if res == "clusterroles" {
			c.relistNS("")
		}
	}
	return c
}

func (c *clusterRoleAggregationController) sync(key string, _ time.Time) bool {
	role, ok := c.live(key)
	if !ok || role.AggregationRule == nil {
		return false
	}
	var selectors []labels.Selector
	for i := range role.AggregationRule.ClusterRoleSelectors {
		sel, err := metav1.LabelSelectorAsSelector(&role.AggregationRule.ClusterRoleSelectors[i])
		if err != nil {
			return false
		}
		selectors = append(selectors, sel)
	}
	matched := map[string]*rbacv1.ClusterRole{}
	for _, r := range list[*rbacv1.ClusterRole](c.base, c.clusterroles, "") {
		if r.Name == role.Name {
			continue
		}
		for _, sel := range selectors {
			if sel.Matches(labels.Set(r.Labels)) {
				matched[r.Name] = r
				break
			}
		}
	}
	names := make([]string, 0, len(matched))
	for n := range matched {
		names = append(names, n)
	}
	sort.Strings(names)
	var rules []rbacv1.PolicyRule
	for _, n := range names {
		for _, rule := range matched[n].Rules {
			if !ruleExists(rules, rule) {
				rules = append(rules, rule)
			}
		}
	}
	if equality.Semantic.DeepEqual(rules, role.Rules) || (len(rules) == 0 && len(role.Rules) == 0) {
		return false
	}
	upd := role.DeepCopy()
	upd.Rules = rules
	return c.update(c.clusterroles, upd, "")
}

func ruleExists(rules []rbacv1.PolicyRule, r rbacv1.PolicyRule) bool {
	for _, have := range rules {
		if equality.Semantic.DeepEqual(have, r) {
			return true
		}
	}
	return false
}
