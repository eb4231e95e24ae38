package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kubesim/sim"
	"kubesim/sim/store"
)

// The files a stopped cluster keeps beside store.db, so that `kubesim
// start` resumes the same cluster: its spec, the virtual time it stopped
// at, and the port it was served on.
func specFile(dir string) string      { return filepath.Join(dir, "spec.json") }
func stoppedAtFile(dir string) string { return filepath.Join(dir, "stopped-at") }
func lastPortFile(dir string) string  { return filepath.Join(dir, "last-port") }

// StoreFile is the cluster's state file in dir.
func StoreFile(dir string) string { return filepath.Join(dir, "store.db") }

// Exists reports whether dir holds a cluster that was started before: its
// credentials (written after the store's first commit) or a non-empty
// store file.
func Exists(dir string) bool {
	if fi, err := os.Stat(StoreFile(dir)); err == nil && fi.Size() > 0 {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "ca.crt"))
	return err == nil
}

// StoredSpec returns the spec the cluster in dir was created with; ok is
// false when dir has none (a new cluster, or state from before specs were
// kept).
func StoredSpec(dir string) (spec sim.ClusterSpec, ok bool, err error) {
	b, err := os.ReadFile(specFile(dir))
	if errors.Is(err, os.ErrNotExist) {
		return spec, false, nil
	}
	if err != nil {
		return spec, false, err
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return spec, false, fmt.Errorf("%s is damaged (%v): run `kubesim delete` to start over", specFile(dir), err)
	}
	return spec, true, nil
}

// WriteSpec records the spec of a new cluster.
func WriteSpec(dir string, spec sim.ClusterSpec) (string, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	return specFile(dir), os.WriteFile(specFile(dir), b, 0o600)
}

// Requested is what the user asked of `kubesim start`: only the flags
// given are set.
type Requested struct {
	Version, Runtime string
	// ConfigPath and Config: --config and the spec read from it (with the
	// other flags applied).
	ConfigPath string
	Config     *sim.ClusterSpec
}

// CheckRequested compares what the flags ask for with the stored cluster's
// spec: a restart cannot change what a cluster was created with, and saying
// it did would be a lie. The error is one line saying what to do.
func CheckRequested(dir string, stored sim.ClusterSpec, req Requested) error {
	mismatch := func(what, flag string) error {
		return fmt.Errorf("the cluster in %s was created with %s; %s does not match (delete it first with `kubesim delete`, or start without the flag)", dir, what, flag)
	}
	if req.Version != "" && normalizeVersion(req.Version) != stored.KubernetesVersion {
		return mismatch("Kubernetes "+stored.KubernetesVersion, "--kubernetes-version "+req.Version)
	}
	if req.Runtime != "" && req.Runtime != stored.Runtime {
		return mismatch("container runtime "+stored.Runtime, "--container-runtime "+req.Runtime)
	}
	if req.Config != nil {
		a, _ := json.Marshal(stored)
		b, _ := json.Marshal(req.Config)
		if !bytes.Equal(a, b) {
			return mismatch("another spec", "--config "+req.ConfigPath)
		}
	}
	return nil
}

func normalizeVersion(v string) string {
	if !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

// readStoppedAt returns the virtual time a stopped cluster had (zero if it
// did not stop cleanly, or never ran).
func readStoppedAt(dir string) (time.Time, error) {
	b, err := os.ReadFile(stoppedAtFile(dir))
	if errors.Is(err, os.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		// Not worth refusing to start over: the store's own times serve.
		return time.Time{}, nil
	}
	return t, nil
}

func writeStoppedAt(dir string, t time.Time) error {
	return os.WriteFile(stoppedAtFile(dir), []byte(t.UTC().Format(time.RFC3339Nano)+"\n"), 0o600)
}

// LastPort is the port the cluster in dir was last served on (0: none).
func LastPort(dir string) int {
	b, err := os.ReadFile(lastPortFile(dir))
	if err != nil {
		return 0
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || p <= 0 || p > 65535 {
		return 0
	}
	return p
}

func writeLastPort(dir, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	return os.WriteFile(lastPortFile(dir), []byte(port+"\n"), 0o600)
}

// checkStateFiles refuses a state directory whose store is missing or
// empty beside the credentials of a cluster that ran: starting a new empty
// cluster there would pass a lost cluster off as a fresh one.
func checkStateFiles(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "ca.crt")); err != nil {
		return nil // a new cluster
	}
	what := ""
	fi, err := os.Stat(StoreFile(dir))
	switch {
	case errors.Is(err, os.ErrNotExist):
		what = "store.db is missing"
	case err != nil:
		return err
	case fi.Size() == 0:
		what = "store.db is empty (0 bytes)"
	default:
		return nil
	}
	return fmt.Errorf("the cluster state in %s is incomplete: %s, though the cluster's certificates are there; `kubesim delete` removes what is left, then `kubesim start` makes a new cluster", dir, what)
}

// explainOpenError turns a store's damage report into one line that says
// what is wrong, in which file, and what to do.
func explainOpenError(dir string, err error) error {
	var de *store.DamageError
	if !errors.As(err, &de) {
		return err
	}
	problem := strings.Join(strings.Fields(de.Problem), " ") // one line
	if de.Key != "" {
		return fmt.Errorf("the cluster state in %s has an object that cannot be decoded (%s: %s); `kubesim start --repair` starts without such objects and names them, `kubesim delete` starts over", de.Path, de.Key, problem)
	}
	return fmt.Errorf("the cluster state in %s is damaged (%s) and cannot be resumed; `kubesim delete` removes it, then `kubesim start` makes a new cluster", de.Path, problem)
}

// Skipped lists the objects --repair left out of the cluster.
func (s *Served) Skipped() []store.Skipped { return s.Cluster.Store.Skipped() }
