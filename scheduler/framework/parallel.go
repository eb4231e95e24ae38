package framework

import "golang.org/x/sync/errgroup"

// Parallelizer runs piece(i) for i in [0,n) on up to Workers goroutines, in
// contiguous chunks. It returns when all pieces are done; results must be
// written to per-index slots so that merging in index order is deterministic.
type Parallelizer struct {
	Workers int
	// MinChunk is the smallest number of pieces worth a goroutine.
	MinChunk int
}

// Until runs piece over [0,n).
func (p Parallelizer) Until(n int, piece func(i int)) {
	p.Chunks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			piece(i)
		}
	})
}

// UntilMany is Until for more than 64 pieces and a plain loop on the
// calling goroutine for fewer (a few pieces are not worth the goroutines).
func (p Parallelizer) UntilMany(n int, piece func(i int)) {
	if n > 64 {
		p.Until(n, piece)
		return
	}
	for i := 0; i < n; i++ {
		piece(i)
	}
}

// Serial reports whether Chunks(n, …) would run the whole range on the
// calling goroutine (callers can then skip building a closure).
func (p Parallelizer) Serial(n int) bool {
	return p.workers(n) <= 1
}

func (p Parallelizer) workers(n int) int {
	minChunk := max(p.MinChunk, 1)
	return min(p.Workers, (n+minChunk-1)/minChunk)
}

// Chunks calls chunk(lo, hi) for contiguous ranges covering [0,n).
func (p Parallelizer) Chunks(n int, chunk func(lo, hi int)) {
	if n <= 0 {
		return
	}
	minChunk := p.MinChunk
	if minChunk < 1 {
		minChunk = 1
	}
	workers := p.Workers
	if max := (n + minChunk - 1) / minChunk; workers > max {
		workers = max
	}
	if workers <= 1 {
		chunk(0, n)
		return
	}
	size := (n + workers - 1) / workers
	var g errgroup.Group
	for lo := size; lo < n; lo += size {
		lo, hi := lo, min(lo+size, n)
		g.Go(func() error { chunk(lo, hi); return nil })
	}
	chunk(0, min(size, n))
	_ = g.Wait()
}
