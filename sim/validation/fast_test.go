package validation

import (
	"math/rand/v2"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TestFastMatchers checks each byte-loop matcher against apimachinery's
// regular-expression check on hand-picked and random strings.
func TestFastMatchers(t *testing.T) {
	cases := []string{"", "a", "A", "-", "a-", "-a", "a-b", "a.b", "a..b", ".a", "a.", "a_b", "A_b.C-9", "web-1", "x/y", "a.b/c", "/c", "a/", "a/b/c",
		"example.com/Name", "1", "9z", "a" + string(make([]byte, 70)), "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "az09AZ-_./"
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := okDNS1123Label(s), len(validation.IsDNS1123Label(s)) == 0; got != want {
			t.Errorf("okDNS1123Label(%q) = %v, want %v", s, got, want)
		}
		if got, want := okDNS1123Subdomain(s), len(validation.IsDNS1123Subdomain(s)) == 0; got != want {
			t.Errorf("okDNS1123Subdomain(%q) = %v, want %v", s, got, want)
		}
		if got, want := dns1035Name.ok(s), len(validation.IsDNS1035Label(s)) == 0; got != want {
			t.Errorf("dns1035Name.ok(%q) = %v, want %v", s, got, want)
		}
		if got, want := okQualifiedName(s), len(validation.IsQualifiedName(s)) == 0; got != want {
			t.Errorf("okQualifiedName(%q) = %v, want %v", s, got, want)
		}
		if got, want := okLabelValue(s), len(validation.IsValidLabelValue(s)) == 0; got != want {
			t.Errorf("okLabelValue(%q) = %v, want %v", s, got, want)
		}
	}
}
