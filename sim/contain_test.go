package sim

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/contain"
	"kubesim/sim/registry"
	"kubesim/sim/store"
)

func newContainCluster(t *testing.T) (*Cluster, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), Hollow: true, NoSync: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, &log
}

// TestDoPanicReleasesLock: a request function that panics passes its
// panic on to the caller and leaves the cluster lock free.
func TestDoPanicReleasesLock(t *testing.T) {
	c, _ := newContainCluster(t)
	func() {
		defer func() {
			if v := recover(); v != "deliberate" {
				t.Errorf("recovered %v, want the request's panic", v)
			}
		}()
		c.Do(func() { panic("deliberate") })
	}()
	if !c.mu.TryLock() {
		t.Fatal("the cluster lock is still held after a request panicked")
	}
	c.mu.Unlock()
}

// panicky is a test component that syncs ConfigMaps by key and panics on
// the ones named "boom" (Run) and "bad-handle" (Handle); with runPanic set,
// every Run panics without a key.
type panicky struct {
	c        *Cluster
	queue    map[string]bool
	synced   []string
	runs     int
	runPanic bool
}

func (p *panicky) Name() string { return "panicky" }

func (p *panicky) Handle(ev store.Event) {
	cm, ok := ev.KV.Obj.(*corev1.ConfigMap)
	if !ok || ev.Type != store.Put {
		return
	}
	if cm.Name == "bad-handle" {
		panic("handle: bad object")
	}
	p.queue[cm.Namespace+"/"+cm.Name] = true
}

func (p *panicky) Run(now time.Time) bool {
	p.runs++
	if p.runPanic {
		panic("run: broken")
	}
	keys := slices.Sorted(maps.Keys(p.queue))
	clear(p.queue)
	return contain.Each(keys, func(k string) string { return k },
		func(k string) any {
			ns, name, _ := strings.Cut(k, "/")
			o, _ := p.c.Registry.Get(p.c.res("", "configmaps"), ns, name)
			return o
		},
		func(k string) { p.queue[k] = true },
		func(k string) bool {
			if strings.HasSuffix(k, "/boom") {
				var m map[string]int
				m["x"] = 1 // deliberately nil map
			}
			p.synced = append(p.synced, k)
			return false
		})
}

func warnings(t *testing.T, c *Cluster, name string) []*corev1.Event {
	t.Helper()
	var out []*corev1.Event
	c.Locked(func() {
		objs, _, err := c.Registry.List(c.res("", "events"), "default", registry.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if ev := o.(*corev1.Event); ev.InvolvedObject.Name == name && ev.Type == corev1.EventTypeWarning {
				out = append(out, ev)
			}
		}
	})
	return out
}

// TestComponentPanicContained: a component that panics on one object is
// reported (log line, Warning event on the object), that key backs off on
// the virtual clock, and every other object is still synced.
func TestComponentPanicContained(t *testing.T) {
	c, log := newContainCluster(t)
	p := &panicky{c: c, queue: map[string]bool{}}
	c.AddComponent(p)
	cms := c.res("", "configmaps")
	c.Do(func() {
		for _, n := range []string{"a", "bad-handle", "boom", "c"} {
			if _, err := c.Registry.Create(cms, "default", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: n}}, false); err != nil {
				t.Fatal(err)
			}
		}
	})
	if want := "default/a default/c"; strings.Join(p.synced, " ") != want {
		t.Errorf("synced %v, want %s", p.synced, want)
	}
	for _, want := range []string{
		"kubesim: panicky panicked handling an event of configmap default/bad-handle: handle: bad object",
		"kubesim: panicky panicked syncing configmap default/boom: assignment to entry in nil map (retrying in 5ms)",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	evs := warnings(t, c, "boom")
	if len(evs) != 1 || evs[0].Reason != "FailedSync" || evs[0].Count != 1 ||
		evs[0].Message != "panicky panicked: assignment to entry in nil map" {
		t.Fatalf("events on boom: %+v; want one FailedSync", evs)
	}
	if evs := warnings(t, c, "bad-handle"); len(evs) != 1 {
		t.Errorf("events on bad-handle: %d, want 1", len(evs))
	}
	// Retries at 5 ms, then 10 ms later (15 ms), then 20 ms later (35 ms):
	// by 14 ms, two failures; by 35 ms, four.
	c.Advance(14 * time.Millisecond)
	if evs := warnings(t, c, "boom"); len(evs) != 1 || evs[0].Count != 2 {
		t.Fatalf("after 14ms: %+v; want the event counted twice", evs)
	}
	c.Advance(21 * time.Millisecond)
	if evs := warnings(t, c, "boom"); len(evs) != 1 || evs[0].Count != 4 {
		t.Fatalf("after 35ms: %+v; want the event counted four times", evs)
	}
	// The cluster goes on: a new object is synced.
	c.Do(func() {
		if _, err := c.Registry.Create(cms, "default", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "d"}}, false); err != nil {
			t.Fatal(err)
		}
	})
	if got := p.synced[len(p.synced)-1]; got != "default/d" {
		t.Errorf("last synced %s, want default/d", got)
	}
}

// TestUnkeyedPanicPausesComponent: a component whose Run panics without a
// key is paused for the back-off, then run again; the loop goes on.
func TestUnkeyedPanicPausesComponent(t *testing.T) {
	c, log := newContainCluster(t)
	p := &panicky{c: c, queue: map[string]bool{}, runPanic: true}
	c.AddComponent(p)
	c.Settle()
	if p.runs != 1 || !strings.Contains(log.String(), "kubesim: panicky panicked: run: broken (paused for 5ms)") {
		t.Fatalf("runs %d, log:\n%s", p.runs, log)
	}
	c.Settle()
	if p.runs != 1 {
		t.Errorf("runs %d while paused, want 1", p.runs)
	}
	c.Advance(5 * time.Millisecond)
	if p.runs != 2 || !strings.Contains(log.String(), "(paused for 10ms)") {
		t.Errorf("after the back-off: runs %d, log:\n%s", p.runs, log)
	}
}
