package validation

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// goValue renders a struct, map or slice bad value as kube-apiserver
// 1.27–1.33 print it: field.Error used Go syntax (%#v) of the internal type,
// where newer apimachinery (the one linked here) marshals JSON. A goValue
// fails to marshal, so apimachinery falls back to its String method.
type goValue struct{ s string }

func (g goValue) String() string { return g.s }

// MarshalJSON fails on purpose: see goValue.
func (g goValue) MarshalJSON() ([]byte, error) { return nil, errGoValue }

var errGoValue = errors.New("rendered as Go syntax")

// pointerAddr matches the addresses %#v prints for pointer fields. Upstream
// prints real heap addresses; kubesim prints a fixed one so replays stay
// byte for byte the same.
var pointerAddr = regexp.MustCompile(`\)\(0x[0-9a-f]+\)`)

// goSyntax renders v (a pointer is dereferenced, as upstream does) with its
// versioned package name replaced by the internal one (pkg, e.g. "apps",
// "core", "policy"); pkg "" keeps the name (metav1, intstr and maps are the
// same in both).
func goSyntax(v any, pkg string) goValue {
	s := fmt.Sprintf("%#v", v)
	if strings.HasPrefix(s, "&") {
		s = s[1:]
	}
	if pkg != "" {
		if i := strings.Index(s, "{"); i > 0 {
			if j := strings.LastIndex(s[:i], "."); j >= 0 && !strings.ContainsAny(s[:j], "[]*(") {
				s = pkg + s[j:]
			}
		}
	}
	return goValue{pointerAddr.ReplaceAllString(s, ")(0xc000000000)")}
}
