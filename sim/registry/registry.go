package registry

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/sim/clock"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/store"
)

// Registry is the typed storage layer: every write, from an HTTP request or
// from an in-process component, goes through it so that defaulting,
// validation and resourceVersion rules are the same for all.
//
// Registry is not safe for concurrent use: the cluster calls it with its loop
// lock held. Objects it returns are shared with the store's index and with
// watchers: callers must DeepCopy before modifying.
type Registry struct {
	store   *store.Store
	clock   clock.Clock
	rand    *rand.Rand
	version string
	// minorOf is the version minorVal was parsed from (minor).
	minorOf  string
	minorVal int
	minorSet bool
	// quotas and limits say whether quotas and limit ranges are stored (anyStored).
	quotas, limits presence
	// nsKey is the store key of namespace nsKeyOf (checkNamespace).
	nsKeyOf, nsKey string
	// serviceCIDR is the ClusterIP range (ServiceCIDR).
	serviceCIDR netip.Prefix
	// rbacRev is the revision of the last write to an RBAC object, read
	// by the authorizer's cache from request goroutines.
	rbacRev atomic.Int64
	// manager is the field manager of the writes being made (SetManager);
	// fields records their managed fields, built on first use.
	manager   string
	types     func() (*fieldmanager.Types, error)
	fields    *fieldmanager.Managers
	fieldsErr error
	// tracked is set while a write whose managed fields are already recorded
	// (an apply, a scale) goes through Create or update.
	tracked bool
	// scheduled is the conditions of the pods bound in one second
	// (scheduledConditions).
	scheduled []corev1.PodCondition
	// resources is the container resources new pods share (shared.go).
	resources resourceLists
	// custom is the served custom resources (custom.go), rebuilt after
	// every write to a CRD; request goroutines read it.
	custom atomic.Pointer[customTable]
	// OnPodDelete, if set, decides graceful deletion for pods (the kubelet
	// finishes the deletion). Nil means pods on a node get a deletion
	// timestamp and are removed by whoever calls Delete again with grace 0.
}

// NewRegistry returns a registry over st.
func NewRegistry(st *store.Store, clk clock.Clock, rnd *rand.Rand, version string) *Registry {
	r := &Registry{store: st, clock: clk, rand: rnd, version: version, serviceCIDR: ServiceCIDR}
	if st != nil {
		r.rebuildCustom(0)
	}
	return r
}

// Store returns the underlying store.
func (r *Registry) Store() *store.Store { return r.store }

// Key returns the store key of an object, etcd style: /registry/<resource>/[<ns>/]<name>.
func Key(res *Resource, ns, name string) string {
	if res.Custom != nil {
		if res.Namespaced {
			return customKeyPrefix(res) + ns + "/" + name
		}
		return customKeyPrefix(res) + name
	}
	if res.Namespaced {
		return "/registry/" + res.GVR.Resource + "/" + ns + "/" + name
	}
	return "/registry/" + res.GVR.Resource + "/" + name
}

// Prefix returns the key prefix for listing a resource in a namespace ("" = all).
func Prefix(res *Resource, ns string) string {
	if res.Custom != nil {
		if res.Namespaced && ns != "" {
			return customKeyPrefix(res) + ns + "/"
		}
		return customKeyPrefix(res)
	}
	if res.Namespaced && ns != "" {
		return "/registry/" + res.GVR.Resource + "/" + ns + "/"
	}
	return "/registry/" + res.GVR.Resource + "/"
}

func notFound(res *Resource, name string) error {
	return apierrors.NewNotFound(res.GR(), name)
}

// Get returns the stored object.
func (r *Registry) Get(res *Resource, ns, name string) (runtime.Object, error) {
	return get(r.store, res, ns, name)
}

// Find returns the stored object and true, or false when there is none
// (or it cannot be read): Get for callers that only test for a miss, which
// builds no NotFound error (~400 B with its message) for one.
func (r *Registry) Find(res *Resource, ns, name string) (runtime.Object, bool) {
	kv, err := r.store.Get(Key(res, ns, name))
	if err != nil {
		return nil, false
	}
	return kv.Obj.(runtime.Object), true
}

func get(src reader, res *Resource, ns, name string) (runtime.Object, error) {
	kv, err := src.Get(Key(res, ns, name))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound(res, name)
		}
		return nil, apierrors.NewInternalError(err)
	}
	return kv.Obj.(runtime.Object), nil
}

// ListOptions narrows a list.
type ListOptions struct {
	Labels labels.Selector
	Fields fields.Selector
}

// List returns the objects of a resource in a namespace ("" = all), sorted
// by namespace and name, and the store revision the list reflects.
func (r *Registry) List(res *Resource, ns string, opts ListOptions) ([]runtime.Object, int64, error) {
	return list(r.store, res, ns, opts)
}

func list(src reader, res *Resource, ns string, opts ListOptions) ([]runtime.Object, int64, error) {
	var filter func(*store.KV) bool
	if (opts.Labels != nil && !opts.Labels.Empty()) || (opts.Fields != nil && !opts.Fields.Empty()) {
		filter = func(kv *store.KV) bool { return Matches(res, kv.Obj.(runtime.Object), opts) }
	}
	kvs, rev := src.List(Prefix(res, ns), filter)
	out := make([]runtime.Object, len(kvs))
	for i := range kvs {
		out[i] = kvs[i].Obj.(runtime.Object)
	}
	return out, rev, nil
}

// Matches reports whether obj passes the label and field selectors.
func Matches(res *Resource, obj runtime.Object, opts ListOptions) bool {
	m := ObjectMeta(obj)
	if opts.Labels != nil && !opts.Labels.Empty() && !opts.Labels.Matches(labels.Set(m.GetLabels())) {
		return false
	}
	if opts.Fields != nil && !opts.Fields.Empty() && !opts.Fields.Matches(FieldSet(obj)) {
		return false
	}
	return true
}

// Create stores a new object after defaulting and validation. The object is
// modified in place (uid, timestamps, resourceVersion) and returned.
func (r *Registry) Create(res *Resource, ns string, obj runtime.Object, dryRun bool) (runtime.Object, error) {
	if err := customCreateAllowed(res); err != nil {
		return nil, err
	}
	m := ObjectMeta(obj)
	if m == nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%T has no metadata", obj))
	}
	if res.Namespaced {
		if m.GetNamespace() == "" {
			m.SetNamespace(ns)
		} else if ns != "" && m.GetNamespace() != ns {
			return nil, apierrors.NewBadRequest("the namespace of the provided object does not match the namespace sent on the request")
		}
		if err := r.checkNamespace(m.GetNamespace(), true); err != nil {
			return nil, err
		}
	} else {
		m.SetNamespace("")
	}
	if m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(r.GenerateName(m.GetGenerateName()))
	}
	if m.GetResourceVersion() != "" {
		return nil, apierrors.NewBadRequest("resourceVersion should not be set on objects to be created")
	}
	now := metav1.NewTime(r.clock.Now().UTC().Truncate(1e9))
	m.SetUID(types.UID(r.NewUID()))
	m.SetCreationTimestamp(now)
	m.SetDeletionTimestamp(nil)
	m.SetGeneration(1)
	m.SetSelfLink("")
	SetGVK(obj)
	r.defaultObject(res, obj, nil)
	obj = r.trackCreate(res, obj)
	r.admit(obj)
	r.admitMutate(obj, nil)
	r.shareResources(obj)
	// Validation before allocation, as rest.BeforeCreate runs before the
	// service storage's BeginCreate: a bad clusterIP gets a 422, not a 500.
	if errs := r.validate(obj, nil, ""); len(errs) > 0 {
		return nil, apierrors.NewInvalid(res.GVK().GroupKind(), m.GetName(), errs)
	}
	if err := r.admitValidate(res, obj, nil, dryRun); err != nil {
		return nil, err
	}
	if err := r.allocate(obj, nil); err != nil {
		return nil, err
	}
	if dryRun {
		if _, err := r.store.Get(Key(res, m.GetNamespace(), m.GetName())); err == nil {
			return nil, apierrors.NewAlreadyExists(res.GR(), m.GetName())
		}
		return obj, nil
	}
	return r.put(res, obj, 0, true) // AlreadyExists from the store's create
}

// put encodes and writes obj; expect is the ModRev precondition for updates.
func (r *Registry) put(res *Resource, obj runtime.Object, expect int64, create bool) (runtime.Object, error) {
	m := ObjectMeta(obj)
	return r.putKey(res, Key(res, m.GetNamespace(), m.GetName()), obj, expect, create)
}

// putKey is put with the object's key already made.
func (r *Registry) putKey(res *Resource, key string, obj runtime.Object, expect int64, create bool) (runtime.Object, error) {
	m := ObjectMeta(obj)
	// A lazy store encodes at commit time, on its own goroutine.
	var val []byte
	if !r.store.Lazy() {
		m.SetResourceVersion("")
		var err error
		if val, err = encodeStorage(obj); err != nil {
			return nil, apierrors.NewInternalError(err)
		}
	}
	// Writers are serialised by the cluster lock, so the next revision is known.
	next := r.store.Rev() + 1
	m.SetResourceVersion(strconv.FormatInt(next, 10))
	var kv store.KV
	var err error
	if create {
		kv, err = r.store.Create(key, val, obj)
	} else {
		kv, err = r.store.Update(key, val, obj, expect)
	}
	switch {
	case errors.Is(err, store.ErrExists):
		return nil, apierrors.NewAlreadyExists(res.GR(), m.GetName())
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(res, m.GetName())
	case errors.Is(err, store.ErrConflict):
		return nil, conflict(res, m.GetName())
	case err != nil:
		return nil, apierrors.NewInternalError(err)
	}
	if kv.ModRev != next {
		return nil, apierrors.NewInternalError(fmt.Errorf("store revision %d, expected %d: a write bypassed the cluster lock", kv.ModRev, next))
	}
	r.noteRBAC(res, next)
	r.noteCRD(res, next)
	r.notePresence(res)
	return obj, nil
}

func conflict(res *Resource, name string) error {
	return apierrors.NewConflict(res.GR(), name, errors.New("the object has been modified; please apply your changes to the latest version and try again"))
}

// Update replaces an object. A non-empty resourceVersion in obj is a
// precondition. subresource "status" keeps the stored spec; "" keeps the
// stored status, as kube-apiserver's strategies do for resources with a
// status subresource.
func (r *Registry) Update(res *Resource, ns string, obj runtime.Object, subresource string) (runtime.Object, error) {
	return r.update(res, ns, obj, subresource, false)
}

// DryRunUpdate is Update with dryRun=All: defaulting, preconditions and
// validation run and their errors are returned, but nothing is written; the
// result is the object as it would have been stored.
func (r *Registry) DryRunUpdate(res *Resource, ns string, obj runtime.Object, subresource string) (runtime.Object, error) {
	return r.update(res, ns, obj, subresource, true)
}

func (r *Registry) update(res *Resource, ns string, obj runtime.Object, subresource string, dryRun bool) (runtime.Object, error) {
	m := ObjectMeta(obj)
	if !res.Namespaced {
		ns = ""
	}
	if m.GetNamespace() == "" {
		m.SetNamespace(ns)
	}
	name := m.GetName()
	kv, err := r.stored(res, ns, name)
	if err != nil {
		return nil, err
	}
	old := kv.Obj.(runtime.Object)
	if rv := m.GetResourceVersion(); rv != "" {
		v, perr := strconv.ParseInt(rv, 10, 64)
		if perr != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", rv))
		}
		if v != kv.ModRev {
			return nil, conflict(res, name)
		}
	}
	om := ObjectMeta(old)
	// Fields the client may not change.
	m.SetUID(om.GetUID())
	m.SetCreationTimestamp(om.GetCreationTimestamp())
	m.SetDeletionTimestamp(om.GetDeletionTimestamp())
	m.SetDeletionGracePeriodSeconds(om.GetDeletionGracePeriodSeconds())
	m.SetGeneration(om.GetGeneration())
	m.SetSelfLink("")
	SetGVK(obj)
	if p, ok := obj.(*corev1.Pod); ok && subresource == "ephemeralcontainers" {
		// The ephemeralcontainers strategy (dropNonEphemeralContainerUpdates):
		// only the request's ephemeral containers and resourceVersion
		// count; the rest is the stored pod's.
		merged := old.(*corev1.Pod).DeepCopy()
		merged.ResourceVersion = p.ResourceVersion
		merged.Spec.EphemeralContainers = p.Spec.EphemeralContainers
		*p = *merged
	}
	if csr, ok := obj.(*certificatesv1.CertificateSigningRequest); ok {
		csrStrategy(csr, old.(*certificatesv1.CertificateSigningRequest), subresource, metav1.NewTime(r.clock.Now().UTC().Truncate(1e9)))
	} else if hasStatus(res) {
		if subresource == "status" {
			copySpec(obj, old)
		} else {
			copyStatus(obj, old)
		}
	}
	r.defaultObject(res, obj, old)
	r.shareResources(obj)
	obj = r.trackUpdate(res, old, obj, subresource)
	if errs := r.validate(obj, old, subresource); len(errs) > 0 {
		return nil, apierrors.NewInvalid(res.GVK().GroupKind(), name, errs)
	}
	if subresource == "" {
		if err := r.admitValidate(res, obj, old, dryRun); err != nil {
			return nil, err
		}
	}
	if err := r.allocate(obj, old); err != nil {
		return nil, err
	}
	if subresource == "" && specChanged(obj, old) {
		m.SetGeneration(om.GetGeneration() + 1)
	}
	if dryRun {
		m.SetResourceVersion(om.GetResourceVersion())
		return obj, nil
	}
	if om.GetDeletionTimestamp() != nil && len(m.GetFinalizers()) == 0 && res.Kind != "Pod" {
		// The last finalizer went away: the object goes.
		return r.remove(res, ns, name, kv.ModRev)
	}
	return r.put(res, obj, kv.ModRev, false)
}

func hasStatus(res *Resource) bool {
	for _, s := range res.Subs {
		if s.Name == "status" {
			return true
		}
	}
	return false
}

// stored reads res/ns/name from the store with the API's errors: NotFound
// when it is not there, InternalError when the store fails.
func (r *Registry) stored(res *Resource, ns, name string) (store.KV, error) {
	kv, err := r.store.Get(Key(res, ns, name))
	if errors.Is(err, store.ErrNotFound) {
		return kv, notFound(res, name)
	} else if err != nil {
		return kv, apierrors.NewInternalError(err)
	}
	return kv, nil
}

// Delete removes an object, or marks it for graceful deletion.
// Pods bound to a node get deletionTimestamp + grace period and stay until
// their kubelet deletes them with grace 0; objects with finalizers stay with
// a deletionTimestamp until the finalizers are removed.
func (r *Registry) Delete(res *Resource, ns, name string, opts *metav1.DeleteOptions) (runtime.Object, error) {
	if !res.Namespaced {
		ns = ""
	}
	kv, err := r.stored(res, ns, name)
	if err != nil {
		return nil, err
	}
	obj := kv.Obj.(runtime.Object)
	m := ObjectMeta(obj)
	if opts != nil && opts.Preconditions != nil {
		if p := opts.Preconditions.UID; p != nil && *p != m.GetUID() {
			return nil, apierrors.NewConflict(res.GR(), name, fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p, m.GetUID()))
		}
		if p := opts.Preconditions.ResourceVersion; p != nil && *p != m.GetResourceVersion() {
			return nil, apierrors.NewConflict(res.GR(), name, fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p, m.GetResourceVersion()))
		}
	}
	if opts != nil && len(opts.DryRun) > 0 {
		return obj, nil
	}
	// The garbage collector's finalizers for the propagation policy: an
	// object deleted with Orphan or Foreground stays, with a
	// deletionTimestamp, until the collector has dealt with its dependents.
	finalizers, gcChanged := gcFinalizers(res, m, opts)
	finalizers, gcChanged = crdCleanupFinalizer(res, m, finalizers, gcChanged)
	grace := int64(-1)
	if opts != nil && opts.GracePeriodSeconds != nil {
		grace = *opts.GracePeriodSeconds
	}
	if pod, ok := obj.(*corev1.Pod); ok {
		terminal := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
		if pod.Spec.NodeName != "" && !terminal && grace != 0 {
			if grace < 0 {
				grace = 30
				if pod.Spec.TerminationGracePeriodSeconds != nil {
					grace = *pod.Spec.TerminationGracePeriodSeconds
				}
			}
			if grace == 0 {
				grace = 1
			}
			if pod.DeletionTimestamp != nil {
				// Already terminating: a shorter grace period may shorten it.
				if pod.DeletionGracePeriodSeconds != nil && *pod.DeletionGracePeriodSeconds <= grace && !gcChanged {
					return obj, nil
				}
			}
			cp := pod.DeepCopy()
			cp.Finalizers = finalizers
			now := metav1.NewTime(r.clock.Now().UTC().Truncate(1e9))
			ts := metav1.NewTime(now.Add(secondsDuration(grace)))
			cp.DeletionTimestamp = &ts
			cp.DeletionGracePeriodSeconds = &grace
			return r.put(res, cp, kv.ModRev, false)
		}
	}
	if len(finalizers) > 0 || res.Kind == "Namespace" {
		if m.GetDeletionTimestamp() != nil && !gcChanged {
			return obj, nil
		}
		cp := obj.DeepCopyObject()
		cm := ObjectMeta(cp)
		cm.SetFinalizers(finalizers)
		if cm.GetDeletionTimestamp() == nil {
			now := metav1.NewTime(r.clock.Now().UTC().Truncate(1e9))
			cm.SetDeletionTimestamp(&now)
			zero := int64(0)
			cm.SetDeletionGracePeriodSeconds(&zero)
		}
		if ns, ok := cp.(*corev1.Namespace); ok {
			ns.Status.Phase = corev1.NamespaceTerminating
		}
		return r.put(res, cp, kv.ModRev, false)
	}
	return r.remove(res, ns, name, kv.ModRev)
}

// Remove deletes an object from the store at once (the end of a graceful
// deletion or of finalization).
func (r *Registry) Remove(res *Resource, ns, name string) (runtime.Object, error) {
	kv, err := r.stored(res, ns, name)
	if err != nil {
		return nil, err
	}
	return r.remove(res, ns, name, kv.ModRev)
}

func (r *Registry) remove(res *Resource, ns, name string, expect int64) (runtime.Object, error) {
	kv, err := r.store.Delete(Key(res, ns, name), expect)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(res, name)
	case errors.Is(err, store.ErrConflict):
		return nil, conflict(res, name)
	case err != nil:
		return nil, apierrors.NewInternalError(err)
	}
	r.noteRBAC(res, r.store.Rev())
	r.noteCRD(res, r.store.Rev())
	r.notePresence(res)
	return kv.Obj.(runtime.Object), nil
}

// checkNamespace returns the error kube-apiserver gives when creating in a
// namespace that does not exist or is terminating.
func (r *Registry) checkNamespace(ns string, creating bool) error {
	nsRes := byGR[coreV1.WithResource("namespaces").GroupResource()]
	if r.nsKeyOf != ns || r.nsKey == "" {
		// Creates come in runs in one namespace: its key is built once.
		r.nsKeyOf, r.nsKey = ns, Key(nsRes, "", ns)
	}
	kv, err := r.store.Get(r.nsKey)
	if err != nil {
		return apierrors.NewNotFound(nsRes.GR(), ns)
	}
	if creating {
		if n := kv.Obj.(*corev1.Namespace); n.Status.Phase == corev1.NamespaceTerminating {
			return apierrors.NewForbidden(nsRes.GR(), ns, fmt.Errorf("unable to create new content in namespace %s because it is being terminated", ns))
		}
	}
	return nil
}

// suffixAlphabet is the alphabet of kubectl and apiserver name suffixes
// (apimachinery util/rand: no vowels, no confusable characters).
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// RandSuffix returns n characters from the suffix alphabet, drawn from the
// cluster's seeded source.
func (r *Registry) RandSuffix(n int) string { return r.withSuffix("", n) }

// withSuffix returns prefix and n characters from the suffix alphabet, in
// one allocation.
func (r *Registry) withSuffix(prefix string, n int) string {
	var b strings.Builder
	b.Grow(len(prefix) + n)
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		b.WriteByte(suffixAlphabet[r.rand.IntN(len(suffixAlphabet))])
	}
	return b.String()
}

// GenerateName returns base plus a 5-character suffix, the base cut so the
// name stays within 63 characters (apiserver names.SimpleNameGenerator).
func (r *Registry) GenerateName(base string) string {
	const maxGeneratedNameLength = 63 - 5
	if len(base) > maxGeneratedNameLength {
		base = base[:maxGeneratedNameLength]
	}
	return r.withSuffix(base, 5)
}

// NewUID returns a version-4 UUID drawn from the cluster's seeded source.
func (r *Registry) NewUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.rand.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	// 8-4-4-4-12 hex digits, as fmt's %x of each group would print.
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// RestoreResourceVersions sets every decoded object's resourceVersion from
// its ModRev after a store is reopened (storage bytes do not carry it, as in
// kube-apiserver's etcd3 storage).
func RestoreResourceVersions(st *store.Store) {
	kvs, _ := st.List("/registry/", nil)
	for _, kv := range kvs {
		if obj, ok := kv.Obj.(runtime.Object); ok {
			if m := ObjectMeta(obj); m != nil {
				m.SetResourceVersion(strconv.FormatInt(kv.ModRev, 10))
			}
		}
	}
}

// WithRand runs fn with rnd as the registry's random source (uids and
// generated names), then restores the cluster's: writes that must not shift
// what the cluster draws afterwards (the default RBAC policy) use it.
func (r *Registry) WithRand(rnd *rand.Rand, fn func()) {
	saved := r.rand
	r.rand = rnd
	defer func() { r.rand = saved }()
	fn()
}

// noteRBAC records a write to an RBAC object at rev.
func (r *Registry) noteRBAC(res *Resource, rev int64) {
	if res.GVR.Group == rbacV1.Group {
		r.rbacRev.Store(rev)
	}
}

// RBACRevision is the store revision of the last write to a Role,
// ClusterRole or binding since the registry was made (0: none): a view at
// an older revision may not show it.
func (r *Registry) RBACRevision() int64 { return r.rbacRev.Load() }
