package apiserver

import (
	certificatesv1 "k8s.io/api/certificates/v1"

	"kubesim/sim/authz"
)

// requestor is the CertificateSigningRequest create strategy's
// PrepareForCreate: the requesting user's name, UID, groups and extra go
// into the spec, whatever the client sent, and the status starts empty.
func requestor(csr *certificatesv1.CertificateSigningRequest, u *authz.User) {
	csr.Status = certificatesv1.CertificateSigningRequestStatus{}
	csr.Spec.Username, csr.Spec.UID, csr.Spec.Groups, csr.Spec.Extra = "", "", nil, nil
	if u == nil {
		return
	}
	csr.Spec.Username, csr.Spec.UID = u.Name, u.UID
	csr.Spec.Groups = append([]string(nil), u.Groups...)
	if len(u.Extra) > 0 {
		csr.Spec.Extra = map[string]certificatesv1.ExtraValue{}
		for k, v := range u.Extra {
			csr.Spec.Extra[k] = append(certificatesv1.ExtraValue(nil), v...)
		}
	}
}
