package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"kubesim/runtime/compare"
)

func runtimeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "runtime", Short: "Container runtime chains", RunE: groupRunE}
	cmd.AddCommand(&cobra.Command{
		Use:   "compare",
		Short: "Boot the same workload on each runtime chain and compare hops, cost and start-up latency",
		RunE: func(cmd *cobra.Command, args []string) error {
			rows, err := compare.Run(compare.DefaultConfig())
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), compare.Format(rows))
			return nil
		},
	})
	return cmd
}
