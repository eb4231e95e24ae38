package sim

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestReadTakesNoLock: a read runs while the cluster lock is held by a
// writer (it would deadlock here if it took the lock).
func TestReadTakesNoLock(t *testing.T) {
	c, _ := newContainCluster(t)
	c.mu.Lock()
	ran := false
	c.Read(func() { ran = true })
	c.mu.Unlock()
	if !ran {
		t.Fatal("Read did not run fn")
	}
}

// TestReadCatchesUpWhenDue: in live mode a read first lets the cluster run
// the work its wall clock has made due; otherwise it reads the committed
// snapshot as it is. The read clock follows the wall clock.
func TestReadCatchesUpWhenDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	wall := start
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), Hollow: true, NoSync: true, Start: start, Now: func() time.Time { return wall }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cms := c.res("", "configmaps")
	c.Do(func() {
		c.Clock.AfterFunc(time.Hour, func() {
			if _, err := c.Registry.Create(cms, "default", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "due"}}, false); err != nil {
				t.Error(err)
			}
		})
	})
	found := func() bool {
		var err error
		c.Read(func() { _, err = c.Registry.Committed().Get(cms, "default", "due") })
		return err == nil
	}
	wall = start.Add(30 * time.Minute)
	if found() {
		t.Error("read at 30m sees the object the 1h timer creates")
	}
	if got := c.ReadClock().Now(); !got.Equal(wall) {
		t.Errorf("read clock %s, want the wall clock %s", got, wall)
	}
	wall = start.Add(time.Hour + time.Second)
	if !found() {
		t.Error("read after 1h does not see the object the timer created")
	}
}
