package practice

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// The learner's own bash over the cluster, as killercoda's terminal is:
// their rc files, aliases, completion and history, with kubectl, curl,
// ssh, vagrant and kubesim on PATH resolved to the cluster (shims in the
// Env's bin/), and for a scenario its commands (step, verify, next, ...).

// FindBash returns the bash to run for the learner: $SHELL when it is a
// bash, else bash on PATH; "" when there is none (the built-in prompt
// serves then).
func FindBash() string {
	if sh := os.Getenv("SHELL"); filepath.Base(sh) == "bash" {
		if st, err := os.Stat(sh); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return sh
		}
	}
	if p, err := exec.LookPath("bash"); err == nil {
		return p
	}
	return ""
}

// ShellConfig configures Env.Shell.
type ShellConfig struct {
	// Bash is the bash to run (FindBash).
	Bash string
	// Scenario adds the scenario's commands: step (text), verify and check,
	// next, hint, solution, log, and `exec N` for the step's {{exec}}
	// blocks. They reach the Player through the control endpoint, whose
	// verb "scenario" Env.Verbs must answer.
	Scenario bool
	// Stdin, Stdout, Stderr are the terminal (nil: this process's).
	Stdin, Stdout, Stderr *os.File
}

// ScenarioCommands are the commands Shell adds for a scenario; each runs
// `kubesim _scenario NAME ARGS...`.
var ScenarioCommands = []string{"step", "verify", "check", "next", "hint", "solution"}

// HistoryFile is where the practice shell keeps its history: in the
// Env's folder, so it lives and dies with the practice cluster (a fresh
// cluster starts with a fresh history, as a fresh killercoda machine
// does; --keep keeps both), and the learner's ~/.bash_history neither
// gains the practice commands nor loses its own lines to HISTSIZE.
func (e *Env) HistoryFile() string { return filepath.Join(e.dir, "bash_history") }

// Shell runs the learner's bash interactively on the terminal, with the
// generated rcfile (see rcfile), until they leave it, and returns its
// exit code. A paced cluster follows the wall clock meanwhile.
//
// Signals: bash takes the terminal for itself and for each job it runs
// (job control), so Ctrl-C reaches only the foreground command. This
// process catches SIGINT and SIGQUIT (it never ignores them: an ignored
// signal would be inherited by bash and by every command it runs) and
// drops them, for a bash whose rc turns job control off. A hang-up (the
// terminal closed) is passed on to bash, which saves its history and
// ends; the caller then finds no terminal to ask on.
func (e *Env) Shell(cfg ShellConfig) (int, error) {
	e.once.Do(func() { e.shimErr = e.startShims() })
	if e.shimErr != nil {
		return 0, fmt.Errorf("the practice shell needs the cluster's endpoint: %w", e.shimErr)
	}
	if err := e.writeShellShims(cfg.Scenario); err != nil {
		return 0, err
	}
	rc := filepath.Join(e.dir, "bashrc")
	if err := os.WriteFile(rc, []byte(e.rcfile(cfg.Scenario)), 0o644); err != nil {
		return 0, err
	}
	if e.Pace != nil {
		stop := e.Pace.Follow()
		defer stop()
	}
	cmd := exec.Command(cfg.Bash, "--rcfile", rc, "-i")
	cmd.Env = e.shellEnviron()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = or(cfg.Stdin, os.Stdin), or(cfg.Stdout, os.Stdout), or(cfg.Stderr, os.Stderr)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP)
	err := cmd.Start()
	if err == nil {
		go func() {
			for s := range sigs {
				if s == syscall.SIGHUP {
					cmd.Process.Signal(s)
				}
			}
		}()
		err = cmd.Wait()
	}
	signal.Stop(sigs)
	close(sigs)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, err
}

func or(f, def *os.File) *os.File {
	if f != nil {
		return f
	}
	return def
}

// shellEnviron is this process's environment with the shims first on
// PATH and the cluster's kubeconfig and state: what the rcfile sets again
// after ~/.bashrc, present from the start so that ~/.bashrc's own
// `source <(kubectl completion bash)` already runs the cluster's kubectl.
func (e *Env) shellEnviron() []string {
	set := map[string]string{
		"PATH":          filepath.Join(e.dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"KUBECONFIG":    filepath.Join(e.dir, "kubeconfig"),
		"KUBESIM_STATE": filepath.Join(e.dir, "state"),
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+set[k])
	}
	return env
}

// rcfile is the practice shell's startup file: the learner's ~/.bashrc
// first (bash reads /etc/bash.bashrc itself where it is built to), then
// kubesim's adjustments, which the learner's setup cannot undo: the shims
// first on PATH, the cluster's kubeconfig, the history file, kubectl's
// completion for kubectl and k when ~/.bashrc did not set it up (as
// killercoda's terminal has it), and a "(kubesim) " mark on the prompt.
func (e *Env) rcfile(scenario bool) string {
	q := shellQuote
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by kubesim for its practice shell, at each start; not yours to edit.
if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
PATH=%s:$PATH
export KUBECONFIG=%s KUBESIM_STATE=%s
HISTFILE=%s
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
  for f in /usr/share/bash-completion/bash_completion /etc/bash_completion \
    /opt/homebrew/etc/profile.d/bash_completion.sh /usr/local/etc/profile.d/bash_completion.sh; do
    if [ -r "$f" ]; then . "$f"; break; fi
  done
fi
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
`+compWords+`fi
if ! declare -F __start_kubectl >/dev/null 2>&1; then
  source <(kubectl completion bash 2>/dev/null)
fi
if declare -F __start_kubectl >/dev/null 2>&1 && ! complete -p k >/dev/null 2>&1; then
  complete -o default -F __start_kubectl k
fi
PS1="(kubesim) $PS1"
`, q(filepath.Join(e.dir, "bin")), q(filepath.Join(e.dir, "kubeconfig")), q(filepath.Join(e.dir, "state")), q(e.HistoryFile()))
	if scenario {
		// exec N runs the step's N-th {{exec}} block, as the step text
		// says; any other exec is bash's own.
		b.WriteString(`exec() {
  if [ $# -eq 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then command kubesim _scenario exec "$1"; else builtin exec "$@"; fi
}
`)
	}
	return b.String()
}

// compWords stands in for bash-completion's _get_comp_words_by_ref, which
// kubectl's completion calls, where bash-completion is not installed: the
// words of the line up to the cursor split at blanks (quotes are not
// understood), into the caller's cur, prev, words and cword.
const compWords = `  _get_comp_words_by_ref() {
    while [[ $1 == -* ]]; do if [[ $1 == -n ]]; then shift; fi; shift; done
    local line=${COMP_LINE:0:COMP_POINT} _w
    read -ra _w <<<"$line"
    if [[ -z $line || $line == *[[:blank:]] ]]; then _w+=(""); fi
    local _n=${#_w[@]} v
    for v; do
      case $v in
      cur) cur=${_w[_n-1]} ;;
      prev) prev=${_w[_n-2]} ;;
      words) words=("${_w[@]}") ;;
      cword) cword=$((_n-1)) ;;
      esac
    done
  }
`

// writeShellShims adds to bin/ what the interactive shell has beyond the
// scripts' shims: kubesim itself (its verbs reach this cluster through
// KUBESIM_STATE), an ssh that sends cluster hosts to kubesim's host shell
// and any other host to the real ssh, and the scenario's commands.
func (e *Env) writeShellShims(scenario bool) error {
	bin := filepath.Join(e.dir, "bin")
	shims := map[string]string{
		"kubesim": fmt.Sprintf("#!/bin/sh\nexec %s \"$@\"\n", shellQuote(e.Binary)),
		"ssh":     e.sshShim(),
	}
	if scenario {
		for _, name := range append(ScenarioCommands, "log") {
			shims[name] = fmt.Sprintf("#!/bin/sh\nexec %s _scenario %s \"$@\"\n", shellQuote(e.Binary), name)
		}
	}
	for name, body := range shims {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// sshShim is ssh for the practice shell: `ssh w1`, `ssh vagrant@w1.example.com
// hostname` or ssh to a node's IP go to `kubesim ssh` (the simulated host);
// any other host goes to the real ssh found on PATH now, if any.
func (e *Env) sshShim() string {
	names := map[string]bool{}
	for _, n := range e.Cluster.Spec.Nodes {
		names[shellQuote(n.Name)] = true
		names[shellQuote(strings.SplitN(n.Name, ".", 2)[0])] = true
		if n.IP != "" {
			names[shellQuote(n.IP)] = true
		}
	}
	pats := make([]string, 0, len(names))
	for n := range names {
		pats = append(pats, n)
	}
	sort.Strings(pats)
	self := shellQuote(e.Binary)
	other := self + " ssh"
	if real, err := exec.LookPath("ssh"); err == nil {
		other = shellQuote(real)
	}
	// Options that take a value (ssh(1)); the host is the first other word.
	const valued = "-[BbcDEeFIiJLlmOoPpQRSWw]"
	return fmt.Sprintf(`#!/bin/sh
host= skip=
for a do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $a in
  %[1]s) skip=1 ;;
  -*) ;;
  *) host=${a#*@}; break ;;
  esac
done
case $host in
%[2]s) ;;
*) exec %[3]s "$@" ;;
esac
while [ $# -gt 0 ]; do
  case $1 in
  %[1]s) shift 2 ;;
  -*) shift ;;
  *) shift; break ;;
  esac
done
exec %[4]s ssh "$host" "$@"
`, valued, strings.Join(pats, "|"), other, self)
}

// shellQuote quotes s for sh in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
