// Package volumebinding is kube-scheduler's VolumeBinding plugin
// (pkg/scheduler/framework/plugins/volumebinding): a pod's
// PersistentVolumeClaims decide where it may go and, once it is placed,
// what is written before its Binding.
//
//   - PreFilter classifies the pod's claims (volumes[].persistentVolumeClaim
//     and generic ephemeral volumes): a missing, lost or terminating claim,
//     or an unbound claim of an Immediate class, rejects the pod outright
//     (UnschedulableAndUnresolvable; the binder must act first); a pod
//     without claims skips the plugin.
//   - Filter checks, per node, the node affinity of the volumes of bound
//     claims, and for unbound WaitForFirstConsumer claims either a static
//     volume that fits the node (the binder's FindMatchingVolume from
//     k8s.io/component-helpers, smallest claims first, each volume used
//     once) or a class that can provision there (not
//     kubernetes.io/no-provisioner, allowedTopologies matching the node);
//     a claim already given a node (volume.kubernetes.io/selected-node)
//     fits only that node. The reasons are upstream's texts.
//   - Reserve assumes the choice for the chosen node (a static volume is
//     taken by this claim, a claim to provision gets the node), so the
//     cycles that follow before the writes land see it; Unreserve forgets it.
//   - PreBind returns the writes (the volumes' claimRef, then the claims'
//     selected-node annotation) the simulator makes before the Binding.
//     Upstream's PreBind makes them and waits until the binder and the
//     provisioner have bound every claim; kubesim binds the pod at once
//     and the kubelet waits for the claims instead.
//
// Unlike the other plugins it keeps state between cycles: that assume
// cache, emptied as the stored objects catch up. Capacity scoring
// (VolumeCapacityPriority, alpha) and CSIStorageCapacity are not modelled.
package volumebinding

import (
	"cmp"
	"fmt"
	"slices"

	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"kubesim/scheduler/framework"
)

// Name is the plugin's name.
const Name = "VolumeBinding"

// The Filter reasons (volumebinding/binder.go).
const (
	ErrReasonBindConflict   = "node(s) didn't find available persistent volumes to bind"
	ErrReasonNodeConflict   = "node(s) had volume node affinity conflict"
	ErrReasonNotEnoughSpace = "node(s) did not have enough free storage"
	ErrReasonPVNotExist     = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
	// ErrUnboundImmediate is PreFilter's reason for a claim of an
	// Immediate class that the binder has not bound yet.
	ErrUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims"
)

// notSupportedProvisioner is the provisioner of classes for static volumes only.
const notSupportedProvisioner = "kubernetes.io/no-provisioner"

// VolumeBinding is the plugin.
type VolumeBinding struct {
	h framework.Handle
	// assumedPV: volume name → namespace/name of the claim a reserved
	// cycle gave it; assumedNode: claim → the node a reserved cycle chose
	// for its provisioning. Both are dropped once the store shows them.
	assumedPV, assumedNode map[string]string
	// reserved: pod key → the writes PreBind hands over.
	reserved map[string][]runtime.Object
}

// New builds the plugin.
func New(_ any, h framework.Handle) (framework.Plugin, error) {
	return &VolumeBinding{h: h, assumedPV: map[string]string{}, assumedNode: map[string]string{}, reserved: map[string][]runtime.Object{}}, nil
}

// Name is the plugin's name.
func (*VolumeBinding) Name() string { return Name }

const stateKey framework.StateKey = "PreFilter" + Name

// claims is the pod's claims as PreFilter found them: bound ones and
// unbound WaitForFirstConsumer ones, each of those with the volumes that
// could ever take it (its class, not taken by another claim, not assumed
// for one), found once per cycle so that Filter looks at those only.
type claims struct {
	bound, delayed []*v1.PersistentVolumeClaim
	candidates     [][]*v1.PersistentVolume
}

func (c *claims) Clone() framework.StateData { return c }

func key(ns, name string) string { return ns + "/" + name }

// claimName is the claim a pod volume uses ("" for other volumes);
// ephemeral reports a generic ephemeral volume (<pod>-<volume>).
func claimName(pod *v1.Pod, vol *v1.Volume) (name string, ephemeral bool) {
	switch {
	case vol.PersistentVolumeClaim != nil:
		return vol.PersistentVolumeClaim.ClaimName, false
	case vol.Ephemeral != nil:
		return pod.Name + "-" + vol.Name, true
	}
	return "", false
}

// PreFilter classifies the pod's claims.
func (pl *VolumeBinding) PreFilter(state *framework.CycleState, pod *v1.Pod) (*framework.PreFilterResult, *framework.Status) {
	pl.prune()
	objs := pl.h.Objects()
	var c claims
	has, immediate := false, false
	for i := range pod.Spec.Volumes {
		name, eph := claimName(pod, &pod.Spec.Volumes[i])
		if name == "" {
			continue
		}
		has = true
		pvc := objs.PersistentVolumeClaim(pod.Namespace, name)
		switch {
		case pvc == nil && eph:
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("waiting for ephemeral volume controller to create the persistentvolumeclaim %q", name))
		case pvc == nil:
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q not found", name))
		case pvc.Status.Phase == v1.ClaimLost:
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q bound to non-existent persistentvolume %q", pvc.Name, pvc.Spec.VolumeName))
		case pvc.DeletionTimestamp != nil:
			return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q is being deleted", pvc.Name))
		}
		if pvc.Spec.VolumeName != "" && metav1.HasAnnotation(pvc.ObjectMeta, volumehelpers.AnnBindCompleted) {
			c.bound = append(c.bound, pvc)
			continue
		}
		if pl.delayBinding(pvc) && pvc.Spec.VolumeName == "" {
			c.delayed = append(c.delayed, pvc)
		} else {
			immediate = true
		}
	}
	if !has {
		return nil, framework.SkipStatus
	}
	if immediate {
		return nil, framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrUnboundImmediate)
	}
	for _, pvc := range c.delayed {
		c.candidates = append(c.candidates, pl.candidates(pvc))
	}
	state.Write(stateKey, &c)
	return nil, nil
}

// delayBinding is IsDelayBindingMode: the claim's class binds on first
// consumer (no class, or a class not found: no).
func (pl *VolumeBinding) delayBinding(pvc *v1.PersistentVolumeClaim) bool {
	name := volumehelpers.GetPersistentVolumeClaimClass(pvc)
	if name == "" {
		return false
	}
	sc := pl.h.Objects().StorageClass(name)
	return sc != nil && sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

// candidates are the volumes of the claim's class that are free (or
// pre-bound to it) and not assumed for another claim.
func (pl *VolumeBinding) candidates(pvc *v1.PersistentVolumeClaim) []*v1.PersistentVolume {
	class := volumehelpers.GetPersistentVolumeClaimClass(pvc)
	var out []*v1.PersistentVolume
	for _, pv := range pl.h.Objects().PersistentVolumes() {
		if volumehelpers.GetPersistentVolumeClass(pv) != class {
			continue
		}
		if pv.Spec.ClaimRef != nil && !volumehelpers.IsVolumeBoundToClaim(pv, pvc) {
			continue
		}
		if c, ok := pl.assumedPV[pv.Name]; ok && c != key(pvc.Namespace, pvc.Name) {
			continue
		}
		out = append(out, pv)
	}
	return out
}

// prune drops assumptions the stored objects now show (or that are moot).
func (pl *VolumeBinding) prune() {
	objs := pl.h.Objects()
	for name := range pl.assumedPV {
		if pv := objs.PersistentVolume(name); pv == nil || pv.Spec.ClaimRef != nil {
			delete(pl.assumedPV, name)
		}
	}
	for k := range pl.assumedNode {
		ns, name := splitKey(k)
		if pvc := objs.PersistentVolumeClaim(ns, name); pvc == nil || pvc.Annotations[volumehelpers.AnnSelectedNode] != "" || pvc.Spec.VolumeName != "" {
			delete(pl.assumedNode, k)
		}
	}
}

func splitKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return k[:i], k[i+1:]
		}
	}
	return "", k
}

// placement is what a node would get: volumes to bind (the chosen
// volume, the claim) and claims to provision.
type placement struct {
	static    [][2]any // {*v1.PersistentVolume, *v1.PersistentVolumeClaim}
	provision []*v1.PersistentVolumeClaim
}

// find is FindPodVolumes: the reasons the node does not fit (nil if it
// does) and, if it does, the placement.
func (pl *VolumeBinding) find(c *claims, node *v1.Node) ([]string, *placement, error) {
	objs := pl.h.Objects()
	boundOK, pvsFound := true, true
	for _, pvc := range c.bound {
		pv := objs.PersistentVolume(pvc.Spec.VolumeName)
		if pv == nil {
			pvsFound = false
			break
		}
		if volumehelpers.CheckNodeAffinity(pv, node.Labels) != nil {
			boundOK = false
			break
		}
	}
	unboundOK := true
	p := &placement{}
	if boundOK && pvsFound && len(c.delayed) > 0 {
		var toMatch []*v1.PersistentVolumeClaim
		cands := map[*v1.PersistentVolumeClaim][]*v1.PersistentVolume{}
		for i, pvc := range c.delayed {
			sel := pvc.Annotations[volumehelpers.AnnSelectedNode]
			if sel == "" {
				sel = pl.assumedNode[key(pvc.Namespace, pvc.Name)]
			}
			if sel == "" {
				toMatch = append(toMatch, pvc)
				cands[pvc] = c.candidates[i]
				continue
			}
			if sel != node.Name {
				unboundOK = false
				break
			}
			p.provision = append(p.provision, pvc)
		}
		if unboundOK && len(toMatch) > 0 {
			unmatched, err := pl.match(toMatch, cands, node, p)
			if err != nil {
				return nil, nil, err
			}
			unboundOK = len(unmatched) == 0
			p.provision = append(p.provision, unmatched...)
		}
		if len(p.provision) > 0 {
			ok, err := pl.canProvision(p.provision, node)
			if err != nil {
				return nil, nil, err
			}
			unboundOK = ok
		}
	}
	var reasons []string
	if !boundOK {
		reasons = append(reasons, ErrReasonNodeConflict)
	}
	if !unboundOK {
		reasons = append(reasons, ErrReasonBindConflict)
	}
	if !pvsFound {
		reasons = append(reasons, ErrReasonPVNotExist)
	}
	if reasons != nil {
		return reasons, nil, nil
	}
	return nil, p, nil
}

// match is findMatchingVolumes: the claims, smallest request first, each
// take the smallest fitting volume of their class not taken before; it
// returns the claims left without one.
func (pl *VolumeBinding) match(toMatch []*v1.PersistentVolumeClaim, cands map[*v1.PersistentVolumeClaim][]*v1.PersistentVolume, node *v1.Node, p *placement) ([]*v1.PersistentVolumeClaim, error) {
	toMatch = slices.Clone(toMatch)
	slices.SortStableFunc(toMatch, func(a, b *v1.PersistentVolumeClaim) int {
		qa, qb := a.Spec.Resources.Requests[v1.ResourceStorage], b.Spec.Resources.Requests[v1.ResourceStorage]
		return qa.Cmp(qb)
	})
	chosen := map[string]*v1.PersistentVolume{}
	var unmatched []*v1.PersistentVolumeClaim
	for _, pvc := range toMatch {
		pvs := cands[pvc]
		if len(pvs) == 0 {
			unmatched = append(unmatched, pvc)
			continue
		}
		pv, err := volumehelpers.FindMatchingVolume(pvc, pvs, node, chosen, true, false)
		if err != nil {
			return nil, err
		}
		if pv == nil {
			unmatched = append(unmatched, pvc)
			continue
		}
		chosen[pv.Name] = pv
		p.static = append(p.static, [2]any{pv, pvc})
	}
	return unmatched, nil
}

// canProvision is checkVolumeProvisions: every claim's class has a
// provisioner that can serve the node.
func (pl *VolumeBinding) canProvision(cs []*v1.PersistentVolumeClaim, node *v1.Node) (bool, error) {
	for _, pvc := range cs {
		name := volumehelpers.GetPersistentVolumeClaimClass(pvc)
		if name == "" {
			return false, fmt.Errorf("no class for claim %q", key(pvc.Namespace, pvc.Name))
		}
		sc := pl.h.Objects().StorageClass(name)
		if sc == nil {
			return false, fmt.Errorf("failed to find storage class %q", name)
		}
		if sc.Provisioner == "" || sc.Provisioner == notSupportedProvisioner {
			return false, nil
		}
		if !matchTopology(sc.AllowedTopologies, node.Labels) {
			return false, nil
		}
	}
	return true, nil
}

// matchTopology is MatchTopologySelectorTerms: no terms match every node;
// otherwise some term's expressions all hold.
func matchTopology(terms []v1.TopologySelectorTerm, nodeLabels map[string]string) bool {
	if len(terms) == 0 {
		return true
	}
	for _, t := range terms {
		ok := true
		for _, e := range t.MatchLabelExpressions {
			v, has := nodeLabels[e.Key]
			if !has || !slices.Contains(e.Values, v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Filter rejects a node with upstream's reasons.
func (pl *VolumeBinding) Filter(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) *framework.Status {
	d, err := state.Read(stateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	reasons, _, err := pl.find(d.(*claims), ni.Node())
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(reasons) > 0 {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, reasons...)
	}
	return nil
}

// Reserve assumes the pod's volumes on the node (AssumePodVolumes).
func (pl *VolumeBinding) Reserve(state *framework.CycleState, pod *v1.Pod, nodeName string) *framework.Status {
	c, ni := pl.podClaims(pod), pl.h.Snapshot().Get(nodeName)
	if c == nil || ni == nil || len(c.delayed) == 0 {
		return nil
	}
	reasons, p, err := pl.find(c, ni.Node())
	if err != nil {
		return framework.AsStatus(err)
	}
	if len(reasons) > 0 {
		return framework.NewStatus(framework.Error, fmt.Sprintf("pod volumes no longer fit node %q: %v", nodeName, reasons))
	}
	var writes []runtime.Object
	for _, b := range p.static {
		pv, pvc := b[0].(*v1.PersistentVolume), b[1].(*v1.PersistentVolumeClaim)
		nv, dirty, err := volumehelpers.GetBindVolumeToClaim(pv, pvc)
		if err != nil {
			return framework.AsStatus(err)
		}
		pl.assumedPV[pv.Name] = key(pvc.Namespace, pvc.Name)
		if dirty {
			writes = append(writes, nv)
		}
	}
	for _, pvc := range p.provision {
		if pvc.Annotations[volumehelpers.AnnSelectedNode] == nodeName || pl.assumedNode[key(pvc.Namespace, pvc.Name)] == nodeName {
			continue // written already, or by an earlier pod's binding
		}
		cp := pvc.DeepCopy()
		metav1.SetMetaDataAnnotation(&cp.ObjectMeta, volumehelpers.AnnSelectedNode, nodeName)
		pl.assumedNode[key(pvc.Namespace, pvc.Name)] = nodeName
		writes = append(writes, cp)
	}
	pl.reserved[key(pod.Namespace, pod.Name)] = writes
	return nil
}

// podClaims is PreFilter's classification again, for Reserve (which has
// a fresh cycle state); nil if the pod has no claims or cannot go anywhere.
func (pl *VolumeBinding) podClaims(pod *v1.Pod) *claims {
	st := framework.NewCycleState(nil)
	if _, s := pl.PreFilter(st, pod); !s.IsSuccess() {
		return nil
	}
	d, err := st.Read(stateKey)
	if err != nil {
		return nil
	}
	return d.(*claims)
}

// Unreserve forgets what Reserve assumed.
func (pl *VolumeBinding) Unreserve(_ *framework.CycleState, pod *v1.Pod, _ string) {
	k := key(pod.Namespace, pod.Name)
	for _, o := range pl.reserved[k] {
		switch o := o.(type) {
		case *v1.PersistentVolume:
			delete(pl.assumedPV, o.Name)
		case *v1.PersistentVolumeClaim:
			delete(pl.assumedNode, key(o.Namespace, o.Name))
		}
	}
	delete(pl.reserved, k)
}

// PreBind hands over Reserve's writes: volumes first, then claims.
func (pl *VolumeBinding) PreBind(_ *framework.CycleState, pod *v1.Pod, _ string) ([]runtime.Object, *framework.Status) {
	k := key(pod.Namespace, pod.Name)
	writes := pl.reserved[k]
	delete(pl.reserved, k)
	slices.SortStableFunc(writes, func(a, b runtime.Object) int {
		_, av := a.(*v1.PersistentVolume)
		_, bv := b.(*v1.PersistentVolume)
		return cmp.Compare(rank(av), rank(bv))
	})
	return writes, nil
}

func rank(isVolume bool) int {
	if isVolume {
		return 0
	}
	return 1
}

// EventsToRegister: claims, volumes and classes appearing or changing, and
// nodes appearing or relabelled, may let a rejected pod fit.
func (*VolumeBinding) EventsToRegister() []framework.ClusterEvent {
	return []framework.ClusterEvent{
		{Resource: framework.PersistentVolumeClaim, ActionType: framework.Add | framework.Update},
		{Resource: framework.PersistentVolume, ActionType: framework.Add | framework.Update},
		{Resource: framework.StorageClass, ActionType: framework.Add | framework.Update},
		{Resource: framework.Node, ActionType: framework.Add | framework.UpdateNodeLabel},
	}
}
