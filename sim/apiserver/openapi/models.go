package openapi

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Models returns the release's definitions for version (the nearest
// release's when kubesim has none for that minor) as kube-openapi schemas,
// each kind's with the x-kubernetes-group-version-kind the scheme gives it:
// the models kube-apiserver builds its server-side apply TypeConverter
// from (managedfields.NewTypeConverter). They are the v3 forms the
// /openapi/v3 documents serve. The result is the caller's.
func Models(version string, scheme *runtime.Scheme) (map[string]*spec.Schema, error) {
	data, err := release(version)
	if err != nil {
		return nil, err
	}
	n := newNamer(scheme)
	set := newSchemaSet(data, n)
	raw := make(map[string]json.RawMessage, len(data.Schemas))
	for name := range data.Schemas {
		b, err := set.encodeV3(name)
		if err != nil {
			return nil, err
		}
		raw[name] = b
	}
	out := make(map[string]*spec.Schema, len(raw))
	for name, b := range raw {
		s := &spec.Schema{}
		if err := json.Unmarshal(b, s); err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

// NearestDataFile is the data file whose definitions a cluster of version
// is served (its minor's, else the nearest release's).
func NearestDataFile(version string) string { return nearest(version) }
