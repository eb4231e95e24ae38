package hosts

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kubesim/runtime/shell"
)

// journalEntry is one line of the host's journal.
type journalEntry struct {
	at    time.Time
	ident string
	pid   int
	unit  string
	msg   string
}

func (h *Host) journalf(at time.Time, ident string, pid int, unit, format string, a ...any) {
	h.journal = append(h.journal, journalEntry{at: at, ident: ident, pid: pid, unit: unit, msg: fmt.Sprintf(format, a...)})
}

// klogTime is klog's header time ("0419 13:00:00.000000").
func klogTime(t time.Time) string { return t.UTC().Format("0102 15:04:05.000000") }

type journalFilter struct {
	unit  string
	since time.Time
	until time.Time
}

func (f journalFilter) match(e journalEntry) bool {
	return (f.unit == "" || e.unit == f.unit) && (f.since.IsZero() || !e.at.Before(f.since)) && (f.until.IsZero() || !e.at.After(f.until))
}

// line is journalctl's short output: "Apr 19 13:00:00 m.example.com kubelet[1234]: …".
func (h *Host) line(e journalEntry) string {
	return fmt.Sprintf("%s %s %s[%d]: %s", e.at.UTC().Format("Jan 02 15:04:05"), h.Name, e.ident, e.pid, e.msg)
}

// journalLines are the last n (all when n < 0) matching lines.
func (h *Host) journalLines(f journalFilter, n int) []string {
	var out []string
	for _, e := range h.journal {
		if f.match(e) {
			out = append(out, h.line(e))
		}
	}
	if n >= 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// journalctl: -u UNIT, -f, -n N, --since, --until, --no-pager, -e, -x, -l.
func (h *Host) journalctl(c *shell.Cmd) int {
	var f journalFilter
	n, follow := -1, false
	args := c.Args[1:]
	val := func(i *int, a, long string) (string, bool) {
		if v, ok := strings.CutPrefix(a, long+"="); ok {
			return v, true
		}
		if *i+1 < len(args) {
			*i++
			return args[*i], true
		}
		return "", false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-u" || a == "--unit" || strings.HasPrefix(a, "--unit="):
			v, ok := val(&i, a, "--unit")
			if !ok {
				fmt.Fprintln(c.Stderr, "journalctl: option requires an argument -- 'u'")
				return 1
			}
			f.unit = v
			if !strings.Contains(v, ".") {
				f.unit = v + ".service"
			}
		case strings.HasPrefix(a, "-u") && len(a) > 2:
			f.unit = a[2:]
			if !strings.Contains(f.unit, ".") {
				f.unit += ".service"
			}
		case a == "-f" || a == "--follow":
			follow = true
		case a == "-n" || a == "--lines" || strings.HasPrefix(a, "--lines="):
			v, _ := val(&i, a, "--lines")
			n, _ = strconv.Atoi(v)
		case a == "-e" || a == "--pager-end":
			n = 1000
		case a == "-xe" || a == "-ex":
			n = 1000
		case a == "--since" || a == "-S" || strings.HasPrefix(a, "--since="):
			v, _ := val(&i, a, "--since")
			t, ok := parseJournalTime(v, c.Now())
			if !ok {
				fmt.Fprintf(c.Stderr, "Failed to parse timestamp: %s\n", v)
				return 1
			}
			f.since = t
		case a == "--until" || a == "-U" || strings.HasPrefix(a, "--until="):
			v, _ := val(&i, a, "--until")
			t, ok := parseJournalTime(v, c.Now())
			if !ok {
				fmt.Fprintf(c.Stderr, "Failed to parse timestamp: %s\n", v)
				return 1
			}
			f.until = t
		case a == "--no-pager" || a == "-x" || a == "-l" || a == "--full" || a == "-q" || a == "--quiet" || a == "-a":
		default:
			fmt.Fprintf(c.Stderr, "journalctl: unrecognized option '%s'\n", a)
			return 1
		}
	}
	if follow && n < 0 {
		n = 10
	}
	lines := h.journalLines(f, n)
	if len(lines) == 0 && !follow {
		fmt.Fprintln(c.Stdout, "-- No entries --")
		return 0
	}
	if len(h.journal) > 0 && !follow {
		first, last := h.journal[0].at, h.journal[len(h.journal)-1].at
		fmt.Fprintf(c.Stdout, "-- Journal begins at %s, ends at %s. --\n", systemdTime(first), systemdTime(last))
	}
	for _, l := range lines {
		fmt.Fprintln(c.Stdout, l)
	}
	if !follow {
		return 0
	}
	seen := len(h.journal)
	for {
		if err := c.Sleep(time.Second); err != nil {
			return 130
		}
		for _, e := range h.journal[seen:] {
			if f.match(e) {
				fmt.Fprintln(c.Stdout, h.line(e))
			}
		}
		seen = len(h.journal)
	}
}

// parseJournalTime reads journalctl's --since forms: "2023-04-19
// 13:00:00", "2023-04-19", "13:00", "today", "yesterday", "now", "-1h",
// "10 min ago", "1 hour ago".
func parseJournalTime(s string, now time.Time) (time.Time, bool) {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch s {
	case "now":
		return now, true
	case "today":
		return day, true
	case "yesterday":
		return day.AddDate(0, 0, -1), true
	case "tomorrow":
		return day.AddDate(0, 0, 1), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second), true
		}
	}
	sign := 1
	rest := s
	switch {
	case strings.HasPrefix(s, "-"):
		sign, rest = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		rest = s[1:]
	case strings.HasSuffix(s, " ago"):
		sign, rest = -1, strings.TrimSuffix(s, " ago")
	default:
		return time.Time{}, false
	}
	d, ok := parseSpan(rest)
	if !ok {
		return time.Time{}, false
	}
	return now.Add(time.Duration(sign) * d), true
}

// parseSpan reads systemd's time spans ("1h", "10 min", "2 hours 5min").
func parseSpan(s string) (time.Duration, bool) {
	units := map[string]time.Duration{
		"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
		"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
		"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	}
	s = strings.TrimSpace(s)
	var total time.Duration
	any := false
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		s = strings.TrimLeft(s[i:], " ")
		j := 0
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z') {
			j++
		}
		u := time.Second
		if j > 0 {
			var ok bool
			if u, ok = units[s[:j]]; !ok {
				return 0, false
			}
		}
		total += time.Duration(n) * u
		s = strings.TrimLeft(s[j:], " ")
		any = true
	}
	return total, any
}
