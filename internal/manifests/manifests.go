package manifests

import (
	_ "embed"
	"sort"
)

//go:embed kube-flannel.yml
var kubeFlannel string

// byURL are the catalog's manifests by the URLs courses apply them from.
var byURL = map[string]string{
	"https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml":             kubeFlannel,
	"https://github.com/flannel-io/flannel/releases/download/v0.21.4/kube-flannel.yml":            kubeFlannel,
	"https://raw.githubusercontent.com/flannel-io/flannel/master/Documentation/kube-flannel.yml":  kubeFlannel,
	"https://raw.githubusercontent.com/flannel-io/flannel/v0.21.4/Documentation/kube-flannel.yml": kubeFlannel,
	"https://raw.githubusercontent.com/coreos/flannel/master/Documentation/kube-flannel.yml":      kubeFlannel,
}

// Lookup returns the manifest served at url, if the catalog has it.
func Lookup(url string) (string, bool) {
	m, ok := byURL[url]
	return m, ok
}

// URLs lists the catalog's URLs, sorted.
func URLs() []string {
	out := make([]string, 0, len(byURL))
	for u := range byURL {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}
