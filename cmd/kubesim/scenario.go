package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/practice"
	"kubesim/internal/verbs"
	"kubesim/scenarios"
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/killercoda"
	"kubesim/sim"
)

// onExisting runs f with an Env on the existing cluster kubeconfig names,
// its files in a temporary folder.
func onExisting(kubeconfig string, f func(*practice.Remote) error) error {
	dir, err := os.MkdirTemp("", "kubesim-remote-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	self, _ := os.Executable()
	env, err := practice.NewRemote(kubeconfig, dir, self)
	if err != nil {
		return err
	}
	return f(env)
}

// loadScenario reads a scenario folder, or a built-in one by name.
func loadScenario(arg, lang string) (*killercoda.Scenario, error) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return killercoda.LoadDirLang(arg, lang)
	}
	sc, err := builtin.ScenarioLang(arg, lang)
	if err != nil {
		return nil, fmt.Errorf("%s is neither a scenario folder nor a built-in scenario (%s): %w", arg, strings.Join(builtin.ScenarioNames(), ", "), err)
	}
	return sc, nil
}

// scenarioCluster loads a scenario and builds the cluster it asks for; the
// clock starts at the wall clock so that what kubectl computes client-side
// (describe's ages) reads right.
func scenarioCluster(arg, lang string, paced bool) (*killercoda.Scenario, *practice.Env, func(), error) {
	sc, err := loadScenario(arg, lang)
	if err != nil {
		return nil, nil, nil, err
	}
	env, cleanup, err := newLocal(practice.SpecFor(sc.Topology), time.Now().UTC().Truncate(time.Second), paced)
	if err != nil {
		return nil, nil, nil, err
	}
	return sc, env, cleanup, nil
}

// onScenario is a RunE that builds the cluster of the scenario named by
// the argument (paced: for a learner at a terminal), runs f on it and
// removes it.
func onScenario(lang *string, paced bool, f func(*cobra.Command, *killercoda.Scenario, *practice.Env) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		sc, env, cleanup, err := scenarioCluster(args[0], *lang, paced)
		if err != nil {
			return err
		}
		defer cleanup()
		return f(cmd, sc, env)
	}
}

// playSettle is how far the clock moves before each verify (PlayConfig.Settle).
const playSettle = 30 * time.Second

// playInShell plays sc in the learner's bash: the intro and first step are
// shown, then the shell runs with the scenario's commands, which reach the
// Player through the cluster's control endpoint (verb "scenario").
func playInShell(cmd *cobra.Command, sc *killercoda.Scenario, env *practice.Env, bash string, tty *os.File) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var player atomic.Pointer[killercoda.Player]
	env.Verbs = func(ctx context.Context, c *sim.Cluster, verb string, args []string, stdout, stderr io.Writer) int {
		if verb == "scenario" {
			if pl := player.Load(); pl != nil {
				return pl.Command(ctx, args, stdout)
			}
			fmt.Fprintln(stderr, "the scenario is not ready yet")
			return 1
		}
		return verbs.Run(ctx, c, verb, args, stdout, stderr)
	}
	pl, err := killercoda.NewPlayer(ctx, sc, env, killercoda.PlayConfig{Settle: playSettle, OnStep: env.FollowScenario(sc)})
	if err != nil {
		return err
	}
	defer pl.Close()
	player.Store(pl)
	if err := pl.Start(cmd.OutOrStdout()); err != nil {
		return err
	}
	_, err = env.Shell(practice.ShellConfig{Bash: bash, Scenario: true, Stdin: tty})
	return err
}

// scenarioCtlCmd is what the practice shell's scenario commands (step,
// verify, ...) run: kubesim _scenario COMMAND [ARGS], answered by the
// Player of the scenario play that started the shell.
func scenarioCtlCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "_scenario COMMAND [ARGS]",
		Short:              "A scenario command of the practice shell (step, verify, next, hint, solution, log, exec N)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if wantsHelp(args) {
				return cmd.Help()
			}
			resp, err := controlFor("scenario", args, 0)
			return printResponse(cmd, resp, err)
		},
	}
}

func scenarioCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scenario", Short: "Killercoda scenarios: play one, or test that its steps pass", RunE: groupRunE}
	var lang, solutions string
	var trace, keep, builtinPrompt bool
	play := &cobra.Command{
		Use:   "play DIR|NAME",
		Short: "Work through a scenario in your own bash (step, verify, next, hint, solution)",
		Long: `play starts the scenario's cluster, shows its intro and first step, and then
your own bash on it (as kubesim shell), with the scenario's commands: step,
verify (or check), next, hint, solution, log and exec N. Leaving the shell
asks whether to delete the cluster.

Without a terminal, or with --builtin-prompt, kubesim's own prompt reads the
lines instead (help lists its commands).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, env, cleanup, err := scenarioCluster(args[0], lang, true)
			if err != nil {
				return err
			}
			tty, interactive := stdinTerminal(cmd)
			if bash := practice.FindBash(); interactive && !builtinPrompt && bash != "" {
				err = playInShell(cmd, sc, env, bash, tty)
				return leave(cmd, env, cleanup, keep, interactive, err, nil)
			}
			intr := make(chan struct{}, 1)
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt)
			defer signal.Stop(sigs)
			go func() {
				for range sigs {
					select {
					case intr <- struct{}{}:
					default:
					}
				}
			}()
			err = killercoda.Play(context.Background(), sc, env, cmd.InOrStdin(), cmd.OutOrStdout(), killercoda.PlayConfig{Interrupt: intr, Settle: playSettle, OnStep: env.FollowScenario(sc)})
			return leave(cmd, env, cleanup, keep, interactive, err, nil)
		},
	}
	play.Flags().BoolVar(&keep, "keep", false, "keep the cluster's files when leaving, without asking")
	play.Flags().BoolVar(&builtinPrompt, "builtin-prompt", false, "kubesim's own prompt instead of your bash (as without a terminal or without bash)")
	play.Flags().StringVar(&lang, "lang", "", "language of the scenario text (e.g. ko, en)")
	var kubeconfig string
	runTest := func(cmd *cobra.Command, sc *killercoda.Scenario, env scenarios.Env, cfg killercoda.TestConfig) error {
		if solutions != "" {
			var err error
			if cfg.Solutions, cfg.KnownGaps, err = killercoda.LoadSolutions(os.DirFS(solutions)); err != nil {
				return err
			}
		}
		if trace {
			cfg.Trace = cmd.ErrOrStderr()
		}
		res, err := killercoda.Test(context.Background(), sc, env, cmd.OutOrStdout(), cfg)
		if err != nil {
			return err
		}
		if !res.OK() {
			return exitError{1}
		}
		return nil
	}
	test := &cobra.Command{
		Use:   "test DIR|NAME",
		Short: "Check every step: verify fails before the step's commands and passes after",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if kubeconfig != "" {
				return onExisting(kubeconfig, func(env *practice.Remote) error {
					sc, err := loadScenario(args[0], lang)
					if err != nil {
						return err
					}
					// A real cluster moves by itself: no clock pump; the
					// settle before verify waits for pods instead.
					env.SettleOnAdvance = true
					return runTest(cmd, sc, env, killercoda.TestConfig{ClockRate: -1})
				})
			}
			return onScenario(&lang, false, func(cmd *cobra.Command, sc *killercoda.Scenario, env *practice.Env) error {
				return runTest(cmd, sc, env, killercoda.TestConfig{})
			})(cmd, args)
		},
	}
	test.Flags().StringVar(&kubeconfig, "kubeconfig", "", "run against the existing cluster this kubeconfig names (kind, kubeadm, a cloud, another kubesim) instead of a new simulated one; advance and node directives are refused there")
	test.Flags().StringVar(&lang, "lang", "", "language of the scenario text")
	test.Flags().StringVar(&solutions, "solutions", "", "folder of stepN.sh solutions (and known-gaps.txt) for steps without {{exec}} blocks")
	test.Flags().BoolVar(&trace, "trace", false, "print what the scripts and blocks print, to stderr")
	cmd.AddCommand(play, test)
	return cmd
}
