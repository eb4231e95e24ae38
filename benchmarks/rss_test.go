package benchmarks

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// rssSampler reads the process's resident memory from /proc/self/status
// every rssEvery while a measurement runs, and keeps the peaks of its two
// parts apart: anonymous memory (the Go heap, stacks, the runtime) and
// file pages mapped into the process (the bbolt file's mmap, which the
// kernel may drop at any time). VmHWM (maxRSS) has only their peak sum.
type rssSampler struct {
	stopc          chan struct{}
	wg             sync.WaitGroup
	anon, file, tl int64 // peaks, bytes (tl: anon+file at one sample)
}

const rssEvery = 200 * time.Millisecond

func startRSSSampler() *rssSampler {
	s := &rssSampler{stopc: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(rssEvery)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peaks, in bytes.
func (s *rssSampler) stop() (anon, file, total int64) {
	close(s.stopc)
	s.wg.Wait()
	s.sample()
	return s.anon, s.file, s.tl
}

func (s *rssSampler) sample() {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	var anon, file int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(string(f[1]), 10, 64)
		switch string(f[0]) {
		case "RssAnon:":
			anon = v << 10
		case "RssFile:":
			file = v << 10
		}
	}
	s.anon, s.file, s.tl = max(s.anon, anon), max(s.file, file), max(s.tl, anon+file)
}
