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
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/killercoda"
)

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
	test := &cobra.Command{
		Use:   "test DIR|NAME",
		Short: "Check every step: verify fails before the step's commands and passes after",
		Args:  cobra.ExactArgs(1),
		RunE: onScenario(&lang, false, func(cmd *cobra.Command, sc *killercoda.Scenario, env *practice.Env) error {
			cfg := killercoda.TestConfig{}
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
		}),
	}
	test.Flags().StringVar(&lang, "lang", "", "language of the scenario text")
	test.Flags().StringVar(&solutions, "solutions", "", "folder of stepN.sh solutions (and known-gaps.txt) for steps without {{exec}} blocks")
	test.Flags().BoolVar(&trace, "trace", false, "print what the scripts and blocks print, to stderr")
	cmd.AddCommand(play, test)
	return cmd
}
