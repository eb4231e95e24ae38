package fieldmanager

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/structured-merge-diff/v6/typed"
)

// Types is the structured-merge-diff type of every kind the cluster
// serves, looked up by group/version/kind: the built-in kinds' from the
// release's OpenAPI definitions (the same models /openapi/v3 serves), and
// any kind registered later (a CustomResourceDefinition's schema) from its
// own converter. It implements managedfields.TypeConverter.
//
// Types is safe for concurrent use.
type Types struct {
	base managedfields.TypeConverter

	mu    sync.RWMutex
	extra map[schema.GroupVersionKind]managedfields.TypeConverter
}

var _ managedfields.TypeConverter = (*Types)(nil)

var (
	builtinMu sync.Mutex
	builtin   = map[string]*builtinEntry{}
)

type builtinEntry struct {
	once sync.Once
	tc   managedfields.TypeConverter
	err  error
}

// Models returns OpenAPI definitions, each kind's with its
// x-kubernetes-group-version-kind (sim/apiserver/openapi.Models).
type Models func() (map[string]*spec.Schema, error)

// builtinTypes returns the TypeConverter of the models key names, built
// once per process.
func builtinTypes(key string, models Models) (managedfields.TypeConverter, error) {
	builtinMu.Lock()
	e := builtin[key]
	if e == nil {
		e = &builtinEntry{}
		builtin[key] = e
	}
	builtinMu.Unlock()
	e.once.Do(func() {
		m, err := models()
		if err != nil {
			e.err = err
			return
		}
		e.tc, e.err = managedfields.NewTypeConverter(m, false)
	})
	return e.tc, e.err
}

// NewTypes returns the types of the built-in kinds from models; key names
// the models (a release and a scheme): the conversion is done once per
// process for each key.
func NewTypes(key string, models Models) (*Types, error) {
	base, err := builtinTypes(key, models)
	if err != nil {
		return nil, fmt.Errorf("fieldmanager: types for %s: %w", key, err)
	}
	return &Types{base: base, extra: map[schema.GroupVersionKind]managedfields.TypeConverter{}}, nil
}

// Register makes tc the converter of gvk (a custom resource's kind, from
// its structural schema); nil removes it.
func (t *Types) Register(gvk schema.GroupVersionKind, tc managedfields.TypeConverter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tc == nil {
		delete(t.extra, gvk)
		return
	}
	t.extra[gvk] = tc
}

func (t *Types) converter(gvk schema.GroupVersionKind) managedfields.TypeConverter {
	t.mu.RLock()
	tc := t.extra[gvk]
	t.mu.RUnlock()
	if tc != nil {
		return tc
	}
	return t.base
}

// ObjectToTyped implements managedfields.TypeConverter. The object's
// TypeMeta names its kind (the registry stamps every object it stores).
func (t *Types) ObjectToTyped(obj runtime.Object, opts ...typed.ValidationOptions) (*typed.TypedValue, error) {
	return t.converter(obj.GetObjectKind().GroupVersionKind()).ObjectToTyped(obj, opts...)
}

// TypedToObject implements managedfields.TypeConverter: an unstructured
// object, whatever the kind.
func (t *Types) TypedToObject(v *typed.TypedValue) (runtime.Object, error) {
	return t.base.TypedToObject(v)
}
