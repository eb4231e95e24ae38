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
	"kubesim/server"
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
		opts.Start = start.Add(-bootLead)
	}
	c, err := sim.New(spec, opts)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if paced {
		// The learner's first command finds the cluster up, as kubesim
		// start leaves it: the boot is played out on the clock, started
		// bootLead early, and past the wall clock by at most bootLead.
		c.AdvanceTo(start)
		for i := 0; i < int(bootLead/time.Second) && !server.Booted(c); i++ {
			c.Advance(time.Second)
		}
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

// bootLead is how early a paced cluster's clock starts, so that its boot
// (about 5 s of cluster time) is over at the wall clock (server's bootLead).
const bootLead = 30 * time.Second

func shellCmd() *cobra.Command {
	var sf specFlags
	var keep, builtinPrompt bool
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "Your own bash on a fresh cluster: kubectl (k), curl, ssh and vagrant reach it",
		Long: `shell starts a fresh practice cluster and your own bash on it (your ~/.bashrc,
aliases and completion, as killercoda's terminal), with kubectl, curl, ssh,
vagrant and kubesim resolved to the cluster. The cluster's clock follows the
wall clock. Leaving the shell asks whether to delete the cluster.

Without a terminal (a script on stdin), or with --builtin-prompt, kubesim's
own prompt reads the lines instead.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := sf.checkedSpec(cmd)
			if err != nil {
				return err
			}
			env, cleanup, err := newLocal(spec, time.Now().UTC().Truncate(time.Second), true)
			if err != nil {
				return err
			}
			tty, interactive := stdinTerminal(cmd)
			if bash := practice.FindBash(); interactive && !builtinPrompt && bash != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "kubesim practice shell on %s: kubectl (or k), curl, ssh and vagrant reach the cluster; exit to leave.\n", strings.Join(env.Cluster.Nodes(), ", "))
				_, err = env.Shell(practice.ShellConfig{Bash: bash, Stdin: tty})
				return leave(cmd, env, cleanup, keep, interactive, err, nil)
			}
			// Ctrl-C interrupts the running command, never the prompt (as
			// in bash): the signal cancels the command's context; the
			// programs bash runs get it from the terminal themselves.
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt)
			defer signal.Stop(sigs)
			lines := readLines(cmd.InOrStdin())
			err = shellLoop(env, lines, cmd.OutOrStdout(), cmd.ErrOrStderr(), sigs)
			return leave(cmd, env, cleanup, keep, interactive, err, lines)
		},
	}
	sf.add(cmd)
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the cluster's files when leaving, without asking")
	cmd.Flags().BoolVar(&builtinPrompt, "builtin-prompt", false, "kubesim's own prompt instead of your bash (as without a terminal or without bash)")
	return cmd
}

// stdinTerminal returns the command's input when it is a terminal.
func stdinTerminal(cmd *cobra.Command) (*os.File, bool) {
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(f) {
		return nil, false
	}
	return f, true
}

// leave ends a practice session: the throw-away cluster is deleted unless
// --keep, or the learner at a terminal answers the question yes; a session
// without a terminal never asks (it deletes). lines are the prompt's
// input, nil for the shell (the answer is read from stdin).
func leave(cmd *cobra.Command, env *practice.Env, cleanup func(), keep, interactive bool, err error, lines <-chan string) error {
	if !keep && interactive {
		if lines == nil {
			lines = readLines(cmd.InOrStdin())
		}
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

// askKeep asks, on leaving, whether to delete the cluster; the default,
// also at the end of input, is to keep it.
func askKeep(lines <-chan string, out io.Writer) bool {
	fmt.Fprint(out, "Delete the cluster? [y/N] ")
	line, ok := <-lines
	if !ok {
		fmt.Fprintln(out)
		return true
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a != "y" && a != "yes"
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
