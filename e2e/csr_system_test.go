package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// csrAge matches the AGE cell of a kubectl get csr row.
var csrAge = regexp.MustCompile(`(?m)^(\S+\s+)[0-9]+s(\s)`)

// TestCSRSystemKubectl is the CKA client-certificate exercise with the
// system kubectl: a key and CSR (openssl, or Go's crypto without it), the
// CertificateSigningRequest created and listed Pending, kubectl certificate
// approve, the issued certificate read back with jsonpath | base64 -d into
// a kubeconfig user, that user Forbidden with upstream's text until a
// Role and RoleBinding let it list pods (and still not secrets); a second
// request denied; on 1.27 and 1.33 clusters.
func TestCSRSystemKubectl(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) { testCSRSystemKubectl(t, version) })
	}
}

func testCSRSystemKubectl(t *testing.T, version string) {
	s := startServed(t, version)
	key, csrFile := filepath.Join(s.dir, "myuser.key"), filepath.Join(s.dir, "myuser.csr")
	if _, err := exec.LookPath("openssl"); err == nil {
		for _, args := range [][]string{
			{"genrsa", "-out", key, "2048"},
			{"req", "-new", "-key", key, "-out", csrFile, "-subj", "/CN=myuser/O=devs"},
		} {
			if out, code := s.run("openssl", args...); code != 0 {
				t.Fatalf("openssl %v: exit %d\n%s", args, code, out)
			}
		}
	} else {
		writeKeyAndCSR(t, key, csrFile, "myuser", "devs")
	}
	request, err := os.ReadFile(csrFile)
	if err != nil {
		t.Fatal(err)
	}
	sh := func(line string) (string, int) {
		t.Helper()
		return s.run("/bin/bash", "-c", line)
	}
	must := func(line, want string) {
		t.Helper()
		out, code := sh(line)
		if code != 0 || want != "" && out != want {
			t.Errorf("%s: exit %d\n got %q\nwant %q", line, code, out, want)
		}
	}
	manifest := func(name string) string {
		return fmt.Sprintf("apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: %s\nspec:\n  request: %s\n  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 86400\n  usages:\n  - client auth\n",
			name, base64.StdEncoding.EncodeToString(request))
	}
	if out, code := s.runStdin(manifest("myuser"), "kubectl", "apply", "-f", "-"); code != 0 || out != "certificatesigningrequest.certificates.k8s.io/myuser created\n" {
		t.Fatalf("create csr: exit %d\n%s", code, out)
	}
	getCSR := func() string {
		out, _ := sh("kubectl get csr")
		return csrAge.ReplaceAllString(out, "${1}0s$2")
	}
	want := "NAME     AGE   SIGNERNAME                            REQUESTOR          REQUESTEDDURATION   CONDITION\n" +
		"myuser   0s    kubernetes.io/kube-apiserver-client   kubernetes-admin   24h                 Pending\n"
	if got := getCSR(); got != want {
		t.Errorf("get csr:\n%s\nwant\n%s", got, want)
	}
	must("kubectl certificate approve myuser", "certificatesigningrequest.certificates.k8s.io/myuser approved\n")
	if got, want := getCSR(), strings.Replace(want, "Pending", "Approved,Issued", 1); got != want {
		t.Errorf("get csr after approve:\n%s\nwant\n%s", got, want)
	}
	crt := filepath.Join(s.dir, "myuser.crt")
	must(fmt.Sprintf("kubectl get csr myuser -o jsonpath='{.status.certificate}' | base64 -d > %s", crt), "")
	must(fmt.Sprintf("kubectl config set-credentials myuser --client-key=%s --client-certificate=%s --embed-certs=true", key, crt), "User \"myuser\" set.\n")
	forbidden := func(resource string) string {
		return fmt.Sprintf("Error from server (Forbidden): %s is forbidden: User \"myuser\" cannot list resource %q in API group \"\" in the namespace \"default\"\n", resource, resource)
	}
	if out, code := sh("kubectl --user myuser get pods"); code != 1 || out != forbidden("pods") {
		t.Errorf("get pods before the binding: exit %d\n got %q\nwant %q", code, out, forbidden("pods"))
	}
	must("kubectl create role developer --verb=get,list --resource=pods", "role.rbac.authorization.k8s.io/developer created\n")
	must("kubectl create rolebinding developer-binding-myuser --role=developer --user=myuser", "rolebinding.rbac.authorization.k8s.io/developer-binding-myuser created\n")
	must("kubectl --user myuser get pods", "No resources found in default namespace.\n")
	if out, code := sh("kubectl --user myuser get secrets"); code != 1 || out != forbidden("secrets") {
		t.Errorf("get secrets: exit %d\n got %q\nwant %q", code, out, forbidden("secrets"))
	}
	if version != "v1.27.1" { // whoami needs authentication.k8s.io/v1 (1.28+)
		must("kubectl auth whoami --user myuser -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}'", `myuser ["devs","system:authenticated"]`)
	}

	if out, code := s.runStdin(manifest("other"), "kubectl", "apply", "-f", "-"); code != 0 {
		t.Fatalf("create csr other: exit %d\n%s", code, out)
	}
	must("kubectl certificate deny other", "certificatesigningrequest.certificates.k8s.io/other denied\n")
	must("kubectl get csr other -o jsonpath='{.status.conditions[0].type} {.status.certificate}'", "Denied ")

	bad := strings.Replace(manifest("bad"), base64.StdEncoding.EncodeToString(request), base64.StdEncoding.EncodeToString([]byte("hello")), 1)
	out, code := s.runStdin(bad, "kubectl", "apply", "-f", "-")
	if wantBad := "The CertificateSigningRequest \"bad\" is invalid: spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST\n"; code != 1 || out != wantBad {
		t.Errorf("bad request: exit %d\n got %q\nwant %q", code, out, wantBad)
	}
}

// writeKeyAndCSR is openssl genrsa and req -subj /CN=cn/O=org.
func writeKeyAndCSR(t *testing.T, keyFile, csrFile, cn, org string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn, Organization: []string{org}}}, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csrFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
