package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// cli runs kubesim with args against an empty state folder (no cluster).
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("KUBESIM_STATE", filepath.Join(t.TempDir(), "state"))
	var out, errb bytes.Buffer
	code = runTo(args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestHelpWithoutCluster: every verb answers --help and -h without a
// cluster (the verbs the server runs used to say "kubesim is not running",
// and with a cluster up took --help as an argument).
func TestHelpWithoutCluster(t *testing.T) {
	for _, c := range newRoot().Commands() {
		if c.Hidden {
			continue
		}
		for _, flag := range []string{"--help", "-h"} {
			args := []string{c.Name(), flag}
			if c.Name() == "kubectl" {
				continue // kubectl's own help, tested with kubectl
			}
			out, errOut, code := cli(t, args...)
			if code != 0 || !strings.Contains(out, "Usage:\n  kubesim "+c.Name()) {
				t.Errorf("kubesim %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
	// A flag after "--" belongs to the verb, not to kubesim.
	if wantsHelp([]string{"-s", "--", "--help"}) {
		t.Error(`wantsHelp("-s -- --help") = true`)
	}
}

// TestUnknownVerbs: a typo exits 1 with cobra's suggestion, at the root and
// below it (kubesim scenario ply used to print help and exit 0).
func TestUnknownVerbs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"strat"}, "Error: unknown command \"strat\" for \"kubesim\"\n\nDid you mean this?\n\tstart\n\nRun 'kubesim --help' for usage.\n"},
		{[]string{"scenario", "ply"}, "Error: unknown command \"ply\" for \"kubesim scenario\"\n\nDid you mean this?\n\tplay\n\nRun 'kubesim scenario --help' for usage.\n"},
		{[]string{"runtime", "xyz"}, "Error: unknown command \"xyz\" for \"kubesim runtime\"\nRun 'kubesim runtime --help' for usage.\n"},
	} {
		out, errOut, code := cli(t, tc.args...)
		if code != 1 || out != "" || errOut != tc.want {
			t.Errorf("kubesim %s: exit %d, stdout %q, stderr\n%s\nwant exit 1 and stderr\n%s", strings.Join(tc.args, " "), code, out, errOut, tc.want)
		}
	}
	// A group without a subcommand still prints its help.
	if out, _, code := cli(t, "scenario"); code != 0 || !strings.Contains(out, "Available Commands:") {
		t.Errorf("kubesim scenario: exit %d\n%s", code, out)
	}
}

// TestVersion: kubesim version and --version, as text, JSON and YAML.
func TestVersion(t *testing.T) {
	text, _, code := cli(t, "version")
	if code != 0 {
		t.Fatalf("kubesim version: exit %d", code)
	}
	for _, want := range []string{"kubesim version: ", "\ngo: go1.", "\nkubernetes: v1.20.0 to v1.", "(default v1.27.1)\n", "\nkubectl (kubesim kubectl): v1."} {
		if !strings.Contains(text, want) {
			t.Errorf("kubesim version lacks %q:\n%s", want, text)
		}
	}
	if flag, _, _ := cli(t, "--version"); flag != text {
		t.Errorf("kubesim --version:\n%s\nwant what kubesim version prints:\n%s", flag, text)
	}
	for _, args := range [][]string{{"version", "-o", "json"}, {"--version", "-o", "json"}} {
		out, _, code := cli(t, args...)
		var v versionInfo
		if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
			t.Fatalf("kubesim %v: exit %d, %v\n%s", args, code, err, out)
		}
		if v.KubesimVersion == "" || !strings.HasPrefix(v.GoVersion, "go") || v.KubernetesVersions.Default != "v1.27.1" || !strings.HasPrefix(v.KubectlVersion, "v1.") {
			t.Errorf("kubesim %v: %+v", args, v)
		}
	}
	if out, _, code := cli(t, "version", "-o", "yaml"); code != 0 || !strings.Contains(out, "kubesimVersion: ") {
		t.Errorf("kubesim version -o yaml: exit %d\n%s", code, out)
	}
	if _, errOut, code := cli(t, "version", "-o", "wide"); code != 1 || !strings.Contains(errOut, "--output must be 'yaml' or 'json'") {
		t.Errorf("kubesim version -o wide: exit %d %q", code, errOut)
	}
}

// TestIgnorePreflightErrors: the flag the preflight error recommends, with
// kubeadm's semantics: named checks (any case) or all become warnings.
func TestIgnorePreflightErrors(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	os.WriteFile(spec, []byte(`nodes:
- {name: m, role: control-plane, ip: 192.168.56.10, cpus: 1, memory: 1Gi}
- {name: w, role: worker, ip: 192.168.56.11, cpus: 2, memory: 2Gi}
`), 0o644)
	check := func(ignore ...string) (string, string, error) {
		sf := specFlags{config: spec, ignore: ignore}
		var out, errb bytes.Buffer
		cmd := &cobra.Command{}
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		_, err := sf.checkedSpec(cmd)
		return out.String(), errb.String(), err
	}
	_, errOut, err := check()
	if err == nil || !strings.Contains(errOut, "[ERROR NumCPU]") || !strings.Contains(errOut, "[ERROR Mem]") || !strings.Contains(errOut, "--ignore-preflight-errors=...") {
		t.Fatalf("no flag: %v\n%s", err, errOut)
	}
	out, errOut, err := check("numcpu")
	if err == nil || out != "\t[WARNING NumCPU]: the number of available CPUs 1 is less than the required 2\n" || strings.Contains(errOut, "NumCPU") || !strings.Contains(errOut, "[ERROR Mem]") {
		t.Errorf("--ignore-preflight-errors=numcpu: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	if out, errOut, err := check("NumCPU", "Mem"); err != nil || strings.Count(out, "[WARNING ") != 2 || errOut != "" {
		t.Errorf("--ignore-preflight-errors=NumCPU,Mem: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	if out, _, err := check("all"); err != nil || strings.Count(out, "[WARNING ") != 2 {
		t.Errorf("--ignore-preflight-errors=all: %v\n%s", err, out)
	}
	if _, _, err := check("all", "Mem"); err == nil || err.Error() != `ignore-preflight-errors: Invalid value: "all,mem": don't specify individual checks if 'all' is used` {
		t.Errorf("--ignore-preflight-errors=all,Mem: %v", err)
	}
	// The flag exists on start as the message spells it.
	if _, errOut, code := cli(t, "start", "--config", spec, "--ignore-preflight-errors=NumCPU,Mem", "--help"); code != 0 {
		t.Errorf("start --ignore-preflight-errors: exit %d %s", code, errOut)
	}
}

// TestReplayResultLine: replay ends with one line that says how it went.
func TestReplayResultLine(t *testing.T) {
	out, errOut, code := cli(t, "replay")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "lecture-04: ") || !strings.HasSuffix(out, " commands, all outputs identical\n") {
		t.Errorf("kubesim replay: exit %d, last line %q\n%s", code, lines[len(lines)-1], errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("$ kubectl get namespaces --no-headers -o name\nnamespace/nope\n"), 0o644)
	out, errOut, code = cli(t, "replay", bad)
	if code != 1 || !strings.HasSuffix(errOut, "bad.txt: FAILED: an output differs from the transcript (above)\n") || strings.Contains(out, "identical") {
		t.Errorf("kubesim replay of a wrong transcript: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
