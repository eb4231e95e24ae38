package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for kubesim when it runs itself
// (the practice prompt runs kubectl as `<binary> kubectl …`, the binary
// being os.Executable()): with KUBESIM_TEST_AS_MAIN=1 it is the CLI.
func TestMain(m *testing.M) {
	if os.Getenv("KUBESIM_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Setenv("KUBESIM_TEST_AS_MAIN", "1")
	os.Exit(m.Run())
}
