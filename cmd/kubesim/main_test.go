package main

import (
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for kubesim when it runs itself
// (the practice prompt and the scenario shims run `<binary> kubectl …`,
// the binary being os.Executable()): go test starts it with -test.* flags
// only, so a first argument that is not a flag is a kubesim verb.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}
