package e2e

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTokenRequestSystemKubectl: kubectl create token prints a JWT for the
// service account; with --token it authenticates as
// system:serviceaccount:default:robot, Forbidden with upstream's text until
// a Role and RoleBinding let it list pods (not secrets); too short a
// duration is refused; the token stops working when the cluster's clock
// passes its expiry.
func TestTokenRequestSystemKubectl(t *testing.T) {
	s := startServed(t, "v1.33.0")
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
	must("kubectl create sa robot", "serviceaccount/robot created\n")
	token, code := sh("kubectl create token robot")
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if code != 0 || len(parts) != 3 {
		t.Fatalf("create token: exit %d %q", code, token)
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Sub string `json:"sub"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(claims, &c); err != nil || c.Sub != "system:serviceaccount:default:robot" || c.Exp-c.Iat != 3600 {
		t.Errorf("claims %s (%v)", claims, err)
	}
	forbidden := func(resource string) string {
		return "Error from server (Forbidden): " + resource + " is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"" + resource + "\" in API group \"\" in the namespace \"default\"\n"
	}
	as := "kubectl --token=" + token + " "
	if out, code := sh(as + "get pods"); code != 1 || out != forbidden("pods") {
		t.Errorf("get pods before the binding: exit %d\n got %q\nwant %q", code, out, forbidden("pods"))
	}
	must("kubectl create role pod-reader --verb=get,list --resource=pods", "role.rbac.authorization.k8s.io/pod-reader created\n")
	must("kubectl create rolebinding robot-reads --role=pod-reader --serviceaccount=default:robot", "rolebinding.rbac.authorization.k8s.io/robot-reads created\n")
	must(as+"get pods", "No resources found in default namespace.\n")
	if out, code := sh(as + "get secrets"); code != 1 || out != forbidden("secrets") {
		t.Errorf("get secrets: exit %d\n got %q\nwant %q", code, out, forbidden("secrets"))
	}
	must(as+"auth whoami -o jsonpath='{.status.userInfo.username} {.status.userInfo.groups}'", `system:serviceaccount:default:robot ["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]`)
	long, _ := sh("kubectl create token robot --duration=3h")
	long = strings.TrimSpace(long)

	out, code := sh("kubectl create token robot --duration=5m")
	if want := "error: failed to create token: TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n"; code != 1 || out != want {
		t.Errorf("--duration=5m: exit %d\n got %q\nwant %q", code, out, want)
	}
	if err := s.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if out, code := sh(as + "get pods"); code != 1 || out != "error: You must be logged in to the server (Unauthorized)\n" {
		t.Errorf("expired token: exit %d %q", code, out)
	}
	must("kubectl --token="+long+" get pods", "No resources found in default namespace.\n")

	// A legacy token Secret: the tokens controller fills it in, and its
	// token (which never expires) authenticates as the service account.
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: robot-token\n  annotations:\n    kubernetes.io/service-account.name: robot\ntype: kubernetes.io/service-account-token\n"
	if out, code := s.runStdin(secret, "kubectl", "apply", "-f", "-"); code != 0 || out != "secret/robot-token created\n" {
		t.Fatalf("create secret: exit %d %q", code, out)
	}
	var keys string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if keys, _ = sh("kubectl get secret robot-token -o jsonpath='{.data}' | tr ',' '\\n' | cut -d'\"' -f2 | sort | tr '\\n' ' '"); strings.Contains(keys, "token") {
			break
		}
	}
	if keys != "ca.crt namespace token " {
		t.Fatalf("secret data keys %q", keys)
	}
	must("kubectl get secret robot-token -o jsonpath='{.data.namespace}' | base64 -d", "default")
	must("kubectl --token=$(kubectl get secret robot-token -o jsonpath='{.data.token}' | base64 -d) get pods", "No resources found in default namespace.\n")
	legacy := s.dir + "/legacy-token"
	must("kubectl get secret robot-token -o jsonpath='{.data.token}' | base64 -d > "+legacy, "")
	must("kubectl delete secret robot-token", "secret \"robot-token\" deleted\n")
	if out, code := sh("kubectl --token=$(cat " + legacy + ") get pods"); code != 1 || out != "error: You must be logged in to the server (Unauthorized)\n" {
		t.Errorf("token of a deleted secret: exit %d %q", code, out)
	}
}
