package images

import (
	"strings"
	"testing"
)

// TestCatalogFile: catalog.yaml parses into every repository with its
// behaviours; a bad entry is an error naming the repository.
func TestCatalogFile(t *testing.T) {
	repos, err := parseCatalog(catalogYAML)
	if err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]*repoSpec{}
	for _, r := range repos {
		if byRepo[r.Repo] != nil {
			t.Errorf("%s listed twice", r.Repo)
		}
		byRepo[r.Repo] = r
	}
	nginx := byRepo["docker.io/library/nginx"]
	if nginx == nil || nginx.Binaries["nginx"].Server != nginxServer || nginx.Binaries["docker-entrypoint.sh"].Prelude == nil {
		t.Fatalf("nginx: %+v", nginx)
	}
	if p := byRepo["registry.k8s.io/pause"]; p == nil || p.TagPattern == nil || !p.TagPattern.MatchString("3.9") || p.Binaries["pause"].Kind != progForever {
		t.Errorf("pause: %+v", p)
	}
	for _, tc := range []struct{ yaml, want string }{
		{`[{repo: x, size: 1, binaries: {a: {server: nope}}}]`, `x: binary a: unknown server "nope"`},
		{`[{repo: x, size: 1, releases: ["1.0"]}]`, `x: release "1.0": want "VERSION DATE"`},
		{`[{repo: x, size: 1, releases: ["2 2024-01-01", "1 2023-01-01"]}]`, `x: releases are not ascending by date`},
		{`[{repo: x, size: 1, binaries: {a: {}}}]`, `x: binary a: no behaviour`},
		{`[{repo: x, size: 1, colour: red}]`, `unknown field "colour"`},
	} {
		if _, err := parseCatalog([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
