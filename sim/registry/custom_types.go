package registry

import (
	"k8s.io/apimachinery/pkg/util/managedfields"
)

// registerCustomTypes gives the field managers a type for every served
// custom kind. The type is deduced from the objects, not the kind's
// schema: a typed conversion fails on an object its schema rejects, and
// the managers run before validation does (upstream logs and moves on; the
// log would reach the practice prompt's stderr here). Deduced types own
// lists as a whole rather than by key, where a schema's x-kubernetes-list-
// type map would own them by element.
func (r *Registry) registerCustomTypes() {
	if r.fields == nil {
		return
	}
	types := r.fields.Types()
	for _, res := range r.customs().list {
		types.Register(res.GVK(), deduced)
	}
}

var deduced = managedfields.NewDeducedTypeConverter()
