package controllers

import (
	"fmt"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
)

// signerAPIServerClient is the built-in signer of client certificates
// kube-apiserver accepts.
const signerAPIServerClient = "kubernetes.io/kube-apiserver-client"

// csrSigningController is kube-controller-manager's csrsigning controller
// for kubernetes.io/kube-apiserver-client: an approved request (not
// denied, not failed, not yet issued) gets a certificate from the
// cluster CA in status.certificate. Without a CA (Context.CA empty) it
// waits; installing one makes it look at every request again.
type csrSigningController struct {
	controller[*certificatesv1.CertificateSigningRequest]
	seenCA int
}

func newCSRSigning(b *base) *csrSigningController {
	c := &csrSigningController{}
	c.controller = newController[*certificatesv1.CertificateSigningRequest](b, "csrsigning", b.csrs, c.sync)
	return c
}

// Run relists when a CA has been installed since the last run.
func (c *csrSigningController) Run(now time.Time) bool {
	if g := c.CA.Generation(); g != c.seenCA {
		c.seenCA = g
		c.relistNS("")
	}
	return c.controller.Run(now)
}

func (c *csrSigningController) sync(key string, now time.Time) bool {
	csr, ok := c.live(key)
	ca := c.CA.CA()
	if !ok || ca == nil || csr.Spec.SignerName != signerAPIServerClient || len(csr.Status.Certificate) > 0 {
		return false
	}
	var approved bool
	for _, cond := range csr.Status.Conditions {
		switch cond.Type {
		case certificatesv1.CertificateDenied, certificatesv1.CertificateFailed:
			return false
		case certificatesv1.CertificateApproved:
			approved = true
		}
	}
	if !approved {
		return false
	}
	upd := csr.DeepCopy()
	if err := clientUsagesOK(csr.Spec.Usages); err != nil {
		upd.Status.Conditions = append(upd.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
			Type: certificatesv1.CertificateFailed, Status: "True", Reason: "SignerValidationFailure", Message: err.Error(),
			LastUpdateTime: c.metaNow(),
		})
		return c.update(c.csrs, upd, "status")
	}
	cert, err := ca.Sign(csr, now, c.Rand)
	if err != nil {
		// Upstream retries a request it cannot sign (an unparsable one
		// never passes validation); nothing here would change on a retry.
		return false
	}
	upd.Status.Certificate = cert
	return c.update(c.csrs, upd, "status")
}

// clientUsagesOK is validAPIServerClientUsages: client auth required,
// digital signature and key encipherment allowed, nothing else.
func clientUsagesOK(usages []certificatesv1.KeyUsage) error {
	hasClientAuth := false
	for _, u := range usages {
		switch u {
		case certificatesv1.UsageDigitalSignature, certificatesv1.UsageKeyEncipherment:
		case certificatesv1.UsageClientAuth:
			hasClientAuth = true
		default:
			return fmt.Errorf("invalid usage for client certificate: %s", u)
		}
	}
	if !hasClientAuth {
		return fmt.Errorf("missing required usage for client certificate: %s", certificatesv1.UsageClientAuth)
	}
	return nil
}
