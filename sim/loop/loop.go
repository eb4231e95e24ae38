package loop

import (
	"strings"
	"time"

	"kubesim/sim/store"
)

// Component is a part of the control plane or a node that reacts to store
// events. All methods are called on the loop goroutine with the cluster
// lock held, never concurrently.
type Component interface {
	// Name is the component's name (a controller's as
	// kube-controller-manager's --controllers flag spells it).
	Name() string
	// Handle records work for one store event, in revision order. It must
	// not write.
	Handle(ev store.Event)
	// Run does queued work, possibly writing through the registry, and
	// reports whether it did anything. It is called until every component
	// reports false, so a component that finds the world as it wants it
	// writes nothing and returns false.
	Run(now time.Time) bool
}

// Selective is implemented by a component whose Handle acts on the events
// of some resources only: the loop hands it no others. Wants must depend
// on resource alone and never change, as the loop remembers its answers.
type Selective interface {
	// Wants reports whether Handle may act on an event of resource
	// (Resource of the event's key).
	Wants(resource string) bool
}

// Resource is the resource of a store key "/registry/<resource>/…":
// "<group>/<resource>" for a custom resource (a group has a dot), "" for
// a key outside /registry/.
func Resource(key string) string {
	rest, ok := strings.CutPrefix(key, "/registry/")
	if !ok {
		return ""
	}
	res, rest, ok := strings.Cut(rest, "/")
	if !ok || !strings.Contains(res, ".") {
		return res
	}
	r, _, _ := strings.Cut(rest, "/")
	return res + "/" + r
}
