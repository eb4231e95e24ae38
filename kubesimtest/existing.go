package kubesimtest

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"

	"kubesim/internal/practice"
	"kubesim/scenarios"
)

// existing makes c the cluster opts.Kubeconfig names.
func (c *Cluster) existing() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.opts.Kubeconfig)
	if err != nil {
		return fmt.Errorf("%s: %w", c.opts.Kubeconfig, err)
	}
	c.Config = cfg
	c.Kubeconfig = c.opts.Kubeconfig
	return c.finish()
}

// remoteEnv is the scenarios.Env of an existing cluster; settle: the
// scenario runner's settles wait for pods (a transcript's advance is
// refused).
func (c *Cluster) remoteEnv(settle bool) scenarios.Env {
	c.t.Helper()
	bin := c.opts.Binary
	if bin == "" {
		bin = os.Getenv("KUBESIM_BINARY")
	}
	if bin == "" && mainInstalled {
		bin, _ = os.Executable()
	}
	c.remoteN++
	env, err := practice.NewRemote(c.Kubeconfig, filepath.Join(c.dir, fmt.Sprintf("remote-%d", c.remoteN)), bin)
	if err != nil {
		c.t.Fatalf("kubesimtest: %v", err)
	}
	env.SettleOnAdvance = settle
	return env
}
