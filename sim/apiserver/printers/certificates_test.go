package printers

import (
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestCertificateSigningRequestRows checks printCertificateSigningRequest's
// cells: <none> for a missing signer and duration, the requested duration
// in HumanDuration, and extractCSRStatus's precedence (Denied over
// Approved over Pending, then Failed and Issued).
func TestCertificateSigningRequestRows(t *testing.T) {
	cond := func(types ...certificatesv1.RequestConditionType) []certificatesv1.CertificateSigningRequestCondition {
		var out []certificatesv1.CertificateSigningRequestCondition
		for _, ty := range types {
			out = append(out, certificatesv1.CertificateSigningRequestCondition{Type: ty, Status: "True"})
		}
		return out
	}
	secs := int32(86400)
	tests := []struct {
		name string
		csr  certificatesv1.CertificateSigningRequest
		want []interface{}
	}{
		{"pending, no signer", certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{Username: "u"}},
			[]interface{}{"x", "0s", "<none>", "u", "<none>", "Pending"}},
		{"approved issued", certificatesv1.CertificateSigningRequest{
			Spec:   certificatesv1.CertificateSigningRequestSpec{SignerName: "kubernetes.io/kube-apiserver-client", Username: "admin", ExpirationSeconds: &secs},
			Status: certificatesv1.CertificateSigningRequestStatus{Conditions: cond(certificatesv1.CertificateApproved), Certificate: []byte("c")}},
			[]interface{}{"x", "0s", "kubernetes.io/kube-apiserver-client", "admin", "24h", "Approved,Issued"}},
		{"denied wins", certificatesv1.CertificateSigningRequest{
			Status: certificatesv1.CertificateSigningRequestStatus{Conditions: cond(certificatesv1.CertificateApproved, certificatesv1.CertificateDenied)}},
			[]interface{}{"x", "0s", "<none>", "", "<none>", "Denied"}},
		{"approved failed", certificatesv1.CertificateSigningRequest{
			Status: certificatesv1.CertificateSigningRequestStatus{Conditions: cond(certificatesv1.CertificateFailed, certificatesv1.CertificateApproved)}},
			[]interface{}{"x", "0s", "<none>", "", "<none>", "Approved,Failed"}},
	}
	gr := schema.GroupResource{Group: "certificates.k8s.io", Resource: "certificatesigningrequests"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.csr.Name, tt.csr.CreationTimestamp = "x", metav1.NewTime(testNow)
			table, err := Table(gr, []runtime.Object{&tt.csr}, metav1.ListMeta{}, Options{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			got := table.Rows[0].Cells
			if len(got) != len(tt.want) {
				t.Fatalf("cells %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("cell %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
