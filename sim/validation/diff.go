package validation

import (
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
)

func specEqual(a, b *corev1.PodSpec) bool { return apiequality.Semantic.DeepEqual(a, b) }

func specEqualAny(a, b any) bool { return apiequality.Semantic.DeepEqual(a, b) }

// specDiff renders the fields of a pod spec an update changed, in the shape
// of the go-cmp diff kube-apiserver appends to its pod update error:
//
//	  core.PodSpec{
//	  	... // 10 identical fields
//	- 	NodeName: "w1",
//	+ 	NodeName: "w2",
//	  	... // 27 identical fields
//	  }
//
// Upstream diffs its internal type with go-cmp, whose output is randomised
// on purpose; this is a deterministic rendering of the same information,
// field by field, not byte for byte.
func specDiff(old, cur *corev1.PodSpec) string {
	var b strings.Builder
	b.WriteString("  core.PodSpec{\n")
	ov, cv := reflect.ValueOf(old).Elem(), reflect.ValueOf(cur).Elem()
	t := ov.Type()
	same := 0
	flush := func() {
		if same > 0 {
			fmt.Fprintf(&b, "  \t... // %d identical fields\n", same)
			same = 0
		}
	}
	for i := 0; i < t.NumField(); i++ {
		o, c := ov.Field(i).Interface(), cv.Field(i).Interface()
		if apiequality.Semantic.DeepEqual(o, c) {
			same++
			continue
		}
		flush()
		name := t.Field(i).Name
		fmt.Fprintf(&b, "- \t%s: %s,\n", name, goSyntax(o, "").s)
		fmt.Fprintf(&b, "+ \t%s: %s,\n", name, goSyntax(c, "").s)
	}
	flush()
	b.WriteString("  }\n")
	return b.String()
}
