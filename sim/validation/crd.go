package validation

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The CustomResourceDefinition rules of apiextensions-apiserver
// (pkg/apis/apiextensions/validation), on the internal version as upstream
// validates it, so the paths are upstream's: a CRD whose versions share one
// schema is validated as spec.validation.openAPIV3Schema. Ported: metadata
// and the plural.group name, group, scope, versions (names, one storage
// version, a schema each), names, printer columns, the scale subresource's
// paths, the root schema with a status subresource, structural schemas
// (the schema package's own ValidateStructural), storedVersions; on update
// group and plural, and scope and kind once Established. Not ported: the
// deep OpenAPI rules (ValidateCustomResourceDefinitionOpenAPISchema beyond
// structural), default validation against the schema, CEL rules and their
// cost, conversion webhooks, selectable fields.

var (
	crdColumnTypes   = []string{"boolean", "date", "integer", "number", "string"}
	crdColumnFormats = []string{"byte", "date", "date-time", "double", "float", "int32", "int64", "password"}
	crdRootFields    = []string{"Description", "Type", "Format", "Title", "Maximum", "ExclusiveMaximum", "Minimum", "ExclusiveMinimum", "MaxLength", "MinLength", "Pattern", "MaxItems", "MinItems", "UniqueItems", "MultipleOf", "Required", "Items", "Properties", "ExternalDocs", "Example", "XPreserveUnknownFields", "XValidations"}
)

func toInternalCRD(crd *apiextensionsv1.CustomResourceDefinition) (*apiextensions.CustomResourceDefinition, error) {
	out := &apiextensions.CustomResourceDefinition{}
	err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, out, nil)
	return out, err
}

// ValidateCustomResourceDefinition validates a CRD on create.
func ValidateCustomResourceDefinition(crd *apiextensionsv1.CustomResourceDefinition) field.ErrorList {
	in, err := toInternalCRD(crd)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("spec"), "", err.Error())}
	}
	nameFn := func(name string, prefix bool) []string {
		ret := apimachineryvalidation.NameIsDNSSubdomain(name, prefix)
		if name != in.Spec.Names.Plural+"."+in.Spec.Group {
			ret = append(ret, `must be spec.names.plural+"."+spec.group`)
		}
		return ret
	}
	errs := validateObjectMetaSlow(&crd.ObjectMeta, false, nameFn)
	errs = append(errs, validateCRDSpec(&in.Spec, field.NewPath("spec"))...)
	errs = append(errs, validateCRDNames(&in.Status.AcceptedNames, field.NewPath("status", "acceptedNames"))...)
	errs = append(errs, validateStoredVersions(in.Status.StoredVersions, in.Spec.Versions, field.NewPath("status", "storedVersions"))...)
	return errs
}

// ValidateCustomResourceDefinitionUpdate validates a CRD on update.
func ValidateCustomResourceDefinitionUpdate(crd, old *apiextensionsv1.CustomResourceDefinition) field.ErrorList {
	in, err := toInternalCRD(crd)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("spec"), "", err.Error())}
	}
	errs := validateObjectMetaUpdate(&crd.ObjectMeta, &old.ObjectMeta)
	spec := field.NewPath("spec")
	errs = append(errs, validateCRDSpec(&in.Spec, spec)...)
	if established(old) {
		errs = append(errs, validateImmutable(string(crd.Spec.Scope), string(old.Spec.Scope), spec.Child("scope"))...)
		errs = append(errs, validateImmutable(crd.Spec.Names.Kind, old.Spec.Names.Kind, spec.Child("names", "kind"))...)
	}
	errs = append(errs, validateImmutable(crd.Spec.Group, old.Spec.Group, spec.Child("group"))...)
	errs = append(errs, validateImmutable(crd.Spec.Names.Plural, old.Spec.Names.Plural, spec.Child("names", "plural"))...)
	errs = append(errs, validateCRDNames(&in.Status.AcceptedNames, field.NewPath("status", "acceptedNames"))...)
	errs = append(errs, validateStoredVersions(in.Status.StoredVersions, in.Spec.Versions, field.NewPath("status", "storedVersions"))...)
	return errs
}

// ValidateCustomResourceDefinitionStatusUpdate validates a write to a CRD's
// status.
func ValidateCustomResourceDefinitionStatusUpdate(crd, old *apiextensionsv1.CustomResourceDefinition) field.ErrorList {
	in, err := toInternalCRD(crd)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("status"), "", err.Error())}
	}
	errs := validateObjectMetaUpdate(&crd.ObjectMeta, &old.ObjectMeta)
	return append(errs, validateCRDNames(&in.Status.AcceptedNames, field.NewPath("status", "acceptedNames"))...)
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

func validateCRDSpec(spec *apiextensions.CustomResourceDefinitionSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.Group == "" {
		errs = append(errs, field.Required(p.Child("group"), ""))
	} else if e := utilvalidation.IsDNS1123Subdomain(spec.Group); len(e) > 0 {
		errs = append(errs, field.Invalid(p.Child("group"), spec.Group, strings.Join(e, ",")))
	} else if len(strings.Split(spec.Group, ".")) < 2 {
		errs = append(errs, field.Invalid(p.Child("group"), spec.Group, "should be a domain with at least one dot"))
	}
	switch spec.Scope {
	case "":
		errs = append(errs, field.Required(p.Child("scope"), ""))
	case apiextensions.ClusterScoped, apiextensions.NamespaceScoped:
	default:
		errs = append(errs, field.NotSupported(p.Child("scope"), string(spec.Scope), []string{"Cluster", "Namespaced"}))
	}
	if spec.Validation == nil || spec.Validation.OpenAPIV3Schema == nil {
		for i, v := range spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				errs = append(errs, field.Required(p.Child("versions").Index(i).Child("schema").Child("openAPIV3Schema"), ""))
			}
		}
	}
	if spec.PreserveUnknownFields != nil && *spec.PreserveUnknownFields {
		errs = append(errs, field.Invalid(p.Child("preserveUnknownFields"), true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in openAPIV3Schema instead"))
	}
	storage, seen, unique := 0, map[string]bool{}, true
	for i, v := range spec.Versions {
		vp := p.Child("versions").Index(i)
		if v.Storage {
			storage++
		}
		if seen[v.Name] {
			unique = false
		}
		seen[v.Name] = true
		if e := utilvalidation.IsDNS1035Label(v.Name); len(e) > 0 {
			errs = append(errs, field.Invalid(vp.Child("name"), v.Name, strings.Join(e, ",")))
		}
		sub := v.Subresources
		if sub == nil {
			sub = spec.Subresources
		}
		errs = append(errs, validateCRDSchema(v.Schema, sub != nil && sub.Status != nil, vp.Child("schema"))...)
		errs = append(errs, validateCRDSubresources(v.Subresources, vp.Child("subresources"))...)
		for j := range v.AdditionalPrinterColumns {
			errs = append(errs, validateCRDColumn(&v.AdditionalPrinterColumns[j], vp.Child("additionalPrinterColumns").Index(j))...)
		}
	}
	if !unique {
		errs = append(errs, field.Invalid(p.Child("versions"), spec.Versions, "must contain unique version names"))
	}
	if storage != 1 {
		errs = append(errs, field.Invalid(p.Child("versions"), spec.Versions, "must have exactly one version marked as storage version"))
	}
	if spec.Names.Plural == "" {
		errs = append(errs, field.Required(p.Child("names", "plural"), ""))
	}
	if spec.Names.Singular == "" {
		errs = append(errs, field.Required(p.Child("names", "singular"), ""))
	}
	if spec.Names.Kind == "" {
		errs = append(errs, field.Required(p.Child("names", "kind"), ""))
	}
	if spec.Names.ListKind == "" {
		errs = append(errs, field.Required(p.Child("names", "listKind"), ""))
	}
	errs = append(errs, validateCRDNames(&spec.Names, p.Child("names"))...)
	statusAny := spec.Subresources != nil && spec.Subresources.Status != nil
	for _, v := range spec.Versions {
		statusAny = statusAny || v.Subresources != nil && v.Subresources.Status != nil
	}
	errs = append(errs, validateCRDSchema(spec.Validation, statusAny, p.Child("validation"))...)
	errs = append(errs, validateCRDSubresources(spec.Subresources, p.Child("subresources"))...)
	for i := range spec.AdditionalPrinterColumns {
		errs = append(errs, validateCRDColumn(&spec.AdditionalPrinterColumns[i], p.Child("additionalPrinterColumns").Index(i))...)
	}
	return errs
}

func validateCRDNames(n *apiextensions.CustomResourceDefinitionNames, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if e := utilvalidation.IsDNS1035Label(n.Plural); n.Plural != "" && len(e) > 0 {
		errs = append(errs, field.Invalid(p.Child("plural"), n.Plural, strings.Join(e, ",")))
	}
	if e := utilvalidation.IsDNS1035Label(n.Singular); n.Singular != "" && len(e) > 0 {
		errs = append(errs, field.Invalid(p.Child("singular"), n.Singular, strings.Join(e, ",")))
	}
	if e := utilvalidation.IsDNS1035Label(strings.ToLower(n.Kind)); n.Kind != "" && len(e) > 0 {
		errs = append(errs, field.Invalid(p.Child("kind"), n.Kind, "may have mixed case, but should otherwise match: "+strings.Join(e, ",")))
	}
	if e := utilvalidation.IsDNS1035Label(strings.ToLower(n.ListKind)); n.ListKind != "" && len(e) > 0 {
		errs = append(errs, field.Invalid(p.Child("listKind"), n.ListKind, "may have mixed case, but should otherwise match: "+strings.Join(e, ",")))
	}
	for i, s := range n.ShortNames {
		if e := utilvalidation.IsDNS1035Label(s); len(e) > 0 {
			errs = append(errs, field.Invalid(p.Child("shortNames").Index(i), s, strings.Join(e, ",")))
		}
	}
	if n.Kind != "" && n.Kind == n.ListKind {
		errs = append(errs, field.Invalid(p.Child("listKind"), n.ListKind, "kind and listKind may not be the same"))
	}
	for i, c := range n.Categories {
		if e := utilvalidation.IsDNS1035Label(c); len(e) > 0 {
			errs = append(errs, field.Invalid(p.Child("categories").Index(i), c, strings.Join(e, ",")))
		}
	}
	return errs
}

func validateCRDColumn(c *apiextensions.CustomResourceColumnDefinition, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	}
	types := "must be one of " + strings.Join(crdColumnTypes, ",")
	if c.Type == "" {
		errs = append(errs, field.Required(p.Child("type"), types))
	} else if !contains(crdColumnTypes, c.Type) {
		errs = append(errs, field.Invalid(p.Child("type"), c.Type, types))
	}
	if c.Format != "" && !contains(crdColumnFormats, c.Format) {
		errs = append(errs, field.Invalid(p.Child("format"), c.Format, "must be one of "+strings.Join(crdColumnFormats, ",")))
	}
	if c.JSONPath == "" {
		errs = append(errs, field.Required(p.Child("JSONPath"), ""))
	} else {
		errs = append(errs, validateSimpleJSONPath(c.JSONPath, p.Child("JSONPath"))...)
	}
	return errs
}

func validateSimpleJSONPath(s string, p *field.Path) field.ErrorList {
	switch {
	case s == "":
		return field.ErrorList{field.Invalid(p, s, "must not be empty")}
	case s[0] != '.':
		return field.ErrorList{field.Invalid(p, s, "must be a simple json path starting with .")}
	}
	return nil
}

func validateCRDSubresources(s *apiextensions.CustomResourceSubresources, p *field.Path) field.ErrorList {
	if s == nil || s.Scale == nil {
		return nil
	}
	var errs field.ErrorList
	sc := s.Scale
	check := func(path, name, prefix, msg string) {
		fp := p.Child("scale." + name)
		if path == "" {
			errs = append(errs, field.Required(fp, ""))
		} else if e := validateSimpleJSONPath(path, fp); len(e) > 0 {
			errs = append(errs, e...)
		} else if !strings.HasPrefix(path, prefix) {
			errs = append(errs, field.Invalid(fp, path, msg))
		}
	}
	check(sc.SpecReplicasPath, "specReplicasPath", ".spec.", "should be a json path under .spec")
	check(sc.StatusReplicasPath, "statusReplicasPath", ".status.", "should be a json path under .status")
	if sc.LabelSelectorPath != nil && *sc.LabelSelectorPath != "" {
		fp := p.Child("scale.labelSelectorPath")
		if e := validateSimpleJSONPath(*sc.LabelSelectorPath, fp); len(e) > 0 {
			errs = append(errs, e...)
		} else if !strings.HasPrefix(*sc.LabelSelectorPath, ".spec.") && !strings.HasPrefix(*sc.LabelSelectorPath, ".status.") {
			errs = append(errs, field.Invalid(fp, sc.LabelSelectorPath, "should be a json path under either .spec or .status"))
		}
	}
	return errs
}

func validateCRDSchema(v *apiextensions.CustomResourceValidation, status bool, p *field.Path) field.ErrorList {
	if v == nil || v.OpenAPIV3Schema == nil {
		return nil
	}
	s := v.OpenAPIV3Schema
	sp := p.Child("openAPIV3Schema")
	var errs field.ErrorList
	if status {
		rv := reflect.ValueOf(s).Elem()
		for i := 0; i < rv.NumField(); i++ {
			if rv.Field(i).IsZero() {
				continue
			}
			name := rv.Type().Field(i).Name
			if name == "Type" {
				if s.Type != "object" {
					errs = append(errs, field.Invalid(p.Child("openAPIV3Schema.type"), s.Type, `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`))
					break
				}
				continue
			}
			if !contains(crdRootFields, name) {
				errs = append(errs, field.Invalid(sp, *s, fmt.Sprintf(`only %v fields are allowed at the root of the schema if the status subresource is enabled`, crdRootFields)))
				break
			}
		}
	}
	if s.Nullable {
		errs = append(errs, field.Forbidden(p.Child("openAPIV3Schema.nullable"), `nullable cannot be true at the root`))
	}
	ss, err := structuralschema.NewStructural(s)
	if err != nil {
		if len(errs) == 0 {
			errs = append(errs, field.Invalid(sp, "", err.Error()))
		}
		return errs
	}
	return append(errs, structuralschema.ValidateStructural(sp, ss)...)
}

func validateStoredVersions(stored []string, versions []apiextensions.CustomResourceDefinitionVersion, p *field.Path) field.ErrorList {
	if len(stored) == 0 {
		return field.ErrorList{field.Invalid(p, stored, "must have at least one stored version")}
	}
	var errs field.ErrorList
	index := map[string]int{}
	for i, v := range stored {
		index[v] = i
	}
	for _, v := range versions {
		_, ok := index[v.Name]
		if v.Storage && !ok {
			errs = append(errs, field.Invalid(p, stored, "must have the storage version "+v.Name))
		}
		delete(index, v.Name)
	}
	for _, v := range stored {
		if i, ok := index[v]; ok {
			errs = append(errs, field.Invalid(p.Index(i), v, fmt.Sprintf("missing from spec.versions; %[1]s was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in %[1]s and removes %[1]s from status.storedVersions", v)))
		}
	}
	return errs
}

// ValidateCustomObjectMeta validates a custom resource's metadata as the CR
// strategy does (the name a DNS subdomain); old is nil on create.
func ValidateCustomObjectMeta(m, old *metav1.ObjectMeta, namespaced bool) field.ErrorList {
	if old != nil {
		return validateObjectMetaUpdate(m, old)
	}
	return validateObjectMeta(m, namespaced, subdomainName)
}
