package scheduler

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name    string
		mut     func(*Config)
		wantErr string
	}{
		{name: "defaults", mut: func(*Config) {}},
		{name: "no rand", mut: func(c *Config) { c.Rand = nil }, wantErr: "Config.Rand is required"},
		{name: "bad percentage", mut: func(c *Config) { c.PercentageOfNodesToScore = 101 }, wantErr: "PercentageOfNodesToScore"},
		{name: "duplicate plugin", mut: func(c *Config) { c.Profile.Plugins = append(c.Profile.Plugins, PluginConfig{Name: "NodeName"}) }, wantErr: `plugin "NodeName" listed twice`},
		{name: "unknown plugin", mut: func(c *Config) { c.Profile.Plugins = append(c.Profile.Plugins, PluginConfig{Name: "Nope"}) }, wantErr: `plugin "Nope" is not in the registry`},
		{name: "bad version", mut: func(c *Config) { c.KubernetesVersion = "one" }, wantErr: "KubernetesVersion"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig(rand.New(rand.NewPCG(1, 1)))
			tc.mut(&c)
			_, err := New(c)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("New: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("New error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestNumFeasibleNodesToFind(t *testing.T) {
	tests := []struct {
		pct   int32
		nodes int
		want  int
	}{
		{0, 3, 3},
		{0, 99, 99},
		{0, 100, 100},     // 49% = 49 → at least 100
		{0, 1000, 420},    // 50 - 8 = 42%
		{0, 5000, 500},    // 50 - 40 = 10%
		{0, 15000, 750},   // 50 - 120 → 5% floor
		{0, 100000, 5000}, // 50 - 800 → 5%: the 100,000-node benchmark
		{100, 5000, 5000},
		{-1, 5000, 5000},
		{30, 1000, 300},
		{1, 1000, 100},
	}
	for _, tc := range tests {
		s := newTestScheduler(t, func(c *Config) { c.PercentageOfNodesToScore = tc.pct })
		if got := s.numFeasibleNodesToFind(tc.nodes); got != tc.want {
			t.Errorf("pct=%d nodes=%d: got %d, want %d", tc.pct, tc.nodes, got, tc.want)
		}
	}
}
