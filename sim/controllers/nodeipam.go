package controllers

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/net/overlay"
	"kubesim/sim/store"
)

// NodeIPAM is kube-controller-manager's node IPAM controller with the range
// allocator (upstream pkg/controller/nodeipam): each node gets the next free
// subnet of the cluster CIDR in registration order, written to
// spec.podCIDR and spec.podCIDRs. On its first Run it restores the subnets
// nodes already hold (a cluster resumed from its state file) before
// assigning new ones. A deleted node's subnet is released.
type NodeIPAM struct {
	*base
	alloc   *overlay.Allocator
	pending []string // node names in registration (event) order
	queued  map[string]bool
	synced  bool
}

// NewNodeIPAM returns the node IPAM controller for ctx.ClusterCIDR split
// into ctx.NodeCIDRMaskSize subnets.
func NewNodeIPAM(ctx Context) (*NodeIPAM, error) {
	ctx = DefaultContext(ctx)
	if err := ctx.validate(); err != nil {
		return nil, err
	}
	a, err := overlay.New(overlay.Config{ClusterCIDR: ctx.ClusterCIDR, SubnetLen: ctx.NodeCIDRMaskSize})
	if err != nil {
		return nil, fmt.Errorf("node ipam: %w", err)
	}
	return &NodeIPAM{base: newBase(ctx), alloc: a, queued: map[string]bool{}}, nil
}

// Allocator exposes the subnet allocator (read-only use: Lookup, Owner).
func (c *NodeIPAM) Allocator() *overlay.Allocator { return c.alloc }

func (c *NodeIPAM) Name() string { return "nodeipam" }

// Wants implements loop.Selective: nodes only.
func (c *NodeIPAM) Wants(res string) bool { return res == "nodes" }

func (c *NodeIPAM) Handle(ev store.Event) {
	if !strings.HasPrefix(ev.KV.Key, "/registry/nodes/") {
		return // most events (pods, their events) are not about nodes
	}
	_, _, name := splitKey(ev.KV.Key)
	if ev.Type == store.Delete {
		c.alloc.Release(name)
		return
	}
	if n, ok := objOf(ev).(*corev1.Node); ok && n.Spec.PodCIDR == "" && !c.queued[name] {
		c.queued[name] = true
		c.pending = append(c.pending, name)
	}
}

func (c *NodeIPAM) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		nodes := list[*corev1.Node](c.base, c.nodes, "")
		sort.SliceStable(nodes, func(i, j int) bool {
			return nodes[i].CreationTimestamp.Before(&nodes[j].CreationTimestamp)
		})
		var missing []string
		for _, n := range nodes {
			if n.Spec.PodCIDR == "" {
				missing = append(missing, n.Name)
				continue
			}
			if p, err := netip.ParsePrefix(n.Spec.PodCIDR); err == nil {
				_ = c.alloc.Restore(n.Name, p)
			}
		}
		// Nodes seen in events before the first Run keep their order; the
		// rest follow in creation order.
		for _, name := range missing {
			if !c.queued[name] {
				c.queued[name] = true
				c.pending = append(c.pending, name)
			}
		}
	}
	wrote := false
	pending := c.pending
	c.pending = nil
	for _, name := range pending {
		delete(c.queued, name)
		if c.assign(name) {
			wrote = true
		}
	}
	return wrote
}

func (c *NodeIPAM) assign(name string) bool {
	n, ok := get[*corev1.Node](c.base, c.nodes, "", name)
	if !ok || n.Spec.PodCIDR != "" {
		return false
	}
	p, err := c.alloc.Assign(name)
	if err != nil {
		c.event(withGVK(n, corev1.SchemeGroupVersion.WithKind("Node")), "cidrAllocator", corev1.EventTypeNormal, "CIDRNotAvailable",
			fmt.Sprintf("Node %s status is now: CIDRNotAvailable", name))
		return false
	}
	cp := n.DeepCopy()
	cp.Spec.PodCIDR = p.String()
	cp.Spec.PodCIDRs = []string{p.String()}
	cp.ResourceVersion = ""
	if _, err := c.Registry.Update(c.nodes, "", cp, ""); err != nil {
		c.alloc.Release(name)
		return false
	}
	return true
}
