package killercoda

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kubesim/scenarios"
)

// DefaultScriptTimeout is the time limit of one script or {{exec}} block
// when the config leaves it zero.
const DefaultScriptTimeout = 60 * time.Second

// BackgroundLog is the file, in the work directory, that background
// scripts write to (killercoda writes /var/log/killercoda).
const BackgroundLog = "background.log"

// session is what Play and Test share: a work directory, the script
// runner, the background log and the background scripts still running.
type session struct {
	sc      *Scenario
	env     scenarios.Env
	run     scriptRunner
	bgRun   scriptRunner // run with the background scripts' time limit
	workDir string
	logPath string
	clock   *clock
	ownDir  bool

	mu     sync.Mutex // serialises writes to the log file
	log    *os.File
	bg     sync.WaitGroup
	cancel context.CancelFunc
	bgCtx  context.Context
}

func newSession(ctx context.Context, sc *Scenario, env scenarios.Env, workDir string, timeout, bgTimeout time.Duration, rate float64) (*session, error) {
	if sc == nil || env == nil {
		return nil, fmt.Errorf("killercoda: scenario and env are required")
	}
	if timeout <= 0 {
		timeout = DefaultScriptTimeout
	}
	if bgTimeout <= 0 {
		bgTimeout = timeout
	}
	s := &session{sc: sc, env: env, workDir: workDir}
	// A killercoda scenario's scripts run as root on its controlplane;
	// the lecture's run on the learner's own machine (vagrant, kubectl).
	hosts, onHosts := env.(scenarios.Hosts)
	onHosts = onHosts && sc.Topology.ImageID != LectureImageID
	if onHosts && s.workDir == "" {
		d, err := os.MkdirTemp(hosts.ScratchDir(), "scenario-")
		if err != nil {
			return nil, fmt.Errorf("killercoda: work directory: %w", err)
		}
		s.workDir, s.ownDir = d, true
	}
	if s.workDir == "" {
		d, err := os.MkdirTemp("", "kubesim-scenario-")
		if err != nil {
			return nil, fmt.Errorf("killercoda: work directory: %w", err)
		}
		s.workDir, s.ownDir = d, true
	} else if err := os.MkdirAll(s.workDir, 0o755); err != nil {
		return nil, fmt.Errorf("killercoda: work directory: %w", err)
	}
	s.logPath = filepath.Join(s.workDir, BackgroundLog)
	f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("killercoda: background log: %w", err)
	}
	s.log = f
	if onHosts {
		// Scripts run on the hosts: their sleeps move the clock, no pump.
		s.run = scriptRunner{timeout: timeout, hosts: hosts}
		rate = -1
	} else {
		s.run = scriptRunner{env: withHome(env.ScriptEnv(), s.workDir), dir: s.workDir, timeout: timeout}
	}
	s.bgRun = s.run
	s.bgRun.timeout = bgTimeout
	s.bgCtx, s.cancel = context.WithCancel(ctx)
	if rate == 0 {
		rate = DefaultClockRate
	}
	s.clock = newClock(env, rate)
	copy := copyAssets
	if onHosts {
		copy = func(sc *Scenario, _ string) error { return copyAssetsToHost(sc, hosts) }
	}
	if err := copy(sc, s.workDir); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// close stops background scripts still running, waits for them, and
// removes a work directory the session made itself.
func (s *session) close() {
	if s.cancel != nil {
		s.cancel()
	}
	s.bg.Wait()
	if s.clock != nil {
		s.clock.close()
	}
	if s.log != nil {
		s.log.Close()
	}
	if s.ownDir {
		os.RemoveAll(s.workDir)
	}
}

// logWriter writes a background script's output to the log, a whole write
// at a time.
type logWriter struct{ s *session }

func (l logWriter) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.s.log.Write(p)
}

func (s *session) header(what string) {
	fmt.Fprintf(logWriter{s}, "==> %s\n", what)
}

// background runs a background script to its end, output to the log.
func (s *session) background(ctx context.Context, where string, sc Script) ScriptResult {
	what := fmt.Sprintf("%s background script %s", where, sc.Path)
	s.header(what)
	defer s.clock.scriptRunning()()
	return s.bgRun.run(ctx, what, sc.Path, sc.Body, logWriter{s})
}

// startBackground starts a background script and returns at once; close
// stops it.
func (s *session) startBackground(where string, sc Script, done func(ScriptResult)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		r := s.background(s.bgCtx, where, sc)
		if done != nil {
			done(r)
		}
	}()
}

// foreground runs a foreground script in the learner's terminal (out).
func (s *session) foreground(ctx context.Context, where string, sc Script, out io.Writer) ScriptResult {
	what := fmt.Sprintf("%s foreground script %s", where, sc.Path)
	defer s.clock.scriptRunning()()
	return s.run.run(ctx, what, sc.Path, sc.Body, out)
}

func (s *session) verify(ctx context.Context, st Step, out io.Writer) ScriptResult {
	defer s.clock.scriptRunning()()
	return s.run.run(ctx, "verify script "+st.Verify.Path, st.Verify.Path, st.Verify.Body, out)
}

func (s *session) exec(ctx context.Context, e Exec, out io.Writer) ScriptResult {
	return s.execWith(ctx, s.run, e, out)
}

// execWith runs an {{exec}} block as the learner's terminal would: in the
// directory the previous block left, with the variables it exported. Each
// block is its own bash, so the session keeps that state in files in the
// work directory (shellState): a trap writes it when a block exits and the
// next block reads it first. The prefix shares the block's first line, so
// bash's line numbers in messages stay the block's own.
func (s *session) execWith(ctx context.Context, r scriptRunner, e Exec, out io.Writer) ScriptResult {
	name := fmt.Sprintf("exec-%d", e.N)
	defer s.clock.scriptRunning()()
	st := filepath.Join(s.workDir, shellState)
	if r.hosts != nil {
		st = hostShellState
		// A learner reads a block before running it: on the hosts no
		// wall-clock pump moves the cluster meanwhile, so let that time
		// pass (a pod applied by the previous block starts).
		if err := s.clock.advance(BlockPause); err != nil {
			return ScriptResult{What: fmt.Sprintf("exec %d", e.N), Err: err}
		}
	}
	prefix := fmt.Sprintf(`mkdir -p %[1]q; `+
		`if [ -f %[1]q/env ]; then . %[1]q/env; fi; `+
		`if [ -f %[1]q/cwd ]; then cd "$(cat %[1]q/cwd)" 2>/dev/null; fi; `+
		`trap '__ks=$?; pwd -P > %[1]q/cwd; export -p > %[1]q/env; exit $__ks' EXIT; `, st)
	return r.run(ctx, fmt.Sprintf("exec %d", e.N), name, prefix+e.Code, out)
}

// shellState is the directory, in the work directory, that carries the
// learner's shell state (working directory, exported variables) from one
// {{exec}} block to the next.
const shellState = ".kubesim-shell"

// BlockPause is the virtual time that passes before each {{exec}} block
// run on the hosts: the learner reading it and clicking.
const BlockPause = 5 * time.Second

// hostShellState is shellState on a host.
const hostShellState = "/run/kubesim-shell"

// withHome returns env with HOME set to dir: the work directory is the
// learner's home (killercoda's /root), so "~", the working directory and
// the assets agree, and a scenario's "rm -rf ~/x" stays inside it.
func withHome(env []string, dir string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return append(out, "HOME="+dir)
}

// copyAssets copies details.assets into dir. Targets are mapped into the
// work directory: "~" and "/root" are the directory itself, any other
// absolute path goes below it ("/etc/x" → dir/etc/x), so a scenario never
// writes outside its work directory.
func copyAssets(sc *Scenario, dir string) error {
	if len(sc.Assets) == 0 {
		return nil
	}
	if sc.files == nil {
		return fmt.Errorf("%s: has assets but no files: load scenarios with Load", sc.Source)
	}
	assets, err := fs.Sub(sc.files, "assets")
	if err != nil {
		return fmt.Errorf("%s: assets: %w", sc.Source, err)
	}
	var all []string
	err = fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			all = append(all, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: assets: %w", sc.Source, err)
	}
	for _, a := range sc.Assets {
		n := 0
		for _, p := range all {
			if !globMatch(a.File, p) {
				continue
			}
			n++
			data, err := fs.ReadFile(assets, p)
			if err != nil {
				return fmt.Errorf("%s: %w", path.Join(sc.Source, "assets", p), err)
			}
			dst := filepath.Join(targetDir(dir, a.Target), filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return fmt.Errorf("asset %s: %w", p, err)
			}
			mode := os.FileMode(0o644)
			if strings.Contains(a.Chmod, "+x") {
				mode |= 0o111
			}
			if strings.Contains(a.Chmod, "+w") {
				mode |= 0o222
			}
			if err := os.WriteFile(dst, data, mode); err != nil {
				return fmt.Errorf("asset %s: %w", p, err)
			}
			if err := os.Chmod(dst, mode); err != nil {
				return fmt.Errorf("asset %s: %w", p, err)
			}
		}
		if n == 0 {
			return fmt.Errorf("%s: details.assets: %q matches no file under assets/", path.Join(sc.Source, "index.json"), a.File)
		}
	}
	return nil
}

// copyAssetsToHost copies details.assets onto the control plane host at
// their targets ("~" is root's home), as killercoda does.
func copyAssetsToHost(sc *Scenario, h scenarios.Hosts) error {
	if len(sc.Assets) == 0 {
		return nil
	}
	if sc.files == nil {
		return fmt.Errorf("%s: has assets but no files: load scenarios with Load", sc.Source)
	}
	assets, err := fs.Sub(sc.files, "assets")
	if err != nil {
		return fmt.Errorf("%s: assets: %w", sc.Source, err)
	}
	for _, a := range sc.Assets {
		n := 0
		err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !globMatch(a.File, p) {
				return err
			}
			n++
			data, err := fs.ReadFile(assets, p)
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if strings.Contains(a.Chmod, "+x") {
				mode |= 0o111
			}
			if strings.Contains(a.Chmod, "+w") {
				mode |= 0o222
			}
			return h.PutHostFile("", path.Join(hostTarget(a.Target), p), data, mode)
		})
		if err != nil {
			return fmt.Errorf("%s: assets: %w", sc.Source, err)
		}
		if n == 0 {
			return fmt.Errorf("%s: details.assets: %q matches no file under assets/", path.Join(sc.Source, "index.json"), a.File)
		}
	}
	return nil
}

// hostTarget is an asset target on the host: "~" is /root.
func hostTarget(target string) string {
	t := strings.TrimSuffix(target, "/")
	if t == "~" || strings.HasPrefix(t, "~/") {
		return "/root" + t[1:]
	}
	if !strings.HasPrefix(t, "/") {
		return "/root/" + t
	}
	return t
}

func targetDir(dir, target string) string {
	t := strings.TrimSuffix(target, "/")
	for _, home := range []string{"~", "/root"} {
		if t == home {
			return dir
		}
		if strings.HasPrefix(t, home+"/") {
			return filepath.Join(dir, filepath.FromSlash(t[len(home)+1:]))
		}
	}
	return filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(t, "/")))
}

// globMatch matches a slash-separated path against a pattern in which "**"
// stands for any number of directories (including none) and other segments
// follow path.Match.
func globMatch(pattern, p string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(p, "/"))
}

func matchSegs(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for k := 0; k <= len(segs); k++ {
			if matchSegs(pat[1:], segs[k:]) {
				return true
			}
		}
		// "**" at the end also matches a file at any depth.
		return len(pat) == 1
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := path.Match(pat[0], segs[0])
	return err == nil && ok && matchSegs(pat[1:], segs[1:])
}
