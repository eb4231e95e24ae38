package server

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteContextTightensMode: a kubeconfig that was 0644 is 0600 once it
// holds kubesim's token; a new one is created 0600.
func TestWriteContextTightensMode(t *testing.T) {
	dir := t.TempDir()
	creds := &Credentials{CAPEM: []byte("ca"), Token: "secret"}
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("apiVersion: v1\nkind: Config\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(existing, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "sub", "fresh")
	for _, path := range []string{existing, fresh} {
		if err := WriteContext(path, "kubesim", "127.0.0.1:1234", creds); err != nil {
			t.Fatalf("WriteContext %s: %v", path, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %#o after WriteContext, want 0600", filepath.Base(path), got)
		}
	}
}
