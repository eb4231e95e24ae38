package sim

import "kubesim/sim/certsign"

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
