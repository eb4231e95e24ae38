package clock

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a non-negative duration as a user writes one to move
// the clock (kubesim advance, a transcript's "advance" directive): Go's
// units (h, m, s, ms, us, ns; decimals allowed) plus d for whole days of 24
// hours, in any combination: "2d12h", "9h", "2m22s", "1.5h", "500ms",
// "3h0m0s".
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	isNum := func(c byte) bool { return c >= '0' && c <= '9' || c == '.' }
	var days int64
	var rest strings.Builder
	for v := s; v != ""; {
		i := 0
		for i < len(v) && isNum(v[i]) {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("duration %q: expected a number at %q", s, v)
		}
		j := i
		for j < len(v) && !isNum(v[j]) {
			j++
		}
		num, unit := v[:i], v[i:j]
		v = v[j:]
		switch unit {
		case "d":
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n > math.MaxInt64/int64(24*time.Hour)-days {
				return 0, fmt.Errorf("duration %q: invalid number of days %q", s, num)
			}
			days += n
		case "h", "m", "s", "ms", "us", "µs", "ns":
			rest.WriteString(num + unit)
		default:
			return 0, fmt.Errorf("duration %q: missing or unknown unit (want d, h, m, s, ms, us or ns)", s)
		}
	}
	var d time.Duration
	if rest.Len() > 0 {
		var err error
		if d, err = time.ParseDuration(rest.String()); err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
	}
	total := d + time.Duration(days)*24*time.Hour
	if total < d {
		return 0, fmt.Errorf("duration %q: too long", s)
	}
	return total, nil
}
