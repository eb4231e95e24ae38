package server

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim"
	"kubesim/sim/authz"
	"kubesim/sim/registry"
)

// trustClientCA makes the cluster CA the issuer of client certificates:
// the server verifies them against it (kube-apiserver's --client-ca-file)
// and the cluster's csrsigning controller signs with it.
func (s *Served) trustClientCA(c *sim.Cluster, creds *Credentials) error {
	s.clientCAs = x509.NewCertPool()
	if !s.clientCAs.AppendCertsFromPEM(creds.CAPEM) {
		return fmt.Errorf("credentials: ca.crt holds no certificate")
	}
	if len(creds.CAKeyPEM) == 0 {
		return nil // made before ca.key was kept: nothing can be signed
	}
	if err := c.SetClusterCA(creds.CAPEM, creds.CAKeyPEM); err != nil {
		return fmt.Errorf("credentials: ca.key: %w", err)
	}
	return nil
}

// clientCertUser is the x509 authenticator: a chain that verifies against
// the cluster CA for client auth, at the cluster's time, authenticates its
// leaf's subject (CommonName is the user, each Organization a group).
func (s *Served) clientCertUser(chain []*x509.Certificate) (*authz.User, bool) {
	if s.clientCAs == nil {
		return nil, false
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	leaf := chain[0]
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.clientCAs, Intermediates: inter, CurrentTime: s.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return nil, false
	}
	if leaf.Subject.CommonName == "" {
		return nil, false
	}
	groups := append([]string(nil), leaf.Subject.Organization...)
	if !contains(groups, authz.GroupAuthenticated) {
		groups = append(groups, authz.GroupAuthenticated)
	}
	return &authz.User{Name: leaf.Subject.CommonName, Groups: groups}, true
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// writeUnauthorized is kube-apiserver's answer to failed authentication.
func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintln(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`)
}

// serviceAccountUser is the service-account token authenticator: a bearer
// token the cluster signed, unexpired at the cluster's time, authenticates
// as system:serviceaccount:NS:NAME in the service-account groups.
func (s *Served) serviceAccountUser(header string) (*authz.User, bool) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || s.Cluster == nil {
		return nil, false
	}
	token = strings.TrimSpace(token)
	c, ok := s.Cluster.Tokens().Verify(token, s.Now())
	if !ok {
		return s.legacyTokenUser(token)
	}
	ns := c.K8s.Namespace
	u := &authz.User{Name: c.Subject, UID: c.K8s.ServiceAccount.UID,
		Groups: []string{authz.GroupServiceAccounts, authz.GroupServiceAccounts + ":" + ns, authz.GroupAuthenticated}}
	if p := c.K8s.Pod; p != nil {
		u.Extra = map[string][]string{"authentication.kubernetes.io/pod-name": {p.Name}, "authentication.kubernetes.io/pod-uid": {p.UID}}
	}
	if c.ID != "" {
		if u.Extra == nil {
			u.Extra = map[string][]string{}
		}
		u.Extra["authentication.kubernetes.io/credential-id"] = []string{"JTI=" + c.ID}
	}
	return u, true
}

// legacyTokenUser authenticates a token from a service-account-token
// Secret: signed by the cluster, and the Secret (holding that very token)
// and its service account (with the uid in the token) still exist.
func (s *Served) legacyTokenUser(token string) (*authz.User, bool) {
	l, ok := s.Cluster.Tokens().VerifyLegacy(token)
	if !ok {
		return nil, false
	}
	secrets, _ := registry.LookupGVR(corev1.SchemeGroupVersion.WithResource("secrets"))
	sas, _ := registry.LookupGVR(corev1.SchemeGroupVersion.WithResource("serviceaccounts"))
	var secObj, saObj any
	var err1, err2 error
	s.Cluster.Read(func() {
		secObj, err1 = s.Cluster.Registry.Committed().Get(secrets, l.Namespace, l.SecretName)
		saObj, err2 = s.Cluster.Registry.Committed().Get(sas, l.Namespace, l.Name)
	})
	if err1 != nil || err2 != nil {
		return nil, false
	}
	sec, sa := secObj.(*corev1.Secret), saObj.(*corev1.ServiceAccount)
	if string(sec.Data[corev1.ServiceAccountTokenKey]) != token || string(sa.UID) != l.UID {
		return nil, false
	}
	return &authz.User{Name: l.Subject, UID: l.UID,
		Groups: []string{authz.GroupServiceAccounts, authz.GroupServiceAccounts + ":" + l.Namespace, authz.GroupAuthenticated}}, true
}
