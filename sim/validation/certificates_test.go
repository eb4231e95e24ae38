package validation

import (
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestValidateCertificateSigningRequest checks the create rules' messages
// (pkg/apis/certificates/validation for certificates.k8s.io/v1).
func TestValidateCertificateSigningRequest(t *testing.T) {
	short := int32(60)
	tests := []struct {
		name string
		spec certificatesv1.CertificateSigningRequestSpec
		want []string
	}{
		{"empty", certificatesv1.CertificateSigningRequestSpec{}, []string{
			"spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST",
			"spec.usages: Required value: usages must be provided",
			"spec.signerName: Required value",
		}},
		{"bad usage, signer, duration", certificatesv1.CertificateSigningRequestSpec{Request: []byte("hi"), SignerName: "signer",
			Usages: []certificatesv1.KeyUsage{"client auth", "client auth", "flying"}, ExpirationSeconds: &short}, []string{
			"spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST",
			`spec.usages[1]: Duplicate value: "client auth"`,
			`spec.usages[2]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"`,
			`spec.signerName: Invalid value: "signer": must be a fully qualified domain and path of the form 'example.com/signer-name'`,
			"spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateCertificateSigningRequest(&certificatesv1.CertificateSigningRequest{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: tt.spec})
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors:\n%q\nwant\n%q", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("error %d:\n got %s\nwant %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}
