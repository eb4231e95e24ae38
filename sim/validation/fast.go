package validation

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Fast paths: byte loops that accept exactly what apimachinery's regular
// expressions accept. They decide whether a value is valid; when one is
// not, the upstream function runs to produce upstream's messages. The
// matchers are checked against the regular expressions in fast_test.go.

func isAlnumLower(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isAlnumLower(c) || c >= 'A' && c <= 'Z' }

// okDNS1123Label is IsDNS1123Label without messages.
func okDNS1123Label(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	return okLabelPart(s)
}

// okLabelPart matches [a-z0-9]([-a-z0-9]*[a-z0-9])?.
func okLabelPart(s string) bool {
	if len(s) == 0 || !isAlnumLower(s[0]) || !isAlnumLower(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnumLower(c) && c != '-' {
			return false
		}
	}
	return true
}

// okDNS1123Subdomain is IsDNS1123Subdomain without messages.
func okDNS1123Subdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for {
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return okLabelPart(s)
		}
		if !okLabelPart(s[:i]) {
			return false
		}
		s = s[i+1:]
	}
}

// okQualifiedPart matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most
// 63 bytes.
func okQualifiedPart(s string) bool {
	if len(s) == 0 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// okQualifiedName is IsQualifiedName (label keys) without messages.
func okQualifiedName(s string) bool {
	prefix, name, found := strings.Cut(s, "/")
	if !found {
		return okQualifiedPart(s)
	}
	if strings.IndexByte(name, '/') >= 0 || !okDNS1123Subdomain(prefix) {
		return false
	}
	return okQualifiedPart(name)
}

// okLabelValue is IsValidLabelValue without messages.
func okLabelValue(s string) bool { return s == "" || okQualifiedPart(s) }

func okLabels(l map[string]string) bool {
	for k, v := range l {
		if !okQualifiedName(k) || !okLabelValue(v) {
			return false
		}
	}
	return true
}

// okObjectMeta is true when ValidateObjectMetaAccessor would find nothing
// wrong. Finalizers, rare, send it to the slow path. Managed fields do not:
// the registry records them before validating, so nearly every create has
// some, and the slow path does not check them (upstream's
// ValidateManagedFields is not ported) while building field paths (~0.5 KB
// a pod).
func okObjectMeta(m *metav1.ObjectMeta, namespaced bool, rule nameRule) bool {
	if m.Name == "" || !rule.ok(m.Name) || m.GenerateName != "" && !okGenerateName(m.GenerateName, rule) {
		return false
	}
	if namespaced != (m.Namespace != "") || namespaced && !okDNS1123Label(m.Namespace) {
		return false
	}
	if m.Generation < 0 || len(m.Finalizers) > 0 || !okLabels(m.Labels) {
		return false
	}
	return okAnnotations(m.Annotations) && okOwnerReferences(m.OwnerReferences)
}

func okAnnotations(a map[string]string) bool {
	size := 0
	for k, v := range a {
		if !okQualifiedName(strings.ToLower(k)) {
			return false
		}
		size += len(k) + len(v)
	}
	return size <= apimachineryvalidation.TotalAnnotationSizeLimitB
}

func okOwnerReferences(refs []metav1.OwnerReference) bool {
	controllers := 0
	for _, r := range refs {
		gv, err := schema.ParseGroupVersion(r.APIVersion)
		if err != nil || gv.Version == "" || r.Kind == "" || r.Name == "" || r.UID == "" {
			return false
		}
		if r.Controller != nil && *r.Controller {
			controllers++
		}
		if gv.Group == "" && gv.Version == "v1" && r.Kind == "Event" {
			return false
		}
	}
	return controllers <= 1
}

// okGenerateName is rule.ok(maskTrailingDash(g)) without building the
// masked string on the heap.
func okGenerateName(g string, rule nameRule) bool {
	if len(g) < 2 || g[len(g)-1] != '-' || len(g) > 64 {
		return rule.ok(maskTrailingDash(g))
	}
	var buf [64]byte
	n := copy(buf[:], g[:len(g)-2])
	buf[n] = 'a'
	return rule.ok(string(buf[:n+1]))
}

// maskTrailingDash is apimachinery's: a generateName may end in '-'.
func maskTrailingDash(name string) string {
	if len(name) > 1 && strings.HasSuffix(name, "-") {
		return name[:len(name)-2] + "a"
	}
	return name
}

// okResources is true when validateResources would find nothing wrong.
func okResources(r *corev1.ResourceRequirements) bool {
	for name, q := range r.Limits {
		if !okStandardResource(name) || q.Sign() < 0 {
			return false
		}
	}
	for name, q := range r.Requests {
		if !okStandardResource(name) || q.Sign() < 0 {
			return false
		}
		if lim, ok := r.Limits[name]; ok && q.Cmp(lim) > 0 {
			return false
		}
	}
	return true
}

func okStandardResource(n corev1.ResourceName) bool {
	return n == corev1.ResourceCPU || n == corev1.ResourceMemory || n == corev1.ResourceEphemeralStorage
}
