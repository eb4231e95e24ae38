package transcript

import (
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

// charClass is a set of bytes a pattern segment may consume.
type charClass int

const (
	classSuffix charClass = iota + 1
	classDigit
	classAny
	classSpace
)

var suffixSet = func() (set [256]bool) {
	for i := 0; i < len(SuffixAlphabet); i++ {
		set[SuffixAlphabet[i]] = true
	}
	return set
}()

func (c charClass) has(b byte) bool {
	switch c {
	case classSuffix:
		return suffixSet[b]
	case classDigit:
		return b >= '0' && b <= '9'
	case classSpace:
		return b == ' '
	}
	return true
}

// segment is a literal (class 0) or a run of min…max bytes of a class
// (max < 0: unbounded).
type segment struct {
	lit      string
	class    charClass
	min, max int
}

// lineMatcher matches one expected line against one actual line.
type lineMatcher struct {
	literal string
	segs    []segment // nil: compare literal byte for byte
}

func (m lineMatcher) match(got string) bool {
	if m.segs == nil {
		return got == m.literal
	}
	return matchSegments(m.segs, got)
}

// matchSegments matches s against segs; runs are greedy and give back what
// the rest of the line needs.
func matchSegments(segs []segment, s string) bool {
	if len(segs) == 0 {
		return s == ""
	}
	sg := segs[0]
	if sg.class == 0 {
		return strings.HasPrefix(s, sg.lit) && matchSegments(segs[1:], s[len(sg.lit):])
	}
	n := 0
	for n < len(s) && (sg.max < 0 || n < sg.max) && sg.class.has(s[n]) {
		n++
	}
	for ; n >= sg.min; n-- {
		if matchSegments(segs[1:], s[n:]) {
			return true
		}
	}
	return false
}

// compileLine turns an expected line into its matcher. Text between {{ and }}
// that is not a known pattern stays literal text.
func compileLine(want string) lineMatcher {
	if !strings.Contains(want, "{{") {
		return lineMatcher{literal: want}
	}
	var segs []segment
	absorb := false // the next run of spaces matches one or more spaces
	lit := func(s string) {
		for s != "" {
			i := strings.IndexByte(s, ' ')
			if !absorb || i < 0 {
				segs = append(segs, segment{lit: s})
				return
			}
			if i > 0 {
				segs = append(segs, segment{lit: s[:i]})
			}
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			segs = append(segs, segment{class: classSpace, min: 1, max: -1})
			absorb = false
			s = s[j:]
		}
	}
	rest := want
	found := false
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
		seg, variable, ok := patternSegment(rest[i+2 : i+2+j])
		if !ok {
			lit(rest[:i+2])
			rest = rest[i+2:]
			continue
		}
		lit(rest[:i])
		segs = append(segs, seg)
		found = true
		if variable {
			absorb = true
		}
		rest = rest[i+2+j+2:]
	}
	if !found {
		return lineMatcher{literal: want}
	}
	return lineMatcher{literal: want, segs: segs}
}

// patternSegment returns the segment for a pattern name and whether its
// width varies.
func patternSegment(name string) (seg segment, variable, ok bool) {
	switch name {
	case "hash":
		return segment{class: classSuffix, min: 1, max: 10}, true, true
	case "int":
		return segment{class: classDigit, min: 1, max: -1}, true, true
	case "any":
		return segment{class: classAny, min: 0, max: -1}, true, true
	case "pad":
		return segment{class: classSpace, min: 1, max: -1}, false, true
	}
	if n, found := strings.CutPrefix(name, "suffix"); found {
		k, err := strconv.Atoi(n)
		if err == nil && k >= 1 && k <= 63 && strconv.Itoa(k) == n {
			return segment{class: classSuffix, min: k, max: k}, false, true
		}
	}
	return segment{}, false, false
}
