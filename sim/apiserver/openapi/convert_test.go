package openapi

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestV2Schema(t *testing.T) {
	cases := []struct{ name, v3, v2 string }{
		{"ref with siblings unwrapped, default pruned",
			`{"allOf":[{"$ref":"#/components/schemas/a.B"}],"default":{},"description":"d"}`,
			`{"$ref":"#/definitions/a.B","description":"d"}`},
		{"nested in properties and items",
			`{"type":"object","properties":{"default":{"type":"string","default":""},"xs":{"type":"array","items":{"$ref":"#/components/schemas/a.C","default":{}}}}}`,
			`{"type":"object","properties":{"default":{"type":"string"},"xs":{"type":"array","items":{"$ref":"#/definitions/a.C"}}}}`},
		{"allOf with more than a ref kept",
			`{"allOf":[{"$ref":"#/components/schemas/a.B","description":"x"}]}`,
			`{"allOf":[{"$ref":"#/definitions/a.B","description":"x"}]}`},
		{"additionalProperties", `{"additionalProperties":{"allOf":[{"$ref":"#/components/schemas/q.Q"}],"default":{}}}`,
			`{"additionalProperties":{"$ref":"#/definitions/q.Q"}}`},
	}
	for _, c := range cases {
		var in, want any
		json.Unmarshal([]byte(c.v3), &in)
		json.Unmarshal([]byte(c.v2), &want)
		before, _ := json.Marshal(in)
		if diff := cmp.Diff(want, V2Schema(in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		if after, _ := json.Marshal(in); string(after) != string(before) {
			t.Errorf("%s: input modified", c.name)
		}
	}
}

func TestNearest(t *testing.T) {
	for version, want := range map[string]string{
		"v1.27.1": "v1.27.json.gz", "1.33": "v1.33.json.gz", "v1.30.4": "v1.30.json.gz",
		"v1.26.0": "v1.27.json.gz", "v1.23.17": "v1.27.json.gz", "v1.35.0": "v1.33.json.gz", "v1.33.0-rc.1": "v1.33.json.gz",
	} {
		if got := nearest(version); got != want {
			t.Errorf("nearest(%q) = %q, want %q", version, got, want)
		}
	}
}

// TestDataFiles: each file decodes, is the release it is named for, and
// holds the definitions every document needs.
func TestDataFiles(t *testing.T) {
	for _, m := range minors() {
		name := "v1." + itoa(m) + ".json.gz"
		d, err := loadData(name)
		if err != nil {
			t.Fatal(err)
		}
		if DataFile(d.Version) != name {
			t.Errorf("%s holds %s", name, d.Version)
		}
		for _, def := range []string{"io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.Deployment", metaV1 + "DeleteOptions", metaV1 + "ListOptions", metaV1 + "PatchOptions", metaV1 + "Patch", metaV1 + "WatchEvent", "io.k8s.api.autoscaling.v1.Scale"} {
			if d.Schemas[def] == nil {
				t.Errorf("%s: no %s", name, def)
			}
		}
	}
	if len(minors()) < 7 {
		t.Errorf("data for minors %v, want 27 to 33", minors())
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
