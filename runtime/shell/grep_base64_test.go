package shell

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGrepContext: -A, -B and -C print context lines (with '-' where a
// match has ':'), groups that do not touch parted by "--", as GNU grep and
// BusyBox do.
func TestGrepContext(t *testing.T) {
	fs := newFS(Debian)
	runIn(fs, Debian, "sh", "-c", "printf 'a\\nSAN\\nDNS:x\\nb\\nc\\nd\\nSAN\\nDNS:y\\n' > /tmp/f")
	for script, want := range map[string]result{
		"grep -A1 SAN /tmp/f":        {"SAN\nDNS:x\n--\nSAN\nDNS:y\n", "", 0},
		"grep -B1 -n DNS /tmp/f":     {"2-SAN\n3:DNS:x\n--\n7-SAN\n8:DNS:y\n", "", 0},
		"grep -C 2 b /tmp/f":         {"SAN\nDNS:x\nb\nc\nd\n", "", 0},
		"grep -A 3 SAN /tmp/f":       {"SAN\nDNS:x\nb\nc\n--\nSAN\nDNS:y\n", "", 0},
		"grep -c -A1 SAN /tmp/f":     {"2\n", "", 0},
		"grep -A x SAN /tmp/f":       {"", "grep: x: invalid context length argument\n", 2},
		"grep -A1 SAN /tmp/f /tmp/f": {"/tmp/f:SAN\n/tmp/f-DNS:x\n--\n/tmp/f:SAN\n/tmp/f-DNS:y\n--\n/tmp/f:SAN\n/tmp/f-DNS:x\n--\n/tmp/f:SAN\n/tmp/f-DNS:y\n", "", 0},
	} {
		if got := runIn(fs, Debian, "sh", "-c", script); !cmp.Equal(got, want) {
			t.Errorf("%s: %+v, want %+v", script, got, want)
		}
	}
}

// TestBase64: encoding wraps at 76 columns (-w 0: one line), -d decodes
// across lines, bad input is "invalid input" after what decoded.
func TestBase64(t *testing.T) {
	fs := newFS(Debian)
	long := "0123456789012345678901234567890123456789012345678901234567890"
	for script, want := range map[string]result{
		"echo -n admin | base64":                              {"YWRtaW4=\n", "", 0},
		"echo YWRtaW4= | base64 -d":                           {"admin", "", 0},
		"echo -n " + long + " | base64":                       {"MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2\nNzg5MA==\n", "", 0},
		"echo -n " + long + " | base64 -w0 | base64 --decode": {long, "", 0},
		"echo 'YWRt!aW4=' | base64 -d":                        {"adm", "base64: invalid input\n", 1},
		"printf '' | base64":                                  {"", "", 0},
	} {
		if got := runIn(fs, Debian, "sh", "-c", script); !cmp.Equal(got, want) {
			t.Errorf("%s: %+v, want %+v", script, got, want)
		}
	}
}
