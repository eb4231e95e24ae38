package registry

import (
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// csrStrategy is kube-apiserver's three update strategies of a
// CertificateSigningRequest (pkg/registry/certificates/certificates): the
// spec is immutable everywhere; the main resource keeps the stored status;
// /status sets the certificate and the conditions other than Approved and
// Denied (those stay as stored); /approval sets only the Approved and Denied
// conditions (the certificate and other conditions stay as stored).
func csrStrategy(csr, old *certificatesv1.CertificateSigningRequest, subresource string, now metav1.Time) {
	csr.Spec = old.Spec
	switch subresource {
	case "status":
		conds := approvalConditions(old.Status.Conditions, true)
		conds = append(conds, approvalConditions(csr.Status.Conditions, false)...)
		csr.Status.Conditions = conds
	case "approval":
		conds := approvalConditions(csr.Status.Conditions, true)
		conds = append(conds, approvalConditions(old.Status.Conditions, false)...)
		csr.Status = certificatesv1.CertificateSigningRequestStatus{Conditions: conds, Certificate: old.Status.Certificate}
	default:
		csr.Status = old.Status
	}
	if len(csr.Status.Conditions) == 0 {
		csr.Status.Conditions = nil
	}
	populateConditionTimestamps(csr, old, now)
}

// populateConditionTimestamps is the strategies' rule: a condition without
// lastUpdateTime gets now; one without lastTransitionTime gets the stored
// condition's of the same type and status, or now.
func populateConditionTimestamps(csr, old *certificatesv1.CertificateSigningRequest, now metav1.Time) {
	for i := range csr.Status.Conditions {
		c := &csr.Status.Conditions[i]
		if c.LastUpdateTime.IsZero() {
			c.LastUpdateTime = now
		}
		if !c.LastTransitionTime.IsZero() {
			continue
		}
		c.LastTransitionTime = now
		for _, oc := range old.Status.Conditions {
			if oc.Type == c.Type && oc.Status == c.Status && !oc.LastTransitionTime.IsZero() {
				c.LastTransitionTime = oc.LastTransitionTime
			}
		}
	}
}

// approvalConditions returns the Approved and Denied conditions of conds
// (approval true) or the others.
func approvalConditions(conds []certificatesv1.CertificateSigningRequestCondition, approval bool) []certificatesv1.CertificateSigningRequestCondition {
	var out []certificatesv1.CertificateSigningRequestCondition
	for _, c := range conds {
		isApproval := c.Type == certificatesv1.CertificateApproved || c.Type == certificatesv1.CertificateDenied
		if isApproval == approval {
			out = append(out, c)
		}
	}
	return out
}
