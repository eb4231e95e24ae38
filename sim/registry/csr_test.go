package registry

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCSRStrategy checks the three update paths of a
// CertificateSigningRequest: /approval changes only Approved/Denied,
// /status only the certificate and the other conditions, the main resource
// neither; the spec never; condition timestamps are filled in.
func TestCSRStrategy(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	earlier := metav1.NewTime(now.Add(-time.Hour))
	approved := certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: "True", LastUpdateTime: earlier, LastTransitionTime: earlier}
	failed := certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateFailed, Status: "True"}
	old := &certificatesv1.CertificateSigningRequest{
		Spec:   certificatesv1.CertificateSigningRequestSpec{SignerName: "a/b", Username: "u"},
		Status: certificatesv1.CertificateSigningRequestStatus{Conditions: []certificatesv1.CertificateSigningRequestCondition{approved}},
	}
	incoming := func() *certificatesv1.CertificateSigningRequest {
		return &certificatesv1.CertificateSigningRequest{
			Spec: certificatesv1.CertificateSigningRequestSpec{SignerName: "c/d", Username: "other"},
			Status: certificatesv1.CertificateSigningRequestStatus{Certificate: []byte("cert"), Conditions: []certificatesv1.CertificateSigningRequestCondition{
				{Type: certificatesv1.CertificateDenied, Status: "True"}, failed}},
		}
	}
	stamped := func(c certificatesv1.CertificateSigningRequestCondition) certificatesv1.CertificateSigningRequestCondition {
		c.LastUpdateTime, c.LastTransitionTime = now, now
		return c
	}
	tests := []struct {
		sub  string
		want certificatesv1.CertificateSigningRequestStatus
	}{
		{"", old.Status},
		{"status", certificatesv1.CertificateSigningRequestStatus{Certificate: []byte("cert"), Conditions: []certificatesv1.CertificateSigningRequestCondition{approved, stamped(failed)}}},
		{"approval", certificatesv1.CertificateSigningRequestStatus{Conditions: []certificatesv1.CertificateSigningRequestCondition{
			stamped(certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: "True"})}}},
	}
	for _, tt := range tests {
		t.Run("sub="+tt.sub, func(t *testing.T) {
			csr := incoming()
			csrStrategy(csr, old, tt.sub, now)
			if diff := cmp.Diff(old.Spec, csr.Spec); diff != "" {
				t.Errorf("spec changed (-old +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, csr.Status); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}
