package e2e

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var runningAt = regexp.MustCompile(`Kubernetes (v[0-9.]+) is running at https://127\.0\.0\.1:([0-9]+) `)

// startOut runs kubesim start with args and returns the version and port
// it reports, failing the test if it does not start.
func (s *served) startOut(args ...string) (version, port string) {
	s.t.Helper()
	out, code := s.run(s.bin, append([]string{"start"}, args...)...)
	m := runningAt.FindStringSubmatch(out)
	if code != 0 || m == nil {
		s.t.Fatalf("kubesim start %v: exit %d\n%s", args, code, out)
	}
	return m[1], m[2]
}

// port is the running server's port, as kubesim status reports it.
func (s *served) port() string {
	s.t.Helper()
	out, _ := s.run(s.bin, "status")
	m := regexp.MustCompile(`address: https://127\.0\.0\.1:([0-9]+)`).FindStringSubmatch(out)
	if m == nil {
		s.t.Fatalf("kubesim status: no address\n%s", out)
	}
	return m[1]
}

func (s *served) clock() time.Time {
	s.t.Helper()
	out, code := s.run(s.bin, "clock", "show")
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(out))
	if code != 0 || err != nil {
		s.t.Fatalf("kubesim clock show: exit %d %q", code, out)
	}
	return t
}

func (s *served) stop() {
	s.t.Helper()
	if out, code := s.run(s.bin, "stop"); code != 0 {
		s.t.Fatalf("kubesim stop: exit %d\n%s", code, out)
	}
}

// kill9 kills the server the way a crash does.
func (s *served) kill9() {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "state", "kubesim.pid"))
	if err != nil {
		s.t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 500 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *served) nodes() string {
	s.t.Helper()
	out, _ := s.run("kubectl", "get", "nodes", "-o", `jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion}{"\n"}{end}`)
	return out
}

// TestServedStopStart: stop and start is suspend and resume. The clock
// stands still while stopped, the nodes are Ready and stay so (no
// evictions), the version and the port are the stored ones, and flags that
// contradict the stored cluster are refused in one line.
func TestServedStopStart(t *testing.T) {
	s := startServed(t, "v1.33.0")
	if out, code := s.run("kubectl", "create", "deployment", "web", "--image=httpd:2.4", "--replicas=2"); code != 0 {
		t.Fatal(out)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	// The live clock runs while the cluster is up (between reading it and
	// the stop, and between the start and reading it again), so on a loaded
	// machine those moments take real seconds. What must not count is the
	// stopped time: the cluster may have moved at most the wall time that
	// passed minus the gap slept while it was stopped (plus a second for
	// the clock's whole-second steps).
	const gap = 3 * time.Second
	wall0 := time.Now()
	stoppedAt := s.clock()
	s.stop()
	time.Sleep(gap) // a wall-clock gap the cluster must not see
	version, port2 := s.startOut()
	if version != "v1.33.0" {
		t.Errorf("start without flags after stop: Kubernetes %s, want the stored v1.33.0", version)
	}
	got := s.clock()
	if moved, limit := got.Sub(stoppedAt), time.Since(wall0)-gap+time.Second; moved > limit {
		t.Errorf("clock after stop and start: %v, stopped at %v (moved %v, at most %v while running): the stop counted as cluster time", got, stoppedAt, moved, limit)
	}
	want := "m.example.com True v1.33.0\nw1.example.com True v1.33.0\nw2.example.com True v1.33.0\n"
	if got := s.nodes(); got != want {
		t.Errorf("nodes after start:\n%s\nwant\n%s", got, want)
	}
	if err := s.Advance(6 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := s.nodes(); got != want {
		t.Errorf("nodes 6m after start:\n%s\nwant\n%s", got, want)
	}
	out, _ := s.run("kubectl", "get", "pods", "-o", "jsonpath={.items[*].status.phase}")
	if out != "Running Running" {
		t.Errorf("pods 6m after start: %q, want Running Running (none evicted)", out)
	}

	// A flag that contradicts the stored cluster: one line, exit 1, and
	// nothing changed.
	s.stop()
	for _, args := range [][]string{{"--kubernetes-version", "v1.31.0"}, {"--container-runtime", "cri-o"}} {
		out, code := s.run(s.bin, append([]string{"start"}, args...)...)
		if code != 1 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "does not match") || strings.Contains(out, "is running") {
			t.Errorf("start %v on a stopped v1.33.0 cluster: exit %d\n%s", args, code, out)
		}
	}
	// The port is kept; when another program holds it, a new one with a note.
	ln, err := net.Listen("tcp", "127.0.0.1:"+port2)
	if err != nil {
		t.Fatalf("cannot hold port %s for the test: %v", port2, err)
	}
	defer ln.Close()
	out, code := s.run(s.bin, "start")
	m := runningAt.FindStringSubmatch(out)
	if code != 0 || m == nil || m[2] == port2 || !strings.Contains(out, fmt.Sprintf("port %s, which the cluster had before, is in use", port2)) {
		t.Errorf("start with the old port taken: exit %d\n%s", code, out)
	}
}

// TestServedPortKept: a restart serves on the same port, so clients holding
// the address keep working.
func TestServedPortKept(t *testing.T) {
	s := startServed(t, "v1.27.1")
	port := s.port()
	s.stop()
	if _, port2 := s.startOut(); port2 != port {
		t.Errorf("port after stop and start: %s, want %s", port2, port)
	}
	s.kill9()
	if _, port3 := s.startOut(); port3 != port {
		t.Errorf("port after kill -9 and start: %s, want %s", port3, port)
	}
}

// TestServedStopMidPull: a pod whose image pull is in progress when the
// server stops (gracefully or by kill -9) runs after start.
func TestServedStopMidPull(t *testing.T) {
	for _, how := range []string{"stop", "kill -9"} {
		t.Run(how, func(t *testing.T) {
			s := startServed(t, "v1.27.1")
			if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
				t.Fatal(out)
			}
			if out, code := s.run("kubectl", "run", "web", "--image=nginx"); code != 0 {
				t.Fatal(out)
			}
			pulling := false
			for i := 0; i < 30 && !pulling; i++ {
				if err := s.Advance(time.Second); err != nil {
					t.Fatal(err)
				}
				reasons, _ := s.run("kubectl", "get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}")
				pulling = strings.Contains(reasons, "Pulling") && !strings.Contains(reasons, "Pulled")
			}
			if !pulling {
				t.Fatal("never caught the pull in progress")
			}
			if how == "stop" {
				s.stop()
			} else {
				s.kill9()
			}
			s.startOut()
			if err := s.Advance(2 * time.Minute); err != nil {
				t.Fatal(err)
			}
			out, _ := s.run("kubectl", "get", "pod", "web", "-o", "jsonpath={.status.phase} {.status.containerStatuses[0].ready}")
			if out != "Running true" {
				t.Errorf("after %s and start: pod %q, want Running true", how, out)
			}
		})
	}
}

// TestServedDamagedState: a damaged state file gets one line saying what is
// wrong, which file, and what to do, never a Go dump; a missing or empty
// store beside the certificates is an error, not a new cluster; one
// undecodable object can be skipped with --repair.
func TestServedDamagedState(t *testing.T) {
	s := startServed(t, "v1.27.1")
	if out, code := s.run("kubectl", "create", "configmap", "keep", "--from-literal=a=b"); code != 0 {
		t.Fatal(out)
	}
	s.stop()
	db := filepath.Join(s.dir, "state", "store.db")
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	scrambled := append([]byte(nil), good...)
	for i := 4 * 4096; i < 12*4096 && i < len(scrambled); i++ {
		scrambled[i] ^= byte(i*131 + 7)
	}
	for _, tc := range []struct {
		name   string
		damage func()
		want   string
	}{
		{"truncated", func() { os.WriteFile(db, good[:20000], 0o600) }, "is damaged (the file is truncated"},
		{"scrambled", func() { os.WriteFile(db, scrambled, 0o600) }, "is damaged ("},
		{"header scrambled", func() { os.WriteFile(db, append(make([]byte, 8192), good[8192:]...), 0o600) }, "is damaged (neither of its two header"},
		{"empty", func() { os.WriteFile(db, nil, 0o600) }, "store.db is empty (0 bytes)"},
		{"missing", func() { os.Remove(db) }, "store.db is missing"},
	} {
		tc.damage()
		for attempt := 1; attempt <= 2; attempt++ { // the second prints only its own line
			out, code := s.run(s.bin, "start")
			if code != 1 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "Error: the cluster state in ") || !strings.Contains(out, tc.want) ||
				!strings.Contains(out, "kubesim delete") || strings.Contains(out, "goroutine") || strings.Contains(out, "panic") {
				t.Errorf("%s store, start #%d: exit %d, want 1 and one line with %q:\n%s", tc.name, attempt, code, tc.want, out)
			}
		}
	}

	// One undecodable object: refused, naming it; --repair skips it.
	if err := os.WriteFile(db, good, 0o600); err != nil {
		t.Fatal(err)
	}
	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(tx *bolt.Tx) error {
		hdr := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 1), 1)
		return tx.Bucket([]byte("kv")).Put([]byte("/registry/configmaps/default/broken"), append(hdr, "k8s\x00garbage"...))
	}); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	out, code := s.run(s.bin, "start")
	if code != 1 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "/registry/configmaps/default/broken") || !strings.Contains(out, "kubesim start --repair") {
		t.Errorf("start with an undecodable object: exit %d\n%s", code, out)
	}
	out, code = s.run(s.bin, "start", "--repair")
	if code != 0 || !strings.Contains(out, "/registry/configmaps/default/broken") || !strings.Contains(out, "is running at") {
		t.Errorf("start --repair: exit %d\n%s", code, out)
	}
	if out, code := s.run("kubectl", "get", "configmap", "keep", "-o", "jsonpath={.data.a}"); code != 0 || out != "b" {
		t.Errorf("after --repair, the intact configmap: exit %d %q", code, out)
	}
	if out, code := s.run("kubectl", "get", "configmap", "broken"); code != 1 || !strings.Contains(out, "NotFound") {
		t.Errorf("after --repair, the skipped configmap: exit %d %q", code, out)
	}
}
