package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kubesim/internal/practice"
	"kubesim/sim"
)

// newLocal builds an in-process cluster (stepped) in a temporary directory.
func newLocal(spec sim.ClusterSpec, start time.Time) (*practice.Env, func(), error) {
	dir, err := os.MkdirTemp("", "kubesim-")
	if err != nil {
		return nil, nil, err
	}
	// The clock starts at the wall clock so that what kubectl computes on
	// the client side (describe's event ages) reads right; images still
	// behave as at spec.Start.
	c, err := sim.New(spec, sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true, Start: start})
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
	return env, func() { env.Close(); c.Close(); os.RemoveAll(dir) }, nil
}

func shellCmd() *cobra.Command {
	var sf specFlags
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "A practice prompt on a fresh cluster: kubectl, k, curl, vagrant",
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := sf.checkedSpec(cmd)
			if err != nil {
				return err
			}
			env, cleanup, err := newLocal(spec, time.Now().UTC().Truncate(time.Second))
			if err != nil {
				return err
			}
			defer cleanup()
			return shellLoop(env, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	sf.add(cmd)
	return cmd
}

// shellLoop reads command lines; cluster time follows the wall clock
// between commands.
func shellLoop(env *practice.Env, in io.Reader, out, errOut io.Writer) error {
	cp := env.Cluster.Spec.ControlPlane()
	host := "m"
	if cp != nil {
		host = strings.SplitN(cp.Name, ".", 2)[0]
	}
	fmt.Fprintf(out, "kubesim practice shell: kubectl (or k), curl and vagrant reach the cluster; exit to leave.\n")
	sc := bufio.NewScanner(in)
	last := time.Now()
	for {
		fmt.Fprintf(out, "[vagrant@%s ~]$ ", host)
		if !sc.Scan() {
			fmt.Fprintln(out)
			return nil
		}
		now := time.Now()
		env.Advance(now.Sub(last))
		last = now
		line := strings.TrimSpace(sc.Text())
		switch line {
		case "exit", "quit", "logout":
			return nil
		case "":
			continue
		}
		if _, err := env.Run(context.Background(), line, out, errOut); err != nil {
			fmt.Fprintln(errOut, err)
		}
	}
}
