package clock

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "2d12h", want: 60 * time.Hour},
		{in: "9h", want: 9 * time.Hour},
		{in: "2m22s", want: 142 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "1m500ms", want: 60500 * time.Millisecond},
		{in: "1.5h", want: 90 * time.Minute},
		{in: "3h0m0s", want: 3 * time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "12h1d", want: 36 * time.Hour},
		{in: "1.5d", bad: true},
		{in: "99999999999d", bad: true},
		{in: "", bad: true},
		{in: "h", bad: true},
		{in: "5", bad: true},
		{in: "5y", bad: true},
		{in: "-5s", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseDuration(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
