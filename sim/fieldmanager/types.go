package fieldmanager

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"sigs.k8s.io/structured-merge-diff/v6/typed"

	"kubesim/sim/apiserver/openapi"
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

// builtinTypes returns the TypeConverter of the release's definitions,
// built once per process for each data file and scheme.
func builtinTypes(version string, scheme *runtime.Scheme) (managedfields.TypeConverter, error) {
	key := fmt.Sprintf("%s|%p", openapi.NearestDataFile(version), scheme)
	builtinMu.Lock()
	e := builtin[key]
	if e == nil {
		e = &builtinEntry{}
		builtin[key] = e
	}
	builtinMu.Unlock()
	e.once.Do(func() {
		models, err := openapi.Models(version, scheme)
		if err != nil {
			e.err = err
			return
		}
		e.tc, e.err = managedfields.NewTypeConverter(models, false)
	})
	return e.tc, e.err
}

// NewTypes returns the types of the built-in kinds for a cluster of
// version whose objects scheme registers.
func NewTypes(version string, scheme *runtime.Scheme) (*Types, error) {
	base, err := builtinTypes(version, scheme)
	if err != nil {
		return nil, fmt.Errorf("fieldmanager: types for %s: %w", version, err)
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
