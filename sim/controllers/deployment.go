package controllers

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/sim/store"
)

// deploymentController rolls Deployments out through ReplicaSets named
// <deployment>-<pod-template-hash> (upstream pkg/controller/deployment:
// sync.go, rolling.go, recreate.go, progress.go). It implements rolling
// update with maxSurge/maxUnavailable, recreate, proportional scaling,
// pause/resume, revision annotations, revisionHistoryLimit cleanup and the
// Available/Progressing conditions with upstream reasons and messages,
// including the progress deadline on the virtual clock.
type deploymentController struct {
	controller[*appsv1.Deployment]
	podRS map[string]bool // ns/rs of deleted pods (Recreate waits for old pods to go)
}

func newDeployment(b *base) *deploymentController {
	c := &deploymentController{podRS: map[string]bool{}}
	c.controller = newController[*appsv1.Deployment](b, "deployment", b.deployments, c.syncDeployment)
	c.owns = map[string]string{"replicasets": "Deployment"}
	c.onEvent, c.onEventFor = c.handle, resources("replicasets", "pods")
	return c
}

// handle relists a namespace where a ReplicaSet without a controller
// appeared (a Deployment may adopt it) and remembers the ReplicaSets of
// deleted pods.
func (c *deploymentController) handle(ev store.Event, res, ns, _ string) {
	switch res {
	case "replicasets":
		if ev.Type != store.Put {
			return
		}
		for _, o := range []any{objOf(ev), prevOf(ev)} {
			if rs, ok := o.(*appsv1.ReplicaSet); ok && metav1.GetControllerOfNoCopy(rs) == nil {
				c.relistNS(ns)
			}
		}
	case "pods":
		if ev.Type != store.Delete {
			return
		}
		if p, ok := objOf(ev).(*corev1.Pod); ok {
			if ref := metav1.GetControllerOfNoCopy(p); ref != nil && ref.Kind == "ReplicaSet" {
				c.podRS[nsKey(ns, ref.Name)] = true
			}
		}
	}
}

// Run queues the Deployments of the ReplicaSets whose pods went, then runs
// the skeleton.
func (c *deploymentController) Run(now time.Time) bool {
	for k := range c.podRS {
		delete(c.podRS, k)
		ns, name := splitNS(k)
		if rs, ok := get[*appsv1.ReplicaSet](c.base, c.replicasets, ns, name); ok {
			if ref := metav1.GetControllerOfNoCopy(rs); ref != nil && ref.Kind == "Deployment" {
				c.queue.add(nsKey(ns, ref.Name))
			}
		}
	}
	return c.controller.Run(now)
}

// deploySync carries one sync's state: the latest deployment and whether
// anything was written.
type deploySync struct {
	c     *deploymentController
	d     *appsv1.Deployment
	rss   []*appsv1.ReplicaSet
	now   time.Time
	wrote bool
}

func (c *deploymentController) syncDeployment(key string, now time.Time) bool {
	d, ok := c.get(key)
	if !ok {
		return false
	}
	s := &deploySync{c: c, d: d, now: now}
	if selectsAll(d.Spec.Selector) {
		c.record(d, corev1.EventTypeWarning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
		if d.Status.ObservedGeneration < d.Generation {
			cp := d.DeepCopy()
			cp.Status.ObservedGeneration = d.Generation
			s.updateStatus(cp)
		}
		return s.wrote
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return false
	}
	s.rss = s.claimReplicaSets(sel)
	if d.DeletionTimestamp != nil {
		newRS, old := s.allRSs(false)
		s.syncStatusOnly(append(old, newRS), newRS)
		return s.wrote
	}
	s.checkPaused()
	if s.d.Spec.Paused || s.isScalingEvent() {
		s.syncScale()
		return s.wrote
	}
	if s.d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		s.rolloutRecreate()
	} else {
		s.rolloutRolling()
	}
	return s.wrote
}

// claimReplicaSets adopts orphans matching the selector and releases owned
// ReplicaSets that no longer match.
func (s *deploySync) claimReplicaSets(sel labels.Selector) []*appsv1.ReplicaSet {
	c, d := s.c, s.d
	var out []*appsv1.ReplicaSet
	for _, rs := range list[*appsv1.ReplicaSet](c.base, c.replicasets, d.Namespace) {
		ref := metav1.GetControllerOfNoCopy(rs)
		matches := sel.Matches(labels.Set(rs.Labels))
		switch {
		case ref != nil && ref.UID != d.UID:
		case ref != nil && matches:
			out = append(out, rs)
		case ref != nil:
			if d.DeletionTimestamp != nil || rs.DeletionTimestamp != nil {
				continue
			}
			cp := rs.DeepCopy()
			var refs []metav1.OwnerReference
			for _, r := range cp.OwnerReferences {
				if r.UID != d.UID {
					refs = append(refs, r)
				}
			}
			cp.OwnerReferences, cp.ResourceVersion = refs, ""
			if _, err := c.Registry.Update(c.replicasets, cp.Namespace, cp, ""); err == nil {
				s.wrote = true
			}
		case matches && d.DeletionTimestamp == nil && rs.DeletionTimestamp == nil:
			cp := rs.DeepCopy()
			cp.OwnerReferences = append(cp.OwnerReferences, c.controllerRef(d))
			cp.ResourceVersion = ""
			if o, err := c.Registry.Update(c.replicasets, cp.Namespace, cp, ""); err == nil {
				s.wrote = true
				out = append(out, o.(*appsv1.ReplicaSet))
			}
		}
	}
	return out
}

// replace swaps a ReplicaSet in s.rss for its updated version.
func (s *deploySync) replace(rs *appsv1.ReplicaSet) {
	for i := range s.rss {
		if s.rss[i].UID == rs.UID {
			s.rss[i] = rs
			return
		}
	}
	s.rss = append(s.rss, rs)
}

func (s *deploySync) updateStatus(d *appsv1.Deployment) {
	d.ResourceVersion = ""
	if o, err := s.c.Registry.Update(s.c.deployments, d.Namespace, d, "status"); err == nil {
		s.d = o.(*appsv1.Deployment)
		s.wrote = true
	}
}

func (s *deploySync) updateMeta(d *appsv1.Deployment) {
	d.ResourceVersion = ""
	st := d.Status
	if o, err := s.c.Registry.Update(s.c.deployments, d.Namespace, d, ""); err == nil {
		s.d = o.(*appsv1.Deployment)
		s.wrote = true
		if !equality.Semantic.DeepEqual(st, s.d.Status) {
			cp := s.d.DeepCopy()
			cp.Status = st
			s.updateStatus(cp)
		}
	}
}

// checkPaused maintains the DeploymentPaused / DeploymentResumed condition.
func (s *deploySync) checkPaused() {
	d := s.d
	if !hasProgressDeadline(d) {
		return
	}
	cond := getCond(&d.Status, appsv1.DeploymentProgressing)
	if cond != nil && cond.Reason == reasonTimedOut {
		return
	}
	pausedCond := cond != nil && cond.Reason == reasonPaused
	now := s.c.metaNow()
	cp := d.DeepCopy()
	switch {
	case d.Spec.Paused && !pausedCond:
		setCond(&cp.Status, newCond(appsv1.DeploymentProgressing, corev1.ConditionUnknown, reasonPaused, "Deployment is paused", now))
	case !d.Spec.Paused && pausedCond:
		setCond(&cp.Status, newCond(appsv1.DeploymentProgressing, corev1.ConditionUnknown, reasonResumed, "Deployment is resumed", now))
	default:
		return
	}
	s.updateStatus(cp)
}

// allRSs is getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created
// when create is set and it does not exist) and the others, oldest first.
func (s *deploySync) allRSs(create bool) (*appsv1.ReplicaSet, []*appsv1.ReplicaSet) {
	_, old := findNewRS(s.d, s.rss)
	newRS := s.newReplicaSet(old, create)
	var rest []*appsv1.ReplicaSet
	for _, rs := range s.rss {
		if newRS == nil || rs.UID != newRS.UID {
			rest = append(rest, rs)
		}
	}
	sortByCreation(rest)
	return newRS, rest
}

func (s *deploySync) newReplicaSet(old []*appsv1.ReplicaSet, create bool) *appsv1.ReplicaSet {
	c := s.c
	existing, _ := findNewRS(s.d, s.rss)
	newRevision := strconv.FormatInt(maxRevision(old)+1, 10)
	now := c.metaNow()
	if existing != nil {
		cp := existing.DeepCopy()
		annChanged := setNewRSAnnotations(s.d, cp, newRevision, true)
		if annChanged || cp.Spec.MinReadySeconds != s.d.Spec.MinReadySeconds {
			cp.Spec.MinReadySeconds = s.d.Spec.MinReadySeconds
			cp.ResourceVersion = ""
			o, err := c.Registry.Update(c.replicasets, cp.Namespace, cp, "")
			if err != nil {
				return existing
			}
			s.wrote = true
			s.replace(o.(*appsv1.ReplicaSet))
			return o.(*appsv1.ReplicaSet)
		}
		d := s.d.DeepCopy()
		var progressing *appsv1.DeploymentCondition
		if hasProgressDeadline(d) && getCond(&d.Status, appsv1.DeploymentProgressing) == nil {
			progressing = ptrTo(newCond(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonFoundNewRS, fmt.Sprintf("Found new replica set %q", cp.Name), now))
		}
		s.setRevision(d, cp.Annotations[revisionAnnotation], progressing)
		return existing
	}
	if !create {
		return nil
	}
	d := s.d
	tmpl := *d.Spec.Template.DeepCopy()
	hash := ComputeHash(&tmpl, d.Status.CollisionCount)
	tmpl.Labels = copyMap(d.Spec.Template.Labels)
	if tmpl.Labels == nil {
		tmpl.Labels = map[string]string{}
	}
	tmpl.Labels[podTemplateHashLabel] = hash
	sel := d.Spec.Selector.DeepCopy()
	if sel.MatchLabels == nil {
		sel.MatchLabels = map[string]string{}
	}
	sel.MatchLabels[podTemplateHashLabel] = hash
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name: d.Name + "-" + hash, Namespace: d.Namespace,
			OwnerReferences: []metav1.OwnerReference{c.controllerRef(d)},
			Labels:          copyMap(tmpl.Labels),
		},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptrTo(int32(0)), MinReadySeconds: d.Spec.MinReadySeconds, Selector: sel, Template: tmpl},
	}
	n := newRSNewReplicas(d, append(append([]*appsv1.ReplicaSet(nil), old...), rs), rs)
	rs.Spec.Replicas = ptrTo(n)
	setNewRSAnnotations(d, rs, newRevision, false)
	out, err := c.Registry.Create(c.replicasets, d.Namespace, rs, false)
	alreadyExists := false
	if apierrors.IsAlreadyExists(err) {
		cur, ok := get[*appsv1.ReplicaSet](c.base, c.replicasets, d.Namespace, rs.Name)
		if ok {
			if ref := metav1.GetControllerOfNoCopy(cur); ref != nil && ref.UID == d.UID && equalIgnoreHash(&d.Spec.Template, &cur.Spec.Template) {
				out, err, alreadyExists = cur, nil, true
			}
		}
		if err != nil {
			// Hash collision: bump collisionCount and try again next sync.
			cp := d.DeepCopy()
			if cp.Status.CollisionCount == nil {
				cp.Status.CollisionCount = ptrTo(int32(0))
			}
			*cp.Status.CollisionCount++
			s.updateStatus(cp)
			return nil
		}
	}
	if err != nil {
		return nil
	}
	created := out.(*appsv1.ReplicaSet)
	if !alreadyExists {
		s.wrote = true
		s.replace(created)
		if n > 0 {
			msg := fmt.Sprintf("Scaled up replica set %s to %d", created.Name, n)
			if c.minor >= 32 {
				msg = fmt.Sprintf("Scaled up replica set %s from 0 to %d", created.Name, n)
			}
			c.record(d, corev1.EventTypeNormal, "ScalingReplicaSet", msg)
		}
	}
	cp := d.DeepCopy()
	var progressing *appsv1.DeploymentCondition
	if !alreadyExists && hasProgressDeadline(cp) {
		progressing = ptrTo(newCond(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonNewRSCreated, fmt.Sprintf("Created new replica set %q", created.Name), now))
	}
	s.setRevision(cp, newRevision, progressing)
	return created
}

// setRevision sets the Deployment d's revision annotation and, if given, its
// Progressing condition, and writes d: its metadata when the revision
// changed (the status goes with it), else its status when the condition
// was set.
func (s *deploySync) setRevision(d *appsv1.Deployment, revision string, progressing *appsv1.DeploymentCondition) {
	metaChanged := setDeploymentRevision(d, revision)
	if progressing != nil {
		setCond(&d.Status, *progressing)
	}
	switch {
	case metaChanged:
		s.updateMeta(d)
	case progressing != nil:
		s.updateStatus(d)
	}
}

// scaleRS sets a ReplicaSet's size and replica annotations and records
// the ScalingReplicaSet event (scaleReplicaSet).
func (s *deploySync) scaleRS(rs *appsv1.ReplicaSet, newScale int32, op string) (*appsv1.ReplicaSet, bool) {
	c, d := s.c, s.d
	old := replicasOf(rs.Spec.Replicas)
	sizeChange := old != newScale
	cp := rs.DeepCopy()
	annChange := setReplicasAnnotations(cp, replicasOf(d.Spec.Replicas), replicasOf(d.Spec.Replicas)+maxSurge(d))
	if !sizeChange && !annChange {
		return rs, false
	}
	cp.Spec.Replicas = ptrTo(newScale)
	cp.ResourceVersion = ""
	o, err := c.Registry.Update(c.replicasets, cp.Namespace, cp, "")
	if err != nil {
		return rs, false
	}
	s.wrote = true
	out := o.(*appsv1.ReplicaSet)
	s.replace(out)
	if sizeChange {
		msg := fmt.Sprintf("Scaled %s replica set %s to %d from %d", op, out.Name, newScale, old)
		if c.minor >= 32 {
			msg = fmt.Sprintf("Scaled %s replica set %s from %d to %d", op, out.Name, old, newScale)
		}
		c.record(d, corev1.EventTypeNormal, "ScalingReplicaSet", msg)
	}
	return out, sizeChange
}

func (s *deploySync) scaleAndRecord(rs *appsv1.ReplicaSet, newScale int32) (*appsv1.ReplicaSet, bool) {
	cur := replicasOf(rs.Spec.Replicas)
	if cur == newScale {
		return rs, false
	}
	op := "down"
	if cur < newScale {
		op = "up"
	}
	return s.scaleRS(rs, newScale, op)
}

// isScalingEvent: an active ReplicaSet's desired-replicas annotation
// differs from spec.replicas.
func (s *deploySync) isScalingEvent() bool {
	newRS, old := s.allRSs(false)
	for _, rs := range activeRSs(append(old, newRS)) {
		v, ok := rs.Annotations[desiredReplicasAnnotation]
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && int32(n) != replicasOf(s.d.Spec.Replicas) {
			return true
		}
	}
	return false
}

// syncScale is sync(): scale, clean up when paused, update status.
func (s *deploySync) syncScale() {
	newRS, old := s.allRSs(false)
	s.scale(newRS, old)
	newRS, old = s.allRSs(false)
	if s.d.Spec.Paused {
		s.cleanup(old)
	}
	s.syncStatusOnly(append(append([]*appsv1.ReplicaSet(nil), old...), newRS), newRS)
}

// syncStatusOnly is syncDeploymentStatus: status without the Progressing logic.
func (s *deploySync) syncStatusOnly(all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) {
	st := s.calculateStatus(all, newRS)
	if !equality.Semantic.DeepEqual(st, s.d.Status) {
		cp := s.d.DeepCopy()
		cp.Status = st
		s.updateStatus(cp)
	}
}

// scale is the proportional scaler.
func (s *deploySync) scale(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) {
	d := s.d
	want := replicasOf(d.Spec.Replicas)
	if rs := findActiveOrLatest(newRS, old); rs != nil {
		if replicasOf(rs.Spec.Replicas) != want {
			s.scaleAndRecord(rs, want)
		}
		return
	}
	if isSaturated(d, newRS) {
		for _, rs := range activeRSs(old) {
			s.scaleAndRecord(rs, 0)
		}
		return
	}
	if !isRolling(d) {
		return
	}
	all := activeRSs(append(append([]*appsv1.ReplicaSet(nil), old...), newRS))
	total := sumSpec(all)
	allowed := int32(0)
	if want > 0 {
		allowed = want + maxSurge(d)
	}
	toAdd := allowed - total
	op := ""
	switch {
	case toAdd > 0:
		sort.SliceStable(all, func(i, j int) bool { return bySize(all[i], all[j], true) })
		op = "up"
	case toAdd < 0:
		sort.SliceStable(all, func(i, j int) bool { return bySize(all[i], all[j], false) })
		op = "down"
	}
	added := int32(0)
	size := map[string]int32{}
	for _, rs := range all {
		if toAdd != 0 {
			p := proportion(rs, d, toAdd, added)
			size[rs.Name] = replicasOf(rs.Spec.Replicas) + p
			added += p
		} else {
			size[rs.Name] = replicasOf(rs.Spec.Replicas)
		}
	}
	for i, rs := range all {
		if i == 0 && toAdd != 0 {
			size[rs.Name] = max(size[rs.Name]+toAdd-added, 0)
		}
		s.scaleRS(rs, size[rs.Name], op)
	}
}

// bySize orders larger first; ties newer first (newer) or older first.
func bySize(a, b *appsv1.ReplicaSet, newer bool) bool {
	if ra, rb := replicasOf(a.Spec.Replicas), replicasOf(b.Spec.Replicas); ra != rb {
		return ra > rb
	}
	if a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.Name < b.Name
	}
	if newer {
		return b.CreationTimestamp.Before(&a.CreationTimestamp)
	}
	return a.CreationTimestamp.Before(&b.CreationTimestamp)
}

func proportion(rs *appsv1.ReplicaSet, d *appsv1.Deployment, toAdd, added int32) int32 {
	if rs == nil || replicasOf(rs.Spec.Replicas) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	frac := fraction(rs, d)
	allowed := toAdd - added
	if toAdd > 0 {
		return min(frac, allowed)
	}
	return max(frac, allowed)
}

func fraction(rs *appsv1.ReplicaSet, d *appsv1.Deployment) int32 {
	cur := replicasOf(rs.Spec.Replicas)
	if replicasOf(d.Spec.Replicas) == 0 {
		return -cur
	}
	total := replicasOf(d.Spec.Replicas) + maxSurge(d)
	annotated := d.Status.Replicas
	if v, err := strconv.Atoi(rs.Annotations[maxReplicasAnnotation]); err == nil {
		annotated = int32(v)
	}
	if annotated == 0 {
		return 0
	}
	f := float64(cur*total) / float64(annotated)
	if f < 0 {
		return int32(f-0.5) - cur
	}
	return int32(f+0.5) - cur
}

func findActiveOrLatest(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	if newRS == nil && len(old) == 0 {
		return nil
	}
	sorted := append([]*appsv1.ReplicaSet(nil), old...)
	sortByCreation(sorted)
	for i, j := 0, len(sorted)-1; i < j; i, j = i+1, j-1 {
		sorted[i], sorted[j] = sorted[j], sorted[i]
	}
	all := activeRSs(append(sorted, newRS))
	switch len(all) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return sorted[0]
	case 1:
		return all[0]
	}
	return nil
}

func isSaturated(d *appsv1.Deployment, rs *appsv1.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	want := replicasOf(d.Spec.Replicas)
	v, err := strconv.Atoi(rs.Annotations[desiredReplicasAnnotation])
	return err == nil && int32(v) == want && replicasOf(rs.Spec.Replicas) == want && rs.Status.AvailableReplicas == want
}

// cleanup deletes old, empty ReplicaSets beyond revisionHistoryLimit.
func (s *deploySync) cleanup(old []*appsv1.ReplicaSet) {
	d := s.d
	if d.Spec.RevisionHistoryLimit == nil {
		return
	}
	var alive []*appsv1.ReplicaSet
	for _, rs := range old {
		if rs != nil && rs.DeletionTimestamp == nil {
			alive = append(alive, rs)
		}
	}
	diff := len(alive) - int(*d.Spec.RevisionHistoryLimit)
	if diff <= 0 {
		return
	}
	sort.SliceStable(alive, func(i, j int) bool {
		ri, rj := revisionOf(alive[i]), revisionOf(alive[j])
		if ri != rj {
			return ri < rj
		}
		if alive[i].CreationTimestamp.Equal(&alive[j].CreationTimestamp) {
			return alive[i].Name < alive[j].Name
		}
		return alive[i].CreationTimestamp.Before(&alive[j].CreationTimestamp)
	})
	for _, rs := range alive[:diff] {
		if rs.Status.Replicas != 0 || replicasOf(rs.Spec.Replicas) != 0 || rs.Generation > rs.Status.ObservedGeneration {
			continue
		}
		if _, err := s.c.Registry.Delete(s.c.replicasets, rs.Namespace, rs.Name, nil); err == nil {
			s.wrote = true
		}
	}
}
