package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/practice"
	"kubesim/sim"
)

// newLocal builds an in-process cluster (stepped) in a temporary directory.
// A paced one is for a learner at a terminal: its time follows the wall
// clock (practice.Pace) and kubectl runs as a child process.
func newLocal(spec sim.ClusterSpec, start time.Time, paced bool) (*practice.Env, func(), error) {
	dir, err := os.MkdirTemp("", "kubesim-")
	if err != nil {
		return nil, nil, err
	}
	// The clock starts at the wall clock so that what kubectl computes on
	// the client side (describe's event ages) reads right; images still
	// behave as at spec.Start.
	opts := sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true, Start: start}
	var pace *practice.Pace
	if paced {
		pace = practice.NewPace(nil)
		opts.Wait = pace.Wait
	}
	c, err := sim.New(spec, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	self, _ := os.Executable()
	env, err := practice.New(c, dir, self)
	if err != nil {
		c.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if pace != nil {
		pace.Bind(c)
		env.Pace = pace
	}
	return env, func() { env.Close(); c.Close(); os.RemoveAll(dir) }, nil
}

func shellCmd() *cobra.Command {
	var sf specFlags
	var keep bool
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "A practice prompt on a fresh cluster: kubectl, k, curl, vagrant",
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := sf.checkedSpec(cmd)
			if err != nil {
				return err
			}
			env, cleanup, err := newLocal(spec, time.Now().UTC().Truncate(time.Second), true)
			if err != nil {
				return err
			}
			// Ctrl-C interrupts the running command, never the prompt (as
			// in bash): the signal cancels the command's context; the
			// programs bash runs get it from the terminal themselves.
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt)
			defer signal.Stop(sigs)
			lines := readLines(cmd.InOrStdin())
			err = shellLoop(env, lines, cmd.OutOrStdout(), cmd.ErrOrStderr(), sigs)
			if !keep {
				keep = askKeep(lines, cmd.OutOrStdout())
			}
			if keep {
				env.Close()
				env.Cluster.Close()
				fmt.Fprintf(cmd.OutOrStdout(), "The cluster is kept in %s\n", env.Dir())
				return err
			}
			cleanup()
			return err
		},
	}
	sf.add(cmd)
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the cluster's files when leaving, without asking")
	return cmd
}

// readLines hands the lines of in over a channel, closed at EOF, so that
// the prompt can wait for a line and for Ctrl-C at once.
func readLines(in io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(in)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	return lines
}

// askKeep asks, on leaving, whether to delete the cluster (default yes:
// the practice cluster is throwaway).
func askKeep(lines <-chan string, out io.Writer) bool {
	fmt.Fprint(out, "Delete the practice cluster? [Y/n] ")
	line, ok := <-lines
	if !ok {
		fmt.Fprintln(out)
		return false
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "n" || a == "no"
}

// shellLoop reads command lines; cluster time follows the wall clock
// (env's Pace; it catches up before each command). A value on intr cancels the running command; at the
// prompt it starts a new line, as bash does.
func shellLoop(env *practice.Env, lines <-chan string, out, errOut io.Writer, intr <-chan os.Signal) error {
	cp := env.Cluster.Spec.ControlPlane()
	host := "m"
	if cp != nil {
		host = strings.SplitN(cp.Name, ".", 2)[0]
	}
	prompt := fmt.Sprintf("[vagrant@%s ~]$ ", host)
	fmt.Fprintf(out, "kubesim practice shell: kubectl (or k), curl and vagrant reach the cluster; exit to leave.\n")
	for {
		fmt.Fprint(out, prompt)
		var line string
		var ok bool
		for waiting := true; waiting; {
			select {
			case line, ok = <-lines:
				waiting = false
			case <-intr:
				fmt.Fprint(out, "\n"+prompt)
			}
		}
		if !ok {
			fmt.Fprintln(out)
			return nil
		}
		env.CatchUp()
		line = strings.TrimSpace(line)
		switch line {
		case "exit", "quit", "logout":
			return nil
		case "":
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			select {
			case <-intr:
				cancel()
			case <-done:
			}
		}()
		if _, err := env.Run(ctx, line, out, errOut); err != nil && ctx.Err() == nil {
			fmt.Fprintln(errOut, err)
		}
		close(done)
		if ctx.Err() != nil {
			fmt.Fprintln(out)
		}
		cancel()
	}
}
