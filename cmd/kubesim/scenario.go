package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/practice"
	"kubesim/scenarios"
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/killercoda"
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

func scenarioCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scenario", Short: "Killercoda scenarios: play one, or test that its steps pass", RunE: groupRunE}
	var lang, solutions string
	var trace bool
	play := &cobra.Command{
		Use:   "play DIR|NAME",
		Short: "Work through a scenario interactively",
		Args:  cobra.ExactArgs(1),
		RunE: onScenario(&lang, true, func(cmd *cobra.Command, sc *killercoda.Scenario, env *practice.Env) error {
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
			return killercoda.Play(context.Background(), sc, env, cmd.InOrStdin(), cmd.OutOrStdout(), killercoda.PlayConfig{Interrupt: intr, Settle: 30 * time.Second})
		}),
	}
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
