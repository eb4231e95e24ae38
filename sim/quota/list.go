package quota

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Resource-list arithmetic as k8s.io/apiserver pkg/quota/v1/resources.go has it.

// Add returns a + b; a quantity in only one of them is copied.
func Add(a, b corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range a {
		q := v.DeepCopy()
		if o, ok := b[k]; ok {
			q.Add(o)
		}
		out[k] = q
	}
	for k, v := range b {
		if _, ok := out[k]; !ok {
			out[k] = v.DeepCopy()
		}
	}
	return out
}

// SubtractNonNegative returns a - b, with negative results as zero
// (SubtractWithNonNegativeResult).
func SubtractNonNegative(a, b corev1.ResourceList) corev1.ResourceList {
	zero := resource.MustParse("0")
	out := corev1.ResourceList{}
	for k, v := range a {
		q := v.DeepCopy()
		if o, ok := b[k]; ok {
			q.Sub(o)
		}
		if q.Cmp(zero) > 0 {
			out[k] = q
		} else {
			out[k] = zero
		}
	}
	for k := range b {
		if _, ok := out[k]; !ok {
			out[k] = zero
		}
	}
	return out
}

// Mask keeps the names of a that are in names.
func Mask(a corev1.ResourceList, names []corev1.ResourceName) corev1.ResourceList {
	out := corev1.ResourceList{}
	for _, n := range names {
		if q, ok := a[n]; ok {
			out[n] = q.DeepCopy()
		}
	}
	return out
}

// RemoveZeros drops the zero quantities.
func RemoveZeros(a corev1.ResourceList) corev1.ResourceList {
	out := corev1.ResourceList{}
	for k, v := range a {
		if !v.IsZero() {
			out[k] = v
		}
	}
	return out
}

// LessThanOrEqual reports whether every quantity of a is at most b's, and
// the names for which it is not.
func LessThanOrEqual(a, b corev1.ResourceList) (bool, []corev1.ResourceName) {
	ok := true
	var over []corev1.ResourceName
	for k, v := range a {
		if o, found := b[k]; found && v.Cmp(o) > 0 {
			ok = false
			over = append(over, k)
		}
	}
	return ok, over
}

// ResourceNames returns the names of a, sorted.
func ResourceNames(a corev1.ResourceList) []corev1.ResourceName {
	out := make([]corev1.ResourceName, 0, len(a))
	for k := range a {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Negative returns the names whose quantity is below zero.
func Negative(a corev1.ResourceList) []corev1.ResourceName {
	var out []corev1.ResourceName
	for k, v := range a {
		if v.Sign() == -1 {
			out = append(out, k)
		}
	}
	return out
}

// PrettyPrint is the admission plugin's prettyPrint: name=quantity pairs
// sorted by name, joined by commas.
func PrettyPrint(a corev1.ResourceList) string {
	parts := make([]string, 0, len(a))
	for _, k := range ResourceNames(a) {
		q := a[k]
		parts = append(parts, string(k)+"="+q.String())
	}
	return strings.Join(parts, ",")
}

// PrettyPrintNames joins names sorted, with commas.
func PrettyPrintNames(names []corev1.ResourceName) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}
