package sim

import (
	"kubesim/sim/certsign"
	"kubesim/sim/satoken"
)

// SetClusterCA installs the cluster CA (PEM certificate and key) the
// csrsigning controller issues client certificates from; approved
// requests that waited for it are signed in the same step.
func (c *Cluster) SetClusterCA(certPEM, keyPEM []byte) error {
	ca, err := certsign.Parse(certPEM, keyPEM)
	if err != nil {
		return err
	}
	c.Do(func() { c.ca.Set(ca) })
	return nil
}

// Tokens is the cluster's service-account token signer (derived from the
// spec's seed).
func (c *Cluster) Tokens() *satoken.Signer {
	c.tokensOnce.Do(func() { c.tokens = satoken.New(c.Spec.Seed) })
	return c.tokens
}

// ClusterCA is the installed cluster CA, or nil until SetClusterCA (a
// stepped cluster without a server, a state directory made before ca.key
// was kept). Call it with the cluster lock held.
func (c *Cluster) ClusterCA() *certsign.CA { return c.ca.CA() }
