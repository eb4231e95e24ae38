package apiextensions

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

const testSchema = `{"type":"object","properties":{"spec":{"type":"object","properties":{
"cronSpec":{"type":"string","pattern":"^[*0-9/ ]+$"},
"image":{"type":"string","maxLength":5},
"replicas":{"type":"integer","default":1,"minimum":0},
"mode":{"type":"string","enum":["a","b"]},
"tags":{"type":"array","maxItems":1,"items":{"type":"string"}},
"extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
"required":["cronSpec"]}}}`

func testVersion(t *testing.T) *Version {
	t.Helper()
	var s apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal([]byte(testSchema), &s); err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{Spec: apiextensionsv1.CustomResourceDefinitionSpec{
		Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &s}}},
	}}
	v, err := Compile(crd, "v1")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	// As unstructured decoding gives them: whole numbers are int64.
	var fix func(any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		case float64:
			if x == float64(int64(x)) {
				return int64(x)
			}
		}
		return v
	}
	return fix(m).(map[string]any)
}

// TestValidateMessages: the schema's errors read as kube-apiserver's CR
// validation prints them.
func TestValidateMessages(t *testing.T) {
	v := testVersion(t)
	for _, tc := range []struct{ in, want string }{
		{`{"spec":{"cronSpec":"* *"}}`, ""},
		{`{"spec":{"cronSpec":"* *","replicas":"string"}}`, `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`},
		{`{"spec":{}}`, `spec.cronSpec: Required value`},
		{`{"spec":{"cronSpec":"x"}}`, `spec.cronSpec: Invalid value: "x": spec.cronSpec in body should match '^[*0-9/ ]+$'`},
		{`{"spec":{"cronSpec":"1","mode":"c"}}`, `spec.mode: Unsupported value: "c": supported values: "a", "b"`},
		{`{"spec":{"cronSpec":"1","image":"toolong"}}`, `spec.image: Too long: may not be more than 5 bytes`},
		{`{"spec":{"cronSpec":"1","tags":["a","b"]}}`, `spec.tags: Too many: 2: must have at most 1 item`},
		{`{"spec":{"cronSpec":"1","replicas":-1}}`, `spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0`},
	} {
		got := ""
		if errs := v.Validate(obj(t, tc.in)); len(errs) > 0 {
			got = errs.ToAggregate().Error()
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// TestPruneAndDefault: unknown fields go (and are reported), preserved
// subtrees and the root's metadata stay, defaults fill absent fields.
func TestPruneAndDefault(t *testing.T) {
	v := testVersion(t)
	o := obj(t, `{"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","odd":1},"spec":{"cronSpec":"1","unknown":1,"extra":{"kept":true}},"status":{"x":1}}`)
	pruned := v.Prune(o)
	if diff := cmp.Diff([]string{"spec.unknown", "status"}, pruned); diff != "" {
		t.Errorf("pruned (-want +got):\n%s", diff)
	}
	v.Default(o)
	want := obj(t, `{"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","odd":1},"spec":{"cronSpec":"1","replicas":1,"extra":{"kept":true}}}`)
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("pruned and defaulted (-want +got):\n%s", diff)
	}
}

// TestColumns: printer columns by type, missing values nil, dates as ages
// on the given clock, Age when none are declared.
func TestColumns(t *testing.T) {
	now := time.Date(2023, 4, 20, 0, 10, 0, 0, time.UTC)
	c, err := NewColumns([]apiextensionsv1.CustomResourceColumnDefinition{
		{Name: "Spec", Type: "string", JSONPath: ".spec.cronSpec"},
		{Name: "Replicas", Type: "integer", JSONPath: ".spec.replicas"},
		{Name: "Ready", Type: "boolean", JSONPath: ".status.ready"},
		{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := obj(t, `{"metadata":{"name":"x","creationTimestamp":"2023-04-20T00:00:00Z"},"spec":{"cronSpec":"* *","replicas":3}}`)
	if diff := cmp.Diff([]any{"x", "* *", int64(3), nil, "10m"}, c.Cells(o, "x", now)); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	d, _ := NewColumns(nil)
	if got := []string{d.Headers[0].Name, d.Headers[1].Name}; !cmp.Equal(got, []string{"Name", "Age"}) {
		t.Errorf("default headers %v", got)
	}
	if _, err := NewColumns([]apiextensionsv1.CustomResourceColumnDefinition{{Name: "Bad", Type: "string", JSONPath: ".spec[["}}); err == nil {
		t.Error("a bad JSONPath compiled")
	}
}
