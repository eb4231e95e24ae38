package hosts

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"kubesim/sim"
	"kubesim/sim/satoken"
)

// TestPKIOpenSSL: the control plane's certificates are real, chain to
// their CAs with kubeadm's subjects and SANs, and openssl x509 prints
// them as OpenSSL 3.0 does (golden); kubeadm certs check-expiration reads
// the same dates.
func TestPKIOpenSSL(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", `cd /etc/kubernetes/pki
openssl x509 -in apiserver.crt -noout -text
openssl x509 -noout -subject -issuer -dates -in etcd/server.crt
openssl x509 -in apiserver-kubelet-client.crt -noout -subject -enddate
cat /var/lib/kubelet/pki/kubelet-client-current.pem | openssl x509 -noout -subject -issuer -dates
openssl x509 -in ca.crt -noout -text | grep -e 'CA:' -e 'Not After'
openssl x509 -in apiserver.crt -noout -text | grep -A1 'Subject Alternative Name'
sed -n 's/.*client-certificate-data: //p' /etc/kubernetes/admin.conf | base64 -d | openssl x509 -noout -subject -issuer
kubeadm certs check-expiration`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "pki/openssl.txt", out)

	// Each leaf verifies against its CA.
	chains := map[string]string{
		"apiserver.crt": "ca.crt", "apiserver-kubelet-client.crt": "ca.crt", "front-proxy-client.crt": "front-proxy-ca.crt",
		"etcd/server.crt": "etcd/ca.crt", "etcd/peer.crt": "etcd/ca.crt", "etcd/healthcheck-client.crt": "etcd/ca.crt",
		"apiserver-etcd-client.crt": "etcd/ca.crt",
	}
	h, _ := hs.Lookup("m")
	for leafFile, caFile := range chains {
		leaf := h.readCert("/etc/kubernetes/pki/" + leafFile)
		ca := h.readCert("/etc/kubernetes/pki/" + caFile)
		if leaf == nil || ca == nil {
			t.Fatalf("%s or %s is not a certificate", leafFile, caFile)
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: leaf.NotBefore.Add(1), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("%s against %s: %v", leafFile, caFile, err)
		}
	}
}

// TestPKIDeterministic: the same seed gives the same certificates and
// keys, byte for byte.
func TestPKIDeterministic(t *testing.T) {
	var got []string
	for range 2 {
		_, hs := newCluster(t)
		out, _, _ := run(t, hs, "m", "cat /etc/kubernetes/pki/apiserver.crt /etc/kubernetes/pki/etcd/peer.key /etc/kubernetes/admin.conf /var/lib/kubelet/pki/kubelet-client-current.pem")
		got = append(got, out)
	}
	if got[0] != got[1] || !strings.Contains(got[0], "BEGIN EC PRIVATE KEY") {
		t.Errorf("two clusters of one seed have different certificates:\n%s\n%s", got[0], got[1])
	}
}

// TestOpenSSLErrors: a missing file and a key in place of a certificate
// fail as openssl does.
func TestOpenSSLErrors(t *testing.T) {
	_, hs := newCluster(t)
	for script, want := range map[string]string{
		"openssl x509 -in /nope -noout -text":                         "Could not open file or uri for loading certificate from /nope\n",
		"openssl x509 -in /etc/kubernetes/pki/ca.key -noout -subject": "Could not read certificate from /etc/kubernetes/pki/ca.key\nUnable to load certificate\n",
		"openssl x509 -bogus":                                         "x509: Unknown option: -bogus\nx509: Use -help for summary.\n",
	} {
		_, errs, code := run(t, hs, "m", script)
		if code != 1 || !strings.HasPrefix(errs, want) {
			t.Errorf("%s: exit %d, stderr %q, want 1 and %q", script, code, errs, want)
		}
	}
}

// TestPKIClusterCA: with the cluster CA installed (the server's, which
// signs CertificateSigningRequests), ca.crt and ca.key are that CA, the
// leaves chain to it, the join command's hash is its public key's, and
// sa.pub is the key the service-account tokens verify with.
func TestPKIClusterCA(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ca := selfSignedCA(99, "kubesim-ca", c.Clock.Now().Add(-time.Hour))
	if err := c.SetClusterCA(ca.pem, ca.keyPEM); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	hs := For(c)
	out, errs, code := run(t, hs, "m", "cat /etc/kubernetes/pki/ca.crt /etc/kubernetes/pki/ca.key; kubeadm token create --print-join-command")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sum := sha256.Sum256(ca.cert.RawSubjectPublicKeyInfo)
	want := string(ca.pem) + string(ca.keyPEM)
	if !strings.HasPrefix(out, want) || !strings.Contains(out, fmt.Sprintf("--discovery-token-ca-cert-hash sha256:%x \n", sum)) {
		t.Errorf("ca.crt, ca.key and the join command:\n%s\nwant the cluster CA and its hash", out)
	}
	h, _ := hs.Lookup("m")
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	for _, f := range []string{"/etc/kubernetes/pki/apiserver.crt", "/var/lib/kubelet/pki/kubelet-client-current.pem"} {
		leaf := h.readCert(f)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: c.Clock.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("%s against the cluster CA: %v", f, err)
		}
	}
	var pubPEM []byte
	c.Locked(func() { pubPEM, _ = h.fs.ReadFile("/etc/kubernetes/pki/sa.pub") })
	b, _ := pem.Decode(pubPEM)
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tok := c.Tokens().Issue(satoken.Ref{Namespace: "default", Name: "default"}, []string{"https://kubernetes.default.svc.cluster.local"}, c.Clock.Now(), time.Hour, nil, nil)
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	if !ed25519.Verify(pub.(ed25519.PublicKey), []byte(parts[0]+"."+parts[1]), sig) {
		t.Error("a service-account token does not verify with sa.pub")
	}
}

// TestCertsRenew: kubeadm certs renew all issues the certificates again,
// valid a year from now (check-expiration shows it), signed by the same
// CAs with new keys; ~/.kube/config keeps the old client certificate.
func TestCertsRenew(t *testing.T) {
	c, hs := newCluster(t)
	before, _, _ := run(t, hs, "m", "cat /etc/kubernetes/pki/apiserver.key /root/.kube/config")
	c.Advance(100 * 24 * time.Hour)
	out, errs, code := run(t, hs, "m", "kubeadm certs renew all; kubeadm certs renew apiserver; kubeadm certs check-expiration | grep -e apiserver -e admin.conf -e '^ca '; openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -dates")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "pki/renew.txt", out)
	after, _, _ := run(t, hs, "m", "cat /etc/kubernetes/pki/apiserver.key /root/.kube/config")
	if before[:200] == after[:200] {
		t.Error("apiserver.key is the same after renewal")
	}
	if !strings.HasSuffix(before, after[strings.Index(after, "apiVersion"):]) {
		t.Error("~/.kube/config changed: kubeadm certs renew only rewrites /etc/kubernetes/*.conf")
	}
	h, _ := hs.Lookup("m")
	var leaf, ca *x509.Certificate
	c.Locked(func() {
		leaf, ca = h.readCert("/etc/kubernetes/pki/apiserver.crt"), h.readCert("/etc/kubernetes/pki/ca.crt")
	})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: c.Clock.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("renewed apiserver.crt: %v", err)
	}
}
