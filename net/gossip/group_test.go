package gossip

import (
	"context"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGroupHaltResumeRemove walks the lecture's node lifecycle: three
// kubelets join, w2's VM halts and the others see it leave, it comes back
// and they see it join, w1 is deleted and leaves at once.
func TestGroupHaltResumeRemove(t *testing.T) {
	g := NewGroup(NewNetwork())
	t.Cleanup(func() { _ = g.Close() })
	nodes := []struct {
		name string
		addr string
	}{{"m.example.com", "192.168.56.10"}, {"w1.example.com", "192.168.56.11"}, {"w2.example.com", "192.168.56.12"}}
	wait := func(name string, f func(context.Context, string) ([]Event, error)) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if _, err := f(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		if err := g.Add(n.name, netip.MustParseAddr(n.addr)); err != nil {
			t.Fatal(err)
		}
		wait(n.name, g.AwaitJoin)
	}
	if err := g.Add("m.example.com", netip.MustParseAddr("192.168.56.20")); err == nil {
		t.Error("a second member with the same name was accepted")
	}
	all := []string{"m.example.com", "w1.example.com", "w2.example.com"}
	if diff := cmp.Diff(all, g.Members("m.example.com")); diff != "" {
		t.Fatalf("members (-want +got):\n%s", diff)
	}

	if err := g.Halt("w2.example.com"); err != nil {
		t.Fatal(err)
	}
	wait("w2.example.com", g.AwaitLeave)
	if diff := cmp.Diff(all[:2], g.Members("w1.example.com")); diff != "" {
		t.Errorf("members after halt (-want +got):\n%s", diff)
	}

	if err := g.Resume("w2.example.com"); err != nil {
		t.Fatal(err)
	}
	wait("w2.example.com", g.AwaitJoin)
	if diff := cmp.Diff(all, g.Members("m.example.com")); diff != "" {
		t.Errorf("members after resume (-want +got):\n%s", diff)
	}

	if err := g.Remove("w1.example.com"); err != nil {
		t.Fatal(err)
	}
	wait("w1.example.com", g.AwaitLeave)
	if err := g.Halt("nope"); err == nil {
		t.Error("Halt of an unknown member succeeded")
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-g.Events(); ok {
		// Buffered events may remain; drain to the close.
		for range g.Events() {
		}
	}
	if err := g.Add("late", netip.MustParseAddr("192.168.56.30")); err == nil {
		t.Error("Add after Close succeeded")
	}
}
