package shell

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAwk: the one-liners of CKA practice — fields, -F, patterns, NR/NF,
// sums in END, printf — and a syntax error as mawk reports it.
func TestAwk(t *testing.T) {
	fs := newFS(Debian)
	runIn(fs, Debian, "sh", "-c", "printf 'NAME READY STATUS RESTARTS\\nweb-1 1/1 Running 0\\nweb-2 0/1 Pending 3\\ndb 1/1 Running 12\\n' > /tmp/pods")
	for script, want := range map[string]result{
		"awk '{print $1}' /tmp/pods":                                           {"NAME\nweb-1\nweb-2\ndb\n", "", 0},
		"awk 'NR>1 {print $1, $3}' /tmp/pods":                                  {"web-1 Running\nweb-2 Pending\ndb Running\n", "", 0},
		"awk '/Running/ {print $1}' /tmp/pods":                                 {"web-1\ndb\n", "", 0},
		"awk '$3 != \"Running\" && NR > 1 {print $1}' /tmp/pods":               {"web-2\n", "", 0},
		"awk '$4 > 2' /tmp/pods":                                               {"NAME READY STATUS RESTARTS\nweb-2 0/1 Pending 3\ndb 1/1 Running 12\n", "", 0},
		"awk 'NR>1 {s += $4} END {print s, NR}' /tmp/pods":                     {"15 4\n", "", 0},
		"awk '{print $NF}' /tmp/pods | tail -1":                                {"12\n", "", 0},
		"awk '$1 ~ /^web/ {n++} END {print n}' /tmp/pods":                      {"2\n", "", 0},
		"echo a:b:c | awk -F: '{print $2}'":                                    {"b\n", "", 0},
		"echo 'a b' | awk -v x=1 'BEGIN {OFS=\"-\"} {print $2, x}'":            {"b-1\n", "", 0},
		"awk 'NR==2 {printf \"%s has %d\\n\", $1, $4; exit}' /tmp/pods":        {"web-1 has 0\n", "", 0},
		"awk 'BEGIN {print length(\"abc\"), toupper(substr(\"kube\", 2, 2))}'": {"3 UB\n", "", 0},
		"awk '{if ($2 == \"1/1\") print $1; else print \"-\"}' /tmp/pods":      {"-\nweb-1\n-\ndb\n", "", 0},
		"awk 'NR>1{print $1}' /tmp/pods | head -1":                             {"web-1\n", "", 0},
		"awk '{ print $(NF-1) }' /tmp/pods | head -1":                          {"STATUS\n", "", 0},
		"echo 'a b c' | awk '{$1=\"\"; print}'":                                {" b c\n", "", 0},
		"awk 'END{print NR}' /tmp/pods":                                        {"4\n", "", 0},
		"awk 'BEGIN{x=\"a\"; print x \"b\", 1/3, 2^0}'":                        {"ab 0.333333 1\n", "", 0},
		"echo '3 4' | awk '{print $1*$2, $1-1, -$2, length}'":                  {"12 2 -4 3\n", "", 0},
		"awk '{print $1 +}' /tmp/pods":                                         {"", "awk: line 1: syntax error at or near }\n", 2},
		"awk '{print $1}' /nope":                                               {"", "awk: cannot open /nope (No such file or directory)\n", 2},
	} {
		if got := runIn(fs, Debian, "sh", "-c", script); !cmp.Equal(got, want) {
			t.Errorf("%s: %+v, want %+v", script, got, want)
		}
	}
}

// TestAwkOddPrograms: malformed or odd programs end with an error or an
// empty result, never a panic.
func TestAwkOddPrograms(t *testing.T) {
	fs := newFS(Debian)
	for _, prog := range []string{"$", "{", "}", "{print $-1; $-1 = 2}", "BEGIN {print substr(\"abc\", 0, -5), substr(\"abc\", 9)}",
		"/[/", "{print 1/0}", "{NF = -3; print}", "{$999999999 = 1}", "BEGIN {printf \"%d %s %c\"}", "{x = y = 3; print x y}", "!", "a b c", "{print > \"f\"}"} {
		got := runIn(fs, Debian, "sh", "-c", "echo 'a b' | awk '"+prog+"'")
		if got.Code != 0 && got.Code != 2 {
			t.Errorf("awk %q: %+v", prog, got)
		}
	}
}
