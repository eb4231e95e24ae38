package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/practice"
	"kubesim/scenarios"
	"kubesim/scenarios/builtin"
	"kubesim/scenarios/transcript"
	"kubesim/sim"
)

func replayCmd() *cobra.Command {
	var update bool
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "replay FILE|NAME",
		Short: "Replay a transcript on a fresh cluster and compare every output (built in: " + strings.Join(builtin.TranscriptNames(), ", ") + ")",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "lecture-04"
			if len(args) == 1 {
				name = args[0]
			}
			tr, src, err := loadTranscript(name)
			if err != nil {
				return err
			}
			if kubeconfig != "" {
				if tr.Cluster != "" {
					return fmt.Errorf("%s starts from the built-in cluster %q: replay it on a simulated cluster (without --kubeconfig)", name, tr.Cluster)
				}
				return onExisting(kubeconfig, func(env *practice.Remote) error {
					return replayOn(cmd, tr, name, env)
				})
			}
			spec := sim.DefaultClusterSpec()
			if tr.Cluster != "" {
				if spec, err = sim.NamedSpec(tr.Cluster); err != nil {
					return err
				}
			}
			if tr.HasSeed {
				spec.Seed = uint64(tr.Seed)
			}
			env, cleanup, err := newLocal(spec, time.Time{}, false)
			if err != nil {
				return err
			}
			defer cleanup()
			if update {
				out, err := transcript.Update(context.Background(), tr, src, env)
				if err != nil {
					return err
				}
				return os.WriteFile(name, out, 0o644)
			}
			return replayOn(cmd, tr, name, env)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "replay against the existing cluster this kubeconfig names instead of a new simulated one (advance and node directives are refused there)")
	cmd.Flags().BoolVar(&update, "update", false, "rewrite FILE's expected outputs with what the cluster prints")
	return cmd
}

// loadTranscript reads a transcript file, or a built-in one by name.
func loadTranscript(name string) (*transcript.Transcript, []byte, error) {
	if src, err := os.ReadFile(name); err == nil {
		tr, err := transcript.Parse(name, strings.NewReader(string(src)))
		return tr, src, err
	}
	tr, err := builtin.Transcript(name)
	if err != nil {
		return nil, nil, err
	}
	src, _ := builtin.TranscriptSource(name)
	return tr, src, nil
}

// replayOn replays tr on env and says how it ended in one line.
func replayOn(cmd *cobra.Command, tr *transcript.Transcript, name string, env scenarios.Env) error {
	if err := transcript.Replay(context.Background(), tr, env, cmd.OutOrStdout()); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), err)
		if errors.Is(err, practice.ErrSimulationOnly) {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: FAILED: the line above needs a simulated cluster\n", filepath.Base(name))
		} else {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: FAILED: an output differs from the transcript (above)\n", filepath.Base(name))
		}
		return exitError{1}
	}
	// One line that says how it ended, after pages of output.
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d commands, all outputs identical\n", filepath.Base(name), tr.Commands())
	return nil
}
