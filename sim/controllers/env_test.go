package controllers

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/clock"
	"kubesim/sim/events"
	"kubesim/sim/loop"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// env is a tiny cluster loop for controller tests: a real store and
// registry, a virtual clock, and the controllers under test.
type env struct {
	t     *testing.T
	seed  uint64
	st    *store.Store
	reg   *registry.Registry
	clk   *clock.Virtual
	rec   *events.Recorder
	w     *store.Watcher
	ctx   Context
	comps []loop.Component
	// kubelet, when set, plays the node agents: bound pods become Running
	// and Ready with an IP, terminating pods are removed.
	kubelet  bool
	nextIP   int
	starting map[string]bool // pods whose start timer is armed
	// scheduler, when set, binds pending pods: to the node of their
	// metadata.name affinity, else to the first node by name.
	scheduler bool
}

var testStart = time.Date(2023, 5, 1, 10, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, version string, mk ...func(Context) (loop.Component, error)) *env {
	t.Helper()
	seed := uint64(42)
	st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "store.db"), NoSync: true, Decode: registry.DecodeStorage, Encode: registry.EncodeStorage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewVirtual(testStart)
	rnd := rand.New(rand.NewPCG(seed, seed^0x6b756265))
	reg := registry.NewRegistry(st, clk, rnd, version)
	e := &env{t: t, seed: seed, st: st, reg: reg, clk: clk, rec: events.NewRecorder(reg, clk), nextIP: 2}
	for _, ns := range []string{"default", "kube-system", "kube-node-lease"} {
		e.create("namespaces", "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	e.w, err = st.Watch("/registry/", st.Rev())
	if err != nil {
		t.Fatal(err)
	}
	e.ctx = Context{Registry: reg, Clock: clk, Rand: rnd, Recorder: e.rec, Version: version}
	for _, f := range mk {
		c, err := f(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.comps = append(e.comps, c)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			e.checkInvariants()
		}
	})
	return e
}

func res(name string) *registry.Resource {
	for _, r := range registry.Resources() {
		if r.GVR.Resource == name {
			return r
		}
	}
	panic("no resource " + name)
}

func (e *env) create(resource, ns string, obj runtime.Object) runtime.Object {
	e.t.Helper()
	out, err := e.reg.Create(res(resource), ns, obj, false)
	if err != nil {
		e.t.Fatalf("create %s: %v (seed %d)", resource, err, e.seed)
	}
	return out
}

func (e *env) update(resource, ns string, obj runtime.Object, sub string) {
	e.t.Helper()
	metaOf(obj).SetResourceVersion("")
	if _, err := e.reg.Update(res(resource), ns, obj, sub); err != nil {
		e.t.Fatalf("update %s: %v", resource, err)
	}
}

func getT[T runtime.Object](e *env, resource, ns, name string) T {
	e.t.Helper()
	o, err := e.reg.Get(res(resource), ns, name)
	if err != nil {
		e.t.Fatalf("get %s %s/%s: %v", resource, ns, name, err)
	}
	return o.(T).DeepCopyObject().(T)
}

func listT[T runtime.Object](e *env, resource, ns string) []T {
	objs, _, _ := e.reg.List(res(resource), ns, registry.ListOptions{})
	var out []T
	for _, o := range objs {
		out = append(out, o.(T))
	}
	return out
}

func (e *env) exists(resource, ns, name string) bool {
	_, err := e.reg.Get(res(resource), ns, name)
	return err == nil
}

// settle delivers events and runs controllers (and the fake kubelet and
// scheduler) until nothing changes, then fires due timers, like the
// cluster loop. A write loop fails the test.
func (e *env) settle() {
	e.t.Helper()
	for i := 0; ; i++ {
		if i > 5000 {
			e.t.Fatalf("no quiescence after %d rounds: a write loop (seed %d)", i, e.seed)
		}
		progressed := false
		for evs := e.w.Pull(); len(evs) > 0; evs = e.w.Pull() {
			progressed = true
			for _, ev := range evs {
				for _, c := range e.comps {
					// As the cluster delivers: not to a component that
					// does not want the resource.
					if s, ok := c.(loop.Selective); ok && !s.Wants(loop.Resource(ev.KV.Key)) {
						continue
					}
					c.Handle(ev)
				}
			}
		}
		now := e.clk.Now()
		for _, c := range e.comps {
			if c.Run(now) {
				progressed = true
			}
		}
		if e.fakeScheduler() || e.fakeKubelet() {
			progressed = true
		}
		if !progressed && e.clk.FireDue() {
			progressed = true
		}
		if !progressed {
			return
		}
	}
}

// advance moves the clock forward by d, firing timers on the way.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	target := e.clk.Now().Add(d)
	e.settle()
	for e.clk.Step(target) {
		e.settle()
	}
	e.clk.Set(target)
	e.settle()
}

func (e *env) fakeScheduler() bool {
	if !e.scheduler {
		return false
	}
	nodes := listT[*corev1.Node](e, "nodes", "")
	if len(nodes) == 0 {
		return false
	}
	wrote := false
	for _, p := range listT[*corev1.Pod](e, "pods", "") {
		if p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
			continue
		}
		node := targetNode(p)
		if node == "" {
			node = nodes[0].Name
		}
		if err := e.reg.Bind(p.Namespace, p.Name, node); err == nil {
			wrote = true
		}
	}
	return wrote
}

func (e *env) fakeKubelet() bool {
	if !e.kubelet {
		return false
	}
	wrote := false
	now := metav1.NewTime(e.clk.Now().UTC().Truncate(time.Second))
	for _, p := range listT[*corev1.Pod](e, "pods", "") {
		if p.Spec.NodeName == "" {
			continue
		}
		if p.DeletionTimestamp != nil {
			if _, err := e.reg.Remove(res("pods"), p.Namespace, p.Name); err == nil {
				wrote = true
			}
			continue
		}
		if p.Status.Phase == corev1.PodRunning {
			continue
		}
		// Containers start one second after binding (events then carry
		// distinct timestamps, as on a real cluster).
		key := p.Namespace + "/" + p.Name + "/" + string(p.UID)
		if e.starting == nil {
			e.starting = map[string]bool{}
		}
		if v, armed := e.starting[key]; !armed {
			e.starting[key] = false
			e.clk.AfterFunc(time.Second, func() { e.starting[key] = true })
			continue
		} else if !v {
			continue
		}
		delete(e.starting, key)
		cp := p.DeepCopy()
		cp.Status.Phase = corev1.PodRunning
		cp.Status.PodIP = fmt.Sprintf("10.244.1.%d", e.nextIP)
		e.nextIP++
		cp.Status.Conditions = append(cp.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now})
		cp.ResourceVersion = ""
		if _, err := e.reg.Update(res("pods"), cp.Namespace, cp, "status"); err == nil {
			wrote = true
		}
	}
	return wrote
}

// addNode registers a ready node with a fresh lease.
func (e *env) addNode(name string, mutate ...func(*corev1.Node)) *corev1.Node {
	now := metav1.NewTime(e.clk.Now().UTC().Truncate(time.Second))
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status", LastHeartbeatTime: now, LastTransitionTime: now}},
			Addresses:  []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.168.56.1" + fmt.Sprint(len(listT[*corev1.Node](e, "nodes", "")))}},
		},
	}
	for _, m := range mutate {
		m(n)
	}
	out := e.create("nodes", "", n).(*corev1.Node)
	e.renewLease(name)
	return out
}

func (e *env) renewLease(node string) {
	now := metav1.NewMicroTime(e.clk.Now().UTC())
	if e.exists("leases", "kube-node-lease", node) {
		l := getT[*coordinationv1.Lease](e, "leases", "kube-node-lease", node)
		l.Spec.RenewTime = &now
		e.update("leases", "kube-node-lease", l, "")
		return
	}
	holder, dur := node, int32(40)
	e.create("leases", "kube-node-lease", &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: node},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &dur, RenewTime: &now}})
}

// eventsFor returns "Type Reason Message" lines for an object, oldest first.
func (e *env) eventsFor(kind, name string) []string {
	var out []string
	evs := listT[*corev1.Event](e, "events", "")
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Name < evs[j].Name })
	for _, ev := range evs {
		if ev.InvolvedObject.Kind == kind && ev.InvolvedObject.Name == name {
			out = append(out, ev.Type+" "+ev.Reason+" "+ev.Message)
		}
	}
	return out
}

// checkInvariants: pod uids unique, every controller reference points to
// an existing owner with that uid, ReplicaSet and Deployment counts match.
func (e *env) checkInvariants() {
	t := e.t
	uids := map[string]string{}
	owners := map[string]string{} // uid -> kind
	for _, r := range []string{"replicasets", "deployments", "daemonsets", "services", "nodes"} {
		objs, _, _ := e.reg.List(res(r), "", registry.ListOptions{})
		for _, o := range objs {
			owners[string(metaOf(o).GetUID())] = r
		}
	}
	for _, p := range listT[*corev1.Pod](e, "pods", "") {
		if prev, dup := uids[string(p.UID)]; dup {
			t.Errorf("invariant: pods %s and %s share uid %s", prev, p.Name, p.UID)
		}
		uids[string(p.UID)] = p.Name
		if ref := metav1.GetControllerOf(p); ref != nil {
			if _, ok := owners[string(ref.UID)]; !ok {
				t.Errorf("invariant: pod %s/%s controller %s %s (uid %s) does not exist", p.Namespace, p.Name, ref.Kind, ref.Name, ref.UID)
			}
		}
	}
	for _, rs := range listT[*appsv1.ReplicaSet](e, "replicasets", "") {
		if ref := metav1.GetControllerOf(rs); ref != nil {
			if _, ok := owners[string(ref.UID)]; !ok {
				t.Errorf("invariant: replicaset %s owner %s gone", rs.Name, ref.Name)
			}
		}
		if rs.DeletionTimestamp != nil {
			continue
		}
		n := int32(0)
		for _, p := range listT[*corev1.Pod](e, "pods", rs.Namespace) {
			if ref := metav1.GetControllerOf(p); ref != nil && ref.UID == rs.UID && isPodActive(p) {
				n++
			}
		}
		if rs.Status.Replicas != n {
			t.Errorf("invariant: replicaset %s status.replicas %d, owns %d active pods", rs.Name, rs.Status.Replicas, n)
		}
	}
}
