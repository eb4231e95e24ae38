package validation

import (
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Version is the Kubernetes minor version whose rules and messages apply,
// 27 for v1.27. Only rules that changed between 1.27 and 1.33 look at it.
type Version int

// Default is the lecture cluster's version, v1.27.1.
const Default Version = 27

// isNegativeErrorMsg is apimachinery's IsNegativeErrorMsg.
const isNegativeErrorMsg = apimachineryvalidation.IsNegativeErrorMsg

// Name rules of upstream's ValidateXName functions.
var (
	nameIsDNSSubdomain = apimachineryvalidation.NameIsDNSSubdomain
	nameIsDNSLabel     = apimachineryvalidation.NameIsDNSLabel
	nameIsDNS1035Label = apimachineryvalidation.NameIsDNS1035Label
	metadataPath       = field.NewPath("metadata")
	specPath           = field.NewPath("spec")
)

// nameRule is a kind's name rule (upstream's ValidateXName).
type nameRule int

const (
	subdomainName   nameRule = iota // NameIsDNSSubdomain
	labelName                       // NameIsDNSLabel
	dns1035Name                     // NameIsDNS1035Label
	pathSegmentName                 // path.ValidatePathSegmentName (RBAC kinds)
)

func (r nameRule) fn() apimachineryvalidation.ValidateNameFunc {
	switch r {
	case labelName:
		return nameIsDNSLabel
	case dns1035Name:
		return nameIsDNS1035Label
	case pathSegmentName:
		return path.ValidatePathSegmentName
	}
	return nameIsDNSSubdomain
}

func (r nameRule) ok(s string) bool {
	switch r {
	case labelName:
		return okDNS1123Label(s)
	case dns1035Name:
		return okDNS1123Label(s) && s[0] >= 'a' && s[0] <= 'z'
	case pathSegmentName:
		return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/%")
	}
	return okDNS1123Subdomain(s)
}

// validateObjectMeta is core's ValidateObjectMeta: name (or generateName) by
// the kind's rule, namespace, labels, annotations, owner references,
// finalizers. A byte-loop check passes valid metadata without building a
// field path; anything it doubts goes to apimachinery for the messages.
func validateObjectMeta(m *metav1.ObjectMeta, namespaced bool, rule nameRule) field.ErrorList {
	if okObjectMeta(m, namespaced, rule) {
		return nil
	}
	return validateObjectMetaSlow(m, namespaced, rule.fn())
}

// validateObjectMetaUpdate is the part of ValidateObjectMetaUpdate a client
// can get wrong: name and namespace are immutable, labels and annotations
// must stay valid. (uid, creationTimestamp, generation and resourceVersion
// are managed by the registry before validation runs.)
func validateObjectMetaUpdate(m, old *metav1.ObjectMeta) field.ErrorList {
	if m.Name == old.Name && m.Namespace == old.Namespace && old.DeletionTimestamp == nil &&
		okLabels(m.Labels) && okAnnotations(m.Annotations) && okOwnerReferences(m.OwnerReferences) {
		return nil // the valid path builds no field paths
	}
	var errs field.ErrorList
	if old.DeletionTimestamp != nil {
		errs = append(errs, validateNoNewFinalizers(m.Finalizers, old.Finalizers, metadataPath.Child("finalizers"))...)
	}
	errs = append(errs, validateImmutable(m.Name, old.Name, metadataPath.Child("name"))...)
	errs = append(errs, validateImmutable(m.Namespace, old.Namespace, metadataPath.Child("namespace"))...)
	errs = append(errs, validateLabels(m.Labels, metadataPath.Child("labels"))...)
	errs = append(errs, validateAnnotations(m.Annotations, metadataPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, metadataPath.Child("ownerReferences"))...)
	return errs
}

// validateNonnegative is ValidateNonnegativeField.
func validateNonnegative(v int64, p *field.Path) field.ErrorList {
	if v < 0 {
		return field.ErrorList{field.Invalid(p, v, isNegativeErrorMsg)}
	}
	return nil
}

// validateImmutable is ValidateImmutableField: the new value is reported.
// Complex values render as Go syntax of the internal type (pkg names it).
func validateImmutable(v, old any, p *field.Path) field.ErrorList {
	if apiequality.Semantic.DeepEqual(v, old) {
		return nil
	}
	return field.ErrorList{field.Invalid(p, v, fieldImmutable)}
}

const fieldImmutable = "field is immutable"

// validateImmutableGo is validateImmutable for struct values.
func validateImmutableGo(v, old any, pkg string, p *field.Path) field.ErrorList {
	if apiequality.Semantic.DeepEqual(v, old) {
		return nil
	}
	return field.ErrorList{field.Invalid(p, bad(v, pkg), fieldImmutable)}
}

// bad renders a value for field.Invalid as upstream 1.27–1.33 do: nil
// pointers as null, scalars as themselves, everything else as Go syntax.
func bad(v any, pkg string) any {
	switch t := v.(type) {
	case nil:
		return nil
	case *int32:
		if t == nil {
			return nil
		}
		return *t
	case *int64:
		if t == nil {
			return nil
		}
		return *t
	case string, int64, int32, int, bool:
		return v
	case *metav1.LabelSelector:
		if t == nil {
			return nil
		}
	}
	return goSyntax(v, pkg)
}

// validateDNS1123Label is core's ValidateDNS1123Label.
func validateDNS1123Label(v string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}

// validateDNS1123Subdomain is core's ValidateDNS1123Subdomain.
func validateDNS1123Subdomain(v string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(v) {
		errs = append(errs, field.Invalid(p, v, msg))
	}
	return errs
}

// validateSelectorAndTemplate holds the selector rules the apps kinds share:
// required, strictly valid, not empty ("empty selector is invalid for
// <kind>"), and matching the template's labels.
// ok is false when the selector does not parse; upstream then skips the
// template's validation.
func validateSelectorAndTemplate(sel *metav1.LabelSelector, tmplLabels map[string]string, kind, invalidDetail string, p *field.Path) (errs field.ErrorList, ok bool) {
	sp := p.Child("selector")
	if sel == nil {
		errs = append(errs, field.Required(sp, ""))
	} else {
		errs = append(errs, validateLabelSelector(sel, sp)...)
		if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
			errs = append(errs, field.Invalid(sp, bad(sel, ""), "empty selector is invalid for "+kind))
		}
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		errs = append(errs, field.Invalid(sp, bad(sel, ""), invalidDetail))
		return errs, false
	}
	if !s.Empty() && !s.Matches(labels.Set(tmplLabels)) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), bad(tmplLabels, ""), "`selector` does not match template `labels`"))
	}
	return errs, true
}
