package kubesimtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"kubesim/internal/kubectl"
	"kubesim/server"
)

// mainInstalled records that the test binary answers as kubesim (Main).
var mainInstalled bool

// Main is a TestMain for packages whose tests run scenarios (Scenario):
//
//	func TestMain(m *testing.M) { kubesimtest.Main(m) }
//
// A scenario's bash scripts call kubectl, curl and vagrant; with Main the
// test binary itself answers those commands (run as `<test binary>
// kubectl …`), so no kubesim binary has to be built. Without it Scenario
// uses Options.Binary, $KUBESIM_BINARY, or builds one with `go build`.
func Main(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "kubectl", "curl", "vagrant":
			os.Exit(shim(os.Args[1], os.Args[2:]))
		}
	}
	mainInstalled = true
	os.Exit(m.Run())
}

// shim runs one of the commands a scenario's scripts use against the
// cluster of $KUBECONFIG and $KUBESIM_STATE (the Env sets both).
func shim(verb string, args []string) int {
	if verb == "kubectl" {
		r := kubectl.NewRemote(os.Getenv("KUBECONFIG"), filepath.Join(os.Getenv("KUBESIM_STATE"), "kubectl"))
		return r.Run(args, os.Stdin, os.Stdout, os.Stderr)
	}
	resp, err := control(os.Getenv("KUBESIM_STATE"), verb, args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", verb, err)
		return 1
	}
	io.WriteString(os.Stdout, resp.Stdout)
	io.WriteString(os.Stderr, resp.Stderr)
	return resp.Code
}

// control calls the served cluster's /kubesim/VERB endpoint, as the
// kubesim CLI does.
func control(dir, verb string, args []string) (server.ControlResponse, error) {
	var resp server.ControlResponse
	_, addr, err := server.ReadRuntime(dir)
	if err != nil {
		return resp, err
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return resp, err
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return resp, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body, _ := json.Marshal(server.ControlRequest{Args: args})
	req, _ := http.NewRequest(http.MethodPost, "https://"+addr+"/kubesim/"+verb, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+string(tok))
	r, err := client.Do(req)
	if err != nil {
		return resp, err
	}
	defer r.Body.Close()
	err = json.NewDecoder(r.Body).Decode(&resp)
	return resp, err
}
