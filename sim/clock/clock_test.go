package clock

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var epoch = time.Date(2023, 4, 20, 0, 0, 0, 0, time.UTC)

func TestTimersFireInTimeThenSequenceOrder(t *testing.T) {
	c := NewVirtual(epoch)
	var got []string
	add := func(d time.Duration, name string) *Timer {
		return c.AfterFunc(d, func() { got = append(got, name) })
	}
	add(2*time.Second, "b1")
	add(time.Second, "a")
	add(2*time.Second, "b2")
	stopped := add(time.Second, "cancelled")
	add(0, "now")
	if !c.Stop(stopped) {
		t.Fatal("Stop of a pending timer reported false")
	}
	if c.Stop(stopped) {
		t.Fatal("second Stop reported true")
	}
	for c.Step(epoch.Add(time.Hour)) {
		for c.FireDue() {
		}
	}
	want := []string{"now", "a", "b1", "b2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("firing order (-want +got):\n%s", diff)
	}
	if want, got := epoch.Add(2*time.Second), c.Now(); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
}

func TestStepRespectsLimitAndNeverGoesBack(t *testing.T) {
	c := NewVirtual(epoch)
	fired := false
	c.AfterFunc(10*time.Second, func() { fired = true })
	if c.Step(epoch.Add(5 * time.Second)) {
		t.Fatal("Step moved past its limit")
	}
	if c.FireDue() || fired {
		t.Fatal("a future timer fired")
	}
	c.Set(epoch.Add(-time.Hour))
	if !c.Now().Equal(epoch) {
		t.Fatalf("Set moved the clock backwards to %v", c.Now())
	}
	c.Set(epoch.Add(time.Minute))
	if !c.FireDue() || !fired {
		t.Fatal("an overdue timer did not fire")
	}
	if _, ok := c.Next(); ok {
		t.Fatal("Next reports a timer after all fired")
	}
}

func TestTimerSetFromCallbackRunsInSameStep(t *testing.T) {
	c := NewVirtual(epoch)
	var got []string
	c.AfterFunc(time.Second, func() {
		got = append(got, "first")
		c.AfterFunc(0, func() { got = append(got, "chained") })
	})
	c.Step(epoch.Add(time.Second))
	for c.FireDue() {
	}
	if diff := cmp.Diff([]string{"first", "chained"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
