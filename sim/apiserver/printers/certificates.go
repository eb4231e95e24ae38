package printers

import (
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	certificatesv1beta1 "k8s.io/api/certificates/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// certificateSigningRequestColumns are certificateSigningRequestColumnDefinitions
// (descriptions from the v1beta1 types, as upstream's).
var certificateSigningRequestColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	ageColumn(),
	col("SignerName", "string", certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["signerName"]),
	col("Requestor", "string", certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["request"]),
	col("RequestedDuration", "string", certificatesv1beta1.CertificateSigningRequestSpec{}.SwaggerDoc()["expirationSeconds"]),
	col("Condition", "string", certificatesv1beta1.CertificateSigningRequestStatus{}.SwaggerDoc()["conditions"]),
}

func printCertificateSigningRequest(csr *certificatesv1.CertificateSigningRequest, c *printContext) metav1.TableRow {
	signer, requested := "<none>", "<none>"
	if csr.Spec.SignerName != "" {
		signer = csr.Spec.SignerName
	}
	if csr.Spec.ExpirationSeconds != nil {
		requested = duration.HumanDuration(time.Duration(*csr.Spec.ExpirationSeconds) * time.Second)
	}
	return metav1.TableRow{Cells: []interface{}{
		csr.Name, c.since(csr.CreationTimestamp), signer, csr.Spec.Username, requested, csrCondition(csr.Status),
	}}
}

// csrCondition is extractCSRStatus: Denied over Approved over Pending, then
// ",Failed" and ",Issued".
func csrCondition(st certificatesv1.CertificateSigningRequestStatus) string {
	var approved, denied, failed bool
	for _, c := range st.Conditions {
		switch c.Type {
		case certificatesv1.CertificateApproved:
			approved = true
		case certificatesv1.CertificateDenied:
			denied = true
		case certificatesv1.CertificateFailed:
			failed = true
		}
	}
	out := "Pending"
	if denied {
		out = "Denied"
	} else if approved {
		out = "Approved"
	}
	if failed {
		out += ",Failed"
	}
	if len(st.Certificate) > 0 {
		out += ",Issued"
	}
	return out
}
