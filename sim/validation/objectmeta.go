package validation

import (
	"fmt"
	"sort"
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Metadata, label and selector rules with the messages of apimachinery
// v0.27–v0.33. The apimachinery linked here (v0.37) words label keys and
// owner references differently ("a valid label key must...", "must be no
// more than 63 bytes"), so these are ported rather than called.

const (
	qualifiedNameFmt    = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt       = "(" + qualifiedNameFmt + ")?"
	labelValueErrMsg    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)

// isQualifiedName is IsQualifiedName of apimachinery 1.27–1.33.
func isQualifiedName(v string) []string {
	if okQualifiedName(v) {
		return nil
	}
	var errs []string
	parts := strings.Split(v, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		prefix := parts[0]
		name = parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part must be non-empty")
		} else if msgs := validation.IsDNS1123Subdomain(prefix); len(msgs) != 0 {
			for _, m := range msgs {
				errs = append(errs, "prefix part "+m)
			}
		}
	default:
		return []string{"a qualified name " + validation.RegexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc") +
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}
	}
	if name == "" {
		errs = append(errs, "name part must be non-empty")
	} else if len(name) > 63 {
		errs = append(errs, "name part must be no more than 63 characters")
	}
	if !qualifiedChars(name) {
		errs = append(errs, "name part "+validation.RegexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// qualifiedChars is the qualified-name pattern without its length limit.
func qualifiedChars(s string) bool {
	if len(s) == 0 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// isValidLabelValue is IsValidLabelValue of apimachinery 1.27–1.33.
func isValidLabelValue(v string) []string {
	if okLabelValue(v) {
		return nil
	}
	var errs []string
	if len(v) > 63 {
		errs = append(errs, "must be no more than 63 characters")
	}
	if !qualifiedChars(v) {
		errs = append(errs, validation.RegexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// validateLabelName is ValidateLabelName.
func validateLabelName(k string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range isQualifiedName(k) {
		errs = append(errs, field.Invalid(p, k, msg))
	}
	return errs
}

// validateLabels is ValidateLabels (keys in sorted order; upstream walks
// the map).
func validateLabels(l map[string]string, p *field.Path) field.ErrorList {
	if okLabels(l) {
		return nil
	}
	var errs field.ErrorList
	for _, k := range sortedKeys(l) {
		errs = append(errs, validateLabelName(k, p)...)
		for _, msg := range isValidLabelValue(l[k]) {
			errs = append(errs, field.Invalid(p, l[k], msg))
		}
	}
	return errs
}

// validateAnnotations is ValidateAnnotations.
func validateAnnotations(a map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	size := 0
	for _, k := range sortedKeys(a) {
		for _, msg := range isQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(p, k, msg))
		}
		size += len(k) + len(a[k])
	}
	if size > apimachineryvalidation.TotalAnnotationSizeLimitB {
		errs = append(errs, field.TooLong(p, "", apimachineryvalidation.TotalAnnotationSizeLimitB))
	}
	return errs
}

// validateSetOperatorValues checks the values of the set-based operators
// label and node selectors share (In and NotIn need values, Exists and
// DoesNotExist take none, with the same messages in both); ok is false for
// any other operator, which the caller judges.
func validateSetOperatorValues[T ~string](op T, values []string, rp *field.Path) (errs field.ErrorList, ok bool) {
	switch op {
	case "In", "NotIn":
		if len(values) == 0 {
			errs = append(errs, field.Required(rp.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
		}
	case "Exists", "DoesNotExist":
		if len(values) > 0 {
			errs = append(errs, field.Forbidden(rp.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	default:
		return nil, false
	}
	return errs, true
}

// validateLabelSelector is ValidateLabelSelector (strict label values).
func validateLabelSelector(ps *metav1.LabelSelector, p *field.Path) field.ErrorList {
	if ps == nil {
		return nil
	}
	var errs field.ErrorList
	for j, r := range ps.MatchExpressions {
		rp := p.Child("matchExpressions").Index(j)
		if verrs, ok := validateSetOperatorValues(r.Operator, r.Values, rp); ok {
			errs = append(errs, verrs...)
		} else {
			errs = append(errs, field.Invalid(rp.Child("operator"), r.Operator, "not a valid selector operator"))
		}
		errs = append(errs, validateLabelName(r.Key, rp.Child("key"))...)
		for k, v := range r.Values {
			for _, msg := range isValidLabelValue(v) {
				errs = append(errs, field.Invalid(rp.Child("values").Index(k), v, msg))
			}
		}
	}
	return append(errs, validateLabels(ps.MatchLabels, p.Child("matchLabels"))...)
}

// validateObjectMetaSlow is ValidateObjectMetaAccessor of apimachinery
// 1.27–1.33.
func validateObjectMetaSlow(m *metav1.ObjectMeta, namespaced bool, nameFn apimachineryvalidation.ValidateNameFunc) field.ErrorList {
	p := metadataPath
	var errs field.ErrorList
	if m.GenerateName != "" {
		for _, msg := range nameFn(m.GenerateName, true) {
			errs = append(errs, field.Invalid(p.Child("generateName"), m.GenerateName, msg))
		}
	}
	if m.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "name or generateName is required"))
	} else {
		for _, msg := range nameFn(m.Name, false) {
			errs = append(errs, field.Invalid(p.Child("name"), m.Name, msg))
		}
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, field.Required(p.Child("namespace"), ""))
		} else {
			for _, msg := range nameIsDNSLabel(m.Namespace, false) {
				errs = append(errs, field.Invalid(p.Child("namespace"), m.Namespace, msg))
			}
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(p.Child("namespace"), "not allowed on this type"))
	}
	errs = append(errs, validateNonnegative(m.Generation, p.Child("generation"))...)
	errs = append(errs, validateLabels(m.Labels, p.Child("labels"))...)
	errs = append(errs, validateAnnotations(m.Annotations, p.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, p.Child("ownerReferences"))...)
	return append(errs, validateFinalizers(m.Finalizers, p.Child("finalizers"))...)
}

// validateOwnerReferences is ValidateOwnerReferences of 1.27–1.33.
func validateOwnerReferences(refs []metav1.OwnerReference, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	first := ""
	for _, r := range refs {
		gvk := schema.FromAPIVersionAndKind(r.APIVersion, r.Kind)
		if gvk.Version == "" {
			errs = append(errs, field.Invalid(p.Child("apiVersion"), r.APIVersion, "version must not be empty"))
		}
		if gvk.Kind == "" {
			errs = append(errs, field.Invalid(p.Child("kind"), r.Kind, "kind must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, field.Invalid(p.Child("name"), r.Name, "name must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, field.Invalid(p.Child("uid"), string(r.UID), "uid must not be empty"))
		}
		if gvk == (schema.GroupVersionKind{Version: "v1", Kind: "Event"}) {
			errs = append(errs, field.Invalid(p, bad(r, ""), fmt.Sprintf("%s is disallowed from being an owner", gvk)))
		}
		if r.Controller != nil && *r.Controller {
			if cur := r.Kind + "/" + r.Name; first != "" {
				errs = append(errs, field.Invalid(p, bad(refs, ""), fmt.Sprintf("Only one reference can have Controller set to true. Found \"true\" in references for %v and %v", first, cur)))
			} else {
				first = cur
			}
		}
	}
	return errs
}

// validateFinalizers is ValidateFinalizers.
func validateFinalizers(fs []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	orphan, del := false, false
	for _, f := range fs {
		for _, msg := range isQualifiedName(f) {
			errs = append(errs, field.Invalid(p, f, msg))
		}
		orphan = orphan || f == metav1.FinalizerOrphanDependents
		del = del || f == metav1.FinalizerDeleteDependents
	}
	if orphan && del {
		errs = append(errs, field.Invalid(p, bad(fs, ""), fmt.Sprintf("finalizer %s and %s cannot be both set", metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents)))
	}
	return errs
}

// validateNoNewFinalizers is ValidateNoNewFinalizers.
func validateNoNewFinalizers(fs, old []string, p *field.Path) field.ErrorList {
	had := map[string]bool{}
	for _, f := range old {
		had[f] = true
	}
	var extra []string
	for _, f := range fs {
		if !had[f] {
			extra = append(extra, f)
			had[f] = true
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return field.ErrorList{field.Forbidden(p, fmt.Sprintf("no new finalizers can be added if the object is being deleted, found new finalizers %#v", extra))}
}
