package sim

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/events"
	"kubesim/sim/registry"
)

// TestEventsExpireAfterResume: the events a stopped cluster stored expire
// an hour after their last activity in the resumed cluster (the recorder
// learns of them from the replay), and none older stays.
func TestEventsExpireAfterResume(t *testing.T) {
	dir := t.TempDir()
	c, err := New(DefaultClusterSpec(), Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Do(func() {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}
		if _, err := c.Registry.Create(c.res("", "pods"), "default", p, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(10 * time.Minute)
	stopped := c.Clock.Now()
	scheduled := func(c *Cluster) (n int, oldest time.Time, all int) {
		c.Do(func() {
			objs, _, _ := c.Registry.List(c.res("", "events"), "", registry.ListOptions{})
			for _, o := range objs {
				ev := o.(*corev1.Event)
				if ev.Reason == "Scheduled" && ev.InvolvedObject.Name == "web" {
					n++
				}
				last := ev.LastTimestamp.Time
				if last.IsZero() {
					last = ev.EventTime.Time
				}
				if oldest.IsZero() || last.Before(oldest) {
					oldest = last
				}
			}
			all = len(objs)
		})
		return n, oldest, all
	}
	if n, _, _ := scheduled(c); n != 1 {
		t.Fatalf("%d Scheduled events for web before the stop, want 1", n)
	}
	c.Close()
	c, err = New(DefaultClusterSpec(), Options{Dir: dir, NoSync: true, ResumeAt: stopped})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Advance(55 * time.Minute)
	n, oldest, all := scheduled(c)
	if n != 0 {
		t.Errorf("web's Scheduled event is kept %v after it was recorded", c.Clock.Now().Sub(stopped.Add(-10*time.Minute)))
	}
	if all == 0 {
		t.Errorf("no events at all after the resume (want the resumed nodes')")
	}
	if age := c.Clock.Now().Sub(oldest); all > 0 && age > events.TTL+time.Minute {
		t.Errorf("an event %v old is kept (TTL %v, expired each minute)", age, events.TTL)
	}
}
