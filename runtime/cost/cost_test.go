package cost

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultTable(t *testing.T) {
	tab := Default()
	for _, e := range tab.Entries() {
		if e.Source == "" {
			t.Errorf("%s/%s has no source", e.Hop, e.Op)
		}
	}
	for _, e := range tab.Edges() {
		if e.Source == "" || e.Protocol == "" {
			t.Errorf("edge %s→%s lacks source or protocol", e.From, e.To)
		}
	}
	if got := tab.Op("runc", "create").Latency; got != 45*time.Millisecond {
		t.Errorf("runc create = %v, want 45ms", got)
	}
	if got := tab.Op("runc", "kill"); got.Op != "*" {
		t.Errorf("runc kill falls back to %q, want the runc/* entry", got.Op)
	}
	if got := tab.Op("nosuch", "x"); got.Latency != 0 || got.CPU != 0 {
		t.Errorf("unknown hop = %+v, want zero", got)
	}
	if got := tab.Edge("kubelet", "containerd").Protocol; !strings.HasPrefix(got, "gRPC") {
		t.Errorf("kubelet→containerd protocol = %q", got)
	}
}

func TestNewRejectsDuplicates(t *testing.T) {
	if _, err := New([]Entry{{Hop: "a", Op: "b"}, {Hop: "a", Op: "b"}}, nil, 0); err == nil {
		t.Error("duplicate entry accepted")
	}
	if _, err := New(nil, []Edge{{From: "a", To: "b"}, {From: "a", To: "b"}}, 0); err == nil {
		t.Error("duplicate edge accepted")
	}
}

func TestPullTime(t *testing.T) {
	tests := []struct {
		size int64
		want time.Duration
	}{
		{0, 500 * time.Millisecond},
		{25_000_000, 1500 * time.Millisecond},
		{58_000_000, 2820 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := PullTime(tt.size); got != tt.want {
			t.Errorf("PullTime(%d) = %v, want %v", tt.size, got, tt.want)
		}
	}
}
