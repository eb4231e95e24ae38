package main

import (
	"encoding/json"
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"kubesim/internal/kubectl"
	"kubesim/sim"
)

// versionInfo is what `kubesim version` reports, as kind's and minikube's
// version commands do: the build and the Kubernetes versions a cluster can be.
type versionInfo struct {
	KubesimVersion     string             `json:"kubesimVersion"`
	GitCommit          string             `json:"gitCommit,omitempty"`
	GoVersion          string             `json:"goVersion"`
	Platform           string             `json:"platform"`
	KubernetesVersions kubernetesVersions `json:"kubernetesVersions"`
	KubectlVersion     string             `json:"kubectlVersion"`
}

type kubernetesVersions struct {
	Default string `json:"default"`
	Oldest  string `json:"oldest"`
	Newest  string `json:"newest"`
}

// buildVersion reads the module version from the build: a tagged module
// has its version; a build inside the checkout says "(devel)" (go build)
// or a pseudo-version from the VCS (go run, Go ≥ 1.24), and the commit is
// then taken from the VCS stamp.
func buildVersion() versionInfo {
	v := versionInfo{
		KubesimVersion: "(devel)",
		GoVersion:      goruntime.Version(),
		Platform:       goruntime.GOOS + "/" + goruntime.GOARCH,
		KubernetesVersions: kubernetesVersions{
			Default: sim.DefaultClusterSpec().KubernetesVersion,
			Oldest:  "v1.20.0",
			Newest:  minorOnly(kubectl.ClientVersion()),
		},
		KubectlVersion: kubectl.ClientVersion(),
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.KubesimVersion = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.GitCommit = s.Value
		case "vcs.modified":
			if s.Value == "true" && v.GitCommit != "" {
				v.GitCommit += "-dirty"
			}
		}
	}
	return v
}

func printVersion(w io.Writer, output string) error {
	v := buildVersion()
	switch output {
	case "":
		fmt.Fprintf(w, "kubesim version: %s\n", v.KubesimVersion)
		if v.GitCommit != "" {
			fmt.Fprintf(w, "commit: %s\n", v.GitCommit)
		}
		fmt.Fprintf(w, "go: %s %s\n", v.GoVersion, v.Platform)
		fmt.Fprintf(w, "kubernetes: %s to %s (default %s)\n", v.KubernetesVersions.Oldest, v.KubernetesVersions.Newest, v.KubernetesVersions.Default)
		fmt.Fprintf(w, "kubectl (kubesim kubectl): %s\n", v.KubectlVersion)
	case "json":
		b, _ := json.MarshalIndent(v, "", "  ")
		fmt.Fprintln(w, string(b))
	case "yaml":
		b, _ := yaml.Marshal(v)
		fmt.Fprint(w, string(b))
	default:
		return fmt.Errorf("--output must be 'yaml' or 'json'")
	}
	return nil
}

// minorOnly turns v1.37.2 into v1.37: any patch of the newest minor (the
// one the built-in API types and kubectl come from) is accepted.
func minorOnly(v string) string {
	if i := strings.LastIndexByte(v, '.'); i > strings.IndexByte(v, '.') {
		return v[:i]
	}
	return v
}

func versionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print kubesim's version, the Go it was built with and the Kubernetes versions a cluster can run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printVersion(cmd.OutOrStdout(), output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "one of 'yaml' or 'json'")
	return cmd
}
