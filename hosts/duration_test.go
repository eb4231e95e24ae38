package hosts

import (
	"testing"
	"time"
)

// TestShortDuration: apimachinery's ShortHumanDuration switches to days at
// 24 hours (a 47h token TTL reads 1d) and allows 1 s of clock skew.
func TestShortDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-2 * time.Second, "<invalid>"},
		{-1500 * time.Millisecond, "0s"},
		{-500 * time.Millisecond, "0s"},
		{59 * time.Second, "59s"},
		{59 * time.Minute, "59m"},
		{23*time.Hour + 59*time.Minute, "23h"},
		{24 * time.Hour, "1d"},
		{47 * time.Hour, "1d"},
		{364 * 24 * time.Hour, "364d"},
		{365 * 24 * time.Hour, "1y"},
		{10*365*24*time.Hour - time.Hour, "9y"},
	} {
		if got := shortDuration(tc.d); got != tc.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
