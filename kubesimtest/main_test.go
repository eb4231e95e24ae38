package kubesimtest_test

import (
	"testing"

	"kubesim/kubesimtest"
)

// The scenario tests' scripts reach the cluster through this test binary.
func TestMain(m *testing.M) { kubesimtest.Main(m) }
