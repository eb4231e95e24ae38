package kubesimtest

import (
	"fmt"

	"k8s.io/client-go/tools/clientcmd"

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

func (c *Cluster) remoteEnv() scenarios.Env {
	c.t.Fatalf("kubesimtest: scenarios on an existing cluster: not yet")
	return nil
}
