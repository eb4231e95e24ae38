package transcript

import (
	"regexp"
	"strconv"
	"strings"
)

// SuffixAlphabet is the alphabet of the random suffixes Kubernetes gives
// generated names (k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1, 3
// so that no words are spelt by accident).
const SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// Patterns, as they are written inside {{ }} in expected output:
//
//	suffixN  exactly N characters of SuffixAlphabet (fixed width), N = 1…63
//	hash     1 to 10 characters of SuffixAlphabet (variable width; a
//	         pod-template-hash or controller-revision-hash)
//	int      one or more decimal digits (variable width)
//	any      any text on the line, possibly empty (variable width)
//	pad      one or more spaces (explicit column padding)
//
// After a variable-width pattern (hash, int, any), the next run of spaces on
// the same line matches one or more spaces, so a field that is shorter or
// longer than in the transcript does not break the padding that follows it.
var (
	suffixClass = "[" + SuffixAlphabet + "]"
)

// lineMatcher matches one expected line against one actual line.
type lineMatcher struct {
	literal string
	re      *regexp.Regexp // nil: compare literal byte for byte
}

func (m lineMatcher) match(got string) bool {
	if m.re == nil {
		return got == m.literal
	}
	return m.re.MatchString(got)
}

// compileLine turns an expected line into its matcher. Text between {{ and }}
// that is not a known pattern stays literal text.
func compileLine(want string) lineMatcher {
	if !strings.Contains(want, "{{") {
		return lineMatcher{literal: want}
	}
	var b strings.Builder
	b.WriteString("^")
	absorb := false // the next run of spaces matches " +"
	found := false
	rest := want
	lit := func(s string) {
		for s != "" {
			if absorb {
				if i := strings.IndexByte(s, ' '); i >= 0 {
					b.WriteString(regexp.QuoteMeta(s[:i]))
					j := i
					for j < len(s) && s[j] == ' ' {
						j++
					}
					b.WriteString(" +")
					absorb = false
					s = s[j:]
					continue
				}
			}
			b.WriteString(regexp.QuoteMeta(s))
			return
		}
	}
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			lit(rest)
			break
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			lit(rest)
			break
		}
		name := rest[i+2 : i+2+j]
		re, variable, ok := patternRegexp(name)
		if !ok {
			lit(rest[:i+2])
			rest = rest[i+2:]
			continue
		}
		lit(rest[:i])
		b.WriteString(re)
		found = true
		if variable {
			absorb = true
		}
		rest = rest[i+2+j+2:]
	}
	if !found {
		return lineMatcher{literal: want}
	}
	b.WriteString("$")
	return lineMatcher{literal: want, re: regexp.MustCompile(b.String())}
}

// patternRegexp returns the regular expression for a pattern name and
// whether its width varies.
func patternRegexp(name string) (re string, variable, ok bool) {
	switch name {
	case "hash":
		return suffixClass + "{1,10}", true, true
	case "int":
		return "[0-9]+", true, true
	case "any":
		return ".*", true, true
	case "pad":
		return " +", false, true
	}
	if n, found := strings.CutPrefix(name, "suffix"); found {
		k, err := strconv.Atoi(n)
		if err == nil && k >= 1 && k <= 63 && strconv.Itoa(k) == n {
			return suffixClass + "{" + n + "}", false, true
		}
	}
	return "", false, false
}
