//go:build race

package fieldmanager_test

// raceEnabled: the race detector is on, and sync.Pool drops what it is
// given at random, so allocation counts are not the real ones.
const raceEnabled = true
