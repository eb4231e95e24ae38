package killercoda

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"kubesim/scenarios"
)

// DefaultSettle is how far Test moves the virtual clock after setup and
// after each step's blocks, so that pods started by the step are Running
// (and pods deleted with the default 30 s grace period are gone) when
// verify looks.
const DefaultSettle = 90 * time.Second

// DefaultWatchTimeout is how long Test lets a watching block run.
const DefaultWatchTimeout = 3 * time.Second

var (
	kubectlWatchRE = regexp.MustCompile(`\b(kubectl|k)\s+(\S+\s+)*?(get|logs|events|rollout)\b[^|;&\n]*\s(-w|--watch|--watch-only|-f|--follow)(=true)?(\s|$)`)
	shellWatchRE   = regexp.MustCompile(`(^|[;&|]\s*|\n\s*)(watch\s|tail\s+(-\S*\s+)*-f\b)`)
)

// isWatch reports whether a block watches and never ends by itself.
func isWatch(code string) bool {
	for _, l := range strings.Split(code, "\n") {
		// "kubectl get -f file" names a file: only get/logs/events/rollout
		// with -w/--watch (get) or -f/--follow (logs) count.
		if m := kubectlWatchRE.FindStringSubmatch(l); m != nil {
			flag := m[4]
			verb := m[3]
			if (verb == "logs" && (flag == "-f" || flag == "--follow")) || (verb != "logs" && flag != "-f" && flag != "--follow") {
				return true
			}
		}
		if shellWatchRE.MatchString(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

// TestConfig configures Test. The zero value is usable.
type TestConfig struct {
	// WorkDir is the scripts' working directory; empty: a temporary one,
	// removed afterwards.
	WorkDir string
	// ScriptTimeout limits each script and block (default
	// DefaultScriptTimeout); BackgroundTimeout limits background scripts
	// (default: ScriptTimeout).
	ScriptTimeout     time.Duration
	BackgroundTimeout time.Duration
	// Settle is passed to Env.Advance after the intro's scripts and after
	// each step's blocks (default DefaultSettle; negative: never advance).
	Settle time.Duration
	// Solutions, by step number (1-based), are bash scripts run instead of
	// the step's {{exec}} blocks — for real scenarios whose steps have no
	// {{exec}} solution. See LoadSolutions.
	Solutions map[int]string
	// KnownGaps, by step number, say why a step cannot pass (yet): a
	// missing feature, a check real kubectl rejects, a verify that cannot
	// fail. A failed step with a known gap is still counted as failed; the
	// gap is printed in a closing note ("note: step N: …").
	KnownGaps map[int]string
	// ClockRate: while a script or block runs, the virtual clock moves
	// ClockRate times as fast as the wall clock (Env.Advance every 250 ms),
	// so that scripts that poll the cluster see it progress (default
	// DefaultClockRate; negative: the clock moves only by Settle).
	ClockRate float64
	// WatchTimeout limits a block that watches and never ends on its own
	// (`kubectl get … -w`, `kubectl logs -f`, `watch …`, `tail -f`): a learner
	// stops it with Ctrl+C, so reaching this limit is not a failure
	// (default DefaultWatchTimeout).
	WatchTimeout time.Duration
	// Trace, when set, receives everything the scripts and blocks print,
	// each under a "==> …" header (for finding out why a step failed).
	Trace io.Writer
}

// StepResult is one line of Test's report.
type StepResult struct {
	// N is the step number (1-based); 0 for the intro and len(Steps)+1 for
	// the finish, which get a line only when their scripts fail.
	N      int
	Title  string
	Passed bool
	Reason string
}

// TestResult is what Test found.
type TestResult struct {
	Passed, Failed int
	Steps          []StepResult
}

// OK reports whether every step passed.
func (r *TestResult) OK() bool { return r.Failed == 0 }

// Test runs a scenario non-interactively, as CI does, and writes one line per
// step and then exactly "N passed, N failed" to out.
//
// Setup: assets are copied into the work directory, the clock advances by
// Settle (the environment is up before a learner starts), the intro's
// background script runs to its end (killercoda runs it alongside the intro
// page; here setup must finish before step 1), then its foreground script,
// then the clock advances by Settle. A failing intro script gets its own
// FAIL line; it is counted.
//
// Each step: its background and foreground scripts run; verify must FAIL
// (otherwise: "verify passes before the step is done" — the step teaches
// nothing); then the step's {{exec}} blocks run, each block as one bash
// script with Env.ScriptEnv (real steps hold multi-line blocks, heredocs and
// pipes that only a real shell runs; a block timing out is fine when the
// next block is {{exec interrupt}}, which would stop it); then the clock
// advances by Settle; then verify must pass. A step without verify passes
// when its blocks succeed. A step without blocks needs
// cfg.Solutions[step]. The blocks run even when verify passed too early, so
// that later steps start from the state they expect; a failing block stops
// the rest of its step's blocks. Each step reports its first failure.
//
// The error is for the environment failing (Env.Advance) or ctx ending; the
// result says whether any step failed.
func Test(ctx context.Context, sc *Scenario, env scenarios.Env, out io.Writer, cfg TestConfig) (*TestResult, error) {
	if out == nil {
		out = io.Discard
	}
	s, err := newSession(ctx, sc, env, cfg.WorkDir, cfg.ScriptTimeout, cfg.BackgroundTimeout, cfg.ClockRate)
	if err != nil {
		return nil, err
	}
	defer s.close()
	settle := cfg.Settle
	if settle == 0 {
		settle = DefaultSettle
	}
	watchTimeout := cfg.WatchTimeout
	if watchTimeout <= 0 {
		watchTimeout = DefaultWatchTimeout
	}
	advance := func() error {
		if settle < 0 {
			return nil
		}
		if err := s.clock.advance(settle); err != nil {
			return fmt.Errorf("advance %v: %w", settle, err)
		}
		if err := s.clock.pumpErr(); err != nil {
			return fmt.Errorf("advance while a script ran: %w", err)
		}
		return nil
	}
	res := &TestResult{}
	n := len(sc.Steps)
	report := func(r StepResult) {
		res.Steps = append(res.Steps, r)
		if r.Passed {
			res.Passed++
		} else {
			res.Failed++
		}
		label := "intro"
		switch {
		case r.N > n:
			label = "finish"
		case r.N > 0:
			label = fmt.Sprintf("step %d/%d %s", r.N, n, r.Title)
		}
		word := "PASS"
		if !r.Passed {
			word = "FAIL"
		}
		if r.Reason != "" {
			fmt.Fprintf(out, "%s %s: %s\n", word, label, r.Reason)
		} else {
			fmt.Fprintf(out, "%s %s\n", word, label)
		}
	}

	// The environment is up before the learner starts: let it settle.
	if err := advance(); err != nil {
		return res, err
	}
	if reason := s.pageScripts(ctx, "intro", sc.Intro); reason != "" {
		report(StepResult{N: 0, Title: "intro", Reason: reason})
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := advance(); err != nil {
		return res, err
	}
	for i, st := range sc.Steps {
		r := StepResult{N: i + 1, Title: st.Title, Passed: true}
		fail := func(reason string) {
			if r.Passed {
				r.Passed, r.Reason = false, reason
			}
		}
		if reason := s.pageScripts(ctx, fmt.Sprintf("step %d", i+1), st.Page); reason != "" {
			fail(reason)
		}
		if !st.Verify.IsZero() {
			if v := s.verify(ctx, st, trace(cfg.Trace, "step %d: verify before the blocks", i+1)); v.OK() {
				fail("verify passes before the step is done")
			} else if v.TimedOut || v.Err != nil {
				fail("before the step's blocks ran: " + v.Describe())
			}
		}
		blocks := stepExecs(st)
		if sol, ok := cfg.Solutions[i+1]; ok {
			blocks = []Exec{{N: 1, Code: sol, Fenced: true}}
		}
		if len(blocks) == 0 {
			fail("no {{exec}} blocks to solve the step (give the test a solution for it)")
		}
		for k, b := range blocks {
			w := trace(cfg.Trace, "step %d: exec %d", i+1, b.N)
			var br ScriptResult
			if isWatch(b.Code) {
				wr := s.run
				wr.timeout = watchTimeout
				br = s.execWith(ctx, wr, b, w)
				if br.TimedOut {
					continue
				}
			} else {
				br = s.exec(ctx, b, w)
			}
			if br.TimedOut && k+1 < len(blocks) && blocks[k+1].Interrupt {
				continue
			}
			if !br.OK() {
				what := br.Describe()
				if _, ok := cfg.Solutions[i+1]; ok {
					what = strings.Replace(what, "exec 1", "solution", 1)
				}
				fail(what)
				break
			}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := advance(); err != nil {
			return res, err
		}
		if !st.Verify.IsZero() {
			if v := s.verify(ctx, st, trace(cfg.Trace, "step %d: verify after the blocks", i+1)); !v.OK() {
				fail("verify fails after the step's blocks ran: " + v.Describe())
			}
		} else if r.Passed {
			r.Reason = "no verify script; its blocks ran"
		}
		if !r.Passed {
			if gap, ok := cfg.KnownGaps[i+1]; ok {
				r.Reason += " [known gap: " + gap + "]"
			}
		}
		report(r)
	}
	if reason := s.pageScripts(ctx, "finish", sc.Finish); reason != "" {
		report(StepResult{N: n + 1, Title: "finish", Reason: reason})
	}
	var gaps []int
	for _, r := range res.Steps {
		if _, ok := cfg.KnownGaps[r.N]; ok && !r.Passed && r.N > 0 && r.N <= n {
			gaps = append(gaps, r.N)
		}
	}
	sort.Ints(gaps)
	for _, k := range gaps {
		fmt.Fprintf(out, "note: step %d: %s\n", k, cfg.KnownGaps[k])
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", res.Passed, res.Failed)
	return res, ctx.Err()
}

// trace writes a header to w and returns w (nil: nil).
func trace(w io.Writer, format string, args ...any) io.Writer {
	if w == nil {
		return nil
	}
	fmt.Fprintf(w, "==> "+format+"\n", args...)
	return w
}

// pageScripts runs a page's background script to its end, then its
// foreground script; it returns why they failed, or "".
func (s *session) pageScripts(ctx context.Context, where string, pg Page) string {
	var reasons []string
	if !pg.Background.IsZero() {
		if r := s.background(ctx, where, pg.Background); !r.OK() {
			reason := r.Describe()
			if !s.ownDir {
				reason += " (log: " + s.logPath + ")"
			}
			reasons = append(reasons, reason)
		}
	}
	if !pg.Foreground.IsZero() {
		if r := s.foreground(ctx, where, pg.Foreground, logWriter{s}); !r.OK() {
			reasons = append(reasons, r.Describe())
		}
	}
	return strings.Join(reasons, "; ")
}

// stepExecs is what solves a step: its {{exec}} blocks, or, when it has
// none, those of its Katacoda answer.
func stepExecs(st Step) []Exec {
	if st.Text != nil && len(st.Text.Execs) > 0 {
		return st.Text.Execs
	}
	if st.Answer != nil {
		return st.Answer.Execs
	}
	return nil
}

// LoadSolutions reads solutions for Test from a directory: stepN.sh is the
// bash solution of step N, and known-gaps.txt holds lines "N: reason"
// (blank lines and # comments allowed).
func LoadSolutions(fsys fs.FS) (solutions map[int]string, gaps map[int]string, err error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("solutions: %w", err)
	}
	solutions, gaps = map[int]string{}, map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, "step") || !strings.HasSuffix(name, ".sh") {
			continue
		}
		k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "step"), ".sh"))
		if err != nil || k < 1 {
			return nil, nil, fmt.Errorf("solutions: %s: want stepN.sh with N ≥ 1", name)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("solutions: %w", err)
		}
		solutions[k] = string(data)
	}
	data, err := fs.ReadFile(fsys, "known-gaps.txt")
	if err != nil {
		return solutions, gaps, nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		num, reason, ok := strings.Cut(line, ":")
		k, err := strconv.Atoi(strings.TrimSpace(num))
		if !ok || err != nil || strings.TrimSpace(reason) == "" {
			return nil, nil, fmt.Errorf("solutions: known-gaps.txt:%d: want \"N: reason\", got %q", i+1, line)
		}
		gaps[k] = strings.TrimSpace(reason)
	}
	return solutions, gaps, nil
}
