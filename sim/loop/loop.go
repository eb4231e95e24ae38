package loop

import (
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
