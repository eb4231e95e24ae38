package events

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/clock"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// TestExpire: an event goes TTL after its last activity — a repeat's or a
// series' moves it, an event written through the API with an old
// lastTimestamp goes at the next Expire, a deleted one is no error — and a
// repeat after expiry starts a new event; Expire reads no event before it
// is due.
func TestExpire(t *testing.T) {
	st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true, Decode: registry.DecodeStorage, Encode: registry.EncodeStorage})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewVirtual(t0)
	reg := registry.NewRegistry(st, clk, rand.New(rand.NewPCG(1, 2)), "v1.27.1")
	res := func(r string) *registry.Resource {
		rr, _ := registry.Lookup(corev1.SchemeGroupVersion.WithResource(r).GroupResource())
		return rr
	}
	if _, err := reg.Create(res("namespaces"), "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, false); err != nil {
		t.Fatal(err)
	}
	w, err := st.Watch("/registry/", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	r := NewRecorder(reg, clk)
	observe := func() {
		for _, ev := range w.Pull() {
			r.Observe(ev)
		}
	}
	pod := func(name string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: "u-" + "name"}}
		p.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Pod"))
		return p
	}
	src := Source{Component: "kubelet", Host: "n1"}
	names := func() []string {
		objs, _, _ := reg.List(r.res, "", registry.ListOptions{})
		var out []string
		for _, o := range objs {
			out = append(out, o.(*corev1.Event).InvolvedObject.Name+"/"+o.(*corev1.Event).Reason)
		}
		slices.Sort(out)
		return out
	}
	expire := func(at time.Duration, want ...string) {
		t.Helper()
		observe()
		clk.Set(t0.Add(at))
		r.Expire(t0.Add(at))
		observe()
		if got := names(); !slices.Equal(got, want) {
			t.Errorf("after Expire at +%v: events %v, want %v", at, got, want)
		}
	}

	r.Event(pod("a"), "", src, corev1.EventTypeNormal, "Pulled", "pulled")
	r.Series(pod("b"), "default-scheduler", "s", corev1.EventTypeNormal, "Scheduled", "Binding", "assigned")
	old := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "c.1", Namespace: "default"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "c", Namespace: "default"},
		Reason: "Old", Type: corev1.EventTypeNormal, LastTimestamp: metav1.NewTime(t0.Add(-2 * time.Hour))}
	if _, err := reg.Create(r.res, "default", old, false); err != nil {
		t.Fatal(err)
	}
	gone := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "d.1", Namespace: "default"}, InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "d", Namespace: "default"},
		Reason: "Deleted", Type: corev1.EventTypeNormal}
	if _, err := reg.Create(r.res, "default", gone, false); err != nil {
		t.Fatal(err)
	}
	expire(time.Minute, "a/Pulled", "b/Scheduled", "d/Deleted")
	if _, err := reg.Remove(r.res, "default", "d.1"); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(30 * time.Minute))
	r.Event(pod("a"), "", src, corev1.EventTypeNormal, "Pulled", "pulled") // a repeat: count 2
	expire(59*time.Minute+59*time.Second, "a/Pulled", "b/Scheduled")
	expire(time.Hour, "a/Pulled")
	r.Series(pod("b"), "default-scheduler", "s", corev1.EventTypeNormal, "Scheduled", "Binding", "assigned")
	observe()
	objs, _, _ := reg.List(r.res, "", registry.ListOptions{})
	for _, o := range objs {
		if ev := o.(*corev1.Event); ev.InvolvedObject.Name == "b" && ev.Series != nil {
			t.Errorf("b's Scheduled after its event expired is a series of the expired one: %+v", ev.Series)
		}
	}
	expire(89*time.Minute+59*time.Second, "a/Pulled", "b/Scheduled")
	expire(90*time.Minute, "b/Scheduled")
	expire(2 * time.Hour)
	r.Expire(t0.Add(2*time.Hour + time.Minute)) // forgets the deletions the last one made
	if len(r.expiries) != 0 || len(r.gone) != 0 {
		t.Errorf("after every event expired: %d expiries, %d gone kept", len(r.expiries), len(r.gone))
	}
}

// TestExpiriesHeap: pop returns the entries in order of expiry.
func TestExpiriesHeap(t *testing.T) {
	var h expiries
	rnd := rand.New(rand.NewPCG(3, 4))
	var want []int64
	for i := 0; i < 1000; i++ {
		at := rnd.Int64N(100)
		h.push(expiry{at: at})
		want = append(want, at)
	}
	slices.Sort(want)
	for i, w := range want {
		if got := h.pop().at; got != w {
			t.Fatalf("pop %d: %d, want %d", i, got, w)
		}
	}
}
