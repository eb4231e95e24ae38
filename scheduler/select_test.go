package scheduler

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPCGIntNMatchesRand: pcgIntN draws what rand.Rand.Uint64N draws from
// a PCG, and leaves the state it leaves, for small bounds, powers of two
// and bounds near 2⁶³ and 2⁶⁴ (where Lemire's rejection runs often).
func TestPCGIntNMatchesRand(t *testing.T) {
	bounds := []uint64{1, 2, 3, 4, 5, 7, 8, 100, 1000, 4999, 5000, 1 << 20, 1<<32 + 1,
		1<<63 + 1, 1<<63 + 12345, 3 << 62, math.MaxUint64 - 1, math.MaxUint64, 1 << 63}
	for seed := uint64(0); seed < 4; seed++ {
		src := rand.NewPCG(seed, seed*7+1)
		r := rand.New(src)
		hi, lo := seed, seed*7+1
		rejected := 0
		for i := 0; i < 20000; i++ {
			n := bounds[i%len(bounds)]
			if i%3 == 0 {
				n = uint64(2 + i%6000) // the tie counts of a cycle
			}
			want := r.Uint64N(n)
			h0, l0 := hi, lo
			var got uint64
			hi, lo, got = pcgIntN(hi, lo, n)
			if nh, nl, _ := pcgStep(h0, l0); nh != hi || nl != lo {
				rejected++
			}
			if got != want {
				t.Fatalf("seed %d draw %d: pcgIntN(%d) = %d, rand says %d", seed, i, n, got, want)
			}
		}
		// The states agree: the next draws are the same.
		if got, want := rand.New(rand.NewPCG(hi, lo)).Uint64(), r.Uint64(); got != want {
			t.Fatalf("seed %d: state after the draws differs: next %d, want %d", seed, got, want)
		}
		if rejected == 0 {
			t.Fatalf("seed %d: no draw was rejected: the rejection path is untested", seed)
		}
	}
}

// TestSelectHostSameDraws: with Config.PCG, selectHost picks what the
// IntN loop picks and consumes the same draws, over totals with many ties,
// rising maxima and a single best.
func TestSelectHostSameDraws(t *testing.T) {
	gen := rand.New(rand.NewPCG(5, 6))
	viaRand := newTestScheduler(t, func(c *Config) { c.Rand = rand.New(rand.NewPCG(9, 9)) })
	src := rand.NewPCG(9, 9)
	inline := newTestScheduler(t, func(c *Config) { c.Rand, c.PCG = rand.New(src), src })
	ref := rand.New(rand.NewPCG(9, 9))
	for round := 0; round < 2000; round++ {
		n := 2 + gen.IntN(6000)
		totals := make([]int64, n)
		levels := 1 + gen.IntN(4)
		for i := range totals {
			switch round % 3 {
			case 0: // a few levels, many ties
				totals[i] = int64(gen.IntN(levels))
			case 1: // rising: ties with maxima that are beaten later
				totals[i] = int64(i/(1+gen.IntN(50))) * 3
			default:
				totals[i] = int64(gen.IntN(1000))
			}
		}
		want := referenceSelect(totals, ref)
		if got := inline.selectHost(totals); got != want {
			t.Fatalf("round %d: selectHost with PCG = %d, the reference loop %d", round, got, want)
		}
		if got := viaRand.selectHost(totals); got != want {
			t.Fatalf("round %d: selectHost via Rand = %d, the reference loop %d", round, got, want)
		}
	}
	want := ref.Uint64()
	if got := inline.cfg.Rand.Uint64(); got != want {
		t.Fatalf("the PCG's stream parted: next draw %d, want %d", got, want)
	}
	if got := viaRand.cfg.Rand.Uint64(); got != want {
		t.Fatalf("Rand's stream parted: next draw %d, want %d", got, want)
	}
}

func TestConfigPCGMustBeRandsSource(t *testing.T) {
	c := DefaultConfigPCG(rand.NewPCG(3, 4))
	if _, err := New(c); err != nil {
		t.Fatalf("New with DefaultConfigPCG: %v", err)
	}
	// New's check does not move the stream.
	if got, want := c.Rand.Uint64(), rand.New(rand.NewPCG(3, 4)).Uint64(); got != want {
		t.Fatalf("first draw after New = %d, want %d", got, want)
	}
	c.PCG = rand.NewPCG(3, 4)
	if _, err := New(c); err == nil || !strings.Contains(err.Error(), "not Config.Rand's source") {
		t.Fatalf("New with another PCG: %v, want not Config.Rand's source", err)
	}
}

// referenceSelect is the selection loop node by node, as upstream's.
func referenceSelect(totals []int64, r *rand.Rand) int {
	best, cnt := 0, 1
	for i := 1; i < len(totals); i++ {
		switch {
		case totals[i] > totals[best]:
			best, cnt = i, 1
		case totals[i] == totals[best]:
			cnt++
			if r.IntN(cnt) == 0 {
				best = i
			}
		}
	}
	return best
}
