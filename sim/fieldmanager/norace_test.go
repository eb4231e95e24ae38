//go:build !race

package fieldmanager_test

const raceEnabled = false
