package kubectl

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/kubectl/pkg/cmd/auth"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

// canIExits replaces the Run of `kubectl auth can-i`, which ends the
// process with os.Exit(1) when the answer is no: in-process that would
// take kubesim down with it. The replacement does what kubectl's does,
// reading the same flags, and reports the 1 as an exit code instead.
func canIExits(root *cobra.Command, flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) {
	cmd, _, err := root.Find([]string{"auth", "can-i"})
	if err != nil || cmd == nil || cmd.Name() != "can-i" {
		return
	}
	f := cmdutil.NewFactory(cmdutil.NewMatchVersionFlags(flags))
	cmd.Run = func(cmd *cobra.Command, args []string) {
		fl := cmd.Flags()
		o := &auth.CanIOptions{IOStreams: streams}
		o.AllNamespaces, _ = fl.GetBool("all-namespaces")
		o.Quiet, _ = fl.GetBool("quiet")
		o.Subresource, _ = fl.GetString("subresource")
		o.List, _ = fl.GetBool("list")
		o.NoHeaders, _ = fl.GetBool("no-headers")
		cmdutil.CheckErr(o.Complete(f, args))
		cmdutil.CheckErr(o.Validate())
		if o.List {
			cmdutil.CheckErr(o.RunAccessList())
			return
		}
		allowed, err := o.RunAccessCheck()
		if err == nil && !allowed {
			panic(exitCode(1))
		}
		cmdutil.CheckErr(err)
	}
}
