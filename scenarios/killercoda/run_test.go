package killercoda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeEnv stands in for the cluster: Run echoes the command, Advance and
// Directive are recorded, scripts get the test's environment plus
// KUBESIM_FAKE=yes.
type fakeEnv struct {
	mu        sync.Mutex
	calls     []string
	interrupt chan struct{}
}

func (f *fakeEnv) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeEnv) Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	f.record("run " + line)
	if line == "watch" && f.interrupt != nil {
		// The learner presses Ctrl+C while the command runs.
		f.interrupt <- struct{}{}
		<-ctx.Done()
		return 130, nil
	}
	if line == "boom" {
		fmt.Fprintln(stderr, "boom: failed")
		return 1, nil
	}
	fmt.Fprintf(stdout, "(cluster) %s\n", line)
	return 0, nil
}

func (f *fakeEnv) Advance(d time.Duration) error {
	f.record("advance " + d.String())
	return nil
}

func (f *fakeEnv) Directive(name string, _ []string) error {
	return fmt.Errorf("unknown directive %q", name)
}

func (f *fakeEnv) ScriptEnv() []string {
	return append(os.Environ(), "KUBESIM_FAKE=yes")
}

func TestScriptRunner(t *testing.T) {
	dir := t.TempDir()
	r := scriptRunner{env: append(os.Environ(), "KUBESIM_FAKE=yes"), dir: dir, timeout: 10 * time.Second}
	tests := []struct {
		name     string
		body     string
		ok       bool
		timedOut bool
		code     int
		describe string
	}{
		{name: "exit 0", body: "echo fine", ok: true, describe: "verify.sh exited 0: fine"},
		{name: "exit 1", body: "echo not yet; exit 1", code: 1, describe: "verify.sh exited with status 1: not yet"},
		{name: "exit 2", body: "exit 2", code: 2, describe: "verify.sh exited with status 2 (bash uses 2 for a syntax error or a misused builtin)"},
		{name: "syntax error", body: "if then fi", code: 2,
			describe: "verify.sh exited with status 2 (bash uses 2 for a syntax error or a misused builtin): verify.sh: -c: line 1: `if then fi'"},
		{name: "command not found", body: "no-such-command-kubesim", code: 127,
			describe: "verify.sh exited with status 127 (a command was not found: is it on the scripts' PATH?): verify.sh: line 1: no-such-command-kubesim: command not found"},
		{name: "killed by a signal", body: "kill -TERM $$", code: 143, describe: "verify.sh exited with status 143 (killed by signal 15)"},
		{name: "hangs", body: "echo waiting; sleep 30", timedOut: true,
			describe: "verify.sh did not finish within 200ms; its process group was killed: waiting"},
		{name: "hangs in a child", body: "sleep 30 & wait", timedOut: true,
			describe: "verify.sh did not finish within 200ms; its process group was killed"},
		{name: "sees the script env", body: `test "$KUBESIM_FAKE" = yes`, ok: true, describe: "verify.sh exited 0"},
		{name: "runs in the work dir", body: `test "$(pwd -P)" = "` + mustEval(t, dir) + `"`, ok: true, describe: "verify.sh exited 0"},
		{name: "stdin is empty", body: `! read -r x`, ok: true, describe: "verify.sh exited 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := r
			if tt.timedOut {
				r.timeout = 200 * time.Millisecond
			}
			res := r.run(context.Background(), "verify.sh", "verify.sh", tt.body, nil)
			if res.OK() != tt.ok || res.TimedOut != tt.timedOut || res.ExitCode != tt.code || res.Err != nil {
				t.Errorf("run = %+v; want ok=%v timedOut=%v code=%d", res, tt.ok, tt.timedOut, tt.code)
			}
			if got := res.Describe(); got != tt.describe {
				t.Errorf("Describe() mismatch (-want +got):\n%s", cmp.Diff(tt.describe, got))
			}
		})
	}
}

func mustEval(t *testing.T, dir string) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestScriptRunnerCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := scriptRunner{dir: t.TempDir(), timeout: time.Minute}
	res := r.run(ctx, "exec 1", "exec-1", "true", nil)
	if !errors.Is(res.Err, context.Canceled) {
		t.Errorf("run on a canceled context: Err = %v, want context.Canceled", res.Err)
	}
}

func scenarioFS(index string, files map[string]string) fstest.MapFS {
	m := fstest.MapFS{"index.json": {Data: []byte(index)}}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestTestRunner(t *testing.T) {
	index := `{
  "title": "runner",
  "details": {
    "intro": {"text": "intro.md", "background": "setup.sh"},
    "steps": [
      {"title": "Make a file", "text": "s1.md", "verify": "v1.sh"},
      {"title": "Already done", "text": "s2.md", "verify": "v2.sh"},
      {"title": "Hangs", "text": "s3.md", "verify": "v3.sh"},
      {"title": "Syntax error", "text": "s4.md", "verify": "v4.sh"},
      {"title": "Solved by the test", "text": "s5.md", "verify": "v5.sh"},
      {"title": "Nothing to run", "text": "s6.md", "verify": "v6.sh"},
      {"title": "No verify", "text": "s7.md"},
      {"title": "Block fails", "text": "s8.md", "verify": "v8.sh"},
      {"title": "Interrupted", "text": "s9.md", "verify": "v9.sh"}
    ],
    "finish": {"text": "finish.md", "foreground": "fin.sh"},
    "assets": {"host01": [{"file": "**", "target": "/root/given", "chmod": "+x"}]}
  },
  "backend": {"imageid": "kubernetes-kubeadm-1node"}
}`
	fsys := scenarioFS(index, map[string]string{
		"intro.md":       "# Runner\n",
		"setup.sh":       "echo setting up\ntouch setup-done\n",
		"s1.md":          "`touch one`{{exec}}\n",
		"v1.sh":          "test -f one && test -f setup-done && test -x ~/given/tool.sh && [ \"$KUBESIM_FAKE\" = yes ] && [ \"$HOME\" = \"$PWD\" ]\n",
		"s2.md":          "`true`{{exec}}\n",
		"v2.sh":          "true\n",
		"s3.md":          "`touch three`{{exec}}\n",
		"v3.sh":          "sleep 30\n",
		"s4.md":          "`touch four`{{exec}}\n",
		"v4.sh":          "if then fi\n",
		"s5.md":          "Nothing to click.\n",
		"v5.sh":          "test -f five\n",
		"s6.md":          "Nothing to click either.\n",
		"v6.sh":          "test -f six\n",
		"s7.md":          "```\necho hi\nls one\n```{{exec}}\n",
		"s8.md":          "`echo trying; exit 3`{{exec}}\n",
		"v8.sh":          "false\n",
		"s9.md":          "`sleep 30`{{exec}} then `touch nine`{{exec interrupt}}\n",
		"v9.sh":          "test -f nine\n",
		"finish.md":      "Done.\n",
		"fin.sh":         "echo bye; exit 4\n",
		"assets/tool.sh": "echo tool\n",
	})
	sc, err := Load(fsys, "runner", "runner")
	if err != nil {
		t.Fatal(err)
	}
	env := &fakeEnv{}
	var out strings.Builder
	res, err := Test(context.Background(), sc, env, &out, TestConfig{
		WorkDir:       t.TempDir(),
		ScriptTimeout: 800 * time.Millisecond,
		Solutions:     map[int]string{5: "touch five\n"},
		KnownGaps:     map[int]string{8: "the frobnicator", 1: "never printed: step 1 passes"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"PASS step 1/9 Make a file",
		"FAIL step 2/9 Already done: verify passes before the step is done",
		"FAIL step 3/9 Hangs: before the step's blocks ran: verify script v3.sh did not finish within 800ms; its process group was killed",
		"FAIL step 4/9 Syntax error: verify fails after the step's blocks ran: verify script v4.sh exited with status 2 (bash uses 2 for a syntax error or a misused builtin): v4.sh: -c: line 1: `if then fi'",
		"PASS step 5/9 Solved by the test",
		"FAIL step 6/9 Nothing to run: no {{exec}} blocks to solve the step (give the test a solution for it)",
		"PASS step 7/9 No verify: no verify script; its blocks ran",
		"FAIL step 8/9 Block fails: exec 1 exited with status 3: trying [known gap: the frobnicator]",
		"PASS step 9/9 Interrupted",
		"FAIL finish: finish foreground script fin.sh exited with status 4: bye",
		"note: step 8: the frobnicator",
		"4 passed, 6 failed",
		"",
	}, "\n")
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("Test output mismatch (-want +got):\n%s", diff)
	}
	if res.OK() || res.Passed != 4 || res.Failed != 6 {
		t.Errorf("result = %+v, want 4 passed, 6 failed, not OK", res)
	}
	advances := 0
	for _, c := range env.calls {
		if c == "advance 1m30s" {
			advances++
		}
	}
	if advances != 11 {
		t.Errorf("Advance(1m30s) called %d times, want 11 (start, after the intro, 9 steps); calls: %v", advances, env.calls)
	}
}

func TestTestRunnerAllPass(t *testing.T) {
	fsys := scenarioFS(`{"title":"ok","details":{"steps":[{"text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-2nodes"}}`,
		map[string]string{"s.md": "# Touch\n`touch x; echo made`{{exec}}\n", "v.sh": "echo looking; test -f x"})
	sc, err := Load(fsys, "ok", "ok")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var tr strings.Builder
	res, err := Test(context.Background(), sc, &fakeEnv{}, &out, TestConfig{Settle: -1, Trace: &tr})
	if err != nil {
		t.Fatal(err)
	}
	if want := "==> step 1: verify before the blocks\nlooking\n==> step 1: exec 1\nmade\n==> step 1: verify after the blocks\nlooking\n"; tr.String() != want {
		t.Errorf("trace = %q, want %q", tr.String(), want)
	}
	if want := "PASS step 1/1 Touch\n1 passed, 0 failed\n"; out.String() != want || !res.OK() {
		t.Errorf("Test = %q (OK %v), want %q", out.String(), res.OK(), want)
	}
}

func TestLoadSolutions(t *testing.T) {
	sol, gaps, err := LoadSolutions(os.DirFS("../testdata/solutions/saltyrucula-04-scheduling"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sol) != 5 || !strings.Contains(sol[1], "kubectl label node controlplane disk=ssd") || len(gaps) != 0 {
		t.Errorf("solutions = %v, gaps = %v", sol, gaps)
	}
	_, gaps, err = LoadSolutions(os.DirFS("../testdata/solutions/saltyrucula-01-kubectl-core"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 1 || !strings.HasPrefix(gaps[5], "the upstream verify cannot fail") {
		t.Errorf("gaps = %v", gaps)
	}
	bad := fstest.MapFS{"stepx.sh": {Data: []byte("true")}}
	if _, _, err := LoadSolutions(bad); err == nil || err.Error() != "solutions: stepx.sh: want stepN.sh with N ≥ 1" {
		t.Errorf("LoadSolutions(stepx.sh) error = %v", err)
	}
	badGaps := fstest.MapFS{"known-gaps.txt": {Data: []byte("# ok\nfive: x\n")}}
	if _, _, err := LoadSolutions(badGaps); err == nil || err.Error() != `solutions: known-gaps.txt:2: want "N: reason", got "five: x"` {
		t.Errorf("LoadSolutions(bad gaps) error = %v", err)
	}
}

func TestPlayGolden(t *testing.T) {
	index := `{
  "title": "Play test",
  "description": "Two steps.",
  "details": {
    "intro": {"text": "intro.md"},
    "steps": [
      {"title": "Create a file", "text": "s1.md", "verify": "v1.sh"},
      {"title": "Look around", "text": "s2.md"}
    ],
    "finish": {"text": "finish.md"}
  },
  "backend": {"imageid": "kubernetes-kubeadm-2nodes"}
}`
	fsys := scenarioFS(index, map[string]string{
		"intro.md":  "# Welcome\n\nA short scenario.\n",
		"s1.md":     "Create the file `a`.\n\n<details><summary>Hint</summary>Use `touch`.</details>\n\n<details><summary>Solution</summary>\n\n```\ntouch a\n```{{exec}}\n</details>\n",
		"v1.sh":     "echo checking; test -f a\n",
		"s2.md":     "Run `echo look`{{exec}} or `boom`{{copy}}.\n",
		"finish.md": "Well done.\n",
	})
	sc, err := Load(fsys, "play", "play")
	if err != nil {
		t.Fatal(err)
	}
	in := strings.NewReader(strings.Join([]string{
		"help", "kubectl get nodes", "check", "hint", "solution", "exec 5", "next",
		"exec 1", "check", "exec 1", "boom", "", "next", "never read",
	}, "\n") + "\n")
	var out strings.Builder
	env := &fakeEnv{}
	if err := Play(context.Background(), sc, env, in, &out, PlayConfig{WorkDir: t.TempDir(), ClockRate: -1}); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/play.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("Play output mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"run kubectl get nodes", "run boom"}, env.calls); diff != "" {
		t.Errorf("env calls mismatch (-want +got):\n%s", diff)
	}
}

func TestPlayQuitAndEOF(t *testing.T) {
	fsys := scenarioFS(`{"title":"q","details":{"steps":[{"text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{"s.md": "# S\n", "v.sh": "false"})
	sc, err := Load(fsys, "q", "q")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, tail string }{
		{"quit\n", "Left the scenario at step 1 of 1.\n"},
		{"", "[1/1] $ \n"},
	} {
		var out strings.Builder
		if err := Play(context.Background(), sc, &fakeEnv{}, strings.NewReader(tc.in), &out, PlayConfig{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(out.String(), tc.tail) {
			t.Errorf("Play(%q) output ends %q, want suffix %q", tc.in, out.String(), tc.tail)
		}
	}
}

func TestPlayInterrupt(t *testing.T) {
	fsys := scenarioFS(`{"title":"i","details":{"steps":[{"text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{"s.md": "# S\n`true`{{exec}}\n", "v.sh": "false"})
	sc, err := Load(fsys, "i", "i")
	if err != nil {
		t.Fatal(err)
	}
	intr := make(chan struct{}, 1)
	env := &fakeEnv{interrupt: intr}
	var out strings.Builder
	in := strings.NewReader("watch\nkubectl get nodes\nexec 1\nquit\n")
	if err := Play(context.Background(), sc, env, in, &out, PlayConfig{Interrupt: intr}); err != nil {
		t.Fatal(err)
	}
	want := "[1/1] $ ^C\n[1/1] $ (cluster) kubectl get nodes\n[1/1] $ $ true\n[1/1] $ Left the scenario at step 1 of 1.\n"
	if got := out.String(); !strings.HasSuffix(got, want) {
		t.Errorf("Play output ends %q, want suffix %q", got[max(0, len(got)-len(want)-40):], want)
	}
}

func TestPlayInterruptExec(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBESIM_TEST_FIFO", fifo)
	fsys := scenarioFS(`{"title":"i","details":{"steps":[{"text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{"s.md": "# S\n`echo > \"$KUBESIM_TEST_FIFO\"; sleep 30`{{exec}}\n", "v.sh": "false"})
	sc, err := Load(fsys, "i", "i")
	if err != nil {
		t.Fatal(err)
	}
	intr := make(chan struct{}, 1)
	go func() {
		// Opening the FIFO waits for the block to open it: the block runs.
		f, err := os.Open(fifo)
		if err != nil {
			t.Error(err)
			return
		}
		io.ReadAll(f)
		f.Close()
		intr <- struct{}{}
	}()
	var out strings.Builder
	in := strings.NewReader("exec 1\nquit\n")
	if err := Play(context.Background(), sc, &fakeEnv{}, in, &out, PlayConfig{Interrupt: intr, ScriptTimeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	want := "(exec 1 interrupted)\n[1/1] $ Left the scenario at step 1 of 1.\n"
	if got := out.String(); !strings.HasSuffix(got, want) {
		t.Errorf("Play output ends %q, want suffix %q", got[max(0, len(got)-len(want)-40):], want)
	}
}

// noClusterEnv puts a kubectl that cannot reach any cluster first on PATH.
type noClusterEnv struct{ fakeEnv }

func (e *noClusterEnv) ScriptEnv() []string {
	dir, _ := filepath.Abs("testdata/nocluster")
	return []string{"PATH=" + dir + ":/usr/bin:/bin", "LC_ALL=C"}
}

// TestRealScenariosWithoutCluster runs Test on the three real scenarios with
// their solutions and a kubectl that always fails: every step gets its line,
// every failure says why, and the setup scripts that wait for the cluster
// hit their time limit instead of hanging.
func TestRealScenariosWithoutCluster(t *testing.T) {
	refused := "The connection to the server localhost:8080 was refused - did you specify the right host or port?"
	saltyGap := "the upstream verify cannot fail: under `set -e` bash ignores the status of `! kubectl get pod box`, so it passes while box still exists"
	tests := []struct {
		dir string
		// bg limits the setup scripts: the saltyrucula ones wait for the
		// cluster forever and must hit it; omkar's fails at once.
		bg   time.Duration
		want []string
	}{
		{"saltyrucula-01-kubectl-core", 300 * time.Millisecond, []string{
			"FAIL intro: intro background script background.sh did not finish within 300ms; its process group was killed",
			"FAIL step 1/5 Create namespace and Pod: solution exited with status 1: " + refused,
			"FAIL step 2/5 Add labels: solution exited with status 1: " + refused,
			"FAIL step 3/5 Add annotation: solution exited with status 1: " + refused,
			"FAIL step 4/5 Create YAML declaratively: solution exited with status 1: " + refused,
			"FAIL step 5/5 Delete by label: solution exited with status 1: " + refused + " [known gap: " + saltyGap + "]",
			"note: step 5: " + saltyGap,
			"0 passed, 6 failed",
		}},
		{"saltyrucula-04-scheduling", 300 * time.Millisecond, []string{
			"FAIL intro: intro background script background.sh did not finish within 300ms; its process group was killed",
			"FAIL step 1/5 Label a node: solution exited with status 1: " + refused,
			"FAIL step 2/5 Use nodeSelector: solution exited with status 1: " + refused,
			"FAIL step 3/5 Taint and tolerate: solution exited with status 1: " + refused,
			"FAIL step 4/5 Node affinity: solution exited with status 1: " + refused,
			"FAIL step 5/5 PriorityClass: solution exited with status 1: " + refused,
			"0 passed, 6 failed",
		}},
		{"omkar-ckad-scale-web-application-service", 10 * time.Second, []string{
			"FAIL intro: intro background script setup.sh exited with status 1: " + refused,
			"FAIL step 1/1 Scale Deployment and Create NodePort Service: solution exited with status 1: " + refused,
			"0 passed, 2 failed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			sc, err := LoadDir(realDir + tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			sol, gaps, err := LoadSolutions(os.DirFS("../testdata/solutions/" + tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			res, err := Test(context.Background(), sc, &noClusterEnv{}, &out, TestConfig{
				ScriptTimeout: 10 * time.Second, BackgroundTimeout: tt.bg, Solutions: sol, KnownGaps: gaps,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Test output mismatch (-want +got):\n%s", diff)
			}
			if res.OK() {
				t.Error("result OK without a cluster")
			}
		})
	}
}

func TestIsWatch(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"kubectl get pods -w", true},
		{"kubectl get endpoints web-svc --watch", true},
		{"k get pods -n x -w", true},
		{"kubectl -n x get pods --watch=true", true},
		{"kubectl logs -f web", true},
		{"kubectl logs web --follow", true},
		{"watch kubectl get pods", true},
		{"tail -f /var/log/x", true},
		{"kubectl apply -f x.yaml\nkubectl get pods -w", true},
		{"kubectl get pods", false},
		{"kubectl get -f pod.yaml", false},
		{"kubectl apply -f x.yaml", false},
		{"kubectl logs web", false},
		{"kubectl get pods -o wide | grep -w web", false},
		{"kubectl wait --for=condition=Ready pod/x", false},
		{"cat <<EOF | kubectl apply -f -\nkind: Pod\nEOF", false},
		{"echo watch out", false},
	}
	for _, tt := range tests {
		if got := isWatch(tt.code); got != tt.want {
			t.Errorf("isWatch(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestTestRunnerWatchBlock(t *testing.T) {
	fsys := scenarioFS(`{"title":"w","details":{"steps":[{"text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{"s.md": "# Watch\n```\ntouch w\n```{{exec}}\n\n`tail -f /dev/null`{{exec}}\n", "v.sh": "test -f w"})
	sc, err := Load(fsys, "w", "w")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res, err := Test(context.Background(), sc, &fakeEnv{}, &out, TestConfig{Settle: -1, WatchTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if want := "PASS step 1/1 Watch\n1 passed, 0 failed\n"; out.String() != want || !res.OK() {
		t.Errorf("Test = %q, want %q", out.String(), want)
	}
}

// clockEnv writes its virtual clock (whole seconds) to a file that scripts
// can read.
type clockEnv struct {
	fakeEnv
	file  string
	total time.Duration
}

func (c *clockEnv) Advance(d time.Duration) error {
	c.total += d
	return os.WriteFile(c.file, []byte(fmt.Sprint(int(c.total.Seconds()))), 0o644)
}

func (c *clockEnv) ScriptEnv() []string { return append(os.Environ(), "CLOCK="+c.file) }

// TestClockPump: a block that polls until the cluster's clock reaches 3 s
// finishes when the clock moves while it runs, and times out when it does
// not.
func TestClockPump(t *testing.T) {
	fsys := scenarioFS(`{"title":"c","details":{"steps":[{"title":"Wait","text":"s.md","verify":"v.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{
			"s.md": "```\nuntil [ \"$(cat \"$CLOCK\" 2>/dev/null || echo 0)\" -ge 3 ]; do sleep 0.05; done\ntouch waited\n```{{exec}}\n",
			"v.sh": "test -f waited",
		})
	sc, err := Load(fsys, "c", "c")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		rate    float64
		timeout time.Duration
		want    string
	}{
		{"pumped", 20, 10 * time.Second, "PASS step 1/1 Wait\n1 passed, 0 failed\n"},
		{"still", -1, time.Second, "FAIL step 1/1 Wait: exec 1 did not finish within 1s; its process group was killed\n0 passed, 1 failed\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &clockEnv{file: filepath.Join(t.TempDir(), "clock")}
			var out strings.Builder
			if _, err := Test(context.Background(), sc, env, &out, TestConfig{Settle: -1, ClockRate: tc.rate, ScriptTimeout: tc.timeout}); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("Test = %q, want %q", out.String(), tc.want)
			}
		})
	}
}

// TestBlocksShareShellState: like commands typed in one terminal, a block
// sees the directory and exported variables the previous block left.
func TestBlocksShareShellState(t *testing.T) {
	fsys := scenarioFS(`{"title":"s","details":{"steps":[
  {"title":"Go there","text":"s1.md","verify":"v1.sh"},
  {"title":"Still there","text":"s2.md","verify":"v2.sh"}]},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`,
		map[string]string{
			"s1.md": "`mkdir -p app && cd app && export GREETING=hi`{{exec}}\n\n```\nset -e\ntouch here\n```{{exec}}\n",
			"v1.sh": "test -f app/here",
			"s2.md": "`test \"$GREETING\" = hi && test \"$(basename \"$PWD\")\" = app && touch again`{{exec}}\n",
			"v2.sh": "test -f app/again",
		})
	sc, err := Load(fsys, "s", "s")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := Test(context.Background(), sc, &fakeEnv{}, &out, TestConfig{Settle: -1, ClockRate: -1}); err != nil {
		t.Fatal(err)
	}
	if want := "PASS step 1/2 Go there\nPASS step 2/2 Still there\n2 passed, 0 failed\n"; out.String() != want {
		t.Errorf("Test = %q, want %q", out.String(), want)
	}
}
