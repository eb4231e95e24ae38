package practice

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: `kubectl get pods -o jsonpath='{.items[*].metadata.name}'`, want: []string{"kubectl", "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"}},
		{in: `a b\ c "d\"e" 'f'g`, want: []string{"a", "b c", `d"e`, "fg"}},
		{in: "a\tb\nc", want: []string{"a", "b", "c"}},
		{in: `echo 'it`, wantErr: "unexpected EOF while looking for matching `''"},
		{in: `echo "it`, wantErr: "unexpected EOF while looking for matching `\"'"},
	}
	for _, tt := range tests {
		got, err := SplitWords(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("SplitWords(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("SplitWords(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("SplitWords(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
