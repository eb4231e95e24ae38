package scheduler

import (
	"fmt"
	"slices"
	"sort"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// podState is a pod the cache knows: bound (from the store) or assumed (by
// a scheduling cycle, not yet confirmed by the pod's update event).
type podState struct {
	info     *framework.PodInfo
	nodeName string
	assumed  bool
	// bindingFinished is set by Bound.
	bindingFinished bool
}

type imageState struct {
	summary framework.ImageStateSummary
	nodes   map[string]struct{}
}

// cache is the scheduler's authoritative view of nodes and assigned pods.
// NodeInfos here are mutated in place; the snapshot copies the changed ones
// before each cycle.
type cache struct {
	nodes      map[string]*framework.NodeInfo
	pods       map[string]*podState
	images     map[string]*imageState
	tree       nodeTree
	generation int64
	// dirty holds nodes changed (or removed) since the last snapshot update.
	dirty map[string]struct{}
	// treeChanged is set when the node list order changed.
	treeChanged bool
	// dirtyBuf backs dirtyInOrder's result for small dirty sets.
	dirtyBuf []string
}

func newCache() *cache {
	return &cache{
		nodes:  map[string]*framework.NodeInfo{},
		pods:   map[string]*podState{},
		images: map[string]*imageState{},
		dirty:  map[string]struct{}{},
		tree:   newNodeTree(),
	}
}

func (c *cache) touch(name string) {
	c.touchInfo(name, c.nodes[name])
}

// touchInfo is touch for a NodeInfo already looked up (ni may be nil).
func (c *cache) touchInfo(name string, ni *framework.NodeInfo) {
	c.generation++
	if ni != nil {
		ni.Generation = c.generation
	}
	c.dirty[name] = struct{}{}
}

// nodeInfoFor returns the node's NodeInfo, creating a placeholder (pods whose
// node is not known yet) when needed.
func (c *cache) nodeInfoFor(name string) *framework.NodeInfo {
	ni := c.nodes[name]
	if ni == nil {
		ni = framework.NewNodeInfo()
		c.nodes[name] = ni
	}
	return ni
}

func (c *cache) addNode(n *v1.Node) {
	ni := c.nodeInfoFor(n.Name)
	if ni.Node() == nil {
		c.tree.add(n)
		c.treeChanged = true
	} else {
		c.removeImages(ni.Node())
		if c.tree.update(ni.Node(), n) {
			c.treeChanged = true
		}
	}
	ni.SetNode(n)
	ni.ImageStates = c.addImages(n)
	c.touch(n.Name)
}

func (c *cache) removeNode(n *v1.Node) {
	ni := c.nodes[n.Name]
	if ni == nil || ni.Node() == nil {
		return
	}
	c.removeImages(ni.Node())
	c.tree.remove(ni.Node())
	c.treeChanged = true
	// Pods stay until their delete events arrive, as upstream; the node's
	// NodeInfo keeps them without a node and is left out of snapshots.
	if len(ni.Pods) == 0 {
		delete(c.nodes, n.Name)
	} else {
		*ni = *framework.NewNodeInfo(ni.Pods...)
	}
	c.touch(n.Name)
}

func (c *cache) addImages(n *v1.Node) map[string]*framework.ImageStateSummary {
	if len(n.Status.Images) == 0 {
		return nil
	}
	out := map[string]*framework.ImageStateSummary{}
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			st := c.images[name]
			if st == nil {
				st = &imageState{summary: framework.ImageStateSummary{Size: img.SizeBytes}, nodes: map[string]struct{}{}}
				c.images[name] = st
			}
			st.nodes[n.Name] = struct{}{}
			st.summary.NumNodes = len(st.nodes)
			out[name] = &st.summary
		}
	}
	return out
}

func (c *cache) removeImages(n *v1.Node) {
	for _, img := range n.Status.Images {
		for _, name := range img.Names {
			if st := c.images[name]; st != nil {
				delete(st.nodes, n.Name)
				st.summary.NumNodes = len(st.nodes)
				if len(st.nodes) == 0 {
					delete(c.images, name)
				}
			}
		}
	}
}

// assume records pi (already carrying spec.nodeName) on node as assumed.
func (c *cache) assume(pi *framework.PodInfo, node string) error {
	if _, ok := c.pods[pi.Key]; ok {
		return fmt.Errorf("pod %v/%v is in the cache, so can't be assumed", pi.Pod.Namespace, pi.Pod.Name)
	}
	ni := c.nodeInfoFor(node)
	ni.AddPodInfo(pi)
	c.pods[pi.Key] = &podState{info: pi, nodeName: node, assumed: true}
	c.touchInfo(node, ni)
	return nil
}

// forget drops an assumed pod.
func (c *cache) forget(key string) {
	ps := c.pods[key]
	if ps == nil || !ps.assumed {
		return
	}
	c.removePodState(key, ps)
}

func (c *cache) removePodState(key string, ps *podState) {
	if ni := c.nodes[ps.nodeName]; ni != nil {
		ni.RemovePod(ps.info.Pod)
		if ni.Node() == nil && len(ni.Pods) == 0 {
			delete(c.nodes, ps.nodeName)
		}
	}
	delete(c.pods, key)
	c.touch(ps.nodeName)
}

// addPod adds a bound pod, confirming an assumed one.
func (c *cache) addPod(pi *framework.PodInfo) {
	if ps := c.pods[pi.Key]; ps != nil {
		c.removePodState(pi.Key, ps)
	}
	node := pi.Pod.Spec.NodeName
	c.nodeInfoFor(node).AddPodInfo(pi)
	c.pods[pi.Key] = &podState{info: pi, nodeName: node}
	c.touch(node)
}

// confirm replaces an assumed pod's PodInfo by pi, the bound pod on the
// same node with the same requests, ports and affinity, in place.
func (c *cache) confirm(ps *podState, pi *framework.PodInfo) {
	ni := c.nodes[ps.nodeName]
	if ni == nil || !ni.ReplacePodInfo(ps.info, pi) {
		c.addPod(pi)
		return
	}
	ps.info, ps.assumed, ps.bindingFinished = pi, false, false
	c.touchInfo(ps.nodeName, ni)
}

func (c *cache) removePod(key string) bool {
	ps := c.pods[key]
	if ps == nil {
		return false
	}
	c.removePodState(key, ps)
	return true
}

func (c *cache) isAssumed(key string) bool {
	ps := c.pods[key]
	return ps != nil && ps.assumed
}

// snapshot is the cycle's immutable view of the cache.
type snapshot struct {
	nodeInfoMap map[string]*framework.NodeInfo
	list        []*framework.NodeInfo
	// rows[i] is list[i].Row(), rewritten with every NodeInfo the
	// snapshot copies (framework.NodeRow).
	rows []framework.NodeRow
	// memo[i] is rows[i]'s RowMemo, cleared when the row is rewritten.
	memo []framework.RowMemo
	// blocks[b] summarises rows[b*RowBlockSize:][:RowBlockSize]
	// (framework.RowBlock; the last may be short); dirtyBlocks are those
	// whose rows were rewritten since they were summarised.
	blocks       []framework.RowBlock
	dirtyBlocks  []int
	index        map[string]int
	withAffinity []*framework.NodeInfo
	withAnti     []*framework.NodeInfo
	// images is the cache's image index, kept in step with the snapshot
	// (both change only between cycles).
	images map[string]*imageState
}

var (
	_ framework.SharedLister = &snapshot{}
	_ framework.ImageLister  = &snapshot{}
)

// NodesWithImage counts nodes reporting the (normalized) image name.
func (s *snapshot) NodesWithImage(name string) int {
	if st := s.images[name]; st != nil {
		return len(st.nodes)
	}
	return 0
}

func newSnapshot() *snapshot {
	return &snapshot{nodeInfoMap: map[string]*framework.NodeInfo{}, index: map[string]int{}}
}

func (s *snapshot) List() []*framework.NodeInfo { return s.list }
func (s *snapshot) Get(name string) *framework.NodeInfo {
	return s.nodeInfoMap[name]
}
func (s *snapshot) HavePodsWithAffinityList() []*framework.NodeInfo { return s.withAffinity }
func (s *snapshot) HavePodsWithRequiredAntiAffinityList() []*framework.NodeInfo {
	return s.withAnti
}

// updateSnapshot copies only the NodeInfos changed since the last call.
func (c *cache) updateSnapshot(s *snapshot) {
	s.images = c.images
	if len(c.dirty) == 0 && !c.treeChanged {
		return
	}
	rebuildAffinity := c.treeChanged
	// Clone into one block, in list order when the whole list is rebuilt,
	// so the per-node loops walk memory sequentially.
	var block []framework.NodeInfo
	if len(c.dirty) > 64 {
		block = make([]framework.NodeInfo, 0, len(c.dirty))
	}
	cloneOf := func(ni *framework.NodeInfo) *framework.NodeInfo {
		if block != nil && len(block) < cap(block) {
			block = append(block, framework.NodeInfo{})
			ni.CloneInto(&block[len(block)-1])
			return &block[len(block)-1]
		}
		return ni.Clone()
	}
	for _, name := range c.dirtyInOrder() {
		old := s.nodeInfoMap[name]
		if old != nil && (len(old.PodsWithAffinity) > 0 || len(old.PodsWithRequiredAntiAffinity) > 0) {
			rebuildAffinity = true
		}
		ni := c.nodes[name]
		if ni == nil || ni.Node() == nil {
			delete(s.nodeInfoMap, name)
			continue
		}
		if old != nil {
			// Update in place: snapshot NodeInfos are only read during a
			// cycle, and keeping their memory keeps the list contiguous.
			ni.CopyInto(old)
			s.setRow(name, old, c.treeChanged)
			if len(old.PodsWithAffinity) > 0 || len(old.PodsWithRequiredAntiAffinity) > 0 {
				rebuildAffinity = true
			}
			continue
		}
		cl := cloneOf(ni)
		s.nodeInfoMap[name] = cl
		if len(cl.PodsWithAffinity) > 0 || len(cl.PodsWithRequiredAntiAffinity) > 0 {
			rebuildAffinity = true
		}
		if i, ok := s.index[name]; ok && !c.treeChanged {
			s.list[i] = cl
			s.rows[i], s.memo[i] = cl.Row(), framework.RowMemo{}
			s.dirtyBlocks = append(s.dirtyBlocks, i>>framework.RowBlockShift)
		}
	}
	if len(c.dirty) > 64 {
		// A map keeps its capacity: ranging over or clearing one that once
		// held every node costs O(nodes) per cycle. Start small again.
		c.dirty = map[string]struct{}{}
	} else {
		clear(c.dirty)
	}
	if c.treeChanged {
		names := c.tree.list()
		s.list, s.rows = s.list[:0], s.rows[:0]
		clear(s.index)
		for i, n := range names {
			ni := s.nodeInfoMap[n]
			s.list = append(s.list, ni)
			s.rows = append(s.rows, ni.Row())
			s.index[n] = i
		}
		c.treeChanged = false
		s.memo = slices.Grow(s.memo[:0], len(s.rows))[:len(s.rows)]
		clear(s.memo)
		s.blocks = s.blocks[:0]
		for lo := 0; lo < len(s.rows); lo += framework.RowBlockSize {
			s.blocks = append(s.blocks, framework.SummarizeRows(s.rows[lo:min(lo+framework.RowBlockSize, len(s.rows))]))
		}
		s.dirtyBlocks = s.dirtyBlocks[:0]
	}
	for _, b := range s.dirtyBlocks {
		lo := b << framework.RowBlockShift
		s.blocks[b] = framework.SummarizeRows(s.rows[lo:min(lo+framework.RowBlockSize, len(s.rows))])
	}
	s.dirtyBlocks = s.dirtyBlocks[:0]
	if rebuildAffinity {
		s.withAffinity, s.withAnti = s.withAffinity[:0], s.withAnti[:0]
		for _, ni := range s.list {
			if len(ni.PodsWithAffinity) > 0 {
				s.withAffinity = append(s.withAffinity, ni)
			}
			if len(ni.PodsWithRequiredAntiAffinity) > 0 {
				s.withAnti = append(s.withAnti, ni)
			}
		}
	}
}

// setRow rewrites the row of ni, updated in place, unless the whole list
// (and so every row) is about to be rebuilt.
func (s *snapshot) setRow(name string, ni *framework.NodeInfo, rebuild bool) {
	if rebuild {
		return
	}
	if i, ok := s.index[name]; ok && s.list[i] == ni {
		s.rows[i], s.memo[i] = ni.Row(), framework.RowMemo{}
		s.dirtyBlocks = append(s.dirtyBlocks, i>>framework.RowBlockShift)
	}
}

// dirtyInOrder lists dirty node names in node-tree order (then removed
// nodes, sorted), so snapshot clones are laid out in filter order.
func (c *cache) dirtyInOrder() []string {
	if len(c.dirty) <= 64 {
		// The usual cycle dirties a node or two: reuse one small buffer.
		out := c.dirtyBuf[:0]
		for n := range c.dirty {
			out = append(out, n)
		}
		sort.Strings(out)
		c.dirtyBuf = out
		return out
	}
	out := make([]string, 0, len(c.dirty))
	seen := make(map[string]bool, len(c.dirty))
	for _, n := range c.tree.list() {
		if _, ok := c.dirty[n]; ok {
			out = append(out, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range c.dirty {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// nodeTree orders nodes as kube-scheduler's nodeTree: zones in the order
// first seen, nodes within a zone in insertion order, listed round-robin
// across zones.
type nodeTree struct {
	zones []string
	nodes map[string][]string
}

func newNodeTree() nodeTree { return nodeTree{nodes: map[string][]string{}} }

// zoneKey is region + ":\x00:" + zone, as upstream's utilnode.GetZoneKey.
func zoneKey(n *v1.Node) string {
	l := n.Labels
	region, zone := l[v1.LabelTopologyRegion], l[v1.LabelTopologyZone]
	if region == "" {
		region = l[v1.LabelFailureDomainBetaRegion]
	}
	if zone == "" {
		zone = l[v1.LabelFailureDomainBetaZone]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

func (t *nodeTree) add(n *v1.Node) {
	z := zoneKey(n)
	if _, ok := t.nodes[z]; !ok {
		t.zones = append(t.zones, z)
	}
	t.nodes[z] = append(t.nodes[z], n.Name)
}

func (t *nodeTree) remove(n *v1.Node) {
	z := zoneKey(n)
	ns := t.nodes[z]
	for i, name := range ns {
		if name == n.Name {
			t.nodes[z] = append(ns[:i:i], ns[i+1:]...)
			break
		}
	}
	if len(t.nodes[z]) == 0 {
		delete(t.nodes, z)
		for i, zz := range t.zones {
			if zz == z {
				t.zones = append(t.zones[:i:i], t.zones[i+1:]...)
				break
			}
		}
	}
}

// update moves a node whose zone changed; reports whether the order changed.
func (t *nodeTree) update(old, n *v1.Node) bool {
	if zoneKey(old) == zoneKey(n) {
		return false
	}
	t.remove(old)
	t.add(n)
	return true
}

func (t *nodeTree) list() []string {
	var out []string
	idx := make([]int, len(t.zones))
	for {
		added := false
		for zi, z := range t.zones {
			if idx[zi] < len(t.nodes[z]) {
				out = append(out, t.nodes[z][idx[zi]])
				idx[zi]++
				added = true
			}
		}
		if !added {
			return out
		}
	}
}
