package apiextensions

import (
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/util/validation/field"
	openapierrors "k8s.io/kube-openapi/pkg/validation/errors"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// Version is one served version of a CRD, compiled for its custom
// resources. It is immutable once built and safe for concurrent use.
type Version struct {
	Name string
	// Schema is the version's openAPIV3Schema as the CRD has it (nil: none).
	Schema *apiextensionsv1.JSONSchemaProps
	// Structural is the structural form of Schema (nil: none).
	Structural *structuralschema.Structural
	// Columns are the additionalPrinterColumns.
	Columns []apiextensionsv1.CustomResourceColumnDefinition
	// Status: the status subresource is enabled.
	Status bool
	// Scale is the scale subresource's paths (nil: none).
	Scale *apiextensionsv1.CustomResourceSubresourceScale

	validator *validate.SchemaValidator
}

// VersionOf returns the named version of crd, or nil.
func VersionOf(crd *apiextensionsv1.CustomResourceDefinition, name string) *apiextensionsv1.CustomResourceDefinitionVersion {
	for i := range crd.Spec.Versions {
		if crd.Spec.Versions[i].Name == name {
			return &crd.Spec.Versions[i]
		}
	}
	return nil
}

// Compile builds the named version of crd. A CRD that passed validation
// always compiles; the error is for one that did not (a stored object
// written by an older kubesim, say), whose resources are then not served.
func Compile(crd *apiextensionsv1.CustomResourceDefinition, name string) (*Version, error) {
	v := VersionOf(crd, name)
	if v == nil {
		return nil, fmt.Errorf("version %q not in CRD %s", name, crd.Name)
	}
	out := &Version{Name: name, Columns: v.AdditionalPrinterColumns}
	if v.Subresources != nil {
		out.Status = v.Subresources.Status != nil
		out.Scale = v.Subresources.Scale
	}
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		return out, nil
	}
	out.Schema = v.Schema.OpenAPIV3Schema
	s, err := Structural(out.Schema)
	if err != nil {
		return nil, err
	}
	out.Structural = s
	out.validator = validate.NewSchemaValidator(s.ToKubeOpenAPI(), nil, "", strfmt.Default)
	return out, nil
}

// Structural converts a v1 schema to its structural form.
func Structural(s *apiextensionsv1.JSONSchemaProps) (*structuralschema.Structural, error) {
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(s, &internal, nil); err != nil {
		return nil, err
	}
	return structuralschema.NewStructural(&internal)
}

// Validate returns the schema's errors for obj (a custom resource as
// unstructured content), with the field paths and texts of the CR
// strategy's kubeOpenAPIResultToFieldErrors.
func (v *Version) Validate(obj map[string]any) (errs field.ErrorList) {
	if v.validator == nil {
		return nil
	}
	defer func() {
		// The validator is third-party code over client data: a value it
		// cannot handle is the client's error, never the cluster's crash.
		if p := recover(); p != nil {
			errs = field.ErrorList{field.InternalError(nil, fmt.Errorf("schema validation: %v", p))}
		}
	}()
	res := v.validator.Validate(obj)
	if res.IsValid() {
		return nil
	}
	for _, e := range res.Errors {
		ve, ok := e.(*openapierrors.Validation)
		if !ok {
			errs = append(errs, field.Invalid(nil, "", e.Error()))
			continue
		}
		var p *field.Path
		if ve.Name != "" && ve.Name != "." {
			p = field.NewPath(strings.TrimPrefix(ve.Name, "."))
		}
		value := any("")
		if ve.Value != nil {
			value = ve.Value
		}
		switch ve.Code() {
		case openapierrors.RequiredFailCode:
			errs = append(errs, field.Required(p, ""))
		case openapierrors.EnumFailCode:
			var values []string
			for _, a := range ve.Values {
				if s, ok := a.(string); ok {
					values = append(values, s)
				} else {
					b, _ := json.Marshal(a)
					values = append(values, string(b))
				}
			}
			errs = append(errs, field.NotSupported(p, ve.Value, values))
		case openapierrors.TooLongFailCode:
			max := int64(-1)
			if i, ok := ve.Valid.(int64); ok {
				max = i
			}
			errs = append(errs, field.TooLong(p, "", int(max)))
		case openapierrors.MaxItemsFailCode, openapierrors.TooManyPropertiesCode:
			actual, max := int64(-1), int64(-1)
			if i, ok := ve.Value.(int64); ok {
				actual = i
			}
			if i, ok := ve.Valid.(int64); ok {
				max = i
			}
			errs = append(errs, field.TooMany(p, int(actual), int(max)))
		case openapierrors.InvalidTypeCode:
			errs = append(errs, field.TypeInvalid(p, value, ve.Error()))
		default:
			errs = append(errs, field.Invalid(p, value, ve.Error()))
		}
	}
	return errs
}

// Prune drops the fields of obj the schema does not specify (apiVersion,
// kind and metadata at the root are kept) and returns their paths, sorted,
// as the strict decoder reports them ("spec.foo").
func (v *Version) Prune(obj map[string]any) []string {
	if v.Structural == nil {
		return nil
	}
	return pruning.PruneWithOptions(obj, v.Structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
}

// Default sets the schema's defaults in obj.
func (v *Version) Default(obj map[string]any) {
	if v.Structural != nil {
		applyDefaults(obj, v.Structural)
	}
}
