package controllers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/certsign"
	"kubesim/sim/clock"
	"kubesim/sim/events"
	"kubesim/sim/loop"
	"kubesim/sim/registry"
	"kubesim/sim/satoken"
	"kubesim/sim/store"
)

// Context is what every controller is built from.
type Context struct {
	Registry *registry.Registry
	Clock    *clock.Virtual
	// Rand is the cluster's seeded source (names are drawn through
	// Registry.GenerateName, which uses the same source).
	Rand     *rand.Rand
	Recorder *events.Recorder
	// Version is the cluster's Kubernetes version, e.g. "v1.27.1": event
	// wording and the node monitor grace period follow it.
	Version string
	// ClusterCIDR is the pod network split by node IPAM ("10.244.0.0/16").
	ClusterCIDR string
	// NodeCIDRMaskSize is the per-node subnet size (24).
	NodeCIDRMaskSize int
	// Alive, if set, is the membership layer's view of a node's kubelet
	// (memberlist in a real deployment of this design): while it reports
	// true the node lifecycle controller arms no staleness timer, because
	// the kubelet renews its lease; a membership change is delivered with
	// MemberChanged. Nil: staleness timers are always armed.
	Alive func(node string) bool
	// PodMetrics, if set, is metrics-server's last scrape of a namespace's
	// pods (metrics.k8s.io), which the HPA controller reads; nil: no
	// metrics API.
	PodMetrics func(ns string) []metricsv1beta1.PodMetrics
	// RootCAPEM, if set, is the cluster CA published in every namespace's
	// kube-root-ca.crt ConfigMap; empty means a deterministic placeholder.
	RootCAPEM string
	// CA, if set, holds the cluster CA the csrsigning controller issues
	// client certificates from (installed by the shell once it has one).
	CA *certsign.Holder
	// Tokens, if set, signs the tokens of service-account-token Secrets.
	Tokens *satoken.Signer
}

// DefaultContext fills the network defaults of a kubeadm + flannel cluster.
func DefaultContext(ctx Context) Context {
	if ctx.ClusterCIDR == "" {
		ctx.ClusterCIDR = "10.244.0.0/16"
	}
	if ctx.NodeCIDRMaskSize == 0 {
		ctx.NodeCIDRMaskSize = 24
	}
	if ctx.Version == "" {
		ctx.Version = "v1.27.1"
	}
	return ctx
}

// MembershipAware is implemented by controllers that want membership
// changes (a node's kubelet stopped or started).
type MembershipAware interface {
	MemberChanged(node string)
}

func (c Context) validate() error {
	if c.Registry == nil {
		return errors.New("controllers: Context.Registry is nil")
	}
	if c.Clock == nil {
		return errors.New("controllers: Context.Clock is nil")
	}
	if c.Recorder == nil {
		return errors.New("controllers: Context.Recorder is nil")
	}
	if _, err := parseMinor(c.Version); err != nil {
		return err
	}
	if _, err := netip.ParsePrefix(c.ClusterCIDR); err != nil {
		return fmt.Errorf("controllers: cluster CIDR: %w", err)
	}
	return nil
}

// All returns every controller in the order the loop should run them.
func All(ctx Context) ([]loop.Component, error) {
	ctx = DefaultContext(ctx)
	if err := ctx.validate(); err != nil {
		return nil, err
	}
	ipam, err := NewNodeIPAM(ctx)
	if err != nil {
		return nil, err
	}
	b := newBase(ctx)
	return []loop.Component{
		ipam,
		newNodeLifecycle(b),
		newNamespace(b),
		newServiceAccount(b),
		newRootCACert(b),
		newDeployment(b),
		newReplicaSet(b),
		newDaemonSet(b),
		newJob(b),
		newCronJob(b),
		newStatefulSet(b),
		newEndpoints(b),
		newEndpointSlice(b),
		newDisruption(b),
		newResourceQuota(b),
		newHorizontalPodAutoscaler(b),
		newPersistentVolume(b),
		newLocalPath(b),
		newGarbageCollector(b),
		newClusterRoleAggregation(b),
		newCRD(b),
		newCSRSigning(b),
		newTokens(b),
	}, nil
}

// Individual constructors, for tests and for clusters that want a subset.

// NewDeployment returns the deployment controller.
func NewDeployment(ctx Context) (loop.Component, error) { return build(ctx, newDeployment) }

// NewReplicaSet returns the replicaset controller.
func NewReplicaSet(ctx Context) (loop.Component, error) { return build(ctx, newReplicaSet) }

// NewDaemonSet returns the daemonset controller.
func NewDaemonSet(ctx Context) (loop.Component, error) { return build(ctx, newDaemonSet) }

// NewGarbageCollector returns the garbage collector.
func NewGarbageCollector(ctx Context) (loop.Component, error) { return build(ctx, newGarbageCollector) }

// NewNamespace returns the namespace controller.
func NewNamespace(ctx Context) (loop.Component, error) { return build(ctx, newNamespace) }

// NewServiceAccount returns the serviceaccount controller.
func NewServiceAccount(ctx Context) (loop.Component, error) { return build(ctx, newServiceAccount) }

// NewRootCACert returns the root-ca-cert-publisher.
func NewRootCACert(ctx Context) (loop.Component, error) { return build(ctx, newRootCACert) }

// NewNodeLifecycle returns the node lifecycle controller (with taint eviction).
func NewNodeLifecycle(ctx Context) (loop.Component, error) { return build(ctx, newNodeLifecycle) }

// NewEndpoints returns the endpoints controller.
func NewEndpoints(ctx Context) (loop.Component, error) { return build(ctx, newEndpoints) }

// NewEndpointSlice returns the endpointslice controller.
func NewEndpointSlice(ctx Context) (loop.Component, error) { return build(ctx, newEndpointSlice) }

// NewJob returns the job controller.
func NewJob(ctx Context) (loop.Component, error) { return build(ctx, newJob) }

// NewCronJob returns the cronjob controller.
func NewCronJob(ctx Context) (loop.Component, error) { return build(ctx, newCronJob) }

// NewStatefulSet returns the statefulset controller.
func NewStatefulSet(ctx Context) (loop.Component, error) { return build(ctx, newStatefulSet) }

// NewPersistentVolume returns the persistentvolume-binder (with pvc- and pv-protection).
func NewPersistentVolume(ctx Context) (loop.Component, error) { return build(ctx, newPersistentVolume) }

// NewLocalPath returns rancher's local-path provisioner.
func NewLocalPath(ctx Context) (loop.Component, error) { return build(ctx, newLocalPath) }

// NewDisruption returns the disruption (PodDisruptionBudget status) controller.
func NewDisruption(ctx Context) (loop.Component, error) { return build(ctx, newDisruption) }

func build[T loop.Component](ctx Context, f func(*base) T) (loop.Component, error) {
	ctx = DefaultContext(ctx)
	if err := ctx.validate(); err != nil {
		return nil, err
	}
	return f(newBase(ctx)), nil
}

// base is what controllers share: the context, resource handles and the
// version's minor number.
type base struct {
	Context
	minor int

	pods, nodes, namespaces, services, endpoints, configmaps, serviceaccounts, leases *registry.Resource
	deployments, replicasets, daemonsets, statefulsets, jobs, cronjobs, slices, pdbs  *registry.Resource
	clusterroles, csrs, secrets                                                       *registry.Resource
	pvs, pvcs, storageclasses                                                         *registry.Resource

	// split is the last event key split by splitEvent: every controller
	// sharing this base is handed the same event in turn.
	split struct{ key, res, ns, name string }
}

// splitEvent is splitKey for the key of the event being delivered,
// remembered across the controllers that share b (one split per event
// instead of one per controller).
func (b *base) splitEvent(key string) (resource, ns, name string) {
	if s := &b.split; s.key == key && key != "" {
		return s.res, s.ns, s.name
	}
	resource, ns, name = splitKey(key)
	b.split.key, b.split.res, b.split.ns, b.split.name = key, resource, ns, name
	return resource, ns, name
}

func newBase(ctx Context) *base {
	minor, _ := parseMinor(ctx.Version)
	core := func(r string) *registry.Resource { return mustLookup(corev1.SchemeGroupVersion.WithResource(r)) }
	apps := func(r string) *registry.Resource { return mustLookup(appsv1.SchemeGroupVersion.WithResource(r)) }
	return &base{
		Context: ctx, minor: minor,
		pods: core("pods"), nodes: core("nodes"), namespaces: core("namespaces"), services: core("services"),
		endpoints: core("endpoints"), configmaps: core("configmaps"), serviceaccounts: core("serviceaccounts"),
		leases:      mustLookup(coordinationv1.SchemeGroupVersion.WithResource("leases")),
		deployments: apps("deployments"), replicasets: apps("replicasets"), daemonsets: apps("daemonsets"), statefulsets: apps("statefulsets"),
		jobs:         mustLookup(batchv1.SchemeGroupVersion.WithResource("jobs")),
		cronjobs:     mustLookup(batchv1.SchemeGroupVersion.WithResource("cronjobs")),
		slices:       mustLookup(discoveryv1.SchemeGroupVersion.WithResource("endpointslices")),
		pdbs:         mustLookup(policyv1.SchemeGroupVersion.WithResource("poddisruptionbudgets")),
		clusterroles: mustLookup(rbacv1.SchemeGroupVersion.WithResource("clusterroles")),
		secrets:      core("secrets"),
		csrs:         mustLookup(certificatesv1.SchemeGroupVersion.WithResource("certificatesigningrequests")),
		pvs:          core("persistentvolumes"), pvcs: core("persistentvolumeclaims"),
		storageclasses: mustLookup(storagev1.SchemeGroupVersion.WithResource("storageclasses")),
	}
}

func mustLookup(gvr schema.GroupVersionResource) *registry.Resource {
	r, ok := registry.Lookup(gvr.GroupResource())
	if !ok {
		panic("controllers: apiserver does not serve " + gvr.String())
	}
	return r
}

// parseMinor returns the minor number of a "v1.27.1"-style version.
func parseMinor(v string) (int, error) {
	s := strings.TrimPrefix(v, "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 || parts[0] != "1" {
		return 0, fmt.Errorf("controllers: version %q is not v1.<minor>[.<patch>]", v)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, fmt.Errorf("controllers: version %q: %w", v, err)
	}
	return n, nil
}

// event records an event from a controller (no host, as kube-controller-manager's recorders).
func (b *base) event(obj runtime.Object, component, typ, reason, msg string) {
	b.Recorder.Event(obj, "", events.Source{Component: component}, typ, reason, msg)
}

// now returns the virtual time truncated to seconds, as metav1.Time serialises.
func (b *base) metaNow() metav1.Time {
	return metav1.NewTime(b.Clock.Now().UTC().Truncate(time.Second))
}

// splitKey parses a store key "/registry/<resource>/[<ns>/]<name>".
func splitKey(key string) (resource, ns, name string) {
	rest, ok := strings.CutPrefix(key, "/registry/")
	if !ok {
		return "", "", ""
	}
	resource, rest, ok = strings.Cut(rest, "/")
	if !ok {
		return resource, "", ""
	}
	if strings.Contains(resource, ".") {
		// A custom resource: /registry/<group>/<resource>/[<ns>/]<name>,
		// reported as "<group>/<resource>" so it never names a built-in.
		var r string
		if r, rest, ok = strings.Cut(rest, "/"); !ok {
			return resource + "/" + r, "", ""
		}
		resource += "/" + r
	}
	if ns, name, ok = strings.Cut(rest, "/"); ok {
		return resource, ns, name
	}
	return resource, "", rest
}

// nsKey and splitNS convert between a key and its parts: namespace/name,
// or name alone for a cluster-scoped object (cache.MetaNamespaceKeyFunc).
func nsKey(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func splitNS(k string) (ns, name string) {
	if ns, name, ok := strings.Cut(k, "/"); ok {
		return ns, name
	}
	return "", k
}

// objOf returns the typed object of an event (the deleted state for a delete).
func objOf(ev store.Event) runtime.Object {
	o, _ := ev.KV.Obj.(runtime.Object)
	return o
}

func prevOf(ev store.Event) runtime.Object {
	if ev.PrevKV == nil {
		return nil
	}
	o, _ := ev.PrevKV.Obj.(runtime.Object)
	return o
}

// list returns the typed objects of a resource in a namespace ("" = all).
func list[T runtime.Object](b *base, res *registry.Resource, ns string) []T {
	objs, _, _ := b.Registry.List(res, ns, registry.ListOptions{})
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		if t, ok := o.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// get returns the typed stored object, or false.
func get[T runtime.Object](b *base, res *registry.Resource, ns, name string) (T, bool) {
	var zero T
	o, ok := b.Registry.Find(res, ns, name) // a miss builds no NotFound error
	if !ok {
		return zero, false
	}
	t, ok := o.(T)
	return t, ok
}

// isGone reports a NotFound or Conflict answer: the object changed under us
// and the event that changed it will queue the work again.
func isGone(err error) bool {
	return apierrors.IsNotFound(err) || apierrors.IsConflict(err)
}

// withGVK returns obj with its kind set (events name the involved object's kind).
func withGVK(obj runtime.Object, gvk schema.GroupVersionKind) runtime.Object {
	if obj.GetObjectKind().GroupVersionKind().Kind != "" {
		return obj
	}
	cp := obj.DeepCopyObject()
	cp.GetObjectKind().SetGroupVersionKind(gvk)
	return cp
}

// ownerKey identifies an owner: namespace and uid.
func metaOf(obj runtime.Object) metav1.Object {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	return m
}

func ptrTo[T any](v T) *T { return &v }
