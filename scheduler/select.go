package scheduler

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"math/rand/v2"
)

// selectHost is the index of the highest of totals (len ≥ 2), ties broken
// by reservoir sampling as kube-scheduler's selectHost: the cnt-th node
// tying with the running best replaces it when Rand.IntN(cnt) is 0. Every
// tie draws once, including ties with a best that a later node beats.
//
// At 100,000 nodes the 5,000 scored nodes mostly tie, so a cycle draws
// thousands of times; with Config.PCG the draws step the PCG inline
// (pcgStep, pcgIntN) instead of through Rand's Source interface. The stream
// is the same draw for draw: the state is read before the loop and written
// back after it. A first pass, without branches on the scores, lists the
// nodes at or above the running best (the new bests and the ties), so
// that the drawing pass does not mispredict a branch per node where ties
// and lower scores interleave.
func (s *Scheduler) selectHost(totals []int64) int {
	if cap(s.candBuf) < len(totals) {
		s.candBuf = make([]int32, len(totals))
	}
	cand := s.candBuf[:len(totals)]
	k, top := 0, totals[0]
	for i := 1; i < len(totals); i++ {
		t := totals[i]
		cand[k] = int32(i)
		ge := 0
		if t >= top {
			ge = 1
		}
		k += ge
		top = max(top, t)
	}
	cand = cand[:k]
	best, cnt := 0, uint64(1)
	top = totals[0]
	hi, lo, ok := s.pcgState()
	if !ok {
		for _, c := range cand {
			// totals[c] ≥ top: a new best, or a tie.
			if t := totals[c]; t > top {
				best, cnt, top = int(c), 1, t
				continue
			}
			cnt++
			if s.cfg.Rand.IntN(int(cnt)) == 0 {
				best = int(c)
			}
		}
		return best
	}
	for _, c := range cand {
		if t := totals[c]; t > top {
			best, cnt, top = int(c), 1, t
			continue
		}
		cnt++
		// pcgIntN, written out: pcgBound is over the inlining budget.
		var x uint64
		hi, lo, x = pcgStep(hi, lo)
		d := x & (cnt - 1)
		if cnt&(cnt-1) != 0 {
			var low uint64
			if d, low = bits.Mul64(x, cnt); low < cnt {
				hi, lo, d = pcgReject(hi, lo, cnt, d, low)
			}
		}
		if d == 0 {
			best = int(c)
		}
	}
	s.cfg.PCG.Seed(hi, lo)
	return best
}

// pcgState reads Config.PCG's state (hi, lo as rand.NewPCG(hi, lo) sets
// them: Seed writes them back). AppendBinary's encoding is "pcg:" and the
// two words big-endian; ok is false without a PCG or on another encoding.
func (s *Scheduler) pcgState() (hi, lo uint64, ok bool) {
	if s.cfg.PCG == nil {
		return 0, 0, false
	}
	b, err := s.cfg.PCG.AppendBinary(s.pcgBuf[:0])
	s.pcgBuf = b
	if err != nil || len(b) != 20 || string(b[:4]) != "pcg:" {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:]), true
}

// pcgStep is math/rand/v2's PCG.Uint64 on the state (hi, lo): the 128-bit
// LCG step (O'Neill's multiplier and increment) and the DXSM output.
func pcgStep(hi, lo uint64) (nhi, nlo, out uint64) {
	const (
		mulHi = 2549297995355413924
		mulLo = 4865540595714422341
		incHi = 6364136223846793005
		incLo = 1442695040888963407
		dxsm  = 0xda942042e4dd58b5
	)
	h, l := bits.Mul64(lo, mulLo)
	h += hi*mulLo + lo*mulHi
	l, c := bits.Add64(l, incLo, 0)
	h, _ = bits.Add64(h, incHi, c)
	out = h ^ h>>32
	out *= dxsm
	out ^= out >> 48
	out *= l | 1
	return h, l, out
}

// pcgIntN is rand.Rand.IntN(n) (n ≥ 1) drawing from the PCG state (hi,
// lo).
func pcgIntN(hi, lo, n uint64) (nhi, nlo, v uint64) {
	hi, lo, x := pcgStep(hi, lo)
	return pcgBound(hi, lo, x, n)
}

// pcgBound turns the draw x into [0, n) as rand.Rand.IntN: a mask for a
// power of two, else Lemire's multiply, whose biased low products
// pcgReject draws again from the state (hi, lo).
func pcgBound(hi, lo, x, n uint64) (nhi, nlo, v uint64) {
	if n&(n-1) == 0 {
		return hi, lo, x & (n - 1)
	}
	v, low := bits.Mul64(x, n)
	if low < n {
		return pcgReject(hi, lo, n, v, low)
	}
	return hi, lo, v
}

// pcgReject finishes pcgIntN when the product's low word is under n: below
// 2⁶⁴ mod n the draw is biased and made again.
func pcgReject(hi, lo, n, v, low uint64) (nhi, nlo, nv uint64) {
	thresh := -n % n
	for low < thresh {
		var x uint64
		hi, lo, x = pcgStep(hi, lo)
		v, low = bits.Mul64(x, n)
	}
	return hi, lo, v
}

// checkPCG fails unless r draws from p: one draw through r must move p as
// pcgStep does. p's state is put back.
func checkPCG(r *rand.Rand, p *rand.PCG) error {
	b, err := p.AppendBinary(nil)
	if err != nil || len(b) != 20 || string(b[:4]) != "pcg:" {
		return errors.New("scheduler: Config.PCG has an unknown encoding")
	}
	hi, lo := binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])
	got := r.Uint64()
	_, _, want := pcgStep(hi, lo)
	p.Seed(hi, lo)
	if got != want {
		return errors.New("scheduler: Config.PCG is not Config.Rand's source")
	}
	return nil
}
