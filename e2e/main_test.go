package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the kubesim binary kubesimBinary built: each run's
// copy (about 124 MB) used to stay in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
