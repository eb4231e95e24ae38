package tools

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tool returns the path of a tool's binary: $ENV if set, else one built
// with `go install PKG@VERSION` into a temporary folder (the Go build
// cache makes later builds a link). A tool that cannot be built skips the
// test with go's reason.
func tool(t *testing.T, env, pkg, version string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("%s: no go command to build it with; set %s to a binary", pkg, env)
	}
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", pkg+"@"+version)
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) > 10 {
			lines = lines[len(lines)-10:]
		}
		t.Skipf("%s@%s cannot be built here (%v); set %s to a binary to use instead:\n%s", pkg, version, err, env, strings.Join(lines, "\n"))
	}
	return filepath.Join(bin, filepath.Base(pkg))
}

// run runs a tool and fails the test when it fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}
