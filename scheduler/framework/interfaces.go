package framework

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// Plugin is anything with a name. Every extension point below is a separate
// one-method interface; a plugin implements the ones it needs.
//
// Concurrency: Filter and Score are called from several goroutines at once
// for different nodes within one cycle; they must only read the CycleState
// data written by their PreFilter/PreScore and the NodeInfo they are given.
// All other extension points run on the scheduler's single goroutine.
type Plugin interface {
	Name() string
}

// PreFilterResult narrows the nodes to evaluate (nil = all).
type PreFilterResult struct {
	NodeNames map[string]struct{}
}

// PreFilterPlugin runs once per cycle before filtering. Returning Skip skips
// this plugin's Filter for the cycle; an unschedulable status rejects the pod
// on every node with that message.
type PreFilterPlugin interface {
	Plugin
	PreFilter(state *CycleState, pod *v1.Pod) (*PreFilterResult, *Status)
}

// PreFilterExtensions update the PreFilter state when the preemption dry run
// or nominated pods add or remove a pod on a node.
type PreFilterExtensions interface {
	AddPod(state *CycleState, podToSchedule *v1.Pod, podToAdd *PodInfo, nodeInfo *NodeInfo) *Status
	RemovePod(state *CycleState, podToSchedule *v1.Pod, podToRemove *PodInfo, nodeInfo *NodeInfo) *Status
}

// FilterPlugin decides whether the pod fits on one node.
type FilterPlugin interface {
	Plugin
	Filter(state *CycleState, pod *v1.Pod, nodeInfo *NodeInfo) *Status
}

// BatchFilterPlugin is an optional fast path of a FilterPlugin, for the
// scheduler's filter loop (kube-scheduler has no such extension point; the
// per-node Filter stays the definition). FilterNodes sets out[i] to exactly
// what Filter(state, pod, nodes[i]) would return, for every i; out has
// len(nodes) and comes in cleared. It returns how many statuses it set
// (non-nil entries of out), so that a pass rejecting nothing costs nothing
// more. Plugins are pure per node, so running
// each plugin over the nodes that passed the previous ones gives every node
// the same first rejection as running all plugins node by node.
type BatchFilterPlugin interface {
	FilterPlugin
	FilterNodes(state *CycleState, pod *v1.Pod, nodes []*NodeInfo, out []*Status) int
}

// PostFilterResult is the outcome of a PostFilter (preemption).
type PostFilterResult struct {
	NominatedNodeName string
	Victims           []*v1.Pod
	// LowerPriorityNominated are pods nominated to the same node with lower
	// priority, whose nomination must be cleared.
	LowerPriorityNominated []*v1.Pod
}

// PostFilterPlugin runs when no node passed Filter; statuses holds each
// rejected node's status by node name.
type PostFilterPlugin interface {
	Plugin
	PostFilter(state *CycleState, pod *v1.Pod, statuses map[string]*Status) (*PostFilterResult, *Status)
}

// PreScorePlugin runs once before scoring with the feasible nodes. Skip
// skips this plugin's Score for the cycle.
type PreScorePlugin interface {
	Plugin
	PreScore(state *CycleState, pod *v1.Pod, nodes []*NodeInfo) *Status
}

// ScorePlugin ranks one feasible node.
type ScorePlugin interface {
	Plugin
	Score(state *CycleState, pod *v1.Pod, nodeInfo *NodeInfo) (int64, *Status)
}

// BatchScorePlugin is an optional fast path of a ScorePlugin: ScoreNodes
// sets out[i] to exactly what Score(state, pod, nodes[i]) would return (it
// reads its cycle state once per call, not once per node). On a failure it
// returns the index of the first failing node and that node's status.
type BatchScorePlugin interface {
	ScorePlugin
	ScoreNodes(state *CycleState, pod *v1.Pod, nodes []*NodeInfo, out []int64) (int, *Status)
}

// NodeScore is a node name and its score.
type NodeScore struct {
	Name  string
	Score int64
}

// NormalizeScorePlugin rescales a ScorePlugin's scores into [0, MaxNodeScore]
// in place; scores are in feasible-node order.
type NormalizeScorePlugin interface {
	ScorePlugin
	NormalizeScore(state *CycleState, pod *v1.Pod, scores []NodeScore) *Status
}

// BatchNormalizeScorePlugin is an optional fast path of a
// NormalizeScorePlugin: NormalizeScoreValues rescales the scores (feasible
// order) in place exactly as NormalizeScore would, for a normalization that
// does not look at node names.
type BatchNormalizeScorePlugin interface {
	NormalizeScorePlugin
	NormalizeScoreValues(state *CycleState, pod *v1.Pod, scores []int64) *Status
}

// ReservePlugin is told when a pod is assumed on a node, and again
// (Unreserve) if the binding fails.
type ReservePlugin interface {
	Plugin
	Reserve(state *CycleState, pod *v1.Pod, nodeName string) *Status
	Unreserve(state *CycleState, pod *v1.Pod, nodeName string)
}

// EnqueueExtensions lists the cluster events that may make a pod rejected by
// this plugin schedulable.
// PreBindPlugin is upstream's PreBind for a scheduler that writes nothing
// itself: it returns the API objects (updated copies of stored ones) that
// must be written, in order, before the pod's Binding, for the pod the
// cycle assumed on nodeName. A non-success status fails the binding (the
// pod is unreserved and retried).
type PreBindPlugin interface {
	Plugin
	PreBind(state *CycleState, pod *v1.Pod, nodeName string) ([]runtime.Object, *Status)
}

type EnqueueExtensions interface {
	EventsToRegister() []ClusterEvent
}

// GVK names the resource of a cluster event.
type GVK string

// Resources of cluster events.
const (
	Pod  GVK = "Pod"
	Node GVK = "Node"
	// The storage objects VolumeBinding waits on.
	PersistentVolumeClaim GVK = "PersistentVolumeClaim"
	PersistentVolume      GVK = "PersistentVolume"
	StorageClass          GVK = "StorageClass"
)

// ActionType is a bit set of what happened to a resource.
type ActionType int64

// Actions, as kube-scheduler's framework.ActionType.
const (
	Add ActionType = 1 << iota
	Delete
	UpdateNodeAllocatable
	UpdateNodeLabel
	UpdateNodeTaint
	UpdateNodeCondition
	UpdatePodLabel
	updatePodOther

	Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint | UpdateNodeCondition | UpdatePodLabel | updatePodOther
	All    = Add | Delete | Update
)

// UpdatePodOther is a pod update other than labels.
const UpdatePodOther = updatePodOther

// ClusterEvent is a resource and the actions a plugin cares about.
type ClusterEvent struct {
	Resource   GVK
	ActionType ActionType
}

// Match reports whether an event e is covered by the registered event r.
func (r ClusterEvent) Match(e ClusterEvent) bool {
	return r.Resource == e.Resource && r.ActionType&e.ActionType != 0
}

// SharedLister gives plugins the cycle's snapshot.
type SharedLister interface {
	// List returns every node in filter order; do not modify.
	List() []*NodeInfo
	// Get returns a node by name (nil if absent).
	Get(name string) *NodeInfo
	// HavePodsWithAffinityList returns nodes with at least one pod with pod (anti-)affinity.
	HavePodsWithAffinityList() []*NodeInfo
	// HavePodsWithRequiredAntiAffinityList returns nodes with at least one pod with required anti-affinity.
	HavePodsWithRequiredAntiAffinityList() []*NodeInfo
}

// ImageLister is optionally implemented by a SharedLister: how many of the
// snapshot's nodes report an image (by normalized name), for plugins that
// can skip work when no node has a pod's images.
type ImageLister interface {
	NodesWithImage(name string) int
}

// ObjectLister gives plugins the other objects the scheduler watches.
type ObjectLister interface {
	// ServicesSelecting returns the non-nil selectors of services in pod's namespace that select pod.
	ServicesSelecting(pod *v1.Pod) []map[string]string
	ReplicaSet(namespace, name string) *appsv1.ReplicaSet
	StatefulSet(namespace, name string) *appsv1.StatefulSet
	ReplicationController(namespace, name string) *v1.ReplicationController
	// NamespaceLabels returns a namespace's labels (nil if unknown).
	NamespaceLabels(namespace string) labels.Set
	// PodDisruptionBudgets returns all PDBs in name order.
	PodDisruptionBudgets() []*policyv1.PodDisruptionBudget
	// PersistentVolumeClaim is a claim by namespace and name, or nil.
	PersistentVolumeClaim(namespace, name string) *v1.PersistentVolumeClaim
	// PersistentVolumes lists every volume, by name.
	PersistentVolumes() []*v1.PersistentVolume
	// PersistentVolume is a volume by name, or nil.
	PersistentVolume(name string) *v1.PersistentVolume
	// StorageClass is a class by name, or nil.
	StorageClass(name string) *storagev1.StorageClass
}

// Handle is what the framework offers plugins.
type Handle interface {
	Snapshot() SharedLister
	Objects() ObjectLister
	Parallelizer() Parallelizer
	// Rand is the cluster's seeded source; only for the scheduler goroutine
	// (PreFilter, PostFilter, PreScore), never inside Filter or Score.
	Rand() *rand.Rand
	// RunFilterPluginsWithNominatedPods runs every Filter plugin on nodeInfo,
	// with pods nominated to that node of equal or higher priority added first.
	RunFilterPluginsWithNominatedPods(state *CycleState, pod *v1.Pod, nodeInfo *NodeInfo) *Status
	RunPreFilterExtensionAddPod(state *CycleState, pod *v1.Pod, toAdd *PodInfo, nodeInfo *NodeInfo) *Status
	RunPreFilterExtensionRemovePod(state *CycleState, pod *v1.Pod, toRemove *PodInfo, nodeInfo *NodeInfo) *Status
	// NominatedPodsForNode lists pods nominated to run on nodeName (by preemption).
	NominatedPodsForNode(nodeName string) []*PodInfo
}

// PluginFactory builds a plugin from its arguments (nil = defaults).
type PluginFactory func(args any, h Handle) (Plugin, error)

// Registry maps plugin names to factories.
type Registry map[string]PluginFactory

// Register adds a factory; a name registered twice is an error.
func (r Registry) Register(name string, f PluginFactory) error {
	if _, ok := r[name]; ok {
		return fmt.Errorf("a plugin named %v already exists", name)
	}
	r[name] = f
	return nil
}

// Merge registers every entry of o; duplicate names are an error.
func (r Registry) Merge(o Registry) error {
	names := slices.Sorted(maps.Keys(o))
	for _, n := range names {
		if err := r.Register(n, o[n]); err != nil {
			return err
		}
	}
	return nil
}
